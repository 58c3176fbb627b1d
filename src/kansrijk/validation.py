"""Validate every input file of an edition at once and hand the chapters typed frames."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from kansrijk import boundaries, schemas
from kansrijk.origin import CLASSIFICATIONS, MIGRATIEACHTERGROND, Classification, classification_of
from kansrijk.params import Edition
from kansrijk.problems import InputError, Problem
from kansrijk.reader import locate, read_table
from kansrijk.schemas import TableSpec

_BUILTIN_RULES = {
    "not_nullable": schemas.NOT_EMPTY,
    "field_uniqueness": schemas.UNIQUE,
}


@dataclass(frozen=True)
class InputFile:
    """Fingerprint of one input file, for the validation report and the provenance."""

    name: str
    path: Path
    rows: int
    columns: int
    sha256: str


@dataclass(frozen=True)
class EditionData:
    """The validated, typed inputs of an edition."""

    wijken: pd.DataFrame
    kinderen: pd.DataFrame
    risicofactoren: pd.DataFrame
    armoede: pd.DataFrame
    atlas: pd.DataFrame | None
    files: tuple[InputFile, ...]
    origin: Classification = MIGRATIEACHTERGROND


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems_from(error: pa.errors.SchemaErrors, frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    """Turn pandera's failure cases into one :class:`Problem` per column and rule."""
    cases = error.failure_cases
    problems: list[Problem] = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        column, check = str(column), str(check)
        if check == "column_in_schema":
            for name in group["failure_case"]:
                problems.append(Problem(spec.filename, str(name), "onbekende kolom (niet in het datacontract)"))
            continue
        if check == "column_in_dataframe":
            for name in group["failure_case"]:
                problems.append(Problem(spec.filename, str(name), "verplichte kolom ontbreekt"))
            continue
        rows = group[group["index"].notna()]
        if rows.empty:  # a frame-level check that could not run because a column is missing
            continue
        if check == "multiple_fields_uniqueness":
            if column != spec.schema.unique[0]:
                continue  # listed once per column of the combination; report it once
            keys = rows.drop_duplicates("index")
            problems.append(
                Problem.with_examples(
                    spec.filename,
                    " + ".join(spec.schema.unique or []),
                    "deze combinatie moet uniek zijn, maar komt vaker voor",
                    keys["index"].astype(int),
                    (" / ".join(frame.loc[int(i), list(spec.schema.unique)]) for i in keys["index"]),
                )
            )
            continue
        if (row_rule := spec.rule(check)) is not None:
            if column != row_rule.column:
                continue  # pandera lists a frame check once per column; report it once
            index = rows["index"].astype(int).drop_duplicates()
            values = (", ".join(f"{c}={frame.at[i, c]}" for c in row_rule.shows) for i in index)
            problems.append(Problem.with_examples(spec.filename, row_rule.column, check, index, values))
            continue
        if check.startswith("dtype("):
            continue  # the reader gives text only; a non-text column is empty, reported as such
        rule = _BUILTIN_RULES.get(check, check)
        problems.append(
            Problem.with_examples(spec.filename, column, rule, rows["index"].astype(int), rows["failure_case"])
        )
    return problems


def check_table(frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    if spec.needs_rows and frame.empty:
        return [Problem(spec.filename, None, "bevat geen gegevens: alleen een kopregel")]
    try:
        spec.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        return problems_from(error, frame, spec)
    return []


def _read(folder: Path, spec: TableSpec, problems: list[Problem]) -> tuple[Path, pd.DataFrame] | None:
    try:
        path = locate(folder, spec.stem)
        if path is None:
            if spec.required:
                others = sorted(p.name for p in folder.glob(f"{spec.stem}.*"))
                hint = f" (gevonden: {', '.join(others)}; alleen .csv of .parquet)" if others else ""
                problems.append(Problem(spec.filename, None, f"verplicht bestand ontbreekt in {folder}{hint}"))
            return None
        return path, read_table(path, list(spec.columns))
    except InputError as error:
        problems.extend(error.problems)
        return None


def _keys(read: tuple[Path, pd.DataFrame] | None, column: str) -> set[str] | None:
    if read is None or column not in read[1].columns:
        return None
    return set(read[1][column].dropna().str.strip())


def load_inputs(folder: Path) -> EditionData:
    """Read and validate the files in ``folder``; raise :class:`InputError` listing every problem."""
    problems: list[Problem] = []
    wijken = _read(folder, schemas.wijken_spec(), problems)
    kinderen = _read(folder, schemas.kinderen_spec(), problems)
    factoren = _read(folder, schemas.risicofactoren_spec(), problems)
    armoede = _read(folder, schemas.armoede_spec(), problems)
    atlas = _read(folder, schemas.atlas_spec(), problems)

    wijk_codes = _keys(wijken, "wijk_code")
    origin = classification_of(kinderen[1].columns if kinderen is not None else ())
    if kinderen is not None and set(CLASSIFICATIONS) <= set(kinderen[1].columns):
        problems.append(
            Problem(
                "kinderen.csv",
                " + ".join(CLASSIFICATIONS),
                "geef migratieachtergrond (de indeling tot 2022) of herkomst (sinds 2022), niet allebei",
            )
        )
        kinderen = None  # its other rules would report the same two columns again
    specs = {
        "wijken": (wijken, schemas.wijken_spec()),
        "kinderen": (kinderen, schemas.kinderen_spec(wijk_codes, _keys(factoren, "kind_id"), origin)),
        "risicofactoren": (factoren, schemas.risicofactoren_spec(_keys(kinderen, "kind_id"))),
        "armoede": (armoede, schemas.armoede_spec(wijk_codes)),
        "atlas": (atlas, schemas.atlas_spec(wijk_codes)),
    }
    for read, spec in specs.values():
        if read is not None:
            problems.extend(check_table(read[1], spec))
    if problems:
        raise InputError(problems)

    typed = {stem: schemas.parse(read[1], spec) for stem, (read, spec) in specs.items() if read is not None}
    files = tuple(
        InputFile(path.name, path, len(frame), frame.shape[1], sha256(path))
        for read in (wijken, kinderen, factoren, armoede, atlas)
        if read is not None
        for path, frame in [read]
    )
    return EditionData(
        wijken=typed["wijken"],
        kinderen=typed["kinderen"],
        risicofactoren=typed["risicofactoren"],
        armoede=typed["armoede"],
        atlas=typed.get("atlas"),
        files=files,
        origin=origin,
    )


def load_edition_data(edition: Edition) -> EditionData:
    """The validated inputs of an edition, and a check of its boundary file when there is one."""
    data = load_inputs(edition.data_dir)
    if edition.boundaries is not None and (
        problems := boundaries.check(edition.boundaries, set(data.wijken["wijk_code"]))
    ):
        raise InputError(problems)
    return data


def load_district_link(path: Path, old_codes: set[str], new_codes: set[str]) -> tuple[dict[str, str], InputFile]:
    """The parameter ``wijk_koppeling``: new district code -> old code, validated against both
    editions' districts, and the file's fingerprint."""
    spec = schemas.wijk_koppeling_spec(path.stem, old_codes, new_codes)
    frame = read_table(path, list(spec.columns))
    if problems := check_table(frame, spec):
        raise InputError(problems)
    typed = schemas.parse(frame, spec)
    link = dict(zip(typed["nieuwe_code"], typed["oude_code"], strict=True))
    return link, InputFile(path.name, path, len(frame), frame.shape[1], sha256(path))
