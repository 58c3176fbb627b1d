"""Hostile and messy input: it never runs code, never runs script, never includes a file, and
never ends in a traceback. Either the build exits 2 with a clear message, or it builds and
shows the text exactly as written."""

from __future__ import annotations

import errno
import hashlib
import json
import re
import threading
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from helpers import random_tables, small_tables, write_edition

from kansrijk.cli import app
from kansrijk.pipeline import publish as publishing
from kansrijk.pipeline.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = Path("/tmp/kansrijk-test-pwned")
TEMPLATE = "{{ cycler.__init__.__globals__.os.popen('touch " + str(MARKER) + "').read() }}"
NAMES = [
    TEMPLATE,
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://x","klik") & <svg onload=alert(2)>',
    "Zuid & Oost <Noord> `code` {eval-rst}`x` $x^2$ [/x] root:x:0 | *a* _b_ 's-Hertogenbosch",
]
GEMEENTE = "X {{ 6*7 }} <script>alert(3)</script> & ```{include} /etc/passwd``` 't Zand"


def build(runner, params, book, *extra):
    return runner.invoke(app, ["build", str(params), "--book-dir", str(book), "--jobs", "2", "--quiet", *extra])


def tree_digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def visible_text(page: Path) -> str:
    main = re.search(r"<main.*?</main>", page.read_text(encoding="utf-8"), re.S).group(0)
    main = re.sub(r"<(script|style|details).*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


class _Elements(HTMLParser):
    """Every element with its attributes, and the text of every script."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An edition whose district and municipality names are attacks, built once."""
    MARKER.unlink(missing_ok=True)
    folder = tmp_path_factory.mktemp("vijandig")
    tables = random_tables(n=600, seed=5)
    tables["wijken"]["wijk_naam"] = NAMES
    tables["atlas"] = tables["wijken"][["wijk_code"]].assign(
        kwetsbaarheidsscore=[15.1, 13.9, 14.2, 14.6], pct_15_45=40.0
    )
    # CBS's district facts (kansrijk cbs) carry names and a source of their own
    tables["cbs_wijken"] = tables["wijken"].assign(
        inwoners=[9000, 7000, 5000, 800],
        inwoners_0_14=[1500, 1100, 900, 120],
        huishoudens_met_kinderen=[1800, 1300, 1000, 150],
        pct_hh_laag_inkomen=[7.5, 4.1, 12.0, "."],
        pct_hh_rond_sociaal_minimum=[9.0, 5.5, 15.2, ""],
        pct_hh_tot_120_wsm=[12.0, 7.0, 19.9, ""],
        bron=NAMES[2],
        licentie=TEMPLATE,
    )
    colophon = {"uitgever": NAMES[1], "contact": TEMPLATE, "versie": NAMES[2], "publicatiedatum": "2026-11-23"}
    params = write_edition(folder, tables, slug="vijandig", params={"gemeente": GEMEENTE, **colophon})
    from typer.testing import CliRunner

    result = build(CliRunner(), params, folder / "boek")
    assert result.exit_code == 0, result.output
    return params, folder / "boek"


@pytest.mark.build
def test_no_template_is_rendered_and_no_command_runs(hostile):
    _, book = hostile
    assert not MARKER.exists(), "a district name ran a shell command"
    for page in (book / "vijandig" / "html").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "X 42" not in text, f"{page.name}: {{{{ 6*7 }}}} was rendered"
    assert TEMPLATE in visible_text(book / "vijandig" / "html" / "armoede.html")


@pytest.mark.build
def test_names_are_shown_exactly_as_written_and_never_as_markup(hostile):
    _, book = hostile
    html = book / "vijandig" / "html"
    for name in ("armoede.html", "atlas.html", "context.html"):
        text = visible_text(html / name)
        for hostile_name in NAMES:
            assert hostile_name in text, f"{name} does not show {hostile_name!r} as written"
    assert TEMPLATE in visible_text(html / "context.html"), "the CBS file's licence is altered"
    assert GEMEENTE in visible_text(html / "herkomst.html")
    colophon = visible_text(html / "colofon.html")
    assert all(value in colophon for value in (NAMES[1], TEMPLATE, NAMES[2])), "the colophon alters its values"
    assert NAMES[1] in visible_text(html / "armoede.html"), "the footer alters the publisher's name"
    for page in html.glob("*.html"):
        parser = _Elements()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attrs in parser.elements:
            assert not (tag == "img" and attrs.get("src") == "x"), f"{page.name}: live <img> from a name"
            assert tag != "svg" or "onload" not in attrs, f"{page.name}: live <svg onload> from a name"
            assert not any(a.startswith("on") for a in attrs), f"{page.name}: an event handler on <{tag}>"
        assert not any("alert(" in s for s in parser.scripts), f"{page.name}: script from a name"
        title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
        if title:  # the edition's index.html only redirects
            assert "<script>" not in title.group(1) and "&lt;script&gt;" in title.group(1)
    # the name itself is shown (and, CSS-escaped, printed in the page margins); the file never is
    pages = "".join(re.sub(r"<style media=\"print\">.*?</style>", "", p.read_text()) for p in html.glob("*.html"))
    assert "passwd" not in pages.replace("/etc/passwd```", "")


@pytest.mark.build
def test_csv_downloads_are_spreadsheet_safe(hostile):
    _, book = hostile
    rows = (book / "vijandig" / "notebooks" / "tabellen" / "tab-armoede.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in rows
    assert not re.search(r'(^|;|")=HYPERLINK', rows, re.M)


@pytest.mark.build
def test_key_figures_and_landing_page_carry_the_names_as_data(hostile):
    _, book = hostile
    figures = json.loads((book / "vijandig" / "kerncijfers.json").read_text(encoding="utf-8"))
    assert figures["gemeente"] == GEMEENTE
    assert [w["naam"] for w in figures["armoede"]["wijken"].values()] == NAMES
    landing = (book / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(3)" not in landing and "&lt;script&gt;alert(3)" in landing


@pytest.mark.build
def test_the_pdf_edition_prints_the_names_as_written(hostile):
    """Read back with pypdf: every hostile name appears as text (compared without whitespace, since
    a long name wraps), the cover's bookmark is the name, and no file of the machine is included."""
    from pypdf import PdfReader

    _, book = hostile
    pdf = PdfReader(book / "vijandig" / "vijandig.pdf")
    text = "".join("".join(page.extract_text().split()) for page in pdf.pages)
    for name in [*NAMES, GEMEENTE]:
        assert "".join(name.split()) in text, f"the PDF does not print {name!r} as written"
    assert "X42" not in text and "/bin/" not in text and "daemon:" not in text
    assert pdf.outline[0].title.startswith(GEMEENTE)


def _first_difference(book: Path, again: Path, differ: list[str]) -> str:
    """The first lines that differ in the first differing file, for the failure message."""
    import difflib

    name = differ[0]
    before, after = ((b / "vijandig" / name).read_text(encoding="utf-8", errors="replace") for b in (book, again))
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2)
    return "\n".join(list(diff)[:60])


@pytest.mark.build
def test_two_builds_of_the_same_inputs_are_identical_outside_provenance(hostile, tmp_path, runner):
    params, book = hostile
    again = tmp_path / "boek"
    result = build(runner, params, again, "--force")
    assert result.exit_code == 0, result.output
    first = tree_digest(book / "vijandig", skip=("provenance.json",))
    second = tree_digest(again / "vijandig", skip=("provenance.json",))
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, f"differ between two builds: {differ}\n{_first_difference(book, again, differ)}"
    for notebook in (book / "vijandig" / "notebooks").glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert str(params.parent.parent) not in text, f"{notebook.name} carries a local path"
        assert "start_time" not in text and "end_time" not in text
    provenance = (book / "vijandig" / "provenance.json").read_text(encoding="utf-8")
    assert str(params.parent) not in provenance


@pytest.mark.build
@pytest.mark.browser
def test_no_name_fires_script_in_a_browser(hostile):
    import functools
    import http.server

    from test_browser import CHROMIUM, FLAGS

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    _, book = hostile

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=book))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    dialogs: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            names = ("armoede.html", "atlas.html", "herkomst.html", "colofon.html", "context.html")
            pages = ["index.html"] + [f"vijandig/html/{n}" for n in names]
            pages.append("vijandig/html/search.html?q=HYPERLINK")
            for path in pages:
                page = browser.new_page()
                page.on("dialog", lambda d, path=path: (dialogs.append(f"{path}: {d.message}"), d.dismiss()))
                page.goto(f"{base}/{path}", wait_until="networkidle")
                page.close()
            browser.close()
    finally:
        server.shutdown()
    assert not dialogs


