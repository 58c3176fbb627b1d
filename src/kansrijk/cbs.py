"""CBS district facts (Kerncijfers wijken en buurten) for one municipality, through ``cbsodata``.

``kansrijk cbs GM.... --jaar 2023`` asks CBS's open-data service for the districts of one
municipality in that year's table and writes ``cbs_wijken.csv`` beside the edition's inputs, in
the form of the project's reference tables: one row per district, the facts below, and the
source and licence on every row. CBS numbers its columns (``AantalInwoners_5``) and the numbers
shift between years, so columns are found by their name without the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FILE = "cbs_wijken.csv"
TABLES = {2022: "85318NED", 2023: "85618NED", 2024: "85984NED"}  # Kerncijfers wijken en buurten
LICENCE = "CC BY 4.0"
_SUFFIX = re.compile(r"_\d+$")


@dataclass(frozen=True)
class Fact:
    column: str  # in cbs_wijken.csv
    key: str  # CBS's column name without its number
    label: str  # Dutch, for the book
    percentage: bool  # a share (0-100) rather than a count


FACTS = (
    Fact("inwoners", "AantalInwoners", "Inwoners", False),
    Fact("inwoners_0_14", "k_0Tot15Jaar", "Inwoners van 0 tot 15 jaar", False),
    Fact("huishoudens_met_kinderen", "HuishoudensMetKinderen", "Huishoudens met kinderen", False),
    Fact("pct_hh_laag_inkomen", "HuishoudensMetEenLaagInkomen", "Huishoudens met een laag inkomen (%)", True),
    Fact(
        "pct_hh_rond_sociaal_minimum",
        "HuishOnderOfRondSociaalMinimum",
        "Huishoudens onder of rond het sociaal minimum (%)",
        True,
    ),
    Fact(
        "pct_hh_tot_120_wsm",
        "HuishoudensTot120VanSociaalMinimum",
        "Huishoudens tot 120% van het sociaal minimum (%)",
        True,
    ),
)
COLUMNS = ("wijk_code", "wijk_naam", *(f.column for f in FACTS), "bron", "licentie")


class CbsError(RuntimeError):
    """CBS could not be asked, or did not answer as its tables do."""


def table_id(year: int) -> str:
    if year not in TABLES:
        known = ", ".join(str(y) for y in TABLES)
        raise CbsError(f"geen tabel Kerncijfers wijken en buurten bekend voor {year} (bekend: {known})")
    return TABLES[year]


def base_name(column: str) -> str:
    """A CBS column without its number: 'AantalInwoners_5' -> 'AantalInwoners'."""
    return _SUFFIX.sub("", column)


def fetch(gemeentecode: str, year: int) -> pd.DataFrame:
    """The districts of one municipality with the facts of :data:`FACTS`, from CBS."""
    import cbsodata
    import requests

    table = table_id(year)
    prefix = "WK" + gemeentecode.removeprefix("GM")
    try:
        properties = cbsodata.get_meta(table, "DataProperties")
        keys = {base_name(p["Key"]): p["Key"] for p in properties if p.get("Key")}
        wanted = ["WijkenEnBuurten", "Codering", "SoortRegio"]
        select = [keys[k] for k in wanted if k in keys] + [keys[f.key] for f in FACTS if f.key in keys]
        # cbsodata 1.3 swaps typed and untyped (its issue #20): typed=False downloads the TypedDataSet;
        # the values are read either way (see _value), so a fixed release gives the same file
        records = cbsodata.get_data(
            table, typed=False, select=select, filters=f"startswith(WijkenEnBuurten,'{prefix}')"
        )
    except (requests.RequestException, ValueError, KeyError) as error:
        raise CbsError(f"CBS-tabel {table} kon niet worden opgehaald ({type(error).__name__}: {error})") from None
    return districts(records, table, year)


def districts(records: list[dict], table: str, year: int) -> pd.DataFrame:
    """CBS records (any columns, numbered or not) as the rows of ``cbs_wijken.csv``."""
    rows = []
    for record in records:
        values = {base_name(k): v for k, v in record.items()}
        code = str(values.get("Codering") or "").strip()
        if not code.startswith("WK") or "Wijk" not in str(values.get("SoortRegio") or "Wijk"):
            continue  # the municipality itself and its neighbourhoods
        row = {"wijk_code": code, "wijk_naam": str(values.get("WijkenEnBuurten") or code).strip()}
        for fact in FACTS:
            row[fact.column] = _value(values.get(fact.key))
        row["bron"] = f"CBS, Kerncijfers wijken en buurten {year} ({table})"
        row["licentie"] = LICENCE
        rows.append(row)
    if not rows:
        raise CbsError(f"CBS-tabel {table} bevat geen wijken van deze gemeente")
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values("wijk_code", ignore_index=True)


def _value(value: object) -> float | None:
    """A CBS value as a number: typed (a number or ``None``) or untyped (text, ``'.'`` where CBS
    gives none)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "."):
            return None
        return float(text)
    return float(value)  # type: ignore[arg-type]


def write(frame: pd.DataFrame, path: Path) -> None:
    """``cbs_wijken.csv``: comma-separated, UTF-8, an empty cell where CBS gives no value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%g")
