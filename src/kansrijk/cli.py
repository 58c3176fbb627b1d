"""The ``kansrijk`` command: validate, synthesise and build editions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from kansrijk import fmt
from kansrijk.params import load_edition
from kansrijk.problems import InputError, make_console, render_report

app = typer.Typer(
    help="Kansrijk: een rapportreeks over jonge kinderen en gezinnen in kwetsbare situaties.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = make_console()
err_console = make_console(stderr=True)

EXIT_INPUT = 2

EditionArg = Annotated[
    str,
    typer.Argument(
        help="Editie: een naam (utrecht-2019 -> params/utrecht-2019.yml) of een pad naar een parameterbestand."
    ),
]


@app.command()
def validate(edition: EditionArg) -> None:
    """Controleer parameters en invoerbestanden van een editie tegen het datacontract."""
    from kansrijk.previous import load_previous
    from kansrijk.validation import load_edition_data

    try:
        ed = load_edition(edition)
        data = load_edition_data(ed)
        previous = load_previous(ed, data)  # compared on the page: validated with this edition
    except InputError as error:
        render_report(error.problems, err_console)
        raise typer.Exit(EXIT_INPUT) from None
    console.print(
        f"[green]Geldig[/]: editie [bold]{escape(ed.slug)}[/] ({escape(ed.title)}), map {escape(str(ed.data_dir))}"
    )
    if previous is not None:
        linked = f", {len(previous.link)} wijken gekoppeld" if previous.link else ""
        console.print(f"  vorige editie: {escape(previous.edition.slug)} ({escape(previous.edition.title)}){linked}")
    for f in data.files:
        console.print(f"  {escape(f.name):<22} {f.rows:>7} rijen  {f.columns:>2} kolommen")
    for line in input_notes(data):
        console.print(f"  {escape(line)}")
    for warning in ed.warnings + input_warnings(data):
        err_console.print(f"[yellow]Let op[/]: {escape(warning)}")


def input_notes(data) -> list[str]:
    """How the export was read, for the analyst's terminal (counts of the inputs themselves)."""
    notes = [
        f"{column}: {n} lege cellen gelezen als 'onbekend' ({fmt.pct(100 * n / len(data.kinderen), 1)} van de kinderen)"
        for column, n in data.blanks.items()
        if n
    ]
    if data.families:
        notes.append(f"gezin_id: {data.kinderen['gezin_id'].nunique()} gezinnen")
    if data.local_codes:
        notes.append(f"koppeltabel: {data.local_codes} lokale codes gekoppeld aan de risicofactorencatalogus")
    if data.peildatum is not None:
        notes.append(f"leeftijd berekend uit geboortedatum op de peildatum {data.peildatum.isoformat()}")
    if data.poverty_rounded:
        notes.append("armoede.csv: aantallen afgerond op vijftallen (zoals CBS levert)")
    if data.poverty_total is not None:
        notes.append("armoede.csv: het totaal van de gemeente komt uit de eigen totaalrij")
    withheld = int(data.armoede[["kinderen_0_5", "tot_125_wsm", "tot_105_wsm"]].isna().sum().sum())
    if withheld:
        notes.append(f"armoede.csv: {withheld} getallen niet geleverd door de bron ('.' of leeg)")
    return notes


def input_warnings(data) -> list[str]:
    """What the analyst should know before publishing: children left out of the edition."""
    if not data.outside_age:
        return []
    rows = ", ".join(str(r) for r in data.outside_age[:5]) + (", …" if len(data.outside_age) > 5 else "")
    return [
        f"kinderen.csv: {len(data.outside_age)} kinderen zijn op de peildatum geen 0 tot en met 2 jaar en zijn "
        f"weggelaten (rijen {rows})"
    ]


NATIONAL = "nederland"