# --- bad input: exit 2 with file, line and rule; never a traceback ----------------------------


def _validate(runner, params):
    result = runner.invoke(app, ["validate", str(params)])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("T9999,1,WK099901,laag,nederlands,0,0,extra", "regel 62, kolom 38: 8 velden, terwijl de kopregel er 7 heeft"),
        ('"T9999,1,WK099901,laag,nederlands,0,0', "regel 62, kolom 1: aanhalingsteken wordt niet afgesloten"),
    ],
)
def test_malformed_csv_names_file_line_and_column(tmp_path, runner, line, rule):
    from kansrijk.problems import InputError
    from kansrijk.validation import load_inputs

    params = write_edition(tmp_path)
    path = params.parent / "data" / "kinderen.csv"
    path.write_text(path.read_text() + line + "\n")
    assert _validate(runner, params).exit_code == 2
    with pytest.raises(InputError) as caught:
        load_inputs(path.parent)
    [problem] = caught.value.problems
    assert (problem.file, problem.rule) == ("kinderen.csv", rule)


def test_values_are_printed_literally_not_as_markup(tmp_path, runner):
    tables = small_tables()
    tables["kinderen"] = tables["kinderen"].astype(object)
    tables["kinderen"].loc[1, "opleiding_ouders"] = "[/x]"
    tables["kinderen"].loc[2, "opleiding_ouders"] = "root:x:0"
    result = _validate(runner, write_edition(tmp_path, tables))
    assert result.exit_code == 2
    assert "[/x]" in result.output and "root:x:0" in result.output and "❌" not in result.output


