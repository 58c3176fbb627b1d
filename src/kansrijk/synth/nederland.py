"""``kansrijk synth nederland``: a synthetic edition for every municipality of CBS's district layer.

Each edition is shaped by its municipality's own CBS figures (districts, population and age per
district; births, education, income and housing per municipality, from the committed extract
``data/reference/nederland_*.csv``) and follows Utrecht 2019's calibrated model, as Enschede's
demo edition does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from kansrijk.paths import ROOT
from kansrijk.synth.config import SynthConfig
from kansrijk.synth.facts import layer_facts, read_layer_tables
from kansrijk.synth.generate import synthesise, write_tables

YEAR = 2024  # the CBS district layer's year
MODEL = "utrecht-2019"
# Assumption, as for Enschede: CBS's layers give no migration background. Children 0-2 with a
# non-western background are more common the more urban the municipality (CBS's stedelijkheid,
# 1 = very strongly urban to 5 = not urban); shares of all children.
NON_WESTERN = {1: 0.24, 2: 0.16, 3: 0.11, 4: 0.07, 5: 0.05}
WESTERN = {1: 0.10, 2: 0.09, 3: 0.08, 4: 0.07, 5: 0.06}
UNKNOWN = 0.015


def slug(name: str) -> str:
    """An edition name from a municipality's name: "'s-Gravenhage" -> "s-gravenhage-2024"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{re.sub(r'[^a-z0-9]+', '-', ascii_name.lower()).strip('-')}-{YEAR}"


def select(municipalities: pd.DataFrame, count: int | None, only: list[str]) -> pd.DataFrame:
    """The municipalities to write: those named, or ``count`` spread evenly over the range of
    sizes (smallest and largest included), or all."""
    if only:
        unknown = sorted(set(only) - set(municipalities["gemeentecode"]))
        if unknown:
            raise KeyError(f"niet in de CBS-wijkenkaart 2024: {', '.join(unknown)}")
        return municipalities[municipalities["gemeentecode"].isin(only)]
    if count is None or count >= len(municipalities):
        return municipalities
    by_size = municipalities.sort_values(["inwoners", "gemeentecode"], ignore_index=True)
    picks = np.unique(np.linspace(0, len(by_size) - 1, max(count, 1)).round().astype(int))
    return by_size.iloc[picks].sort_values("gemeentecode")


def _contract_path(folder: Path) -> str:
    """A data folder as the contract takes it: relative to the repository root when inside it."""
    folder = folder.resolve()
    return str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)


def write_national(
    out: Path,
    count: int | None = None,
    only: list[str] | None = None,
    published: date | None = None,
    advance: Callable[[str], None] = lambda _: None,
) -> list[Path]:
    """Write ``out/params/<slug>.yml`` and ``out/data/<slug>/`` per municipality; the parameter files."""
    districts, municipalities = read_layer_tables()
    chosen = select(municipalities, count, only or [])
    codes, towns = municipalities["gemeentecode"], municipalities["gemeentenaam"]
    names = {code: slug(name) for code, name in zip(codes, towns, strict=True)}
    assert len(set(names.values())) == len(names), "two municipalities would share an edition name"
    (out / "params").mkdir(parents=True, exist_ok=True)
    written = []
    for m in chosen.itertuples(index=False):
        name = names[m.gemeentecode]
        data = out / "data" / name
        urban = int(m.stedelijkheid)
        config = SynthConfig(
            gemeentecode=m.gemeentecode,
            jaar=YEAR,
            data=_contract_path(data),
            seed=YEAR * 10_000 + int(m.gemeentecode[2:]),
            atlas=False,
            model=MODEL,
            migratie={"niet-westers": NON_WESTERN[urban], "westers": WESTERN[urban], "onbekend": UNKNOWN},
        )
        write_tables(synthesise(config, facts=layer_facts(m.gemeentecode, districts, municipalities)), data)
        params = {
            "gemeente": m.gemeentenaam,
            "gemeentecode": m.gemeentecode,
            "jaar": YEAR,
            "data": config.data,
            "synthetisch": True,
            "uitgever": "Kansrijk (landelijke demonstratie met synthetische gegevens)",
            "publicatiedatum": published or date.today(),
            "versie": "1.0",
        }
        path = out / "params" / f"{name}.yml"
        header = (
            f"# Synthetische editie {m.gemeentenaam}: gemaakt door `kansrijk synth nederland` uit de CBS-cijfers van "
            f"de gemeente en het model van {MODEL}.\n"
        )
        path.write_text(header + yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(path)
        advance(name)
    return written
