"""A small Sphinx extension for the book: every script once per page.

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


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