def test_encodings_are_named(tmp_path, runner):
    params = write_edition(tmp_path)
    path = params.parent / "data" / "wijken.csv"
    path.write_bytes(path.read_text().encode("utf-16"))
    result = _validate(runner, params)
    assert result.exit_code == 2 and "UTF-16" in result.output and "Latin-1" not in result.output
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))  # a workbook saved under a .csv name
    result = _validate(runner, params)
    assert result.exit_code == 2 and "Excel" in result.output


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a: &a [1, 1, 1]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", "ankers (&a) zijn niet toegestaan"),
        ("gemeente: A\ngemeente: B\n", "sleutel 'gemeente' komt twee keer voor"),
        ("gemeente: A\n" + "# opvulling\n" * 10000, "groter dan 64 KiB"),
        ("<<: {gemeente: A}\n", "samenvoegen (<<) is niet toegestaan"),
    ],
)
def test_yaml_that_may_not_be_read(tmp_path, runner, text, rule):
    from kansrijk.params import load_edition
    from kansrijk.problems import InputError

    path = tmp_path / "yaml.yml"
    path.write_text(text)
    assert _validate(runner, path).exit_code == 2
    with pytest.raises(InputError) as caught:
        load_edition(path)
    assert rule in caught.value.problems[0].rule


@pytest.mark.parametrize("stem", ["..", ".", ".staging", "Utrecht", "a b", "é"])
def test_slugs_that_could_name_a_folder_badly_are_refused(tmp_path, runner, stem):
    params = write_edition(tmp_path)
    path = params.with_name(f"{stem}.yml")
    params.rename(path)
    book = tmp_path / "boek"
    (book / "bestaand").mkdir(parents=True)
    result = build(runner, path, book)
    assert result.exit_code == 2 and "editienaam" in result.output
    assert (book / "bestaand").is_dir()
    if stem not in (".", ".."):
        assert not (book / stem).exists()


