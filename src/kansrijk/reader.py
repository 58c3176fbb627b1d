"""Read an input table as the contract allows: CSV (``,`` or ``;``, UTF-8 with or without BOM)
or a ``.parquet`` file with the same stem. Every cell comes back as text, exactly as written,
so that the schemas can name offending values as the analyst typed them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from kansrijk.problems import InputError, Problem

SEPARATORS = (",", ";")


def locate(folder: Path, stem: str) -> Path | None:
    """The file for table ``stem`` in ``folder``: ``stem.csv`` or ``stem.parquet``."""
    found = [p for p in (folder / f"{stem}.csv", folder / f"{stem}.parquet") if p.is_file()]
    if len(found) > 1:
        raise InputError([Problem(found[0].name, None, f"zowel {stem}.csv als {stem}.parquet aanwezig: kies er één")])
    return found[0] if found else None


def read_table(path: Path, expected: list[str]) -> pd.DataFrame:
    """Read ``path`` into a frame of strings (missing cells as ``<NA>``).

    The index is the row number as the analyst sees it: the header is row 1 of a CSV.
    """
    if path.suffix == ".parquet":
        return _read_parquet(path)
    if path.suffix != ".csv":
        raise InputError([Problem(path.name, None, "bestandstype niet toegestaan: alleen .csv of .parquet")])
    return _read_csv(path, expected)


def _read_csv(path: Path, expected: list[str]) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    "bestand is geen UTF-8 (misschien Latin-1 of Windows-1252): sla het op als 'CSV UTF-8'",
                    1,
                    (line,),
                    (repr(raw[exc.start : exc.start + 1]),),
                )
            ]
        ) from None
    if not text.strip():
        raise InputError([Problem(path.name, None, "bestand is leeg: een kopregel ontbreekt")])
    header_line = text.splitlines()[0]
    separator = _detect_separator(header_line, expected)
    if separator is None:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    "geen kopregel met kolomnamen gevonden (scheidingsteken ',' of ';'), "
                    f"verwacht: {', '.join(expected)}",
                    1,
                    (1,),
                    (header_line,),
                )
            ]
        )
    frame = pd.read_csv(
        io.StringIO(text),
        sep=separator,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skipinitialspace=False,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="rij")
    return frame


def _detect_separator(header: str, expected: list[str]) -> str | None:
    """The separator under which the header names the most expected columns."""
    best, best_hits = None, 0
    for sep in SEPARATORS:
        names = [c.strip().strip('"') for c in next(csv.reader([header], delimiter=sep))]
        hits = len(set(names) & set(expected))
        if hits > best_hits:
            best, best_hits = sep, hits
    return best


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError([Problem(path.name, None, f"geen leesbaar Parquet-bestand: {exc}")]) from None
    text = pd.DataFrame(index=pd.RangeIndex(1, len(frame) + 1, name="rij"))
    for column in frame.columns:
        text[str(column)] = _as_text(frame[column]).to_numpy()
    return text


def _as_text(series: pd.Series) -> pd.Series:
    """Typed Parquet values as the text a CSV would hold (integral floats without ``.0``)."""
    if pd.api.types.is_float_dtype(series) and series.dropna().mod(1).eq(0).all():
        series = series.astype("Int64")
    if pd.api.types.is_bool_dtype(series):
        series = series.map({True: "true", False: "false"})
    return series.astype("string").astype(object).where(series.notna(), pd.NA)
