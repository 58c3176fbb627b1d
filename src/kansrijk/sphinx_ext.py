"""A small Sphinx extension for the book: the edition's title escaped in every template, and
every script once per page.

The title carries the municipality's name, which comes from the parameter file. Sphinx's own
layout escapes it, but the theme prints it raw in the navbar and on the search page; handing
the templates an escaped :class:`markupsafe.Markup` is right for both (escaping it again is a
no-op).

sphinx-thebe and sphinx-togglebutton (pinned by Jupyter Book 1.x) register inline scripts while
the builder already exists, and Sphinx 7.4 then lists them twice (once with filename ``None``,
once with ``''``): the second ``const THEBE_JS_URL`` is a JavaScript error on every page.
Deduplicating the page's scripts removes it, whatever extension adds a script twice.
"""

from __future__ import annotations

from typing import Any


def _unique_scripts(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        # the same file or inline body (Sphinx registers an inline script once with filename None
        # and once with ''), whatever priority it was registered with
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _escaped_titles(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    from markupsafe import escape

    for key in ("docstitle", "shorttitle"):
        if isinstance(context.get(key), str):
            context[key] = escape(context[key])


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _escaped_titles, priority=100)
    app.connect("html-page-context", _unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
