"""What a chapter notebook works with: the edition's published values, and one way onto the page.

A notebook calls :func:`open_chapter` with its parameter (the edition) and its page name. That
validates the inputs against the data contract and hands back a :class:`Chapter` holding the
:class:`~kansrijk.publication.Publication`: the numbers after disclosure control, and no raw
data. The chapter then glues text, shows tables and figures through the :class:`Chapter`,
which emits them as escaped MyST (:mod:`kansrijk.myst`) and records every number it shows in
the edition's ledger (:mod:`kansrijk.disclosure.ledger`).
"""

from __future__ import annotations

import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

from kansrijk import colophon, fmt, myst
from kansrijk.disclosure import ledger
from kansrijk.myst import Myst
from kansrijk.params import load_edition
from kansrijk.paths import REFERENCE
from kansrijk.publication import EditionInfo, Publication
from kansrijk.show import DASH, WITHHELD, Entry, Shown

TABLES = "tabellen"
FIGURES = "figuren"
PUBLICATION_FILE = "publicatie.pkl"
PNG_LEVEL = 8  # zlib level of a figure: 1% larger than level 9 (optimize=True), in under half the time
SUPPRESSED_NOTE = (
    "Een streepje (–) betekent: niet gepubliceerd, omdat het aantal of de groep te klein is om de privacy te "
    "beschermen, of omdat het getal anders uit andere getallen terug te rekenen zou zijn (zie Methode en "
    "verantwoording)."
)
SUPPRESSED_CSV = (
    "Een lege cel betekent: niet gepubliceerd ter bescherming van kleine groepen (zie Methode en verantwoording)."
)
WITHHELD_NOTE = (
    "‘Niet geleverd door de bron’: de bron (CBS) heeft dit getal niet geleverd, meestal om kleine aantallen te "
    "beschermen of omdat het nog niet gepubliceerd is; het is iets anders dan een getal dat deze editie weglaat."
)
COMMENT = "# "  # notes below a CSV table, after an empty line
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A Dutch number as the book shows it ("-0,4", "13.900", "55,2"): data, not a formula.
_NUMBER = re.compile(r"^[-+]?\d{1,3}(\.\d{3})*(,\d+)?$|^[-+]?\d+(,\d+)?$")


@dataclass(frozen=True)
class Table:
    """A numbered table: a header and rows of shown values (numbers) or plain text (names)."""

    name: str
    caption: str
    columns: list[str]
    rows: list[list[Shown | str]]
    source: str


@dataclass(frozen=True)
class Drawn:
    """A drawn figure, the numbers written on it, and its finding in words (for the alt text)."""

    figure: object  # matplotlib Figure
    entries: tuple[Entry, ...] = ()
    finding: Shown | None = None


