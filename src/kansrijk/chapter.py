"""What a chapter notebook needs: the edition, its validated inputs and analyses, glue and tables.

A notebook calls :func:`open_chapter` with its one parameter (the parameter file) and then
asks the :class:`Chapter` for analyses, glues formatted numbers into its text and shows
tables and figures through it, so that every chapter publishes in the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from IPython.display import Markdown, display

from kansrijk import fmt
from kansrijk.disclosure import protect_poverty, protect_rates, protect_row_shares, protect_shares
from kansrijk.kerncijfers import Analysis
from kansrijk.params import Edition, load_edition
from kansrijk.paths import REFERENCE
from kansrijk.validation import load_edition_data

TABLES = "tabellen"
FIGURES = "figuren"
SOURCE_JGZ = "Bron: JGZ-registratie {gemeente} {jaar}{synthetisch}, bewerking Kansrijk."
SUPPRESSED_NOTE = (
    "Een streepje (–) betekent: niet gepubliceerd, omdat het aantal te klein is om de privacy te beschermen "
    "(onthullingscontrole, zie het hoofdstuk Methode en verantwoording)."
)


@dataclass
class Chapter:
    """One chapter's view of an edition: its analyses and the folder it writes figures and tables to."""

    analysis: Analysis
    folder: Path

    @property
    def edition(self) -> Edition:
        return self.analysis.edition

    @property
    def source_jgz(self) -> str:
        p = self.edition.params
        return SOURCE_JGZ.format(gemeente=p.gemeente, jaar=p.jaar, synthetisch=self._synthetic())

    def _synthetic(self) -> str:
        return " (synthetische gegevens)" if self.edition.params.synthetisch else ""

    @property
    def source_poverty(self) -> str:
        p = self.edition.params
        return f"Bron: inkomensstatistiek {p.gemeente} {p.jaar}{self._synthetic()}, bewerking Kansrijk."

    @property
    def source_atlas(self) -> str:
        return f"Bron: Atlas Kwetsbaarheid (Erasmus MC){self._synthetic()}; inwoners 15-45 jaar: CBS."

    def glue(self, **values: object) -> None:
        """Glue text into the page. Numbers must already be formatted (see :mod:`kansrijk.fmt`);
        a missing value would read as 'nan' or 'None', so it is refused here."""
        from myst_nb import glue

        for key, value in values.items():
            text = str(value)
            if value is None or text in ("", "nan", "None", "<NA>") or (isinstance(value, float) and math.isnan(value)):
                raise ValueError(f"glue {key!r}: no value to publish ({value!r})")
            glue(key, text, display=False)

    def figure(self, fig, name: str, caption: str, alt: str, source: str) -> None:
        """Show a numbered figure with caption, source and alt text (saved beside the notebook,
        so that a section may show a figure or say why there is none)."""
        folder = self.folder / FIGURES
        folder.mkdir(exist_ok=True)
        fig.savefig(folder / f"{name}.png", bbox_inches="tight")
        import matplotlib.pyplot as plt  # loaded already: the figure was drawn with it

        plt.close(fig)
        directive = [f"```{{figure}} {FIGURES}/{name}.png", f":name: {name}", f":alt: {alt}", ":width: 100%", ""]
        display(Markdown("\n".join([*directive, f"{caption} {source}", "```"])))

    def published_shares(self, table: pd.DataFrame, total: int | None = None, secondary: bool = True) -> pd.DataFrame:
        return protect_shares(table, self.analysis.thresholds, total, secondary)

    def published_rates(self, table: pd.DataFrame) -> pd.DataFrame:
        return protect_rates(table, self.analysis.thresholds)

    def show_rates(self, table: pd.DataFrame, labels: dict[str, str], header: str, name: str, caption: str) -> None:
        """A published rate table as a numbered table with download."""
        self.table(
            pd.DataFrame(
                {
                    header: [labels.get(str(i), str(i)) for i in table.index],
                    "Met extra aandacht": [fmt.getal(v) for v in table["n"]],
                    "Kinderen in de groep": [fmt.getal(v) for v in table["noemer"]],
                    "Percentage": [fmt.pct(v, 1) for v in table["pct"]],
                    "95%-interval": [
                        fmt.interval(lo, hi, 1) for lo, hi in zip(table["ci_laag"], table["ci_hoog"], strict=True)
                    ],
                }
            ),
            name,
            caption,
            self.source_jgz,
            download=table.round(2).reset_index(),
        )

    def published_table_shares(self, counts: pd.DataFrame) -> pd.DataFrame:
        return protect_row_shares(counts, self.analysis.thresholds)

    def published_poverty(self, table: pd.DataFrame) -> pd.DataFrame:
        return protect_poverty(table, self.analysis.thresholds)

    def no_map_note(self, what: str) -> str:
        """Why a map is absent: no boundary file named, or the named one not found."""
        named = self.edition.params.grenzen
        reason = (
            f"is het bestand met wijkgrenzen `{named}` niet gevonden"
            if named
            else "is geen bestand met wijkgrenzen opgegeven"
        )
        return f"Voor deze editie {reason} (parameter `grenzen`); daarom ontbreekt hier {what}."

    def note(self, text: str) -> None:
        """A paragraph computed from the data (for sections that depend on what was supplied)."""
        display(Markdown(text))

    def table(
        self, frame: pd.DataFrame, name: str, caption: str, source: str, download: pd.DataFrame | None = None
    ) -> None:
        """Show a numbered table with caption, source and a CSV download.

        ``frame`` holds the published cells as text (Dutch formats, a dash where suppressed);
        ``download`` the same published values as numbers (empty where suppressed).
        """
        folder = self.folder / TABLES
        folder.mkdir(exist_ok=True)
        csv = folder / f"{name}.csv"
        (download if download is not None else frame).to_csv(
            csv, index=False, sep=";", decimal=",", encoding="utf-8-sig"
        )
        suppressed = frame.astype(str).eq(fmt.DASH).any().any()
        lines = [
            f"```{{table}} {caption}",
            f":name: {name}",
            ":class: kansrijk-tabel",
            "",
            _markdown_table(frame),
            "```",
            "",
        ]
        note = f" {SUPPRESSED_NOTE}" if suppressed else ""
        lines.append(f"{source}{note} {{download}}`Download deze tabel (CSV) <{TABLES}/{csv.name}>`")
        display(Markdown("\n".join(lines)))


