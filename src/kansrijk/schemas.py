"""The data contract as pandera schemas.

Schemas validate the files as text, exactly as the analyst wrote them, so that every rule
(type, domain, cross-column, cross-file) reports the offending value itself; :func:`parse`
then turns a valid text frame into typed columns. Cross-file rules are checks built with the
keys of the files they refer to.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from kansrijk.catalogue import load_catalogue
from kansrijk.origin import CLASSIFICATIONS, MIGRATIEACHTERGROND, Classification
from kansrijk.text import MAX_NAME, name_problem

EDUCATION = ("laag", "midden", "hoog", "onbekend")
UNKNOWN = "onbekend"
TRUE_WORDS = frozenset({"1", "true", "ja"})
FALSE_WORDS = frozenset({"0", "false", "nee"})

# CBS's district code: WK, the municipality's 4 digits and 2 more; Amsterdam's 110 districts carry
# letters there (WK0363AA), which 6 digits could not number.
WIJK_CODE = r"^WK\d{4}[0-9A-Z]{2}$"
WIJK_CODE_RULE = "'WK', de 4 cijfers van de gemeente en 2 cijfers of hoofdletters (zoals WK034401 of WK0363AA)"
COUNT = r"^\d+$"
WITHHELD = "."  # CBS's mark for a value it does not deliver (as an empty cell is)
# Dates as exports write them: ISO (2023-03-31) or Dutch (31-03-2023, 31/3/2023).
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")

# Rule texts, in the analysts' language. Reports show them as "the rule broken".
NOT_EMPTY = "mag niet leeg zijn"
PRINTABLE_NAME = (
    f"moet een afdrukbare naam zijn: niet leeg, zonder regeleinden of stuurtekens, hoogstens {MAX_NAME} tekens"
)
UNIQUE = "moet uniek zijn, maar komt vaker voor"


def parse_date(value: object):
    """A date as an export writes it (see :data:`DATE_FORMATS`), or ``None`` when it is not one."""
    from datetime import datetime

    text = str(value).strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _boolean(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(TRUE_WORDS | FALSE_WORDS)


def _number(values: pd.Series) -> pd.Series:
    """Numbers as text, with a decimal point or (as Dutch Excel writes) a decimal comma."""
    return pd.to_numeric(values.str.strip().str.replace(",", ".", regex=False), errors="coerce")


def _in_range(low: float, high: float) -> pa.Check:
    return pa.Check(
        lambda s: _number(s).between(low, high),
        error=f"moet een getal van {low:g} tot en met {high:g} zijn",
    )


def _isin(allowed: Collection[str], what: str) -> pa.Check:
    return pa.Check(lambda s: s.isin(list(allowed)), error=f"{what}: {', '.join(allowed)}")


def member(values: pd.Series, known: set[str]) -> pd.Series:
    """``values.isin(known)`` for large key sets: pandas' Arrow-backed strings look up a large
    set about ten times slower than a hash table over Python objects does."""
    return values.astype(object).isin(known)


def _exists_in(keys: Collection[str] | None, other: str) -> list[pa.Check]:
    if keys is None:
        return []
    known = set(keys)
    return [pa.Check(lambda s: member(s, known), error=f"moet voorkomen in {other}")]


@dataclass(frozen=True)
class RowRule:
    """A rule across the columns of one row, reported under ``column`` with ``shows`` as values."""

    error: str
    column: str
    shows: tuple[str, ...]
    test: Callable[[pd.DataFrame], pd.Series]

    def check(self) -> pa.Check:
        return pa.Check(self.test, error=self.error)


def _not_greater(small: str, large: str) -> RowRule:
    def test(df: pd.DataFrame) -> pd.Series:
        a, b = _number(df[small]), _number(df[large])
        return ~(a > b)  # a row whose numbers do not parse is reported by its column's own check

    return RowRule(f"mag niet groter zijn dan {large}", small, (small, large), test)


def _text(*checks: pa.Check, unique: bool = False) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=False, unique=unique, coerce=False)


@dataclass(frozen=True)
class TableSpec:
    """One input file of the contract: its schema, row rules and the types its columns parse to."""

    stem: str
    required: bool
    columns: dict[str, str]  # column -> parsed type: text, int, float, bool, category
    schema: pa.DataFrameSchema
    row_rules: tuple[RowRule, ...] = ()
    needs_rows: bool = False  # a file with only a header is an input error
    by_value: tuple[str, ...] = ()  # columns whose problems are listed per distinct value, with its count

    @property
    def filename(self) -> str:
        return f"{self.stem}.csv"

    def rule(self, error: str) -> RowRule | None:
        return next((r for r in self.row_rules if r.error == error), None)


def _spec(
    stem: str,
    required: bool,
    columns: dict[str, tuple[str, pa.Column]],
    row_rules: tuple[RowRule, ...] = (),
    unique_together: tuple[str, ...] = (),
    needs_rows: bool = False,
    by_value: tuple[str, ...] = (),
) -> TableSpec:
    checks = [r.check() for r in row_rules]
    schema = pa.DataFrameSchema(
        {name: column for name, (_, column) in columns.items()},
        checks=checks,
        strict=True,
        ordered=False,
        unique=list(unique_together) or None,
        report_duplicates="all",
        name=stem,
    )
    types = {n: t for n, (t, _) in columns.items()}
    return TableSpec(stem, required, types, schema, row_rules, needs_rows, by_value)


def wijken_spec() -> TableSpec:
    return _spec(
        "wijken",
        True,
        {
            "wijk_code": ("text", _text(_wijk_code_check(), unique=True)),
            "wijk_naam": ("text", _text(pa.Check(lambda s: s.map(name_problem).isna(), error=PRINTABLE_NAME))),
        },
        needs_rows=True,
    )


def wijk_koppeling_spec(stem: str, old_codes: Collection[str], new_codes: Collection[str]) -> TableSpec:
    """The parameter ``wijk_koppeling``: districts CBS recoded since the previous edition, one to
    one (a merged or split district has no figure of its own to compare)."""
    return _spec(
        stem,
        True,
        {
            "oude_code": (
                "text",
                _text(_wijk_code_check(), *_exists_in(old_codes, "wijken.csv van de vorige editie"), unique=True),
            ),
            "nieuwe_code": (
                "text",
                _text(_wijk_code_check(), *_exists_in(new_codes, "wijken.csv van deze editie"), unique=True),
            ),
        },
        needs_rows=True,
    )


def _wijk_code_check() -> pa.Check:
    return pa.Check.str_matches(WIJK_CODE, error=f"moet een CBS-wijkcode zijn: {WIJK_CODE_RULE}")


def kinderen_spec(
    wijk_codes: Collection[str] | None = None,
    with_factors: Collection[str] | None = None,
    origin: Classification = MIGRATIEACHTERGROND,
    age: str = "leeftijd",
    families: bool = False,
) -> TableSpec:
    """``kinderen.csv``, with the column of its origin classification (migratieachtergrond or
    herkomst), the child's age as ``leeftijd`` or ``geboortedatum``, and optionally ``gezin_id``.
    Empty cells in education and origin have been read as 'onbekend' before (see
    :func:`kansrijk.validation.load_inputs`)."""
    rules = [
        RowRule(
            "uit_balans mag alleen waar zijn als extra_aandacht waar is",
            "uit_balans",
            ("uit_balans", "extra_aandacht"),
            lambda df: ~(_truthy(df["uit_balans"]) & _falsy(df["extra_aandacht"])),
        )
    ]
    if with_factors is not None:
        known = set(with_factors)
        rules.append(
            RowRule(
                "een kind met extra_aandacht heeft minstens één rij in risicofactoren.csv",
                "extra_aandacht",
                ("kind_id", "extra_aandacht"),
                lambda df: ~(_truthy(df["extra_aandacht"]) & ~member(df["kind_id"], known)),
            )
        )
    boolean = pa.Check(_boolean, error="moet een boolean zijn: 0/1, true/false of ja/nee")
    ages = {
        "leeftijd": ("int", _text(_isin(["0", "1", "2"], "moet een leeftijd in voltooide jaren zijn"))),
        "geboortedatum": (
            "date",
            _text(pa.Check(lambda s: s.map(parse_date).notna(), error="moet een datum zijn: JJJJ-MM-DD of DD-MM-JJJJ")),
        ),
    }
    columns = {
        "kind_id": ("text", _text(pa.Check(lambda s: s.str.strip() != "", error=NOT_EMPTY), unique=True)),
        age: ages[age],
        "wijk_code": ("text", _text(_wijk_code_check(), *_exists_in(wijk_codes, "wijken.csv"))),
        "opleiding_ouders": ("category", _text(_isin(EDUCATION, "moet een van deze waarden zijn"))),
        origin.column: ("category", _text(_isin(origin.categories, "moet een van deze waarden zijn"))),
        "extra_aandacht": ("bool", _text(boolean)),
        "uit_balans": ("bool", _text(boolean)),
    }
    if families:  # a pseudonym; an empty cell: no known brothers or sisters
        columns["gezin_id"] = ("text", pa.Column(str, nullable=True, coerce=False))
    return _spec("kinderen", True, columns, tuple(rules), needs_rows=True)


def risicofactoren_spec(
    kind_ids: Collection[str] | None = None, local_codes: Collection[str] | None = None
) -> TableSpec:
    """``risicofactoren.csv``: catalogue codes, or with the parameter ``koppeltabel`` the local
    codes that table maps (each unknown code is reported once, with how often it occurs)."""
    if local_codes is None:
        codes = set(load_catalogue().codes)
        rule = "moet een code uit de risicofactorencatalogus zijn (data/reference/risicofactoren.csv)"
    else:
        codes = set(local_codes)
        rule = "is een lokale code die de koppeltabel (parameter koppeltabel) niet koppelt"
    return _spec(
        "risicofactoren",
        True,
        {
            "kind_id": ("text", _text(*_exists_in(kind_ids, "kinderen.csv"))),
            "risicofactor": ("text", _text(pa.Check(lambda s: s.str.strip().isin(codes), error=rule))),
        },
        unique_together=("kind_id", "risicofactor"),
        by_value=("risicofactor",),
    )


def koppeltabel_spec(stem: str) -> TableSpec:
    """The parameter ``koppeltabel``: local risk-factor codes and the catalogue code each stands
    for (several local codes may stand for one)."""
    codes = set(load_catalogue().codes)
    return _spec(
        stem,
        True,
        {
            "lokale_code": ("text", _text(pa.Check(lambda s: s.str.strip() != "", error=NOT_EMPTY), unique=True)),
            "risicofactor": (
                "text",
                _text(
                    pa.Check(
                        lambda s: s.str.strip().isin(codes),
                        error="moet een code uit de risicofactorencatalogus zijn (data/reference/risicofactoren.csv)",
                    )
                ),
            ),
        },
        needs_rows=True,
        by_value=("risicofactor",),
    )


def _count() -> pa.Check:
    return pa.Check.str_matches(COUNT, error="moet een geheel getal >= 0 zijn")


def _delivered_count() -> pa.Check:
    return pa.Check(
        lambda s: s.str.strip().str.fullmatch(r"\d+|\.").fillna(False),
        error="moet een geheel getal >= 0 zijn, of '.' (of leeg) als de bron het niet levert",
    )


def armoede_spec(wijk_codes: Collection[str] | None = None, gemeentecode: str | None = None) -> TableSpec:
    """``armoede.csv`` as CBS delivers it: counts (perhaps rounded to multiples of 5), '.' or an
    empty cell for a value the source withheld, and perhaps a row for the whole municipality
    (its ``wijk_code`` is the ``gemeentecode``)."""
    known = None if wijk_codes is None else set(wijk_codes) | ({gemeentecode} if gemeentecode else set())
    exists = (
        [
            pa.Check(
                lambda s: member(s, known), error="moet voorkomen in wijken.csv, of de gemeentecode zijn (het totaal)"
            )
        ]
        if known is not None
        else []
    )
    code = pa.Check(
        lambda s: s.str.fullmatch(WIJK_CODE[1:-1]) | (s == gemeentecode),
        error=f"moet een CBS-wijkcode zijn: {WIJK_CODE_RULE}, of de gemeentecode voor het totaal",
    )
    delivered = pa.Column(str, checks=[_delivered_count()], nullable=True, coerce=False)
    return _spec(
        "armoede",
        True,
        {
            "wijk_code": ("text", _text(code, *exists, unique=True)),
            "kinderen_0_5": ("count", delivered),
            "tot_125_wsm": ("count", delivered),
            "tot_105_wsm": ("count", delivered),
        },
        (_not_greater("tot_125_wsm", "kinderen_0_5"), _not_greater("tot_105_wsm", "tot_125_wsm")),
        needs_rows=True,
    )


def atlas_spec(wijk_codes: Collection[str] | None = None) -> TableSpec:
    return _spec(
        "atlas",
        False,
        {
            "wijk_code": ("text", _text(_wijk_code_check(), *_exists_in(wijk_codes, "wijken.csv"), unique=True)),
            "kwetsbaarheidsscore": ("float", _text(_in_range(7, 35))),
            "pct_15_45": ("float", _text(_in_range(0, 100))),
        },
    )


def cbs_spec(wijk_codes: Collection[str] | None = None) -> TableSpec:
    """``cbs_wijken.csv`` (optional), as ``kansrijk cbs`` writes it: CBS facts per district, an
    empty cell (or '.') where CBS gives no value, and the source and licence on every row."""
    from kansrijk.cbs import FACTS

    def number(fact) -> pa.Column:
        high = 100 if fact.percentage else float("inf")
        rule = "moet een getal van 0 tot en met 100 zijn" if fact.percentage else "moet een getal >= 0 zijn"
        check = pa.Check(lambda s: s.str.strip().eq(WITHHELD) | _number(s).between(0, high), error=f"{rule}, of leeg")
        return pa.Column(str, checks=[check], nullable=True, coerce=False)

    name_check = pa.Check(lambda s: s.map(name_problem).isna(), error=PRINTABLE_NAME)
    return _spec(
        "cbs_wijken",
        False,
        {
            "wijk_code": ("text", _text(_wijk_code_check(), *_exists_in(wijk_codes, "wijken.csv"), unique=True)),
            "wijk_naam": ("text", _text(name_check)),
            **{f.column: ("number", number(f)) for f in FACTS},
            "bron": ("text", _text(name_check)),
            "licentie": ("text", _text(name_check)),
        },
    )


def _truthy(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(TRUE_WORDS).fillna(False)


def _falsy(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(FALSE_WORDS).fillna(False)


def parse(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Typed columns from a text frame that passed ``spec``; the row-number index is dropped."""
    typed = {}
    for name, kind in spec.columns.items():
        values = frame[name].str.strip()
        if kind == "int":
            typed[name] = values.astype("int64")
        elif kind == "count":  # a delivered count, or <NA> where the source withheld it
            typed[name] = pd.to_numeric(values.where(values != WITHHELD), errors="coerce").astype("Int64")
        elif kind == "number":  # a number, or NaN where the source gives none
            typed[name] = _number(values.where(values != WITHHELD)).astype("float64")
        elif kind == "date":
            typed[name] = values.map(parse_date)
        elif kind == "float":
            typed[name] = _number(values).astype("float64")
        elif kind == "bool":
            typed[name] = _truthy(values).astype(bool)
        elif kind == "category":
            categories = EDUCATION if name == "opleiding_ouders" else CLASSIFICATIONS[name].categories
            typed[name] = pd.Categorical(values, categories=categories, ordered=name == "opleiding_ouders")
        else:
            typed[name] = values
    return pd.DataFrame(typed).reset_index(drop=True)
