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
# The compact extract of CBS's national layers that the repository carries (see data/reference/README.md).
LAYER_DISTRICTS = REFERENCE / "nederland_wijken.csv"
LAYER_MUNICIPALITIES = REFERENCE / "nederland_gemeenten.csv"
AGES = {"0_15": "pct_0_15", "15_25": "pct_15_25", "25_45": "pct_25_45"}
# Municipal figures of 2022 the synthetic editions use: counts, then shares with their weights.
COUNTS = ("aantal_inwoners", "huishoudens", "woningvoorraad", "opl_laag", "opl_midden", "opl_hoog")
SHARES = {
    "0_15": "aantal_inwoners",
    "15_25": "aantal_inwoners",
    "25_45": "aantal_inwoners",
    "geboorte_relatief": "aantal_inwoners",
    "stedelijkheid": "aantal_inwoners",
    "pct_rond_sociaal_min": "huishoudens",
    "huurwoningen": "woningvoorraad",
}
ABROAD = "GM0998"  # CBS's "Buitenland": no municipality
# Municipalities formed after 2022 from 2022's: their figures are those of their parts combined.
MERGED = {"GM1992": ("GM0501", "GM0530", "GM0614")}  # Voorne aan Zee, 2023


def layer_tables(shared: Path = SHARED_DATA) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The compact extract of the national layers: inhabited districts of 2024 with their age shares
    (the municipality's where CBS gives none), and per municipality of the 2024 layer the figures of
    2022 the generator needs."""
    layer = json.loads((shared / "cbs" / "wijken_2024.geojson").read_text(encoding="utf-8"))
    older = json.loads((shared / "cbs" / "gemeenten_2022.geojson").read_text(encoding="utf-8"))
    by_code = {f["properties"]["gemeentecode"]: f["properties"] for f in older["features"]}
    names = {f["properties"]["gemeentecode"]: f["properties"]["gemeentenaam"] for f in layer["features"]}
    rows = []
    for code in sorted(set(names) - {ABROAD}):
        parts = [by_code[c] for c in MERGED.get(code, (code,))]
        row = {"gemeentecode": code, "gemeentenaam": names[code]}
        row |= {c: sum(p[c] for p in parts) for c in COUNTS}
        for column, weight in SHARES.items():
            total = sum(p[weight] for p in parts)
            row[column] = round(sum(p[column] * p[weight] for p in parts) / total, 1)
        rows.append(row)
    municipalities = pd.DataFrame(rows).rename(columns={"aantal_inwoners": "inwoners", **AGES})
    municipalities["stedelijkheid"] = municipalities["stedelijkheid"].round().astype(int)
    ages = municipalities.set_index("gemeentecode")[list(AGES.values())]
    districts = []
    for f in layer["features"]:
        p = f["properties"]
        if p["gemeentecode"] == ABROAD or not p.get("aantal_inwoners"):
            continue  # water and uninhabited districts hold no children
        given = all(p.get(age) is not None for age in AGES)
        row = {
            "gemeentecode": p["gemeentecode"],
            "wijk_code": p["wijkcode"],
            "wijk_naam": district_name(p["wijknaam"]),
            "inwoners": p["aantal_inwoners"],
        }
        row |= {column: p[age] if given else ages.loc[p["gemeentecode"], column] for age, column in AGES.items()}
        row["leeftijd_van_gemeente"] = int(not given)
        districts.append(row)
    frame = pd.DataFrame(districts).sort_values("wijk_code", ignore_index=True)
    return frame, municipalities


def write_layer_tables(shared: Path = SHARED_DATA) -> tuple[Path, Path]:
    """Rebuild the compact extract (needs ``../shared/data``)."""
    districts, municipalities = layer_tables(shared)
    districts.to_csv(LAYER_DISTRICTS, index=False, lineterminator="\n")
    municipalities.to_csv(LAYER_MUNICIPALITIES, index=False, lineterminator="\n")
    return LAYER_DISTRICTS, LAYER_MUNICIPALITIES


def read_layer_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The committed extract."""
    codes = {"gemeentecode": str, "wijk_code": str}
    return pd.read_csv(LAYER_DISTRICTS, dtype=codes), pd.read_csv(LAYER_MUNICIPALITIES, dtype=codes)


def layer_facts(gemeentecode: str, districts: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """District facts for a municipality outside Utrecht, from the national layers' extract.

    Per district CBS gives population and age only; education, births, income and housing come
    from the municipality's own figures, the same for every district (births in proportion to
    the district's children under 15). Migration background is not in these layers (empty).
    """
    m = municipalities.set_index("gemeentecode").loc[gemeentecode]
    own = districts[districts["gemeentecode"] == gemeentecode]
    people = own["inwoners"].to_numpy()
    facts = pd.DataFrame(
        {
            "gemeentecode": gemeentecode,
            "jaar": 2024,
            "wijk_code": own["wijk_code"].to_numpy(),
            "wijk_naam": own["wijk_naam"].to_numpy(),
            "inwoners": people,
        }
    )
    ages = {"inwoners_0_14": "pct_0_15", "inwoners_15_24": "pct_15_25", "inwoners_25_44": "pct_25_45"}
    for column, share in ages.items():
        facts[column] = [round(n * s / 100) for n, s in zip(people, own[share], strict=True)]
    births = m["geboorte_relatief"] / 1000 * m["inwoners"]
    facts["geboorten"] = (births * facts["inwoners_0_14"] / facts["inwoners_0_14"].sum()).round().astype(int)
    facts["westers"] = pd.NA
    facts["niet_westers"] = pd.NA
    share = facts["inwoners"] / m["inwoners"]
    for level in ("laag", "midden", "hoog"):
        facts[f"opl_{level}"] = (m[f"opl_{level}"] * share).round().astype(int)
    facts["pct_hh_rond_sociaal_minimum"] = float(m["pct_rond_sociaal_min"])
    facts["pct_hh_tot_120_wsm"] = pd.NA
    facts["pct_huurwoningen"] = m["huurwoningen"]
    facts["bron"] = SOURCE_LAYERS
    return facts.sort_values("wijk_code", ignore_index=True)


def derive_facts(gemeentecode: str, shared: Path = SHARED_DATA) -> pd.DataFrame:
    """District facts for one municipality: Utrecht from its detailed district records of 2022 and
    2023, any other from the national layers."""
    if gemeentecode == "GM0344":
        facts = pd.concat([derive_utrecht_facts(shared), derive_utrecht_2023_facts(shared)], ignore_index=True)
    else:
        facts = layer_facts(gemeentecode, *layer_tables(shared))
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
