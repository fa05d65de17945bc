"""Resolve a reference to a documented object by another of its names.

Docstrings name objects where they are defined (``regprior.spec.priors.Prior``), where they are
re-exported (``regprior.inference.map_estimate``) or, inside a module, by their bare name
(``compare_data``). The API reference documents each object once, under the name users import
(``regprior.Prior``) or, for the lower layers, under its defining module. When a Python
reference finds no target, this handler imports what it names (a bare name is looked up in the
module, and class, of the object whose page it is on) and retries under the object's public name
(``regprior.__all__``) and its canonical name (``module.qualname``). Nothing is invented: a
reference to an object that is documented nowhere still fails the nitpicky build.
"""

from __future__ import annotations

import importlib
import inspect

#: Where autosummary writes one page per object; the page name is the object's name.
GENERATED = ("generated/", "generated_lower/")


def _resolve_object(target: str):
    """Import the object a dotted name stands for, or None."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None


def _canonical(obj) -> str | None:
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(qualname, str)) or "<" in qualname:
        return None
    return f"{module}.{qualname}"


def _aliases(target: str) -> list[str]:
    """Other names of what ``target`` names: public (regprior.X[.member]) and canonical."""
    import regprior

    public = {id(getattr(regprior, name)): name for name in regprior.__all__}
    parts = target.split(".")
    names = []
    for cut in range(len(parts), 1, -1):  # the object itself, then Class.member
        obj = _resolve_object(".".join(parts[:cut]))
        if obj is None or inspect.ismodule(obj):
            continue
        rest = parts[cut:]
        if id(obj) in public:
            names.append(".".join(["regprior", public[id(obj)], *rest]))
        canonical = _canonical(obj)
        if canonical is not None:
            names.append(".".join([canonical, *rest]))
        if cut < len(parts):
            break
    return [name for name in names if name != target]


def _context(refdoc: str) -> list[str]:
    """The defining module (and class) of the object whose generated page this is."""
    for prefix in GENERATED:
        if refdoc.startswith(prefix):
            obj = _resolve_object(refdoc[len(prefix) :])
            break
    else:
        return []
    if obj is None:
        return []
    if inspect.ismodule(obj):
        return [obj.__name__]
    scopes = []
    if inspect.isclass(obj):
        scopes += [cls.__module__ + "." + cls.__qualname__ for cls in obj.__mro__[:-1]]
    module = getattr(obj, "__module__", None)
    if module:
        scopes.append(module)
    return scopes


def missing_reference(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if target.startswith("regprior."):
        candidates = [target]
    elif target and not target.startswith(("numpy", "pandas", "scipy", "sklearn", "pymc")):
        candidates = [f"{scope}.{target}" for scope in _context(node.get("refdoc", ""))]
    else:
        return None
    domain = env.get_domain("py")
    if "." not in target:  # a bare name: also any one documented object of that name
        suffix = "." + target
        matches = [
            name
            for name, entry in domain.objects.items()
            if name.endswith(suffix) and not entry.aliased  # not the :canonical: duplicate
        ]
        if len(matches) == 1:
            candidates.append(matches[0])
    for candidate in candidates:
        for name in [candidate, *_aliases(candidate)]:
            resolved = domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], name, node, contnode
            )
            if resolved is not None:
                return resolved
    return None


def setup(app):
    app.connect("missing-reference", missing_reference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
