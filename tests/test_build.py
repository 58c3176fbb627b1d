"""End-to-end builds of small editions: publish, cache, failures, atomicity."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from helpers import random_tables, small_tables, write_edition

from kansrijk.cli import app
from kansrijk.pipeline.book import CHANGE_CHAPTER

pytestmark = pytest.mark.build

FIXTURES = Path(__file__).parent / "fixtures"

CONTRACT_KEYS = [
    "editie", "gemeente", "gemeentecode", "jaar", "synthetisch", "kinderen.n", "kinderen.extra_aandacht.n",
    "kinderen.extra_aandacht.pct", "kinderen.balans.geen_risicofactoren", "kinderen.balans.risico_niet_gevolgd",
    "kinderen.balans.gevolgd_in_balans", "kinderen.balans.uit_balans", "kinderen.top_risicofactoren",
    "armoede.kinderen_0_5", "armoede.pct_125", "armoede.pct_105", "armoede.wijken",
]  # fmt: skip


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def get(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        value = value[part]
    return value


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One small edition unlike Utrecht (`;`-separated, ja/nee booleans, a district of about 40
    children, extra attention most often for highly educated parents), built once."""
    folder = tmp_path_factory.mktemp("editie")
    params = write_edition(folder, random_tables(reverse_gradient=True), sep=";", slug="havendorp")
    book = folder / "boek"
    return params, book


def build(runner, params, book, *extra):
    return runner.invoke(app, ["build", str(params), "--book-dir", str(book), "--jobs", "2", "--quiet", *extra])


