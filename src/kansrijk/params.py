"""Edition parameters: ``params/<slug>.yml``, validated against the data contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, field_validator

from kansrijk import yamlfile
from kansrijk.paths import PARAMS, ROOT
from kansrijk.problems import InputError, Problem
from kansrijk.text import name_problem, slug_problem

MAX_COLOPHON = 200


class Onthulling(BaseModel):
    """Disclosure thresholds."""

    model_config = ConfigDict(extra="forbid")
    min_cel: Annotated[StrictInt, Field(ge=1)] = 10
    min_noemer: Annotated[StrictInt, Field(ge=1)] = 50


class EditionParams(BaseModel):
    """The keys of a parameter file, exactly as the contract names them."""

    model_config = ConfigDict(extra="forbid")
    gemeente: Annotated[str, Field(min_length=1, strict=True)]
    gemeentecode: Annotated[str, Field(pattern=r"^GM\d{4}$", strict=True)]
    jaar: Annotated[StrictInt, Field(ge=1900, le=2100)]
    data: Annotated[str, Field(min_length=1, strict=True)]
    synthetisch: StrictBool
    grenzen: Annotated[str, Field(min_length=1, strict=True)] | None = None
    onthulling: Onthulling = Onthulling()
    # The colophon: who publishes the edition, how to reach them, when, and which version.
    uitgever: Annotated[str, Field(strict=True)] | None = None
    contact: Annotated[str, Field(strict=True)] | None = None
    publicatiedatum: date | None = None
    versie: Annotated[str, Field(strict=True)] | None = None
    # The previous edition of the same municipality: a slug or a path (see kansrijk.previous).
    vorige: Annotated[str, Field(strict=True)] | None = None
    # Districts CBS recoded since the previous edition: a CSV oude_code,nieuwe_code (a contract path).
    wijk_koppeling: Annotated[str, Field(min_length=1, strict=True)] | None = None
    # Local risk-factor codes mapped to the catalogue: a CSV lokale_code,risicofactor (a contract path).
    koppeltabel: Annotated[str, Field(min_length=1, strict=True)] | None = None
    # The reference date at which ages are computed from geboortedatum.
    peildatum: date | None = None

    @field_validator("gemeente")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        """The name is printed on every page: it must be a name, not a layout (see kansrijk.text)."""
        if problem := name_problem(value):
            raise ValueError(problem)
        return value.strip()

    @field_validator("uitgever", "contact", "versie", "vorige")
    @classmethod
    def _printable_colophon(cls, value: str | None) -> str | None:
        """Printed in every page's footer: the same rules as a name, a little longer."""
        if value is not None and (problem := name_problem(value, MAX_COLOPHON)):
            raise ValueError(problem)
        return value.strip() if value is not None else None


@dataclass(frozen=True)
class Edition:
    """One edition: its slug, parameter file, parameters and the resolved input paths."""

    slug: str
    param_file: Path
    params: EditionParams

    @property
    def data_dir(self) -> Path:
        return resolve_path(self.params.data)

    @property
    def boundaries(self) -> Path | None:
        """The boundary file, when one is named and present (maps are optional presentation:
        a named file that is missing leaves the maps out, with a warning, see :attr:`warnings`)."""
        if not self.params.grenzen:
            return None
        path = resolve_path(self.params.grenzen)
        return path if path.is_file() else None

    @property
    def warnings(self) -> list[str]:
        if self.params.grenzen and self.boundaries is None:
            return [
                f"grenzen: {self.params.grenzen} bestaat niet; de kaarten worden weggelaten "
                "(maak het bestand met `kansrijk grenzen`)"
            ]
        return []

    @property
    def title(self) -> str:
        return f"{self.params.gemeente} {self.params.jaar}"


def resolve_path(value: str) -> Path:
    """A contract path: absolute, or relative to the repository root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else ROOT / path


def param_path(ref: str | Path) -> Path:
    """A slug (``utrecht-2019`` -> ``params/utrecht-2019.yml``) or a path to a parameter file anywhere;
    a relative path is taken from the working directory, else from the repository root."""
    ref = Path(ref).expanduser()
    if ref.suffix not in (".yml", ".yaml") and len(ref.parts) == 1:
        return PARAMS / f"{ref}.yml"
    if ref.is_absolute() or ref.exists():
        return ref.resolve()
    return (ROOT / ref).resolve()


def portable_ref(path: Path) -> str:
    """How to name a parameter file to another process: relative to the repository when inside
    it (no local path is then printed in a published notebook), else absolute."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


_RULES = {
    "missing": "verplichte sleutel ontbreekt",
    "extra_forbidden": "onbekende sleutel (niet in het datacontract)",
    "string_pattern_mismatch": "moet 'GM' gevolgd door 4 cijfers zijn, bijvoorbeeld GM0344",
    "string_type": "moet tekst zijn",
    "string_too_short": "mag niet leeg zijn",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "bool_type": "moet true of false zijn",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "model_type": "moet een lijst met sleutels zijn (min_cel, min_noemer)",
    "date_type": "moet een datum zijn, zoals 2026-11-23",
    "date_parsing": "moet een datum zijn, zoals 2026-11-23",
    "date_from_datetime_parsing": "moet een datum zijn, zoals 2026-11-23",
    "date_from_datetime_inexact": "moet een datum zonder tijd zijn, zoals 2026-11-23",
    "value_error": None,  # a rule of our own: its message is the rule
}


def validation_problems(error: ValidationError, file: str) -> list[Problem]:
    problems = []
    for err in error.errors():
        key = ".".join(str(part) for part in err["loc"])
        rule = _RULES.get(err["type"]) or str(err.get("ctx", {}).get("error", err["msg"]))
        shown = "" if err["type"] == "missing" else err.get("input", "")
        problems.append(Problem(file, key, rule, 1, (), (str(shown),) if shown != "" else ()))
    return problems


def load_edition(ref: str | Path) -> Edition:
    """Read and validate a parameter file; raise :class:`InputError` with every problem at once."""
    path = param_path(ref)
    name = str(path)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PARAMS.glob("*.yml"))) or "geen"
        raise InputError([Problem(name, None, f"parameterbestand bestaat niet (bekende edities: {known})")])
    if problem := slug_problem(path.stem):
        raise InputError([Problem(name, None, f"ongeldige bestandsnaam '{path.stem}': {problem}")])
    try:
        raw = yamlfile.load(path)
    except yamlfile.YamlError as exc:
        raise InputError([Problem(name, None, str(exc))]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, f"kan het bestand niet lezen: {exc.strerror}")]) from None
    if not isinstance(raw, dict):
        raise InputError([Problem(name, None, "moet sleutels met waarden bevatten (YAML-mapping)")])
    try:
        params = EditionParams.model_validate(raw)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, name)) from None
    edition = Edition(slug=path.stem, param_file=path, params=params)
    problems = []
    if not edition.data_dir.is_dir():
        problems.append(Problem(name, "data", "map met invoerbestanden bestaat niet", 1, (), (params.data,)))
    if problems:
        raise InputError(problems)
    return edition
