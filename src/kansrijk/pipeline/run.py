"""``kansrijk build``: validate, plan what may be published, execute the chapters in parallel,
render the book, audit every published number, and publish atomically; skip an edition whose
every dependency is unchanged.

Whatever goes wrong, an edition's published folder is either the old one or the new one, and
the analyst gets one line saying why: an input error (exit 2), a chapter, the book, the audit,
a full disk, a read-only folder or a stopped worker (exit 1), or an interruption (130 for
Ctrl-C, 143 for SIGTERM), which stops the build before it publishes and stops every worker.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pickle
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kansrijk.landing import write_landing
from kansrijk.params import Edition, load_edition, param_path
from kansrijk.paths import BOOK, CHAPTERS
from kansrijk.pipeline import provenance
from kansrijk.pipeline.book import CHANGE_CHAPTER, BookError, build_html, edition_toc, toc_for
from kansrijk.pipeline.cluster import (
    capacity,
    lost_worker_errors,
    open_executor,
    open_printer,
    start_workers,
    timed,
)
from kansrijk.pipeline.execute import ChapterRun, run_cached
from kansrijk.pipeline.fingerprint import cache_key, chapter_key, dependencies, plan_key
from kansrijk.pipeline.pdf import PdfError, chromium, pdf_name, print_pdf, start_browser
from kansrijk.pipeline.publish import keep_failed, publish
from kansrijk.pipeline.redirects import write_redirects
from kansrijk.pipeline.workers import stop_workers
from kansrijk.pipeline.workspace import EditionBusyError, Workspace
from kansrijk.previous import previous_parameters
from kansrijk.problems import InputError, Problem

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}
EDITIONS_PER_WORKER = 3


@dataclass
class BuildResult:
    """What happened to one edition."""

    slug: str
    code: int
    seconds: float = 0.0
    message: str = ""
    problems: list = field(default_factory=list)
    published: bool = False


@dataclass(frozen=True)
class Workers:
    """Where a build's work runs: the pool for plans, chapters, books and audits, where PDFs are
    printed, and how many may print at once."""

    pool: Executor
    printer: Executor
    printing: threading.Semaphore


@dataclass(frozen=True)
class BuildOptions:
    jobs: int = os.cpu_count() or 1
    force: bool = False
    quiet: bool = False
    chapters: Path = CHAPTERS
    book: Path = BOOK
    scheduler: str | None = None  # a Dask scheduler's address, or "local"; None: this machine's pool
    pdf: bool = True


class Stop:
    """Set by SIGINT or SIGTERM: the build ends before publishing, with the signal's exit code.
    A signal after the last edition was published still counts: it ends a watch."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.code = EXIT_FAILED

    def __call__(self, signum: int, _frame: object) -> None:
        if not self.event.is_set():
            self.code = EXIT_SIGNAL.get(signal.Signals(signum), EXIT_FAILED)
            self.event.set()
            stop_workers()

    @property
    def requested(self) -> bool:
        return self.event.is_set()