@app.command()
def synth(
    slug: Annotated[
        str,
        typer.Argument(
            help="Synthetische editie uit data/reference/synthetisch.yml, of 'nederland': een editie per gemeente."
        ),
    ],
    out: Annotated[Path | None, typer.Option(help="Schrijf naar deze map in plaats van de geconfigureerde.")] = None,
    kinderen: Annotated[int | None, typer.Option(help="Aantal kinderen (standaard: zoals geconfigureerd).")] = None,
    uit: Annotated[Path | None, typer.Option(help="nederland: map voor params/<editie>.yml en data/<editie>/.")] = None,
    gemeenten: Annotated[
        int | None, typer.Option(help="nederland: zoveel gemeenten, gespreid van klein tot groot (standaard alle).")
    ] = None,
    alleen: Annotated[
        list[str] | None, typer.Option(help="nederland: alleen deze gemeente(n), bv. --alleen GM0088.")
    ] = None,
) -> None:
    """Genereer de synthetische invoerbestanden van een editie (deterministisch uit een seed), of met
    `nederland` van elke gemeente in de CBS-wijkenkaart 2024."""
    if slug == NATIONAL:
        _synth_national(uit, gemeenten, alleen or [])
        return
    from kansrijk.synth.generate import synth_edition

    for path in synth_edition(slug, out, kinderen):
        console.print(f"geschreven: {escape(str(path))}")


def _synth_national(out: Path | None, count: int | None, only: list[str]) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kansrijk.synth.nederland import write_national

    if out is None:
        err_console.print("kansrijk synth nederland: geef met --uit de map voor de edities op.")
        raise typer.Exit(EXIT_INPUT)
    if count is not None and count < 1:
        err_console.print("--gemeenten: ten minste 1.")
        raise typer.Exit(EXIT_INPUT)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("edities schrijven", total=len(only) or count or None)
        try:
            written = write_national(out, count, only, advance=lambda name: progress.advance(task))
        except KeyError as error:
            err_console.print(f"--alleen: {escape(str(error.args[0]))}")
            raise typer.Exit(EXIT_INPUT) from None
    console.print(
        f"{len(written)} edities geschreven in {escape(str(out))}; bouw ze met "
        f"`kansrijk build --all {escape(str(out / 'params'))}`"
    )


@app.command()
def new(
    slug: Annotated[str, typer.Argument(help="Naam van de editie: params/<naam>.yml.")],
    gemeente: Annotated[str, typer.Option(help="Naam van de gemeente zoals die gedrukt wordt.")],
    gemeentecode: Annotated[str, typer.Option(help="CBS-gemeentecode: GM en 4 cijfers.")],
    jaar: Annotated[int, typer.Option(help="Peiljaar van de gegevens.")] = 2024,
    data: Annotated[
        Path | None, typer.Option(help="Map binnen data/ voor de invoerbestanden (standaard data/<naam>).")
    ] = None,
) -> None:
    """Maak een nieuwe editie: een parameterbestand en een map met lege bestanden volgens het datacontract."""
    from kansrijk.scaffold import scaffold

    try:
        written = scaffold(slug, gemeente, gemeentecode, jaar, data)
    except InputError as error:
        render_report(error.problems, err_console)
        raise typer.Exit(EXIT_INPUT) from None
    for path in written:
        console.print(f"geschreven: {escape(str(path))}")
    console.print(
        "\nVul nu de bestanden in de map met de export uit het JGZ-dossier en de inkomensstatistiek:\n"
        "  wijken.csv          één rij per wijk: wijk_code (CBS-wijkcode, bv. WK034401), wijk_naam\n"
        "  kinderen.csv        één rij per kind van 0-2 jaar: leeftijd, wijk, opleiding ouders,\n"
        "                      migratieachtergrond of herkomst, extra_aandacht, uit_balans (0/1, ja/nee, true/false)\n"
        "  risicofactoren.csv  één rij per kind per risicofactor (codes: data/reference/risicofactoren.csv)\n"
        "  armoede.csv         per wijk: kinderen 0-5 jaar en hoeveel tot 125% en 105% van het WSM\n"
        "  atlas.csv           optioneel: kwetsbaarheidsscore en % 15-45 jaar per wijk\n"
        f"Controleer met `kansrijk validate {slug}` en bouw met `kansrijk build {slug}`. "
        "Zet echte registratiegegevens niet in git.",
        soft_wrap=True,
        markup=False,
    )


@app.command()
def feiten(
    gemeentecodes: Annotated[list[str] | None, typer.Argument(help="De gemeenten van de synthetische edities.")] = None,
    nederland: Annotated[
        bool, typer.Option("--nederland", help="Leid het landelijke uittreksel (nederland_*.csv) af.")
    ] = False,
) -> None:
    """Leid data/reference/wijkfeiten.csv (of met --nederland het landelijke uittreksel) opnieuw af
    uit de CBS-bestanden in ../shared/data/."""
    from kansrijk.synth.facts import FACTS_FILE, write_facts, write_layer_tables

    if not gemeentecodes and not nederland:
        err_console.print("Noem de gemeenten (bv. GM0344 GM0153), of gebruik --nederland.")
        raise typer.Exit(EXIT_INPUT)
    written = list(write_layer_tables()) if nederland else []
    if gemeentecodes:
        write_facts(gemeentecodes)
        written.append(FACTS_FILE)
    for path in written:
        console.print(f"geschreven: {escape(str(path))}")


