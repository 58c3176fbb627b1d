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
# Columns of the facts table; migration background (westers, niet_westers) until CBS's 2022
# figures, herkomst (europa, buiten_europa) after.
COLUMNS = (
    "gemeentecode",
    "jaar",
    "wijk_code",
    "wijk_naam",
    "inwoners",
    "inwoners_0_14",
    "inwoners_15_24",
    "inwoners_25_44",
    "geboorten",
    "westers",
    "niet_westers",
    "europa",
    "buiten_europa",
    "opl_laag",
    "opl_midden",
    "opl_hoog",
    "pct_hh_rond_sociaal_minimum",
    "pct_hh_tot_120_wsm",
    "pct_huurwoningen",
    "bron",
)

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
    facts = pd.DataFrame(rows).sort_values("wijk_code", ignore_index=True)
    facts.insert(1, "jaar", 2022)
    return facts


# CBS Kerncijfers wijken en buurten 2023 (kwb-2023) short name -> facts column. CBS classifies
# by herkomst from 2022 on: Europa (zonder Nederland) and buiten Europa replace westers and
# niet-westers. Education and income per district are not in that release ('.').
KWB2023_FIELDS = {
    "a_inw": "inwoners",
    "a_00_14": "inwoners_0_14",
    "a_15_24": "inwoners_15_24",
    "a_25_44": "inwoners_25_44",
    "a_geb": "geboorten",
    "a_eur_al": "europa",
    "a_neu_al": "buiten_europa",
    "p_huurw": "pct_huurwoningen",
}
FROM_2022 = ("opl_laag", "opl_midden", "opl_hoog", "pct_hh_rond_sociaal_minimum", "pct_hh_tot_120_wsm")
SOURCE_KWB2023 = (
    "CBS, Kerncijfers wijken en buurten 2023 (kwb-2023); opleiding en inkomen per wijk nog niet in die uitgave: "
    "2022 (85318NED)"
)


def derive_utrecht_2023_facts(shared: Path = SHARED_DATA) -> pd.DataFrame:
    """Utrecht's district facts of 2023, with herkomst; education and income of 2022."""
    table = pd.read_csv(shared / "cbs" / "kwb2023_utrecht.csv", dtype=str)
    districts = table[table["gwb_code_10"].str.startswith("WK")]
    facts = pd.DataFrame(
        {
            "gemeentecode": "GM0344",
            "jaar": 2023,
            "wijk_code": districts["gwb_code_10"].to_numpy(),
            "wijk_naam": [district_name(name) for name in districts["regio"]],
        }
    )
    for field, column in KWB2023_FIELDS.items():
        facts[column] = pd.to_numeric(districts[field]).to_numpy()
    earlier = derive_utrecht_facts(shared).set_index("wijk_code")
    for column in FROM_2022:
        facts[column] = facts["wijk_code"].map(earlier[column])
    facts["bron"] = SOURCE_KWB2023
    return facts.sort_values("wijk_code", ignore_index=True)


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
    facts.insert(1, "jaar", 2024)
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
    """District facts for one municipality: Utrecht from its detailed district records of 2022 and
    2023, any other from the national layers."""
    if gemeentecode == "GM0344":
        facts = pd.concat([derive_utrecht_facts(shared), derive_utrecht_2023_facts(shared)], ignore_index=True)
    else:
        facts = derive_layer_facts(gemeentecode, shared)
    facts = facts.reindex(columns=list(COLUMNS))
    for column in ("westers", "niet_westers", "europa", "buiten_europa"):
        facts[column] = pd.to_numeric(facts[column]).astype("Int64")  # counts, empty where not given
    return facts


def write_facts(gemeentecodes: list[str], shared: Path = SHARED_DATA) -> None:
    """Rebuild ``wijkfeiten.csv`` for these municipalities (needs ``../shared/data``)."""
    facts = pd.concat([derive_facts(code, shared) for code in gemeentecodes], ignore_index=True)
    facts.to_csv(FACTS_FILE, index=False, lineterminator="\n")


def load_facts(gemeentecode: str, jaar: int) -> pd.DataFrame:
    """The district facts of one municipality and CBS year."""
    facts = pd.read_csv(FACTS_FILE, dtype={"gemeentecode": str, "wijk_code": str})
    selected = facts[(facts["gemeentecode"] == gemeentecode) & (facts["jaar"] == jaar)].reset_index(drop=True)
    if selected.empty:
        raise KeyError(f"no district facts for {gemeentecode} in {jaar} in {FACTS_FILE}")
    return selected