@contextlib.contextmanager
def _signals(stop: Stop) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, stop) for s in EXIT_SIGNAL}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def open_workers(options: BuildOptions, workspace: Workspace) -> Iterator[Workers]:
    """The build's workers and printers, ended when the block ends (at once when idle; see
    ``workers.WorkerPool``). ``kansrijk build --watch`` keeps them over every build it makes."""
    pool = open_executor(options.jobs, workspace.log, options.scheduler)
    printer = open_printer(pool, options.jobs, workspace.log)
    # At most half as many PDFs at once as there are workers: a browser printing an edition
    # holds a few hundred MB, and the workers have chapters and books of other editions to do.
    printing = threading.BoundedSemaphore(max(1, capacity(pool, options.jobs) // 2))
    ended = False
    try:
        yield Workers(pool, printer, printing)
    except BaseException:
        ended = True  # interrupted or failed: the tasks in hand are not waited for
        raise
    finally:
        for executor in (pool,) if printer is pool else (pool, printer):
            executor.shutdown(wait=not ended, cancel_futures=True)
        if ended:  # what the workers still do is not wanted, and an idle one is not left waiting for a task
            stop_workers()


def build_editions(
    refs: list[str],
    options: BuildOptions,
    console: Console,
    workers: Workers | None = None,
    stop: Stop | None = None,
) -> list[BuildResult]:
    """Build several editions; their chapters and books share one pool of ``options.jobs``
    processes (``workers``, when the caller keeps them; else the build's own). One edition's
    failure stops neither the others nor the landing page. ``stop`` says afterwards whether a
    signal came during the build."""
    options.book.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(options.book)
    workspace.root.mkdir(exist_ok=True)
    stop = stop or Stop()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TimeElapsedColumn(),
        console=console,
        disable=options.quiet,
    )
    duplicates = _duplicate_slugs(refs)
    with _signals(stop), contextlib.ExitStack() as own:
        if workers is None:
            workers = own.enter_context(open_workers(options, workspace))
        # A few editions per worker at a time: enough to keep every worker busy while others
        # validate or publish, few enough that editions are published as the run goes.
        in_flight = min(len(refs), EDITIONS_PER_WORKER * capacity(workers.pool, options.jobs))
        with progress, ThreadPoolExecutor(max_workers=max(1, in_flight)) as editions:
            # A lone edition is planned in the driver, which has validated its inputs and has nothing
            # else to do, while the workers are still starting; with several, the driver keeps to
            # validating and publishing, and the workers plan.
            plans_here = len(refs) == 1
            futures = [
                editions.submit(
                    build_edition, ref, options, progress, workers, workspace, stop, duplicates.get(ref), plans_here
                )
                for ref in refs
            ]
            results = [future.result() for future in futures]
    if any(r.published for r in results) or not (options.book / "index.html").exists():
        with contextlib.suppress(OSError), workspace.lock("index", wait=True):
            write_landing(options.book)
            write_redirects(options.book)
    return results


def _duplicate_slugs(refs: list[str]) -> dict[str, Problem]:
    """A second parameter file in one run that claims the slug of an earlier one is refused."""
    seen: dict[str, Path] = {}
    refused: dict[str, Problem] = {}
    for ref in refs:
        path = param_path(ref)
        if path.stem in seen and seen[path.stem] != path:
            refused[ref] = Problem(str(path), None, f"editienaam '{path.stem}' komt ook van {seen[path.stem]}")
        seen.setdefault(path.stem, path)
    return refused


def build_edition(
    ref: str,
    options: BuildOptions,
    progress: Progress,
    workers: Workers,
    workspace: Workspace,
    stop: Stop,
    duplicate: Problem | None = None,
    plans_here: bool = False,
) -> BuildResult:
    """Build one edition (planned in this process with ``plans_here``, else by a worker); never
    raises (every failure is in the result)."""
    started = time.perf_counter()
    # The workers warm up while the edition is read: unless nothing changed, a chapter or the plan
    # is coming (a build that finds nothing to do ends them, idle, at once).
    start_workers(workers.pool)
    try:
        if duplicate is not None:
            raise InputError([duplicate])
        edition = load_edition(ref)
        # Only the previous edition's parameters: the inputs are validated where they are planned
        # (in this process or a worker), and not at all when nothing changed (the same files, code
        # and versions validate the same), so that an unchanged build does not even import pandas.
        previous = previous_parameters(edition)
        _check_owner(edition, workspace)
    except InputError as error:
        return _refused(param_path(ref).stem, error)
    slug = edition.slug
    try:
        depends_on = dependencies(edition, previous)
        key = cache_key(depends_on, options.chapters)
        key += "" if options.pdf else "-zonder-pdf"  # a website-only build is not the full edition
        final = options.book / slug
        if not options.force and workspace.record(slug).get("cache_sleutel") == key and final.is_dir():
            workspace.note_unchanged(slug)
            return BuildResult(slug, EXIT_OK, time.perf_counter() - started, "ongewijzigd, niet opnieuw uitgevoerd")
        with workspace.lock(slug):
            workspace.remove_stale(slug)
            stage = workspace.staging(slug)
            try:
                return _build(
                    edition,
                    previous,
                    key,
                    depends_on,
                    stage,
                    options,
                    progress,
                    workers,
                    workspace,
                    stop,
                    started,
                    plans_here,
                )
            finally:
                shutil.rmtree(stage, ignore_errors=True)
    except InputError as error:  # found as the edition was planned: nothing is published
        return _refused(slug, error)
    except EditionBusyError:
        message = "wordt al gebouwd door een ander proces; wacht tot die bouw klaar is en probeer het opnieuw"
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, message)
    except lost_worker_errors():
        if stop.requested:
            return _interrupted(slug, stop, started)
        message = "een werkproces stopte onverwacht (bijvoorbeeld door te weinig geheugen); er is niets gepubliceerd"
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, message)
    except OSError as error:
        return BuildResult(
            slug, EXIT_FAILED, time.perf_counter() - started, f"{fault(error)}; er is niets gepubliceerd"
        )
    except Exception as error:  # a bug: one line for the analyst, the traceback in the log
        with contextlib.suppress(OSError), workspace.log.open("a", encoding="utf-8") as log:
            log.write(f"\n{datetime.now().isoformat()} {slug}\n{traceback.format_exc()}")
        message = f"onverwachte fout ({type(error).__name__}: {error}); details in {workspace.log}"
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, message)


