"""``kansrijk build``: validate, execute chapters in parallel, render, write key figures and
provenance, publish atomically; skip an edition whose every dependency is unchanged."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kansrijk.build import provenance
from kansrijk.build.book import BookError, build_html, toc_for
from kansrijk.build.execute import ChapterRun, quiet_kernels, run_chapter
from kansrijk.build.fingerprint import cache_key
from kansrijk.build.publish import keep_failed, publish, staging_dir
from kansrijk.landing import write_landing
from kansrijk.params import Edition, load_edition, portable_ref
from kansrijk.paths import BOOK, CHAPTERS
from kansrijk.problems import InputError
from kansrijk.validation import EditionData, load_edition_data

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


@dataclass
class BuildResult:
    """What happened to one edition."""

    slug: str
    code: int
    seconds: float = 0.0
    message: str = ""
    problems: list = field(default_factory=list)


@dataclass(frozen=True)
class BuildOptions:
    jobs: int = os.cpu_count() or 1
    force: bool = False
    quiet: bool = False
    chapters: Path = CHAPTERS
    book: Path = BOOK


def _published_key(folder: Path) -> str | None:
    try:
        return json.loads((folder / "provenance.json").read_text(encoding="utf-8")).get("cache_sleutel")
    except (OSError, ValueError):
        return None


def _mark_unchanged(folder: Path) -> None:
    """Record in the published provenance that the last build found nothing to re-execute."""
    path = folder / "provenance.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["uitgevoerd"] = False
    record["laatst_gecontroleerd"] = datetime.now().astimezone().isoformat(timespec="seconds")
    tmp = path.with_suffix(".tmp")
    provenance.write(record, tmp)
    os.replace(tmp, path)  # atomic: the edition is never seen half-written


def build_editions(refs: list[str], options: BuildOptions, console: Console) -> list[BuildResult]:
    """Build several editions; their chapters and books share one pool of ``options.jobs``
    processes, so editions run side by side without oversubscribing the machine. One edition's
    failure stops neither the others nor the landing page."""
    options.book.mkdir(parents=True, exist_ok=True)
    log = options.book / ".kernels.log"
    context = multiprocessing.get_context("spawn")  # no forked copies of threads or open files
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TimeElapsedColumn(),
        console=console,
        disable=options.quiet,
    )
    pool = ProcessPoolExecutor(max(1, options.jobs), mp_context=context, initializer=quiet_kernels, initargs=(log,))
    with pool, progress, ThreadPoolExecutor(max_workers=max(1, len(refs))) as editions:
        futures = [editions.submit(build_edition, ref, options, progress, pool) for ref in refs]
        results = [future.result() for future in futures]
    write_landing(options.book)
    return results


def build_edition(ref: str, options: BuildOptions, progress: Progress, pool: Executor) -> BuildResult:
    """Build one edition; never raises for input or chapter failures (they are in the result)."""
    started = time.perf_counter()
    try:
        edition = load_edition(ref)
        data = load_edition_data(edition)
    except InputError as error:
        return BuildResult(
            str(ref), EXIT_INPUT, message="invoer voldoet niet aan het datacontract", problems=error.problems
        )
    slug = edition.slug
    key = cache_key(edition, data.files, options.chapters)
    final = options.book / slug
    if not options.force and _published_key(final) == key:
        _mark_unchanged(final)
        return BuildResult(slug, EXIT_OK, time.perf_counter() - started, "ongewijzigd, niet opnieuw uitgevoerd")

    stage = staging_dir(options.book, slug)
    try:
        return _build(edition, data, key, stage, options, progress, pool, started)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _build(
    edition: Edition,
    data: EditionData,
    key: str,
    stage: Path,
    options: BuildOptions,
    progress: Progress,
    pool: Executor,
    started: float,
) -> BuildResult:
    slug = edition.slug
    source = stage / "bron"
    source.mkdir()
    for static in options.chapters.glob("*.md"):
        shutil.copy2(static, source / static.name)
    shutil.copytree(CHAPTERS / "_static", source / "_static")  # the book's style sheet
    templates = sorted(options.chapters.glob("*.ipynb"))
    start = datetime.now().astimezone()
    runs = _execute(templates, source, portable_ref(edition.param_file), progress, pool, slug)
    failed = [r for r in runs if r.failed]
    if failed:
        kept = keep_failed([r.output for r in failed], options.book, slug)
        message = "; ".join(f"hoofdstuk {r.name} faalde in cel {r.cell}: {r.error}" for r in failed)
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, f"{message} (notebook bewaard in {kept})")
    end = datetime.now().astimezone()

    record = provenance.collect(edition, data.files, runs, start, end, key)
    (source / "herkomst.md").write_text(provenance.page(record), encoding="utf-8")
    task = progress.add_task(f"{slug}: boek bouwen (Jupyter Book)", total=1)
    try:
        html = pool.submit(build_html, source, stage / "uitvoer", edition, toc_for(options.chapters)).result()
    except BookError as error:
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, f"Jupyter Book faalde:\n{error}")
    finally:
        progress.update(task, completed=1)

    # imported here, not at the top: an unchanged edition needs neither (a warm build stays fast)
    from kansrijk import kerncijfers
    from kansrijk.chapter import FIGURES, TABLES

    assembled = stage / "editie"
    assembled.mkdir()
    shutil.move(html, assembled / "html")
    notebooks = assembled / "notebooks"
    notebooks.mkdir()
    for run in runs:
        shutil.copy2(run.output, notebooks / run.name)
    for folder in (FIGURES, TABLES):  # so that a reviewer's notebook shows its figures and tables
        if (source / folder).is_dir():
            shutil.copytree(source / folder, notebooks / folder)
    figures = kerncijfers.compute(kerncijfers.Analysis(edition, data))
    kerncijfers.write(figures, assembled / "kerncijfers.json")
    provenance.write(record, assembled / "provenance.json")
    publish(assembled, options.book, slug)
    return BuildResult(slug, EXIT_OK, time.perf_counter() - started, f"gepubliceerd in {options.book / slug}")


def _execute(
    templates: list[Path], source: Path, param_ref: str, progress: Progress, pool: Executor, slug: str
) -> list[ChapterRun]:
    """Run every chapter in the shared pool, showing per-chapter progress and timings."""
    runs: list[ChapterRun] = []
    task = progress.add_task(f"{slug}: hoofdstukken uitvoeren", total=len(templates))
    futures = [pool.submit(run_chapter, t, source / t.name, param_ref, source) for t in templates]
    for future in as_completed(futures):
        run = future.result()
        runs.append(run)
        state = "[red]mislukt[/]" if run.failed else "[green]klaar[/]"
        if not progress.disable:
            progress.console.print(f"  {slug}: {run.name:<28} {state} in {run.seconds:5.1f} s")
        progress.advance(task)
    order = {t.name: i for i, t in enumerate(templates)}
    return sorted(runs, key=lambda r: order[r.name])