def _escape(value: object) -> str:
    return re.sub(r"([|*_`])", r"\\\1", str(value))


NUMERIC = re.compile(r"^[\d.,%–\s<>=-]*$")


def _markdown_table(frame: pd.DataFrame) -> str:
    """A MyST table: figures right-aligned, text left-aligned."""
    header = "| " + " | ".join(_escape(c) for c in frame.columns) + " |"
    numeric = [frame[c].astype(str).str.match(NUMERIC).all() for c in frame.columns]
    align = "|" + "|".join("---:" if is_number else ":---" for is_number in numeric) + "|"
    rows = ["| " + " | ".join(_escape(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, align, *rows])


def references() -> dict:
    """Facts from the source documents, cited as findings from elsewhere (data/reference/bronnen.yml)."""
    return yaml.safe_load((REFERENCE / "bronnen.yml").read_text(encoding="utf-8"))


def open_chapter(editie: str, folder: str | Path = ".") -> Chapter:
    """Load the edition's parameters, validate its inputs (printing what was read) and set the theme."""
    edition = load_edition(editie)
    data = load_edition_data(edition)
    print(f"Editie {edition.slug}: {edition.title}. Invoer gevalideerd tegen het datacontract:")
    for f in data.files:
        print(f"  {f.name}: {f.rows} rijen, {f.columns} kolommen, SHA-256 {f.sha256[:16]}…")
    return Chapter(Analysis(edition, data), Path(folder))