@dataclass
class Chapter:
    """One page of an edition: its published values and the way onto the page."""

    cijfers: Publication
    page: str
    folder: Path
    _ledger: Path = field(init=False)

    def __post_init__(self) -> None:
        self._ledger = self.folder / ledger.LEDGER_FOLDER

    @property
    def edition(self) -> EditionInfo:
        return self.cijfers.edition

    def _synthetic(self) -> str:
        return " (synthetische gegevens)" if self.edition.synthetisch else ""

    @property
    def source_jgz(self) -> str:
        e = self.edition
        return f"Bron: JGZ-registratie {e.gemeente} {e.jaar}{self._synthetic()}, bewerking Kansrijk."

    @property
    def data_notice(self) -> str:
        """What the edition's data are: the synthetic-data notice, or the registers."""
        if self.edition.synthetisch:
            return colophon.BANNER
        return "Deze editie is gemaakt met registratiegegevens van de JGZ en de gemeente."

    @property
    def source_change(self) -> str:
        """Both editions' registrations, for the chapter that compares them."""
        e, before = self.edition, self.cijfers.previous
        years = f"{before.jaar} en {e.jaar}" if before else str(e.jaar)
        registers = "JGZ-registratie en inkomensstatistiek"
        return f"Bron: {registers} {e.gemeente} {years}{self._synthetic()}, bewerking Kansrijk."

    @property
    def source_poverty(self) -> str:
        """The income statistics, and that their counts were rounded at source (every figure,
        table and download of them says so)."""
        e = self.edition
        rounded = " Aantallen afgerond op vijftallen door de bron." if e.poverty_rounded else ""
        return f"Bron: inkomensstatistiek {e.gemeente} {e.jaar}{self._synthetic()}, bewerking Kansrijk.{rounded}"

    @property
    def source_cbs(self) -> str:
        """CBS's district facts (with their licence) and this edition's poverty figures."""
        cbs = self.cijfers.cbs.source if self.cijfers.cbs is not None else "CBS"
        return (
            f"Bron: {cbs}; armoede: inkomensstatistiek {self.edition.gemeente} {self.edition.jaar}{self._synthetic()}."
        )

    @property
    def source_atlas(self) -> str:
        return f"Bron: Atlas Kwetsbaarheid (Erasmus MC){self._synthetic()}; inwoners 15-45 jaar: CBS."

    def _record(self, entries: list[Entry] | tuple[Entry, ...], kind: str, place: str) -> None:
        if entries:
            cell = _cell_number()
            ledger.append(self._ledger, self.page, [e.at(self.page, kind, place, cell) for e in entries])

    def glue(self, **values: Shown | str) -> None:
        """Glue text into the page (``{glue:text}``: inserted as text, never parsed as markup).
        A value with nothing to show is refused: it would read as an empty sentence."""
        from IPython.display import display
        from myst_nb import glue

        for key, value in values.items():
            text = str(value)
            if not text.strip():
                raise ValueError(f"glue {key!r}: no text to publish")
            glue(key, text, display=False)
            display({"text/plain": f"{key}: {text}"}, raw=True)  # for the reviewer in Jupyter, not the book
            if isinstance(value, Shown):
                self._record(value.entries, "tekst", key)

    def note(self, *parts: Shown | str | Myst) -> None:
        """A paragraph that depends on the data, from parts joined by spaces: text is escaped,
        :class:`~kansrijk.myst.Myst` (a cross-reference written by the chapter) is taken as it is."""
        for part in parts:
            if isinstance(part, Shown):
                self._record(part.entries, "tekst", "alinea")
        _display(myst.join([p if isinstance(p, Myst) else str(p) for p in parts], " "))

    def bullets(self, items: list[Shown | str] | tuple[Shown | str, ...]) -> None:
        """A bulleted list of texts that depend on the data (each escaped)."""
        for item in items:
            if isinstance(item, Shown):
                self._record(item.entries, "tekst", "lijst")
        _display(myst.bullets([str(item) for item in items]))

    def figure(self, drawn: Drawn, name: str, caption: str, alt: str, source: str) -> None:
        """Show a numbered figure with caption, source and alt text (saved beside the notebook).
        The alt text is the chapter's description followed by the figure's finding, so that a
        screen reader hears what the figure shows. A figure whose text would be too small on a
        phone is refused (:func:`kansrijk.figures.legibility`)."""
        import matplotlib
        import matplotlib.pyplot as plt

        from kansrijk.figures import legibility

        figure = drawn.figure
        figure.set_dpi(matplotlib.rcParams["savefig.dpi"])  # measured as it is saved
        tight = figure.get_tightbbox(figure.canvas.get_renderer())  # laid out once, for both
        legibility(figure, name, tight)
        folder = self.folder / FIGURES
        folder.mkdir(exist_ok=True)
        _save_png(figure, folder / f"{name}.png", tight)
        plt.close(figure)
        self._record(drawn.entries, "figuur", name)
        if drawn.finding is not None:
            self._record(drawn.finding.entries, "figuur", f"{name}: alternatieve tekst")
            alt = f"{alt} {drawn.finding}"
        directive = myst.render(
            "```{{figure}} {path}\n:name: {name}\n:alt: {alt}\n:width: 100%\n\n{caption} {source}\n```",
            path=Myst(f"{FIGURES}/{name}.png"),
            name=Myst(name),
            alt=Myst(alt.replace("\n", " ")),  # trusted text from the chapter, one line
            caption=caption,
            source=source,
        )
        _display(directive)

    def table(self, table: Table) -> None:
        """Show a numbered table with caption, source and a CSV download of the same values."""
        folder = self.folder / TABLES
        folder.mkdir(exist_ok=True)
        csv_name = f"{table.name}.csv"
        suppressed = any(isinstance(c, Shown) and c.text == DASH for row in table.rows for c in row)
        withheld = any(isinstance(c, Shown) and c.text == WITHHELD for row in table.rows for c in row)
        notes = self._csv_notes(table, suppressed) + ([WITHHELD_NOTE] if withheld else [])
        header = _write_csv(folder / csv_name, table, notes)
        _write_sidecar(folder / f"{table.name}.json", table, header, self.edition, notes)
        for row in table.rows:
            label = str(row[0])
            for column, cell in zip(table.columns, row, strict=True):
                if isinstance(cell, Shown):
                    self._record(cell.entries, "tabel", f"{table.name}: {label} / {column}")
                    self._record(cell.entries, "csv", f"{csv_name}: {label} / {column}")
        numeric = [
            all(isinstance(r[i], Shown) and r[i].is_number for r in table.rows) for i in range(len(table.columns))
        ]
        body = myst.table(table.columns, table.rows, numeric)
        said = [SUPPRESSED_NOTE] * suppressed + [WITHHELD_NOTE] * withheld
        note = Myst("".join(" " + myst.escape(text) for text in said))
        _display(
            myst.render(
                "```{{table}} {caption}\n:name: {name}\n:class: kansrijk-tabel\n\n{body}\n```\n\n"
                "{source}{note} {{download}}`Download deze tabel (CSV) <{path}>` met "
                "{{download}}`toelichting (JSON) <{sidecar}>`",
                caption=table.caption,
                name=Myst(table.name),
                body=body,
                source=table.source,
                note=note,
                path=Myst(f"{TABLES}/{csv_name}"),
                sidecar=Myst(f"{TABLES}/{table.name}.json"),
            )
        )

    def _csv_notes(self, table: Table, suppressed: bool) -> list[str]:
        """What a downloaded table says about itself, below its rows: source, synthetic data,
        suppression (a reader of the file alone must know them)."""
        notes = [table.source]
        if self.edition.synthetisch:
            notes.append(colophon.BANNER)
        if suppressed:
            notes.append(SUPPRESSED_CSV)
        return notes

    def no_map_note(self, what: str) -> str:
        """Why a map is absent (without naming a file of the build machine)."""
        return (
            f"Voor deze editie is geen bestand met wijkgrenzen beschikbaar (parameter grenzen); "
            f"daarom ontbreekt hier {what}."
        )