@app.command()
def grenzen(
    gemeentecode: Annotated[str, typer.Argument(help="CBS-gemeentecode, bijvoorbeeld GM0344.")],
    bron: Annotated[Path, typer.Argument(help="Landelijke CBS-wijkenkaart (GeoJSON), bv. wijken_2024.geojson.")],
    out: Annotated[
        Path | None, typer.Option(help="Doelbestand (standaard: `grenzen` van de editie(s) met deze code).")
    ] = None,
) -> None:
    """Knip de wijkgrenzen van één gemeente uit een landelijke CBS-wijkenkaart."""
    from kansrijk.boundaries import extract
    from kansrijk.params import resolve_path
    from kansrijk.paths import PARAMS

    targets = [out] if out else []
    if not targets:
        for path in sorted(PARAMS.glob("*.yml")):
            try:
                ed = load_edition(path)
            except InputError:
                continue  # an edition with other problems is not this command's business
            if ed.params.gemeentecode == gemeentecode and ed.params.grenzen:
                targets.append(resolve_path(ed.params.grenzen))
    if not targets:
        err_console.print(f"Geen editie met gemeentecode {escape(gemeentecode)} en parameter `grenzen`; geef --out op.")
        raise typer.Exit(EXIT_INPUT)
    for target in targets:
        try:
            n = extract(gemeentecode, bron, target)
        except InputError as error:
            render_report(error.problems, err_console)
            raise typer.Exit(EXIT_INPUT) from None
        console.print(f"{n} wijken van {escape(gemeentecode)} geschreven naar {escape(str(target))}")


@app.command()
def cbs(
    gemeentecode: Annotated[str, typer.Argument(help="CBS-gemeentecode, bijvoorbeeld GM0344.")],
    jaar: Annotated[int, typer.Option(help="Jaar van de Kerncijfers wijken en buurten (2022, 2023 of 2024).")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Doelbestand (standaard: cbs_wijken.csv in de datamap van de editie(s) met deze code en dit jaar)."
        ),
    ] = None,
) -> None:
    """Haal de Kerncijfers wijken en buurten van één gemeente op bij CBS (open data) en schrijf ze
    als cbs_wijken.csv, met bron en licentie."""
    import re

    from kansrijk import cbs as facts
    from kansrijk.paths import PARAMS

    if not re.fullmatch(r"GM\d{4}", gemeentecode):
        err_console.print(f"{escape(gemeentecode)}: een gemeentecode is 'GM' gevolgd door 4 cijfers, zoals GM0344.")
        raise typer.Exit(EXIT_INPUT)
    if jaar not in facts.TABLES:
        err_console.print(f"--jaar {jaar}: bekend zijn {', '.join(str(y) for y in facts.TABLES)}.")
        raise typer.Exit(EXIT_INPUT)
    targets = [out] if out else []
    if not targets:
        for path in sorted(PARAMS.glob("*.yml")):
            try:
                ed = load_edition(path)
            except InputError:
                continue  # an edition with other problems is not this command's business
            if ed.params.gemeentecode == gemeentecode and ed.params.jaar == jaar:
                targets.append(ed.data_dir / facts.FILE)
    if not targets:
        err_console.print(
            f"Geen editie met gemeentecode {escape(gemeentecode)} en jaar {jaar} in params/; geef --out op."
        )
        raise typer.Exit(EXIT_INPUT)
    try:
        frame = facts.fetch(gemeentecode, jaar)
    except facts.CbsError as error:
        err_console.print(f"[red]CBS[/]: {escape(str(error))}")
        raise typer.Exit(1) from None
    for target in targets:
        facts.write(frame, target)
        console.print(f"{len(frame)} wijken van {escape(gemeentecode)} ({jaar}) geschreven naar {escape(str(target))}")


