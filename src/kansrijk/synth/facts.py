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


SOURCE_LAYERS = (
    "CBS, Wijk- en buurtkaart 2024 (inwoners en leeftijd per wijk); CBS, Kerncijfers wijken en buurten 2022 "
    "(opleiding, geboorten, inkomen en huurwoningen op gemeenteniveau, voor elke wijk gelijk)"
)


def derive_layer_facts(gemeentecode: str, shared: Path = SHARED_DATA) -> pd.DataFrame:
    """District facts for a municipality outside Utrecht, from the national layers.

    Per district CBS gives population and age only; education, births, income and housing come
    from the municipality's own figures, the same for every district (births in proportion to
    the district's children under 15). Migration background is not in these layers (empty).
    """
    layer = json.loads((shared / "cbs" / "wijken_2024.geojson").read_text(encoding="utf-8"))
    municipalities = json.loads((shared / "cbs" / "gemeenten_2022.geojson").read_text(encoding="utf-8"))
    m = next(f["properties"] for f in municipalities["features"] if f["properties"]["gemeentecode"] == gemeentecode)
    rows = []
    for f in layer["features"]:
        p = f["properties"]
        if p["gemeentecode"] != gemeentecode:
            continue
        people = p["aantal_inwoners"]
        rows.append(
            {
                "gemeentecode": gemeentecode,
                "wijk_code": p["wijkcode"],
                "wijk_naam": district_name(p["wijknaam"]),
                "inwoners": people,
                "inwoners_0_14": round(people * p["0_15"] / 100),
                "inwoners_15_24": round(people * p["15_25"] / 100),
                "inwoners_25_44": round(people * p["25_45"] / 100),
            }
        )
    facts = pd.DataFrame(rows).sort_values("wijk_code", ignore_index=True)
    births = m["geboorte_relatief"] / 1000 * m["aantal_inwoners"]
    facts["geboorten"] = (births * facts["inwoners_0_14"] / facts["inwoners_0_14"].sum()).round().astype(int)
    facts["westers"] = pd.NA
    facts["niet_westers"] = pd.NA
    share = facts["inwoners"] / m["aantal_inwoners"]
    for level in ("laag", "midden", "hoog"):
        facts[f"opl_{level}"] = (m[f"opl_{level}"] * share).round().astype(int)
    facts["pct_hh_rond_sociaal_minimum"] = float(m["pct_rond_sociaal_min"])
    facts["pct_hh_tot_120_wsm"] = pd.NA
    facts["pct_huurwoningen"] = m["huurwoningen"]
    facts["bron"] = SOURCE_LAYERS
    return facts


def derive_facts(gemeentecode: str, shared: Path = SHARED_DATA) -> pd.DataFrame:
    """District facts for one municipality: Utrecht from its detailed district records, any
    other from the national layers."""
    return derive_utrecht_facts(shared) if gemeentecode == "GM0344" else derive_layer_facts(gemeentecode, shared)


def write_facts(gemeentecodes: list[str], shared: Path = SHARED_DATA) -> None:
    """Rebuild ``wijkfeiten.csv`` for these municipalities (needs ``../shared/data``)."""
    facts = pd.concat([derive_facts(code, shared) for code in gemeentecodes], ignore_index=True)
    facts.to_csv(FACTS_FILE, index=False, lineterminator="\n")


def load_facts(gemeentecode: str) -> pd.DataFrame:
    facts = pd.read_csv(FACTS_FILE, dtype={"gemeentecode": str, "wijk_code": str})
    selected = facts[facts["gemeentecode"] == gemeentecode].reset_index(drop=True)
    if selected.empty:
        raise KeyError(f"no district facts for {gemeentecode} in {FACTS_FILE}")
    return selected