def _save_png(figure, path: Path, tight=None) -> None:
    """A figure as a PNG of at most 256 of its own colours (:mod:`kansrijk.palette`): a chart has
    few, and a phone loads a third of the bytes (no metadata, so the same figure gives the same
    file), cropped to its tight bounding box ``tight`` (measured here when not given) as
    ``bbox_inches="tight"`` crops."""
    import io

    import matplotlib

    from kansrijk.palette import paletted

    # "tight" itself would draw the whole figure once more only to measure it
    if tight is None:
        tight = figure.get_tightbbox(figure.canvas.get_renderer())
    tight = tight.padded(matplotlib.rcParams["savefig.pad_inches"])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="rgba", bbox_inches=tight)  # the pixels as drawn: no PNG to encode and read back
    pixels = buffer.getvalue()
    width, height = canvas_size(tight.size, figure.dpi)
    if 4 * width * height != len(pixels):
        raise RuntimeError(f"{path.name}: {len(pixels)} bytes are not a drawing of {width} × {height} pixels")
    paletted(pixels, width, height).save(path, compress_level=PNG_LEVEL)


def canvas_size(inches: tuple[float, float], dpi: float) -> tuple[int, int]:
    """The pixels of a canvas of ``inches`` at ``dpi``, as matplotlib takes them
    (``FigureCanvasBase.get_width_height``): a product of 814.99… is 815."""
    return int(inches[0] * dpi + 1e-8), int(inches[1] * dpi + 1e-8)


def _display(markup: Myst) -> None:
    from IPython.display import Markdown, display

    display(Markdown(markup))