def test_end_to_end_build_publishes_the_edition(built, runner):
    params, book = built
    result = build(runner, params, book)
    assert result.exit_code == 0, result.output
    edition = book / "havendorp"
    assert (edition / "html" / "index.html").is_file()
    notebooks = sorted(p.name for p in (edition / "notebooks").glob("*.ipynb"))
    chapters = (Path(__file__).parents[1] / "chapters").glob("*.ipynb")
    # a first edition has no chapter on what changed since the previous one
    assert notebooks == sorted(p.name for p in chapters if p.stem != CHANGE_CHAPTER)
    assert not (edition / "html" / f"{CHANGE_CHAPTER}.html").exists()
    figures = json.loads((edition / "kerncijfers.json").read_text())
    for key in CONTRACT_KEYS:
        get(figures, key)
    for level in ("laag", "midden", "hoog", "onbekend"):
        assert set(figures["kinderen"]["extra_aandacht_naar_opleiding"][level]) == {
            "n",
            "noemer",
            "pct",
            "ci_laag",
            "ci_hoog",
        }
        assert set(figures["kinderen"]["stapeling_naar_opleiding"][level]) == {
            "geen", "een_factor", "binnen_een_domein", "meerdere_domeinen"
        }  # fmt: skip
    assert figures["editie"] == "havendorp" and figures["gemeentecode"] == "GM0999"
    provenance = json.loads((edition / "provenance.json").read_text())
    assert {f["bestand"] for f in provenance["invoer"]} == {
        "wijken.csv",
        "kinderen.csv",
        "risicofactoren.csv",
        "armoede.csv",
    }
    assert all(set(f) == {"bestand", "sha256"} for f in provenance["invoer"])  # no row counts
    assert provenance["parameterbestand"] == "havendorp.yml"  # no path of the build machine
    assert set(provenance["onthulling"]["onderdrukt"]) == {"primair_onderdrukt", "secundair_onderdrukt"}
    assert len(provenance["hoofdstukken"]) == len(notebooks)
    assert "pandas" in provenance["software"] and "python" in provenance["software"]
    assert (edition / "html" / "herkomst.html").is_file()
    ledger = json.loads((edition / "cijfers.json").read_text())
    assert {e["page"] for e in ledger} >= {"samenvatting", "opleiding-migratie", "armoede", "kerncijfers.json"}
    assert {e["kind"] for e in ledger} >= {"tekst", "tabel", "figuur", "csv", "kerncijfers", "overzicht"}
    assert all(e["cell"] for e in ledger if e["page"] not in ("kerncijfers.json", "index.html"))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def test_reviewers_see_glued_values_and_the_full_model_in_the_notebooks(built):
    _, book = built
    notebook = json.loads((book / "havendorp" / "notebooks" / "opleiding-migratie.ipynb").read_text())
    plain = [
        _text(o["data"]["text/plain"])
        for c in notebook["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "display_data" and set(o.get("data", {})) == {"text/plain"}
    ]
    assert any(text.startswith("zin_opleiding: ") for text in plain)  # Jupyter shows each glued value
    summary = [c for c in notebook["cells"] if "remove-cell" in c["metadata"].get("tags", [])]
    printed = "".join(_text(o.get("text", "")) for c in summary for o in c.get("outputs", []))
    assert "Logit Regression Results" in printed
    assert not re.search(r"Date:\s+\S", printed) and not re.search(r"Time:\s+\d", printed)
    page = (book / "havendorp" / "html" / "opleiding-migratie.html").read_text()
    assert "Logit Regression Results" not in page and "zin_opleiding: " not in page
    setup = next(c for c in notebook["cells"] if "open_chapter(" in _text(c["source"]))
    validation = "".join(_text(o.get("text", "")) for o in setup.get("outputs", []))
    assert "regels gehaald" in validation and "'onbekend'" in validation and "rijen" not in validation


def visible_text(page: Path) -> str:
    import re
    from html import unescape

    main = re.search(r"<main.*?</main>", page.read_text(encoding="utf-8"), re.S).group(0)
    main = re.sub(r"<(script|style|details).*?</\1>", " ", main, flags=re.S)  # folded code stays folded
    main = re.sub(r'<div class="cell_input.*?</div>\s*</div>', " ", main, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def test_text_follows_this_editions_own_data(built):
    _, book = built
    figures = json.loads((book / "havendorp" / "kerncijfers.json").read_text())
    by_edu = figures["kinderen"]["extra_aandacht_naar_opleiding"]
    assert by_edu["hoog"]["pct"] > by_edu["laag"]["pct"]  # the data are the reverse of Utrecht's
    summary = visible_text(book / "havendorp" / "html" / "samenvatting.html")
    assert "laagopgeleide ouders worden minder vaak met extra aandacht gevolgd" in summary
    assert "ertussenin" not in summary
    assert "Utrecht" not in summary and "Overvecht" not in summary
    # the district of 40 children: its share is suppressed, and its size goes with it
    assert figures["armoede"]["wijken"]["WK099804"]["pct_125"] is None
    assert figures["armoede"]["wijken"]["WK099804"]["kinderen_0_5"] is None


def test_nothing_child_level_is_published(built):
    params, book = built
    edition = book / "havendorp"
    kinderen = (params.parent / "data" / "kinderen.csv").read_text().splitlines()[1:]
    ids = {line.split(";")[0] for line in kinderen}
    pattern = re.compile(r"\bR\d{5}\b")
    for path in edition.rglob("*"):
        if path.suffix in {".html", ".ipynb", ".json", ".csv", ".txt", ".js"}:
            found = set(pattern.findall(path.read_text(encoding="utf-8", errors="replace"))) & ids
            assert not found, f"{path.relative_to(edition)} publishes kind_id {sorted(found)[:3]}"


def test_unchanged_build_is_skipped_and_one_byte_change_re_executes(built, runner, monkeypatch):
    from kansrijk import validation

    params, book = built
    edition = book / "havendorp"
    before = tree_digest(edition)
    mtimes = {p: p.stat().st_mtime_ns for p in edition.rglob("*") if p.is_file()}

    def validated(edition):
        raise AssertionError(f"{edition.slug}: unchanged inputs validated again")

    monkeypatch.setattr(validation, "load_edition_data", validated)  # the same files, code and versions
    start = time.perf_counter()
    result = build(runner, params, book)
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    assert "ongewijzigd" in result.output or result.output == ""
    assert time.perf_counter() - start < 15  # a skip hashes only (generous for slow CI)
    # an unchanged build touches nothing published: the check is recorded in the private cache
    assert tree_digest(edition) == before
    assert {p: p.stat().st_mtime_ns for p in edition.rglob("*") if p.is_file()} == mtimes
    assert "gecontroleerd" in json.loads((book / ".work" / "cache" / "havendorp.json").read_text())
    armoede = params.parent / "data" / "armoede.csv"
    armoede.write_text(armoede.read_text().replace("900;210", "900;211"))
    result = build(runner, params, book)
    assert result.exit_code == 0, result.output
    assert json.loads((edition / "kerncijfers.json").read_text())["armoede"]["wijken"]["WK099801"]["pct_125"] == 23.4


def test_editing_one_chapter_re_executes_only_that_chapter_and_the_book_equals_one_from_scratch(
    built, runner, tmp_path
):
    import shutil

    from kansrijk.paths import CHAPTERS

    params, book = built
    chapters = tmp_path / "hoofdstukken"
    shutil.copytree(CHAPTERS, chapters)
    assert build(runner, params, book, "--chapters", str(chapters)).exit_code == 0
    edited = chapters / "context.ipynb"
    notebook = json.loads(edited.read_text(encoding="utf-8"))
    notebook["cells"][0]["source"] = "".join(notebook["cells"][0]["source"]).replace(
        "# Context: ervaringen", "# Context: de ervaringen", 1
    )
    edited.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")
    plan_key = next(book.glob(".*/cache/plannen/havendorp.sleutel"))
    planned = plan_key.stat()
    result = build(runner, params, book, "--chapters", str(chapters))
    assert result.exit_code == 0, result.output
    edition = book / "havendorp"
    provenance = json.loads((edition / "provenance.json").read_text())
    executed = [c["notebook"] for c in provenance["hoofdstukken"] if not c["uit_cache"]]
    assert executed == ["context.ipynb"]
    after = plan_key.stat()
    assert (after.st_ino, after.st_mtime_ns) == (planned.st_ino, planned.st_mtime_ns)  # the plan came from the cache
    assert "de ervaringen" in (edition / "html" / "context.html").read_text(encoding="utf-8")
    incremental = tree_digest(edition / "html")
    assert build(runner, params, book, "--chapters", str(chapters), "--force").exit_code == 0
    assert tree_digest(edition / "html") == incremental  # Sphinx's kept environment changes nothing


def test_bad_input_exits_2_and_leaves_the_edition_untouched(built, runner):
    params, book = built
    edition = book / "havendorp"
    before = tree_digest(edition)
    kinderen = params.parent / "data" / "kinderen.csv"
    original = kinderen.read_text()
    kinderen.write_text(original.replace(";hoog;", ";heel hoog;", 1))
    try:
        result = build(runner, params, book, "--force")
    finally:
        kinderen.write_text(original)
    assert result.exit_code == 2
    assert "kinderen.csv" in result.output and "opleiding_ouders" in result.output
    assert tree_digest(edition) == before


def test_failing_chapter_exits_1_names_it_and_keeps_the_notebook(built, runner):
    params, book = built
    edition = book / "havendorp"
    before = tree_digest(edition)
    result = build(runner, params, book, "--force", "--chapters", str(FIXTURES / "kapot"))
    assert result.exit_code == 1
    assert "kapot.ipynb" in result.output and "cel 4" in result.output
    assert "ValueError" in result.output and "opzettelijke fout" in result.output
    assert (book / ".work" / "failed" / "havendorp" / "kapot.ipynb").is_file()
    assert tree_digest(edition) == before


def test_build_from_a_parameter_file_outside_the_repository(tmp_path, runner):
    params = write_edition(tmp_path, small_tables(), slug="klein")
    result = build(runner, params, tmp_path / "boek")
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "boek" / "klein" / "kerncijfers.json").read_text())
    assert figures["kinderen"]["n"] == 60
    # 60 children: the extra-attention rate per education group has denominators below 50
    assert figures["kinderen"]["extra_aandacht_naar_opleiding"]["laag"]["pct"] is None


