"""Configuration of a synthetic edition: size, seed and the figures it is calibrated to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kansrijk.paths import REFERENCE

CONFIG_FILE = REFERENCE / "synthetisch.yml"

Share = Annotated[float, Field(ge=0, le=1)]


class Targets(BaseModel):
    """The figures a synthetic edition reproduces (shares of 0-1)."""

    model_config = ConfigDict(extra="forbid")
    extra_aandacht: Share
    extra_aandacht_naar_opleiding: dict[str, Share]
    hoog_onder_extra_aandacht: Share
    opleiding_onbekend: Share
    migratie: dict[str, Share]
    met_risicofactor: Share
    uit_balans: Share
    prevalentie: dict[str, Annotated[float, Field(gt=0, le=100)]]  # relative, in %
    armoede_125: Share
    armoede_105: Share
    armoede_125_wijk: dict[str, Share]


class SynthConfig(BaseModel):
    """One synthetic edition: where it goes, how large, from which seed, and either the figures
    it is calibrated to (``doelen``) or the edition whose calibrated model it borrows (``model``,
    with its own shares by origin, which CBS does not give for children)."""

    model_config = ConfigDict(extra="forbid")
    gemeentecode: str
    jaar: int  # the CBS year of the district facts (wijkfeiten.csv)
    data: str
    seed: int
    kinderen: int | None = None  # default: three birth cohorts of the district facts
    scheidingsteken: str = ","
    boolean: tuple[str, str] = ("1", "0")
    atlas: bool = True
    doelen: Targets | None = None
    model: str | None = None
    indeling: Literal["migratieachtergrond", "herkomst"] = "migratieachtergrond"
    migratie: dict[str, Share] | None = None  # shares of children per category of ``indeling``

    @model_validator(mode="after")
    def _one_source(self) -> SynthConfig:
        if (self.doelen is None) == (self.model is None):
            raise ValueError("give either 'doelen' or 'model'")
        if self.model is not None and self.migratie is None:
            raise ValueError("an edition with 'model' needs 'migratie'")
        if self.doelen is not None and self.indeling != "migratieachtergrond":
            raise ValueError("a calibrated edition uses migratieachtergrond, as its targets do")
        return self


def load_config(slug: str, path: Path = CONFIG_FILE) -> SynthConfig:
    editions = yaml.safe_load(path.read_text(encoding="utf-8"))
    if slug not in editions:
        raise KeyError(f"no synthetic edition '{slug}' in {path}; known: {', '.join(editions)}")
    return SynthConfig.model_validate(editions[slug])


def synthetic_slugs(path: Path = CONFIG_FILE) -> list[str]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))