def _cell_number() -> int | None:
    """The execution count of the notebook cell that is running (what a reviewer sees as [n])."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with papermill
        return None
    shell = get_ipython()
    return int(shell.execution_count) if shell is not None else None


def spreadsheet_safe(text: str) -> str:
    """A text cell that no spreadsheet reads as a formula (as OWASP advises for CSV exports); a
    plain number, negative ones included, stays a number."""
    return "'" + text if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text) else text


def _csv_value(cell: Shown | str) -> list[str]:
    if not isinstance(cell, Shown):
        return [spreadsheet_safe(cell)]
    if cell.text == DASH:
        return [""] * max(1, len(cell.entries))
    if cell.text.startswith("<"):  # a bound ("< 0,001"), not the value of its entry
        return [cell.text]
    return [f"{e.value:.{e.decimals}f}".replace(".", ",") for e in cell.entries] or [spreadsheet_safe(cell.text)]


def _write_csv(path: Path, table: Table, notes: list[str]) -> list[str]:
    """The table's published values as numbers (decimal comma, ';' as Dutch spreadsheets read it);
    an interval becomes two columns. Below the rows, after an empty line, the notes as lines
    starting with '#'. Returns the header."""
    import csv

    widths = [
        max((len(r[i].entries) if isinstance(r[i], Shown) else 1) for r in table.rows) or 1
        for i in range(len(table.columns))
    ]
    header: list[str] = []
    for column, width in zip(table.columns, widths, strict=True):
        header += [column] if width == 1 else [f"{column} (ondergrens)", f"{column} (bovengrens)"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow([spreadsheet_safe(h) for h in header])
        for row in table.rows:
            cells: list[str] = []
            for cell, width in zip(row, widths, strict=True):
                values = _csv_value(cell)
                if isinstance(cell, Shown) and cell.text == WITHHELD:
                    values = values * width  # both ends of an interval the source did not deliver
                cells += values + [""] * (width - len(values))
            writer.writerow(cells)
        # one line per note, never split into fields (the sidecar keeps every value exactly as written)
        handle.write("\n" + "".join(f"{COMMENT}{note.replace(';', ',')}\n" for note in notes))
    return header


def _write_sidecar(path: Path, table: Table, header: list[str], edition: EditionInfo, notes: list[str]) -> None:
    """Metadata beside a downloaded table: what it is, where it comes from, how to read it."""
    meta = {
        "tabel": table.name,
        "titel": table.caption,
        "editie": edition.slug,
        "gemeente": edition.gemeente,
        "jaar": edition.jaar,
        "synthetisch": edition.synthetisch,
        "bron": table.source,
        "opmerkingen": notes[1:],
        "kolommen": header,
        "formaat": {
            "scheidingsteken": ";",
            "decimaalteken": ",",
            "codering": "UTF-8 met BOM",
            # the table ends at the first empty line; the notes follow (pandas: skipfooter)
            "regels_na_de_tabel": len(notes) + 1,
        },
    }
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def references() -> dict:
    """Facts from the source documents, cited as findings from elsewhere (data/reference/bronnen.yml)."""
    from kansrijk import yamlfile

    return yamlfile.load(REFERENCE / "bronnen.yml")  # type: ignore[return-value]


def open_chapter(editie: str, page: str, folder: str | Path = ".") -> Chapter:
    """Validate the edition's inputs and hand back its published values for page ``page``."""
    from kansrijk.validation import load_edition_data

    edition = load_edition(editie)
    data = load_edition_data(edition)
    folder = Path(folder)
    publication = load_publication(edition, data, folder / PUBLICATION_FILE)
    print(validation_summary(publication))
    return Chapter(publication, page, folder)


def validation_summary(c: Publication) -> str:
    """What the validation checked, for the reviewer: every file and its fingerprint, how many
    rules of the contract it passed, and the share 'onbekend' per column (as published; the
    files' sizes are not published)."""
    from kansrijk.tables import contract_rules

    rules = contract_rules()
    lines = [f"Editie {c.edition.slug}: {c.edition.title}. De invoer voldoet aan het datacontract:"]
    for f in c.edition.files:
        stem = f.name.rsplit(".", 1)[0]
        lines.append(f"  {f.name}: {rules.get(stem, 0)} regels gehaald, SHA-256 {f.sha256[:16]}…")
    for column, key in (("opleiding_ouders", "opleiding"), (c.origin.column, c.origin.column)):
        share = c.rate(f"kinderen.{key}_aandeel.onbekend")
        shown = fmt.pct(share.pct, 1) if share.pct is not None else "niet te publiceren"
        lines.append(f"  {column} 'onbekend': {shown} van de kinderen")
    return "\n".join(lines)


def load_publication(edition, data, path: Path) -> Publication:
    """The build's publication when it belongs to these inputs (the driver plans once for all
    chapters), else planned here (a notebook run by hand)."""
    if path.is_file():
        publication = pickle.loads(path.read_bytes())  # written by this build's driver, in its own staging folder
        if isinstance(publication, Publication) and publication.edition.files == _fingerprints(data):
            return publication
    from kansrijk.disclosure.plan import plan  # heavy: the analyses, statsmodels

    return plan(edition, data)


def _fingerprints(data) -> tuple:
    from kansrijk.publication import InputFile

    return tuple(InputFile(f.name, f.sha256) for f in data.files)
