"""A small Sphinx extension for the book: the edition's title escaped in every template, every
script once per page, a folded computation labelled in Dutch, and a search index of prose only.

The title carries the municipality's name, which comes from the parameter file. Sphinx's own
layout escapes it, but the theme prints it raw in the navbar and on the search page; handing
the templates an escaped :class:`markupsafe.Markup` is right for both (escaping it again is a
no-op).

sphinx-thebe and sphinx-togglebutton (pinned by Jupyter Book 1.x) register inline scripts while
the builder already exists, and Sphinx 7.4 then lists them twice (once with filename ``None``,
once with ``''``): the second ``const THEBE_JS_URL`` is a JavaScript error on every page.
Deduplicating the page's scripts removes it, whatever extension adds a script twice.

myst-nb writes a folded computation as ``<summary aria-label="Toggle hidden content">``: an
English name that differs from the visible Dutch prompt, which screen readers announce and
WCAG 2.5.3 (label in name) forbids. The summary here has no aria-label, so its name is its text.

Jupyter Book 1.x loads extensions this book does not use (live code with Thebe, copy buttons,
toggle buttons, tabs); their scripts and style sheets are left off the page, which keeps a page
light on a phone. The scripts that remain are deferred, so that they no longer hold back the first
paint; only ``documentation_options.js`` runs at once, because the page's inline script that
follows it sets a value on the object it defines. The search page keeps them all immediate: its
search script, which Sphinx's template loads directly, calls them as it loads.

A wide table scrolls inside its own box (the book's style sheet), and a region that scrolls must
be reachable from the keyboard (WCAG 2.1.1; axe's ``scrollable-region-focusable``): every table
is focusable, and its caption names it.

Sphinx 7.4 indexes every word of a page, code included, so search results quoted Python. The
collector here skips code blocks; a reader searches the text, a reviewer reads the notebooks.

For every ``{numref}`` Sphinx 7.4 unpickles the whole page the figure or table is on, only to read
its number: a fifth of writing the book. The standard domain here reads each page at most once per
build for that, and takes a page it has in memory as it is (the numbers are read, never changed).

Every Sphinx build makes its own Jinja environment and compiles the theme's templates again (a
sixth of writing the book); a worker builds many books, so each template is compiled once per
process and kept by its name and source (Jinja's bytecode cache, in memory).

The themes' static folders hold what no reader's browser asks for: sphinx-book-theme's
translations (46 languages, read from the theme's own folder as the book is built) and the source
maps of the bundled scripts and style sheets (for a developer's tools). Sphinx copied them into
every edition: 125 of its 149 static files and 4.1 of its 7.4 MB, a fifth of writing a book of a
national run. They are left out; the scripts' licences and the fonts stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from jinja2.bccache import Bucket, BytecodeCache
from markupsafe import escape
from sphinx import search
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.builders.html._assets import _JavaScript
from sphinx.domains.std import StandardDomain
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset
from sphinx.util.matching import Matcher

from kansrijk.show import WITHHELD

# Assets of Jupyter Book's extensions that no page of the book uses (by file name or inline body).
UNUSED = ("thebe", "copybutton", "clipboard", "togglebutton", "toggleHint", "toggleOpenOnPrint", "design-tabs",
          "sphinx-design", "search_as_you_type")  # fmt: skip


# The one script an inline script of every page depends on at once.
IMMEDIATE = "documentation_options.js"


def _used(asset: object) -> bool:
    text = str(getattr(asset, "filename", asset) or "") + str(getattr(asset, "attributes", {}).get("body", ""))
    return not any(name in text for name in UNUSED)


def _page_assets(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    if "css_files" in context:  # each used style sheet once (myst-nb registers its own twice on some pages)
        sheets = {str(getattr(css, "filename", css)): css for css in reversed(context["css_files"]) if _used(css)}
        context["css_files"] = list(reversed(sheets.values()))
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in filter(_used, scripts):
        # the same file or inline body (Sphinx registers an inline script once with filename None
        # and once with ''), whatever priority it was registered with
        filename = str(getattr(script, "filename", script) or "")
        attributes = dict(getattr(script, "attributes", {}))
        key = (filename, repr(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        deferrable = pagename != "search" and not filename.endswith(IMMEDIATE) and "async" not in attributes
        if filename.endswith(".js") and deferrable:
            script = _JavaScript(filename, priority=script.priority, **(attributes | {"defer": "defer"}))
        kept.append(script)
    context["script_files"] = kept


def _escaped_titles(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    for key in ("docstitle", "shorttitle"):
        if isinstance(context.get(key), str):
            context[key] = escape(context[key])


def _focusable_tables(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    if isinstance(context.get("body"), str):
        body = context["body"].replace("<table ", '<table tabindex="0" ')
        # a figure never breaks, but the words for a value the source did not deliver may
        withheld = f'<td class="text-right"><p>{escape(WITHHELD)}</p>'
        context["body"] = body.replace(withheld, f'<td class="text-right kansrijk-woorden"><p>{escape(WITHHELD)}</p>')


def _visit_folded(self, node) -> None:
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n</summary>\n')


def _depart_folded(self, node) -> None:
    self.body.append("</details>\n")


class ProseIndex(search.IndexBuilder):
    """Sphinx's search index without code: literal blocks are not searched. They are taken out of
    the page's tree while its words are collected and put back after (the page is written from
    the same tree): a copy of the tree without them cost a tenth of the book's build."""

    def _word_collector(self, doctree: nodes.document):  # type: ignore[override]
        blocks = [(block.parent, block.parent.index(block), block) for block in doctree.findall(nodes.literal_block)]
        for parent, _, block in reversed(blocks):
            parent.remove(block)
        try:
            return super()._word_collector(doctree)
        finally:
            for parent, index, block in blocks:
                parent.insert(index, block)