@app.command()
def build(
    editions: Annotated[
        list[str] | None,
        typer.Argument(
            help="Een of meer edities (naam of pad naar parameterbestand), of een map met parameterbestanden."
        ),
    ] = None,
    all_editions: Annotated[
        bool, typer.Option("--all", help="Bouw elke editie in params/ (of in de genoemde map).")
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processen tegelijk (standaard: aantal cores).")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Altijd opnieuw uitvoeren, ook als niets veranderde.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Geen voortgang tonen (voor scripts).")] = False,
    chapters: Annotated[Path | None, typer.Option(help="Andere map met hoofdstuknotebooks (voor tests).")] = None,
    book_dir: Annotated[Path | None, typer.Option(help="Schrijf edities naar deze map in plaats van book/.")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Voer het werk uit op een Dask-cluster: het adres van de scheduler (tcp://host:8786), of 'local' "
            "voor een LocalCluster met --jobs workers."
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--zonder-pdf", help="Maak ook de PDF-editie (standaard), of alleen de website.")
    ] = True,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Blijf wachten en bouw opnieuw zodra een invoerbestand, parameterbestand of hoofdstuk "
            "verandert, met dezelfde opgewarmde werkprocessen (Ctrl-C stopt).",
        ),
    ] = False,
) -> None:
    """Bouw editie(s): valideren, hoofdstukken uitvoeren, boek bouwen, atomisch publiceren; daarna
    de overzichtspagina book/index.html."""
    import os

    from kansrijk.paths import PARAMS
    from kansrijk.pipeline.cluster import ClusterError
    from kansrijk.pipeline.run import EXIT_FAILED, EXIT_OK, BuildOptions, build_editions, fault

    refs: list[str] = []
    folders = [Path(ref) for ref in editions or [] if Path(ref).is_dir()]
    for ref in editions or []:
        # a folder stands for every edition in it: `kansrijk build --all DIR/params`
        refs += [str(p) for p in sorted(Path(ref).glob("*.yml"))] if Path(ref).is_dir() else [ref]
    if all_editions and not folders:
        refs += [str(p) for p in sorted(PARAMS.glob("*.yml"))]
    if not refs:
        err_console.print("Noem een of meer edities, of gebruik --all.")
        raise typer.Exit(EXIT_INPUT)
    options = BuildOptions(
        jobs=jobs or os.cpu_count() or 1,
        force=force,
        quiet=quiet,
        chapters=(chapters or BuildOptions.chapters).resolve(),
        book=(book_dir or BuildOptions.book).resolve(),
        scheduler=scheduler,
        pdf=pdf,
    )

    def report(results: list) -> int:
        for result in results:
            if result.problems:
                err_console.print(f"\n[bold]{escape(result.slug)}[/]")
                render_report(result.problems, err_console)
            if result.code == EXIT_OK:
                if not quiet:
                    console.print(f"[green]{escape(result.slug)}[/]: {escape(result.message)} ({result.seconds:.1f} s)")
            else:
                err_console.print(f"[red]{escape(result.slug)}[/]: {escape(result.message)}")
        codes = {r.code for r in results}
        # one failure kind: its code; input errors and other failures together: 1
        return codes.pop() if len(codes) == 1 else EXIT_FAILED

    try:
        if watch:
            from kansrijk.pipeline.watch import watch as watch_and_build

            code = watch_and_build(refs, options, console, report)
        else:
            code = report(build_editions(refs, options, console))
    except OSError as error:  # the book folder itself cannot be made or written
        err_console.print(f"[red]book[/]: {escape(fault(error))}")
        raise typer.Exit(EXIT_FAILED) from None
    except ClusterError as error:
        err_console.print(f"[red]Dask[/]: {escape(str(error))}")
        raise typer.Exit(EXIT_FAILED) from None
    raise typer.Exit(code)


def main() -> None:
    """The console script: the command, then the process ends without tearing its interpreter
    down, which takes half a second after a build and does nothing that matters: the exit
    handlers have run and the standard streams are flushed."""
    import atexit
    import os
    import sys

    # One BLAS thread per process, unless the analyst asks for more (before numpy is imported;
    # the fork server and its workers inherit it). The work is parallel across chapters and
    # editions, one process per core; OpenBLAS's own threads only compete with the other
    # processes, and on the small matrices here they cost more than they gain even alone:
    # 6 national editions took 41 CPU-s instead of 49-54, one process's plans 6.0 s instead of 7.3.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        app()
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 0 if end.code is None else 1
        if isinstance(end.code, str):
            print(end.code, file=sys.stderr)
    atexit._run_exitfuncs()  # what the interpreter would run at exit (logging, multiprocessing)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