@pytest.mark.parametrize("slug", ["../x", "/tmp/x", "x/../../y"])
def test_new_never_writes_outside_params_and_data(slug, runner, tmp_path, monkeypatch):
    from kansrijk import scaffold

    monkeypatch.setattr(scaffold, "PARAMS", tmp_path / "params")
    monkeypatch.setattr(scaffold, "DATA", tmp_path / "data")
    (tmp_path / "params").mkdir()
    before = sorted(p for p in tmp_path.parent.rglob("*") if tmp_path not in p.parents)
    result = runner.invoke(app, ["new", slug, "--gemeente", "X", "--gemeentecode", "GM0001"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert sorted(p for p in tmp_path.parent.rglob("*") if tmp_path not in p.parents) == before
    result = runner.invoke(app, ["new", "x", "--gemeente", "X", "--gemeentecode", "GM0001", "--data", "../../y"])
    assert result.exit_code == 2 and "binnen data/" in result.output


def test_a_second_parameter_file_cannot_replace_an_edition(tmp_path, runner):
    owner = write_edition(tmp_path / "eigen", slug="stad")
    other = write_edition(tmp_path / "ander", slug="stad")
    book = tmp_path / "boek"
    (book / "stad").mkdir(parents=True)
    Workspace(book).root.mkdir()
    Workspace(book).write_record("stad", owner.resolve(), "sleutel")
    result = build(runner, other, book)
    assert result.exit_code == 2 and "is gepubliceerd uit" in result.output
    two = runner.invoke(app, ["build", str(owner), str(other), "--book-dir", str(tmp_path / "b2"), "-q"])
    assert two.exit_code != 0 and "komt ook van" in two.output


def test_boundary_layers_that_are_not_feature_collections(tmp_path, runner):
    for content in ("[1, 2, 3]", '{"features": 5}', "geen json", '{"features": [{"properties": 1}]}'):
        layer = tmp_path / "laag.geojson"
        layer.write_text(content)
        result = runner.invoke(app, ["grenzen", "GM0001", str(layer), "--out", str(tmp_path / "uit.geojson")])
        assert result.exit_code == 2, content
        assert "Traceback" not in result.output and "laag.geojson" in result.output


def test_the_landing_page_survives_a_damaged_key_figures_file(tmp_path, capsys):
    from kansrijk.landing import render

    (tmp_path / "kapot").mkdir()
    (tmp_path / "kapot" / "kerncijfers.json").write_text("{niet af")
    (tmp_path / "vreemd").mkdir()
    (tmp_path / "vreemd" / "kerncijfers.json").write_text('["een lijst"]')
    (tmp_path / "goed").mkdir()
    figures = {"editie": "goed", "gemeente": "Goedstad", "gemeentecode": "GM0001", "jaar": 2023, "synthetisch": True,
               "kinderen": {"n": "veel", "extra_aandacht": {"pct": "<b>"}}}  # fmt: skip
    (tmp_path / "goed" / "kerncijfers.json").write_text(json.dumps(figures))
    page = render(tmp_path)
    assert "Goedstad 2023" in page and "<b>" not in page
    assert "kapot" in capsys.readouterr().err


# --- publishing: never a gap, one build at a time, faults in one line -------------------------


def _edition(folder: Path, marker: str) -> Path:
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text(marker)
    return folder


def test_an_edition_is_never_missing_while_it_is_replaced(tmp_path):
    book = tmp_path / "boek"
    final = _edition(book / "stad", "0")
    missing, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            if not (final / "html" / "index.html").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for i in range(1, 200):
        assert publishing.publish(_edition(tmp_path / f"nieuw-{i}", str(i)), final) is None
    stop.set()
    watcher.join()
    assert not missing
    assert (final / "html" / "index.html").read_text() == "199"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boek"]  # every old edition removed


def test_a_second_build_of_the_same_edition_is_refused(tmp_path, runner):
    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    with Workspace(book).lock("stad"):
        result = build(runner, params, book)
    assert result.exit_code == 1 and "wordt al gebouwd" in result.output
    assert not (book / "stad").exists()


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "de schijf is vol"), (errno.EROFS, "alleen-lezen"), (errno.EACCES, "geen schrijfrechten")],
)
def test_faults_give_one_line_and_leave_the_edition_untouched(tmp_path, runner, monkeypatch, code, words):
    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    _edition(book / "stad", "oud")

    def fail(self, slug):
        raise OSError(code, "test", str(book / ".work" / "staging"))

    monkeypatch.setattr(Workspace, "staging", fail)
    result = build(runner, params, book)
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert (book / "stad" / "html" / "index.html").read_text() == "oud"


@pytest.mark.build
def test_a_killed_worker_is_one_line(tmp_path, runner):
    params = write_edition(tmp_path, slug="stad")
    result = build(runner, params, tmp_path / "boek", "--chapters", str(FIXTURES / "sterft"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "stopte onverwacht" in result.output and "er is niets gepubliceerd" in result.output


@pytest.mark.build
def test_an_unchanged_build_on_a_read_only_book_succeeds(tmp_path, runner, monkeypatch):
    from kansrijk.pipeline import workspace

    params = write_edition(tmp_path, slug="stad")
    book = tmp_path / "boek"
    assert build(runner, params, book, "--chapters", str(FIXTURES / "kort")).exit_code == 0
    before = tree_digest(book / "stad")

    def read_only(path, text):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(workspace, "write_atomic", read_only)
    result = build(runner, params, book, "--chapters", str(FIXTURES / "kort"))
    assert result.exit_code == 0, result.output
    assert tree_digest(book / "stad") == before


def test_parameter_names_with_line_breaks_are_refused(tmp_path, runner):
    params = write_edition(tmp_path, params={"gemeente": "X\n```{include} /etc/passwd\n```"})
    result = _validate(runner, params)
    assert result.exit_code == 2 and "gemeente" in result.output and "niet-afdrukbaar" in result.output


def test_parameter_file_as_yaml_is_read_safely(tmp_path, runner):
    path = write_edition(tmp_path)
    values = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(values) + "extra: !!python/object/apply:os.system ['touch /tmp/nee']\n")
    result = _validate(runner, path)
    assert result.exit_code == 2 and not Path("/tmp/nee").exists()


def test_clearing_one_editions_stale_staging_leaves_a_neighbours_running_build_alone(tmp_path):
    """``utrecht`` and ``utrecht-2023`` build side by side: clearing what a killed build of
    ``utrecht`` left behind must not take the staging folder ``utrecht-2023`` is working in."""
    workspace = Workspace(tmp_path)
    neighbour = workspace.staging("utrecht-2023")
    stale = workspace.staging("utrecht")
    assert workspace.remove_stale("utrecht") == 1
    assert neighbour.is_dir() and not stale.exists()