def _refused(slug: str, error: InputError) -> BuildResult:
    return BuildResult(slug, EXIT_INPUT, message="invoer voldoet niet aan het datacontract", problems=error.problems)


def _check_owner(edition: Edition, workspace: Workspace) -> None:
    owner = workspace.owner(edition.slug)
    if owner is not None and owner.resolve() != edition.param_file.resolve():
        raise InputError(
            [
                Problem(
                    str(edition.param_file),
                    None,
                    f"editie '{edition.slug}' is gepubliceerd uit {owner}; een ander parameterbestand met dezelfde "
                    "naam mag haar niet vervangen (kies een andere bestandsnaam)",
                )
            ]
        )


def fault(error: OSError) -> str:
    """A file-system error in one line, in Dutch."""
    where = f" ({error.filename})" if error.filename else ""
    causes = {
        errno.ENOSPC: "de schijf is vol",
        errno.EDQUOT: "de schijfquotum is op",
        errno.EROFS: "de map is alleen-lezen",
        errno.EACCES: "geen schrijfrechten",
        errno.EPERM: "geen toestemming",
    }
    return f"{causes.get(error.errno, error.strerror or type(error).__name__)}{where}"


def _interrupted(slug: str, stop: Stop, started: float) -> BuildResult:
    return BuildResult(slug, stop.code, time.perf_counter() - started, "onderbroken; er is niets gepubliceerd")


