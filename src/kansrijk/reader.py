"""Read an input table as the contract allows: CSV (``,`` or ``;``, UTF-8 with or without BOM)
or a ``.parquet`` file with the same stem. Every cell comes back as text, exactly as written,
so that the schemas can name offending values as the analyst typed them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NoReturn

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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(path.name, None, f"kan het bestand niet lezen: {exc.strerror}")]) from None
    text = _decode(path.name, raw)
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
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except (pd.errors.ParserError, csv.Error):
        raise InputError([_parse_problem(path.name, text, separator)]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="rij")
    return frame


def _decode(name: str, raw: bytes) -> str:
    """The file's text: UTF-8 with or without BOM; anything else is named with line and column."""
    if raw.startswith(b"PK\x03\x04"):
        return _refuse(name, 1, 1, "bestand is een Excel- of zip-bestand, geen CSV: sla het op als 'CSV UTF-8'", "")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        return _refuse(name, 1, 1, "bestand is UTF-16 (of bevat nul-tekens): sla het op als 'CSV UTF-8'", "")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[:line_start].count(b"\n") + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        guess = raw[exc.start : exc.start + 1].decode("cp1252", errors="replace")
        hint = " (misschien Latin-1 of Windows-1252)" if guess.isalpha() else ""
        return _refuse(
            name,
            line,
            column,
            f"bestand is geen UTF-8{hint}: sla het op als 'CSV UTF-8'",
            repr(raw[exc.start : exc.end]),
        )


def _refuse(name: str, line: int, column: int, rule: str, value: str) -> NoReturn:
    raise InputError([Problem(name, None, f"regel {line}, kolom {column}: {rule}", 1, (line,), (value,))])


def _parse_problem(name: str, text: str, separator: str) -> Problem:
    """Where a CSV breaks: the line and position of an unterminated quote or of a surplus field."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    width, start = None, 1
    try:
        for record in reader:
            if width is None:
                width = len(record)
            elif len(record) > width:
                line = lines[reader.line_num - 1].rstrip("\r\n")
                column = len(separator.join(record[:width])) + len(separator) + 1  # where the surplus field starts
                rule = (
                    f"regel {reader.line_num}, kolom {column}: "
                    f"{len(record)} velden, terwijl de kopregel er {width} heeft"
                )
                return Problem(name, None, rule, 1, (reader.line_num,), (line,))
            start = reader.line_num + 1
    except csv.Error:
        line = lines[start - 1].rstrip("\r\n") if start - 1 < len(lines) else ""
        column = line.find('"') + 1 or 1
        rule = f"regel {start}, kolom {column}: aanhalingsteken wordt niet afgesloten"
        return Problem(name, None, rule, 1, (start,), (line,))
    return Problem(name, None, "bestand is geen geldige CSV", 1)


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
