"""The API reference is complete: docs/api.rst lists every public name, and only those.

docs/api.rst is a hand-written list of ``autosummary`` directives, one page per name. A name
added to ``regprior.__all__`` without an entry there would have no page; an entry that is no
longer public would document a name users cannot import from :mod:`regprior`.
"""

import re
from pathlib import Path

import regprior

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"


def autosummary_entries(text: str) -> list[str]:
    """The names listed by every ``.. autosummary::`` directive of an rst text, in order.

    A directive's body is its indented block: option lines (``:toctree: ...``) first, then
    one name per line; the block ends at the first non-blank line indented no deeper than the
    directive.
    """
    names = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)\.\. autosummary::\s*$", line)
        if match is None:
            continue
        indent = len(match.group(1))
        for body in lines[i + 1 :]:
            if not body.strip():
                continue
            if len(body) - len(body.lstrip()) <= indent:
                break
            entry = body.strip()
            if entry.startswith(":") or entry.startswith(".."):
                continue  # an option of the directive or a comment
            names.append(entry.split()[0].removeprefix("~"))
    return names


def test_autosummary_parser_reads_options_names_and_the_block_end():
    text = (
        ".. autosummary::\n   :toctree: generated/\n   :nosignatures:\n\n   Foo\n   bar\n\n"
        "Next section\n------------\n\n.. autosummary::\n\n   ~Baz\n\n.. toctree::\n\n   page\n"
    )
    assert autosummary_entries(text) == ["Foo", "bar", "Baz"]


def test_api_reference_lists_exactly_the_public_names():
    entries = autosummary_entries(API_RST.read_text(encoding="utf-8"))
    documented = {name.removeprefix("regprior.") for name in entries}
    public = set(regprior.__all__)
    duplicates = sorted({name for name in entries if entries.count(name) > 1})
    missing = sorted(public - documented)
    extra = sorted(documented - public)
    assert not missing and not extra and not duplicates, (
        f"docs/api.rst against regprior.__all__: missing (public, no API page) {missing}; "
        f"extra (listed, not in __all__) {extra}; listed twice {duplicates}"
    )
