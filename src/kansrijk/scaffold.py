"""``kansrijk new``: a parameter file and a data folder with the contract's headers."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from kansrijk import schemas
from kansrijk.params import EditionParams, validation_problems
from kansrijk.paths import DATA, PARAMS, ROOT
from kansrijk.problems import InputError, Problem
from kansrijk.text import slug_problem

REQUIRED = (schemas.wijken_spec, schemas.kinderen_spec, schemas.risicofactoren_spec, schemas.armoede_spec)


def scaffold(slug: str, gemeente: str, gemeentecode: str, jaar: int, data: Path | None = None) -> list[Path]:
    """Write ``params/<slug>.yml`` and header-only CSVs in a folder under ``data/``; never
    overwrite an existing edition, never write anywhere else."""
    if problem := slug_problem(slug):
        raise InputError([Problem(slug, None, problem)])
    param_file = PARAMS / f"{slug}.yml"
    folder = (data if data is not None and data.is_absolute() else DATA / (data or slug)).resolve()
    if not folder.is_relative_to(DATA.resolve()) or folder == DATA.resolve():
        raise InputError([Problem(str(data), "--data", "moet een map binnen data/ zijn")])
    shown = str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)
    values = {"gemeente": gemeente, "gemeentecode": gemeentecode, "jaar": jaar, "data": shown, "synthetisch": False}
    try:
        EditionParams.model_validate(values)
    except ValidationError as error:
        raise InputError(validation_problems(error, param_file.name)) from None
    if param_file.exists():
        raise InputError([Problem(param_file.name, None, "deze editie bestaat al; kies een andere naam")])
    existing = [s().filename for s in REQUIRED if (folder / s().filename).exists()]
    if existing:
        raise InputError([Problem(str(folder), None, f"map bevat al invoerbestanden: {', '.join(existing)}")])
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in REQUIRED:
        path = folder / spec().filename
        path.write_text(",".join(spec().columns) + "\n", encoding="utf-8")
        written.append(path)
    text = (
        f"# Editie {gemeente} {jaar}: zie het datacontract in het hoofdstuk Methode en verantwoording.\n"
        + yaml.safe_dump(
            values | {"grenzen": None, "onthulling": {"min_cel": 10, "min_noemer": 50}},
            allow_unicode=True,
            sort_keys=False,
        )
    )
    param_file.write_text(text, encoding="utf-8")
    return [param_file, *written]