def _build(
    edition: Edition,
    previous: Edition | None,
    key: str,
    depends_on: dict,
    stage: Path,
    options: BuildOptions,
    progress: Progress,
    workers: Workers,
    workspace: Workspace,
    stop: Stop,
    started: float,
    plans_here: bool,
) -> BuildResult:
    # Imported only here and below, where they are used: the analyses (pandas, statsmodels) only
    # to plan; an edition whose plan is kept does not import them in this process.
    from kansrijk import colophon
    from kansrijk.chapter import FIGURES, PUBLICATION_FILE, TABLES
    from kansrijk.pipeline.check import check

    slug = edition.slug
    pool = workers.pool
    source = stage / "bron"
    source.mkdir()
    for static in options.chapters.glob("*.md"):
        shutil.copy2(static, source / static.name)
    for folder in ("_static", "_templates", "_locale"):  # the book's style sheet, theme templates, Dutch strings
        shutil.copytree(CHAPTERS / folder, source / folder)
    (source / "colofon.md").write_text(colophon.page(edition), encoding="utf-8")
    (source / "toegankelijkheid.md").write_text(colophon.accessibility(edition), encoding="utf-8")
    # The chapters read a copy of the parameter file by its bare name: no local path of the
    # analyst appears in an executed notebook.
    shutil.copy2(edition.param_file, source / f"{slug}.yml")
    before = previous.param_file if previous else None
    phases: dict[str, float] = {"voorbereiding": time.perf_counter() - started}  # where the build's time goes
    work: dict[str, float] = {}  # what the worker tasks took themselves (without waiting for a worker)
    with _phase(phases, "plan"):
        planned = workspace.cached("plannen", slug, plan_key(depends_on), force=options.force)
        if planned is not None:  # the same inputs, code and parameters: the same plan
            shutil.copy2(planned, source / PUBLICATION_FILE)
        else:  # validates the inputs (and the previous edition's): an InputError is the analyst's
            task = (_plan, source / f"{slug}.yml", source / PUBLICATION_FILE, before)
            _, work["plan"] = timed(*task) if plans_here else pool.submit(timed, *task).result()
            workspace.keep("plannen", slug, plan_key(depends_on), source / PUBLICATION_FILE)
    # the chapter on what changed is there only when there is a previous edition
    toc = edition_toc(toc_for(options.chapters), source, with_change=previous is not None)
    templates = [t for t in sorted(options.chapters.glob("*.ipynb")) if previous or t.stem != CHANGE_CHAPTER]
    start = datetime.now().astimezone()
    cache = workspace.folder("cache") / "hoofdstukken" / slug
    keys = {t.name: chapter_key(depends_on, t) for t in templates}
    # The plan is read while the chapters run: reading it imports pandas (0.5 s), and with warm
    # workers the chapters would wait for that.
    with _phase(phases, "hoofdstukken"), ThreadPoolExecutor(max_workers=1) as reader:
        read = reader.submit(lambda: pickle.loads((source / PUBLICATION_FILE).read_bytes()))
        runs = _execute(templates, source, f"{slug}.yml", progress, pool, slug, stop, cache, keys, options.force)
        publication = read.result()
    if stop.requested:
        return _interrupted(slug, stop, started)
    failed = [r for r in runs if r.failed]
    if failed:
        kept = keep_failed([r.output for r in failed], workspace.folder("failed") / slug)
        message = "; ".join(f"hoofdstuk {r.name} faalde in cel {r.cell}: {r.error}" for r in failed)
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, f"{message} (notebook bewaard in {kept})")
    end = datetime.now().astimezone()

    record = provenance.collect(edition, publication, runs, start, end, key)
    (source / "herkomst.md").write_text(provenance.page(record), encoding="utf-8")
    task = progress.add_task(f"{slug}: boek bouwen (Jupyter Book)", total=1)
    try:
        with _phase(phases, "boek"):
            kept = None if options.force else workspace.folder("sphinx") / slug  # --force: a book from scratch
            book = pool.submit(timed, build_html, source, stage / "uitvoer", edition, toc, kept)
            if options.pdf and chromium():
                # A printer starts its Chromium now, ahead of the PDF, while the book is built (and
                # keeps it for later ones). (On Dask, where the workers print, submitted after the
                # book, it goes to a worker the book leaves idle, and so does the PDF then.)
                workers.printer.submit(start_browser)
            # the audit reads what the chapters recorded: it runs beside the book
            audited = pool.submit(timed, check, source)
            html, work["boek"] = book.result()
    except BookError as error:
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, f"Jupyter Book faalde:\n{error}")
    finally:
        progress.update(task, completed=1)
    with _phase(phases, "controle"):  # what the audit took beyond the book
        (figures, entries, findings), work["controle"] = audited.result()
    if findings:
        listed = "\n  ".join(f.message for f in findings[:10])
        more = f"\n  … en nog {len(findings) - 10}" if len(findings) > 10 else ""
        message = f"de onthullingscontrole weigert te publiceren:\n  {listed}{more}"
        return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, message)

    assembled = stage / "editie"
    assembled.mkdir()
    shutil.move(html, assembled / "html")
    notice = ""
    if not options.pdf:
        notice = "geen PDF-editie (--zonder-pdf)"
    elif chromium():
        try:
            with _phase(phases, "pdf"), workers.printing:
                out, previous = assembled / pdf_name(edition), options.book / slug / pdf_name(edition)
                pdf_task = (print_pdf, assembled / "html", edition, toc, out, previous)
                _, work["pdf"] = workers.printer.submit(timed, *pdf_task).result()
        except PdfError as error:
            return BuildResult(slug, EXIT_FAILED, time.perf_counter() - started, f"de PDF-editie mislukte: {error}")
    else:
        notice = "geen PDF-editie: Chromium ontbreekt (apt-get install chromium-headless-shell)"
    notebooks = assembled / "notebooks"
    notebooks.mkdir()
    for run in runs:
        shutil.copy2(run.output, notebooks / run.name)
    for folder in (FIGURES, TABLES):  # so that a reviewer's notebook shows its figures and tables
        if (source / folder).is_dir():
            shutil.copytree(source / folder, notebooks / folder)
    from kansrijk import kerncijfers
    from kansrijk.disclosure import ledger

    kerncijfers.write(figures, assembled / "kerncijfers.json")
    ledger.write(entries, assembled / "cijfers.json")
    phases["publiceren"] = time.perf_counter() - started - sum(phases.values())
    timings = {"fasen": {k: round(v, 2) for k, v in phases.items()}, "werk": {k: round(v, 2) for k, v in work.items()}}
    provenance.write(record | timings, assembled / "provenance.json")
    if stop.requested:
        return _interrupted(slug, stop, started)
    warning = "; ".join(w for w in (publish(assembled, options.book / slug), notice) if w)
    workspace.write_record(slug, edition.param_file.resolve(), key)
    message = f"gepubliceerd in {options.book / slug}" + (f" (let op: {warning})" if warning else "")
    return BuildResult(slug, EXIT_OK, time.perf_counter() - started, message, published=True)


