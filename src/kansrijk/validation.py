"""Validate every input file of an edition at once and hand the chapters typed frames.

Real exports are read as they come: empty cells in education and origin mean 'onbekend' (and
are counted), ages may come as birth dates (computed at the parameter ``peildatum``), risk
factors may carry the organisation's own codes (mapped by the parameter ``koppeltabel``), and
the poverty file may be a CBS table with rounded counts, withheld values and a municipal total.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kansrijk import boundaries, inputs, schemas
from kansrijk.origin import CLASSIFICATIONS, MIGRATIEACHTERGROND, Classification, classification_of
from kansrijk.params import Edition, resolve_path
from kansrijk.problems import InputError, Problem
from kansrijk.reader import locate, read_table
from kansrijk.schemas import TableSpec

_BUILTIN_RULES = {
    "not_nullable": schemas.NOT_EMPTY,
    "field_uniqueness": schemas.UNIQUE,
}
AGES = (0, 1, 2)  # completed years: the edition is about children aged 0 to 2
ROUNDED_TO = 5  # CBS rounds the counts of custom tables to multiples of five
MIN_ROUNDED = 3  # non-zero counts needed before 'all multiples of five' says 'rounded'


@dataclass(frozen=True)
class InputFile:
    """Fingerprint of one input file, for the validation report and the provenance."""

    name: str
    path: Path
    rows: int
    columns: int
    sha256: str


@dataclass(frozen=True)
class InputOptions:
    """What the parameter file tells the reading of the inputs."""

    gemeentecode: str | None = None  # the armoede.csv row with this code is the municipal total
    peildatum: date | None = None  # the reference date for ages from geboortedatum
    koppeltabel: Path | None = None  # local risk-factor codes -> catalogue codes
    source: str = "parameterbestand"  # the parameter file, for problems with its keys


@dataclass(frozen=True)
class EditionData:
    """The validated, typed inputs of an edition."""

    wijken: pd.DataFrame
    kinderen: pd.DataFrame  # with leeftijd (computed from geboortedatum when given) and gezin_id
    risicofactoren: pd.DataFrame  # catalogue codes (local codes mapped)
    armoede: pd.DataFrame  # the districts; a count is <NA> where the source withheld it
    atlas: pd.DataFrame | None
    files: tuple[InputFile, ...]
    origin: Classification = MIGRATIEACHTERGROND
    blanks: dict[str, int] = field(default_factory=dict)  # column -> empty cells read as 'onbekend'
    families: bool = False  # kinderen.csv carries gezin_id
    outside_age: tuple[int, ...] = ()  # rows of kinderen.csv outside 0-2 years at peildatum, left out
    peildatum: date | None = None
    poverty_total: pd.Series | None = None  # the municipal row of armoede.csv, when there is one
    poverty_rounded: bool = False  # the poverty counts are multiples of five: rounded at source
    local_codes: int = 0  # local risk-factor codes the koppeltabel mapped
    cbs: pd.DataFrame | None = None  # CBS district facts (cbs_wijken.csv), when there


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems_from(error: pa.errors.SchemaErrors, frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    """Turn pandera's failure cases into one :class:`Problem` per column and rule (and per value
    for the columns of ``spec.by_value``)."""
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
        if column in spec.by_value and check not in _BUILTIN_RULES:
            # one line per unknown code, most frequent first: what the analyst has to map or correct
            by_value = rows.groupby(rows["failure_case"].astype(str), sort=False)["index"]
            for value, index in sorted(by_value, key=lambda item: (-len(item[1]), item[0])):
                problems.append(
                    Problem.with_examples(
                        spec.filename, column, f"{rule}: ‘{value}’", index.astype(int), [value] * len(index)
                    )
                )
            continue
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


Read = tuple[Path, pd.DataFrame]


def _read(folder: Path, spec: TableSpec, problems: list[Problem]) -> Read | None:
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


def _read_file(path: Path, spec: TableSpec, problems: list[Problem]) -> Read | None:
    """A file named by a parameter (``koppeltabel``), checked against its own schema."""
    try:
        frame = read_table(path, list(spec.columns))
    except InputError as error:
        problems.extend(error.problems)
        return None
    found = check_table(frame, spec)
    problems.extend(found)
    return None if found else (path, frame)


def _keys(read: Read | None, column: str) -> set[str] | None:
    if read is None or column not in read[1].columns:
        return None
    return set(read[1][column].dropna().str.strip())


def _one_of(read: Read | None, columns: tuple[str, str], rule: str, problems: list[Problem]) -> bool:
    """Whether a file carries both of two columns that exclude each other (reported once)."""
    if read is not None and set(columns) <= set(read[1].columns):
        problems.append(Problem(read[0].name, " + ".join(columns), rule))
        return True
    return False


def _blanks_as_unknown(frame: pd.DataFrame, columns: list[str]) -> dict[str, np.ndarray]:
    """Read empty cells of ``columns`` as 'onbekend' (in place); which rows they were, per column."""
    empty = {}
    for column in columns:
        if column in frame.columns:
            mask = (frame[column].isna() | (frame[column].astype(str).str.strip() == "")).to_numpy()
            frame.loc[mask, column] = schemas.UNKNOWN
            empty[column] = mask
    return empty


def load_inputs(folder: Path, options: InputOptions | None = None) -> EditionData:
    """Read and validate the files in ``folder``; raise :class:`InputError` listing every problem."""
    options = options or InputOptions()
    problems: list[Problem] = []
    wijken = _read(folder, schemas.wijken_spec(), problems)
    kinderen = _read(folder, schemas.kinderen_spec(), problems)
    factoren = _read(folder, schemas.risicofactoren_spec(), problems)
    armoede = _read(folder, schemas.armoede_spec(), problems)
    atlas = _read(folder, schemas.atlas_spec(), problems)
    cbs = _read(folder, schemas.cbs_spec(), problems)
    koppel = None
    if options.koppeltabel is not None:
        koppel = _read_file(options.koppeltabel, schemas.koppeltabel_spec(options.koppeltabel.stem), problems)

    wijk_codes = _keys(wijken, "wijk_code")
    columns = kinderen[1].columns if kinderen is not None else ()
    origin = classification_of(columns)
    age = "geboortedatum" if "geboortedatum" in columns else "leeftijd"
    both = _one_of(
        kinderen,
        tuple(CLASSIFICATIONS),  # type: ignore[arg-type]
        "geef migratieachtergrond (de indeling tot 2022) of herkomst (sinds 2022), niet allebei",
        problems,
    )
    both |= _one_of(kinderen, ("leeftijd", "geboortedatum"), "geef leeftijd of geboortedatum, niet allebei", problems)
    if both:
        kinderen = None  # its other rules would report the same columns again
    if age == "geboortedatum" and options.peildatum is None:
        problems.append(
            Problem(
                options.source,
                "peildatum",
                "verplicht als kinderen.csv een geboortedatum heeft: de datum waarop de leeftijd wordt berekend, "
                "zoals 2023-12-31",
            )
        )
    blanks = _blanks_as_unknown(kinderen[1], ["opleiding_ouders", origin.column]) if kinderen is not None else {}
    local = None
    if koppel is not None:
        local = dict(zip(koppel[1]["lokale_code"].str.strip(), koppel[1]["risicofactor"].str.strip(), strict=True))
    specs = {
        "wijken": (wijken, schemas.wijken_spec()),
        "kinderen": (
            kinderen,
            schemas.kinderen_spec(wijk_codes, _keys(factoren, "kind_id"), origin, age, "gezin_id" in columns),
        ),
        "risicofactoren": (
            factoren,
            schemas.risicofactoren_spec(_keys(kinderen, "kind_id"), None if local is None else set(local)),
        ),
        "armoede": (armoede, schemas.armoede_spec(wijk_codes, options.gemeentecode)),
        "atlas": (atlas, schemas.atlas_spec(wijk_codes)),
        "cbs_wijken": (cbs, schemas.cbs_spec(wijk_codes)),
    }
    if options.koppeltabel is not None and koppel is None and factoren is not None:
        specs["risicofactoren"] = (None, specs["risicofactoren"][1])  # its codes cannot be checked yet
    passed = {}
    for stem, (read, spec) in specs.items():
        if read is not None:
            found = check_table(read[1], spec)
            problems.extend(found)
            if not found:
                passed[stem] = schemas.parse(read[1], spec)
    if "armoede" in passed:  # a total row must be able to hold its districts (reported with the rest)
        try:
            poverty, total, rounded = _poverty(passed["armoede"], armoede[1], options.gemeentecode)  # type: ignore[index]
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)

    typed = passed
    for column, mask in blanks.items():  # the children an empty cell made 'onbekend' (the model counts them)
        typed["kinderen"][f"{column}_leeg"] = mask
    children, factors, outside = _children(typed["kinderen"], typed["risicofactoren"], kinderen[1], options)  # type: ignore[index]
    if local is not None:
        factors = factors.assign(risicofactor=factors["risicofactor"].map(local))
        factors = factors.drop_duplicates(["kind_id", "risicofactor"]).reset_index(drop=True)
    files = tuple(
        InputFile(path.name, path, len(frame), frame.shape[1], sha256(path))
        for read in (wijken, kinderen, factoren, armoede, atlas, cbs, koppel)
        if read is not None
        for path, frame in [read]
    )
    return EditionData(
        wijken=typed["wijken"],
        kinderen=children,
        risicofactoren=factors,
        armoede=poverty,
        atlas=typed.get("atlas"),
        files=files,
        origin=origin,
        blanks={column: int(children[f"{column}_leeg"].sum()) for column in blanks},
        families="gezin_id" in columns,
        outside_age=outside,
        peildatum=options.peildatum if age == "geboortedatum" else None,
        poverty_total=total,
        poverty_rounded=rounded,
        local_codes=0 if local is None else factoren[1]["risicofactor"].str.strip().nunique(),  # type: ignore[index]
        cbs=typed.get("cbs_wijken"),
    )


def _children(
    kinderen: pd.DataFrame, factors: pd.DataFrame, text: pd.DataFrame, options: InputOptions
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, ...]]:
    """Ages at the reference date (children outside 0-2 years are left out, with their risk
    factors; their rows are returned), and a family for every child (an empty gezin_id: a family
    of one)."""
    outside: tuple[int, ...] = ()
    if "geboortedatum" in kinderen.columns:
        peil = options.peildatum
        born = kinderen.pop("geboortedatum")
        years = born.map(lambda b: peil.year - b.year - ((peil.month, peil.day) < (b.month, b.day)))  # type: ignore[union-attr]
        inside = years.isin(AGES).to_numpy()
        outside = tuple(int(row) for row in text.index[~inside])
        kinderen = kinderen.assign(leeftijd=years.astype("int64"))[inside].reset_index(drop=True)
        factors = factors[factors["kind_id"].isin(set(kinderen["kind_id"]))].reset_index(drop=True)
        if kinderen.empty:
            raise InputError(
                [
                    Problem(
                        "kinderen.csv",
                        "geboortedatum",
                        f"geen enkel kind is op de peildatum ({peil}) 0 tot en met 2 jaar",
                    )
                ]
            )
    if "gezin_id" in kinderen.columns:
        lone = kinderen["gezin_id"].isna() | (kinderen["gezin_id"].astype(str).str.strip() == "")
        # a child without a family id is a family of its own; the prefix cannot clash with an id
        kinderen["gezin_id"] = kinderen["gezin_id"].astype(object).where(~lone, "\x00" + kinderen["kind_id"])
    return kinderen, factors, outside


def _poverty(
    armoede: pd.DataFrame, text: pd.DataFrame, gemeentecode: str | None
) -> tuple[pd.DataFrame, pd.Series | None, bool]:
    """The districts, the municipal total row (when there is one) and whether the counts are
    rounded at source; a total that cannot hold its districts is an input error."""
    from kansrijk.analyses.poverty import COUNTS, split

    is_total = (armoede["wijk_code"] == gemeentecode).to_numpy()
    districts = armoede[~is_total].reset_index(drop=True)
    total = armoede[is_total].iloc[0] if is_total.any() else None
    counts = pd.concat([armoede[c] for c in COUNTS]).dropna()
    rounded = bool((counts % ROUNDED_TO == 0).all() and (counts > 0).sum() >= MIN_ROUNDED)
    if split(districts, total, rounded) is None:
        row = int(text.index[is_total][0])
        raise InputError(
            [
                Problem.with_examples(
                    "armoede.csv",
                    "wijk_code",
                    f"de rij {gemeentecode} (het totaal van de gemeente) telt in een inkomensgroep minder kinderen "
                    "dan de wijken samen" + (" (ook met afronding op vijftallen)" if rounded else ""),
                    [row],
                    [", ".join(f"{c}={text.at[row, c]}" for c in COUNTS)],
                )
            ]
        )
    return districts, total, rounded


# Validated inputs per process, by the content of every file they come from: a worker (its plans
# and the chapters in its shell) that is given the same edition again, or its previous edition,
# reads nothing twice.
_VALIDATED: OrderedDict[str, EditionData] = OrderedDict()
CACHED_EDITIONS = 8


def _content_key(edition: Edition) -> str:
    """A hash of everything validation reads: the data folder's files, the named files and the
    parameters that change how they are read (the files as :func:`kansrijk.inputs.files` finds them)."""
    p = edition.params
    digest = hashlib.sha256(repr((p.gemeentecode, p.peildatum, str(edition.data_dir))).encode())
    for path in inputs.files(edition):
        digest.update(f"{path}\0{sha256(path)}\0".encode())
    return digest.hexdigest()


def load_edition_data(edition: Edition) -> EditionData:
    """The validated inputs of an edition, and a check of its boundary file when there is one
    (from this process's cache when every file is unchanged)."""
    p = edition.params
    koppeltabel = None
    if p.koppeltabel is not None:
        koppeltabel = resolve_path(p.koppeltabel)
        if not koppeltabel.is_file():
            rule = "het bestand bestaat niet"
            raise InputError([Problem(str(edition.param_file), "koppeltabel", rule, 1, (), (p.koppeltabel,))])
    key = _content_key(edition)
    if key in _VALIDATED:
        _VALIDATED.move_to_end(key)
        return _VALIDATED[key]
    options = InputOptions(p.gemeentecode, p.peildatum, koppeltabel, str(edition.param_file))
    data = load_inputs(edition.data_dir, options)
    if edition.boundaries is not None and (
        problems := boundaries.check(edition.boundaries, set(data.wijken["wijk_code"]))
    ):
        raise InputError(problems)
    _VALIDATED[key] = data
    while len(_VALIDATED) > CACHED_EDITIONS:
        _VALIDATED.popitem(last=False)
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
