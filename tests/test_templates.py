"""The book's Jinja templates are compiled once per worker process and kept by name and source:
a later book renders from the kept code, and a template whose source differs (another edition's
copy of the book's own) is compiled again, never rendered from another's code."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from kansrijk.sphinx_ext import _Compiled


def _environment(templates: dict[str, str], cache: _Compiled, compiled: list[str]) -> Environment:
    class Counting(Environment):
        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            compiled.append(name)
            return super().compile(source, name, filename, raw, defer_init)

    return Counting(loader=DictLoader(templates), bytecode_cache=cache, autoescape=True)


def test_a_template_is_compiled_once_per_process_and_again_when_its_source_changes():
    cache, compiled = _Compiled(), []
    page = {"layout.html": "<h1>{{ title }}</h1>{% block body %}{% endblock %}"}
    first = _environment(page, cache, compiled).get_template("layout.html").render(title="<Wijk & Co>")
    second = _environment(page, cache, compiled).get_template("layout.html").render(title="<Wijk & Co>")
    assert first == second == "<h1>&lt;Wijk &amp; Co&gt;</h1>"
    assert compiled == ["layout.html"]  # the second environment (the next book) used the kept code

    changed = {"layout.html": "<h2>{{ title }}</h2>"}  # same name, another source
    assert _environment(changed, cache, compiled).get_template("layout.html").render(title="x") == "<h2>x</h2>"
    assert compiled == ["layout.html", "layout.html"]
    assert _environment(page, cache, compiled).get_template("layout.html").render(title="y") == "<h1>y</h1>"
