"""Sphinx directive ``.. regprior-cli::``: the CLI reference, rendered from the parser itself.

Each command's ``format_help()`` (``regprior --help`` and ``regprior COMMAND --help``) is
written as a literal block under its own section, so the page lists every subcommand and flag
exactly as the installed parser does, and cannot drift from it.
"""

from __future__ import annotations

import argparse
import os

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

#: The width the help is wrapped at (argparse reads $COLUMNS).
HELP_COLUMNS = "100"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subparsers of ``parser``, in the order ``--help`` lists them."""
    for action in parser._actions:  # argparse has no public accessor for its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        return parser.format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


class RegpriorCli(SphinxDirective):
    """Render ``regprior --help`` and every ``regprior COMMAND --help``."""

    has_content = False

    def _section(self, title: str, ident: str, text: str) -> nodes.section:
        section = nodes.section(ids=[ident])
        section += nodes.title(text=title)
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        section += block
        return section

    def run(self) -> list[nodes.Node]:
        from regprior.cli._main import build_parser

        parser = build_parser()
        result = [self._section("regprior", "cli-regprior", _help(parser))]
        for name, sub in _subcommands(parser).items():
            result.append(self._section(f"regprior {name}", f"cli-{name}", _help(sub)))
        return result


def setup(app):
    app.add_directive("regprior-cli", RegpriorCli)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