def _plan(param_file: Path, target: Path, previous: Path | None) -> None:
    """:func:`kansrijk.disclosure.plan.plan_to_file`, imported where it runs: a driver that gives
    the plans to its workers needs none of the analyses (0.7 s of imports)."""
    from kansrijk.disclosure.plan import plan_to_file

    plan_to_file(param_file, target, previous)


@contextlib.contextmanager
def _phase(phases: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = time.perf_counter() - start


def _execute(
    templates: list[Path],
    source: Path,
    param_ref: str,
    progress: Progress,
    pool: Executor,
    slug: str,
    stop: Stop,
    cache: Path,
    keys: dict[str, str],
    force: bool,
) -> list[ChapterRun]:
    """Run every chapter in the shared pool (or take it from the chapter cache), showing
    per-chapter progress and timings."""
    runs: list[ChapterRun] = []
    task = progress.add_task(f"{slug}: hoofdstukken uitvoeren", total=len(templates))
    futures = [pool.submit(run_cached, t, source, param_ref, cache, keys[t.name], force) for t in templates]
    for future in as_completed(futures):
        run = future.result()
        runs.append(run)
        if stop.requested:
            break
        state = "[red]mislukt[/]" if run.failed else "[green]uit cache[/]" if run.cached else "[green]klaar[/]"
        if not progress.disable:
            progress.console.print(f"  {escape(slug)}: {escape(run.name):<28} {state} in {run.seconds:5.1f} s")
        progress.advance(task)
    order = {t.name: i for i, t in enumerate(templates)}
    return sorted(runs, key=lambda r: order[r.name])
