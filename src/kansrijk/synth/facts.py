"""District facts from CBS, carried in ``data/reference/wijkfeiten.csv`` with their source.

``derive_facts`` rebuilds that table from the CBS files in ``../shared/data/cbs/`` (which the
repository does not copy); the generator reads only the small table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from kansrijk.paths import REFERENCE, SHARED_DATA

FACTS_FILE = REFERENCE / "wijkfeiten.csv"

# CBS Kerncijfers wijken en buurten 2022 (table 85318NED) field -> facts column.
KWB2022_FIELDS = {
    "AantalInwoners_5": "inwoners",
    "k_0Tot15Jaar_8": "inwoners_0_14",
    "k_15Tot25Jaar_9": "inwoners_15_24",
    "k_25Tot45Jaar_10": "inwoners_25_44",
    "GeboorteTotaal_24": "geboorten",
    "WestersTotaal_17": "westers",
    "NietWestersTotaal_18": "niet_westers",
    "OpleidingsniveauLaag_64": "opl_laag",
    "OpleidingsniveauMiddelbaar_65": "opl_midden",
    "OpleidingsniveauHoog_66": "opl_hoog",
    "HuishOnderOfRondSociaalMinimum_79": "pct_hh_rond_sociaal_minimum",
    "HuishoudensTot120VanSociaalMinimum_81": "pct_hh_tot_120_wsm",
    "HuurwoningenTotaal_41": "pct_huurwoningen",
}
SOURCE_KWB2022 = "CBS, Kerncijfers wijken en buurten 2022 (85318NED); namen: CBS Wijk- en buurtkaart 2024"


def district_name(cbs_name: str) -> str:
    """CBS prefixes a district's name with its number ("Wijk 03 Overvecht"); readers know "Overvecht"."""
    return re.sub(r"^Wijk \d+\s+", "", cbs_name).strip()


def district_names(gemeentecode: str, shared: Path = SHARED_DATA) -> dict[str, str]:
    layer = json.loads((shared / "cbs" / "wijken_2024.geojson").read_text(encoding="utf-8"))
    return {
        f["properties"]["wijkcode"]: district_name(f["properties"]["wijknaam"])
        for f in layer["features"]
        if f["properties"]["gemeentecode"] == gemeentecode
    }


def derive_utrecht_facts(shared: Path = SHARED_DATA) -> pd.DataFrame:
    """Utrecht's district facts from the raw CBS records of 2022."""
    records = json.loads((shared / "cbs" / "kwb2022_utrecht_wijken.json").read_text(encoding="utf-8"))
    names = district_names("GM0344", shared)
    rows = []
    for record in records:
        code = record["WijkenEnBuurten"].strip()
        row = {"gemeentecode": "GM0344", "wijk_code": code, "wijk_naam": names[code]}
        row |= {column: record[field] for field, column in KWB2022_FIELDS.items()}
        row["bron"] = SOURCE_KWB2022
        rows.append(row)
    return pd.DataFrame(rows).sort_values("wijk_code", ignore_index=True)


def load_facts(gemeentecode: str) -> pd.DataFrame:
    facts = pd.read_csv(FACTS_FILE, dtype={"gemeentecode": str, "wijk_code": str})
    selected = facts[facts["gemeentecode"] == gemeentecode].reset_index(drop=True)
    if selected.empty:
        raise KeyError(f"no district facts for {gemeentecode} in {FACTS_FILE}")
    return selected