class _ReadOnce:
    """A build environment whose pages are each read once, for numbering only: the page being
    written is the tree in hand, a page still to be written the tree Sphinx keeps for it, and
    only a page written before (or not read in this build) is unpickled."""

    def __init__(self, env, read: dict[str, nodes.document], current: str, tree: nodes.document | None) -> None:
        self._env, self._read, self._current, self._tree = env, read, current, tree

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)

    def get_doctree(self, docname: str) -> nodes.document:
        if docname not in self._read:
            tree = self._tree if docname == self._current else self._env._write_doc_doctree_cache.get(docname)
            self._read[docname] = tree if tree is not None else self._env.get_doctree(docname)
        return self._read[docname]


class NumberedDomain(StandardDomain):
    """The standard domain, reading each page at most once per build to number the references to
    it (a domain lives for one build)."""

    def _resolve_numref_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        once = _ReadOnce(env, self.__dict__.setdefault("_read", {}), fromdocname, node.document)
        return super()._resolve_numref_xref(once, fromdocname, builder, typ, target, node, contnode)


class LeanHTMLBuilder(StandaloneHTMLBuilder):
    """Sphinx's HTML builder, copying only what a reader's browser can ask for of the themes'
    static files (:data:`NOT_SERVED` left out)."""

    def copy_theme_static_files(self, context: dict[str, Any]) -> None:
        def onerror(filename: str, error: Exception) -> None:  # as Sphinx: a warning, an error here
            logger.warning("Failed to copy a file in the theme's 'static' directory: %s: %r", filename, error)

        if self.theme:
            for entry in reversed(self.theme.get_theme_dirs()):
                copy_asset(
                    Path(entry) / "static",
                    Path(self.outdir) / "_static",
                    excluded=NOT_SERVED,
                    context=context,
                    renderer=self.templates,
                    onerror=onerror,
                )


logger = logging.getLogger(__name__)
NOT_SERVED = Matcher(["**/.*", ".*", "locales", "**.map"])  # hidden files (as Sphinx), translations, source maps


class _Compiled(BytecodeCache):
    """Compiled templates, kept for the process by name and source: a template of the same name
    from another folder (another edition's copy of the book's own) is the same code when its
    source is the same, and compiled again when it is not."""

    def __init__(self) -> None:
        self.code: dict[str, Any] = {}

    def get_bucket(self, environment, name: str, filename: str | None, source: str) -> Bucket:
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, f"{self.get_cache_key(name)}-{checksum}", checksum)
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.code.get(bucket.key)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.code


_COMPILED = _Compiled()


def _keep_compiled(app) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.bytecode_cache = _COMPILED


def setup(app) -> dict[str, Any]:
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_domain(NumberedDomain, override=True)
    app.add_builder(LeanHTMLBuilder, override=True)

    # The HTML builder imports IndexBuilder from sphinx.search when it prepares writing.
    search.IndexBuilder = ProseIndex  # type: ignore[misc]
    app.add_node(HideCodeCellNode, override=True, html=(_visit_folded, _depart_folded))
    app.connect("html-page-context", _escaped_titles, priority=100)
    app.connect("html-page-context", _page_assets, priority=900)
    app.connect("html-page-context", _focusable_tables)
    app.connect("builder-inited", _keep_compiled)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