def test_the_audit_refuses_to_publish_a_recoverable_cell(built, runner, monkeypatch):
    """With secondary suppression switched off, the small district's suppressed figures follow
    from the municipality's and the other districts': the build exits 1, names the cell and the
    numbers that pin it, and publishes nothing."""
    from concurrent.futures import ThreadPoolExecutor

    from kansrijk.disclosure import plan
    from kansrijk.pipeline import run

    params, book = built
    edition = book / "havendorp"
    before = tree_digest(edition)
    # The plan in this process, where the patch below holds. One thread: papermill changes the
    # process's working directory for each notebook, and two threads would race, leaving it in a
    # staging folder that is then removed (every later test would fail on os.getcwd()).
    monkeypatch.setattr(run, "open_executor", lambda jobs, log, scheduler=None: ThreadPoolExecutor(1))
    monkeypatch.setattr(plan, "_secondary", lambda *args: None)
    # without the PDF: the build would start a browser in this process for a PDF it never prints
    result = build(runner, params, book, "--force", "--zonder-pdf")
    assert result.exit_code == 1, result.output
    assert "onthullingscontrole weigert te publiceren" in result.output
    assert "armoede.wijken.WK099804" in result.output  # the suppressed cell, named
    assert "ligt vast tussen" in result.output and "armoede.kinderen_0_5" in result.output  # what pins it
    assert tree_digest(edition) == before
