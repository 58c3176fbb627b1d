"""Make the worked example of the guide 'Van registratie naar editie': the files of an invented
municipality, Voorbeeldstad, as real exports look (see README.md beside this script).

    .venv/bin/python tests/voorbeeld/maak_voorbeeld.py

The output is deterministic (a fixed seed) and committed; a test checks that it still matches.
The children are invented: no figure describes a real municipality.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
EXPORT = HERE / "export"
PEILDATUM = date(2023, 12, 31)
SEED = 20231231

DISTRICTS = [  # code, name, children 0-2, share of children 0-5 in poverty (125% WSM)
    ("WK999901", "Centrum", 520, 0.09),
    ("WK999902", "De Haven", 430, 0.24),
    ("WK999903", "Oude Molen", 310, 0.14),
    ("WK999904", "Buitenveld", 200, 0.05),
    ("WK999905", "Klein Duin", 40, 0.30),
]
EDUCATION = {"laag": 0.26, "midden": 0.36, "hoog": 0.38}
BLANK_EDUCATION = {"laag": 0.45, "midden": 0.22, "hoog": 0.12}  # blanks are not random
HERKOMST = {"nederland": 0.64, "europa": 0.11, "buiten_europa": 0.25}
BLANK_HERKOMST = 0.17
ATTENTION = {"laag": 0.50, "midden": 0.28, "hoog": 0.12}
# The JGZ system's own codes: several for one catalogue factor (poverty, psychological problems).
LOCAL_CODES = {
    "R-TAAL": "geen_nederlands",
    "R-OPL": "lage_opleiding",
    "R-EENOUDER": "eenoudergezin",
    "R-WERK": "werkloosheid",
    "R-SCHULD": "armoede",
    "R-ARMOEDE": "armoede",
    "R-STRESS": "ernstige_stressor",
    "R-NETWERK": "geen_sociaal_netwerk",
    "R-HUIS": "huisvesting",
    "R-PSY": "psychische_problematiek_ouder",
    "R-PSY-ACUUT": "psychische_problematiek_ouder",
    "R-CHRON": "chronisch_zieke_ouder",
    "R-GEWELD": "huiselijk_geweld",
    "R-VERSLAV": "verslaving_ouder",
    "R-ZWANGER": "problematische_zwangerschap",
    "R-PREMATUUR": "vroeggeboorte",
    "R-ONTW": "ontwikkelingsproblemen",
    "R-SPRAAK": "taal_spraak",
}
SOURCE = "Voorbeeld: verzonnen cijfers in de vorm van CBS Kerncijfers wijken en buurten 2023"
CODE_WEIGHTS = np.array([7, 5, 6, 5, 3, 3, 4, 4, 2, 5, 1, 4, 1.2, 0.8, 4, 2.6, 2.4, 2.6], dtype=float)


def _families(rng: np.random.Generator, n: int) -> list[int]:
    """Sizes of families of young children (one to three children aged 0 to 2)."""
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(rng.choice([1, 2, 3], p=[0.82, 0.16, 0.02])))
    sizes[-1] -= sum(sizes) - n
    return [s for s in sizes if s > 0]


def _birth_date(rng: np.random.Generator, years: int) -> date:
    """A birth date ``years`` (0-2) completed years before the reference date."""
    start = date(PEILDATUM.year - years - 1, PEILDATUM.month, PEILDATUM.day) + timedelta(days=1)
    return start + timedelta(days=int(rng.integers(0, 365)))


def _csv(rows: list[list[object]], header: list[str], sep: str = ",", bom: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _round5(value: float) -> int:
    return int(5 * round(value / 5))


def make() -> dict[str, str]:
    """Every file of the example, by its path relative to this folder."""
    rng = np.random.default_rng(SEED)
    children, factors = [], []
    family_number = 0
    for code, _, count, _ in DISTRICTS:
        for size in _families(rng, count):
            family_number += 1
            education = str(rng.choice(list(EDUCATION), p=list(EDUCATION.values())))
            herkomst = str(rng.choice(list(HERKOMST), p=list(HERKOMST.values())))
            shown_education = "" if rng.random() < BLANK_EDUCATION[education] else education
            shown_herkomst = "" if rng.random() < BLANK_HERKOMST else herkomst
            # half the families in the export have no family number: the system links siblings only sometimes
            gezin = f"G{family_number:05d}" if size > 1 or rng.random() < 0.5 else ""
            out_of_balance_family = rng.random() < 0.25
            for _ in range(size):
                i = len(children) + 1
                born = _birth_date(rng, int(rng.integers(0, 3)))
                attention = rng.random() < ATTENTION[education]
                out = attention and out_of_balance_family
                k = int(rng.integers(1, 4)) if attention else (int(rng.integers(1, 3)) if rng.random() < 0.3 else 0)
                codes = rng.choice(list(LOCAL_CODES), size=k, replace=False, p=CODE_WEIGHTS / CODE_WEIGHTS.sum())
                kind = f"K{i:05d}"
                factors += [[kind, c] for c in codes]
                children.append(
                    [kind, born.strftime("%d-%m-%Y"), code, shown_education, shown_herkomst,
                     "ja" if attention else "nee", "ja" if out else "nee", gezin]
                )  # fmt: skip
    # the export holds some children who are no longer (or not yet) 0 to 2 at the reference date
    for j, born in enumerate([date(2020, 3 + m, 14) for m in range(9)] + [date(2024, 1, 9), date(2024, 1, 22)]):
        kind = f"K{len(children) + 1:05d}"
        children.append([kind, born.strftime("%d-%m-%Y"), DISTRICTS[j % 4][0], "midden", "nederland", "nee", "nee", ""])
    kinderen = _csv(
        children,
        ["kind_id", "geboortedatum", "wijk_code", "opleiding_ouders", "herkomst", "extra_aandacht", "uit_balans",
         "gezin_id"],
        sep=";",
        bom=True,
    )  # fmt: skip
    risicofactoren = _csv(factors, ["kind_id", "risicofactor"], sep=";", bom=True)
    wijken = _csv([[code, name] for code, name, _, _ in DISTRICTS], ["wijk_code", "wijk_naam"])
    koppeltabel = _csv([[k, v] for k, v in LOCAL_CODES.items()], ["lokale_code", "risicofactor"])

    poverty, true_totals = [], np.zeros(3)
    for code, _, count, share in DISTRICTS:
        young = int(count * 2.1 + rng.integers(-20, 20))
        poor = round(young * share)
        very = round(poor * 0.68)
        true_totals += (young, poor, very)
        row = [code, _round5(young), _round5(poor), _round5(very)]
        if young < 100:  # CBS does not deliver the poverty figures of a small district
            row = [code, _round5(young), ".", "."]
        poverty.append(row)
    unassigned = np.array([35, 9, 6])  # children of the municipality without a known district
    poverty.append(["GM9999", *(_round5(v) for v in true_totals + unassigned)])
    armoede = _csv(poverty, ["wijk_code", "kinderen_0_5", "tot_125_wsm", "tot_105_wsm"])

    # CBS's district facts, in the form `kansrijk cbs` writes them (invented for this municipality)
    facts = []
    for code, name, count, share in DISTRICTS:
        inhabitants = int(count * 33 + rng.integers(-300, 300))
        low = round(100 * share * 0.55, 1)
        at_120 = "" if count < 100 else round(low * 1.8, 1)  # CBS gives no figure for a small district
        counts = [inhabitants, int(count * 5.6), int(inhabitants * 0.21)]
        facts.append([code, name, *counts, low, round(low * 1.3, 1), at_120, SOURCE, "CC BY 4.0"])
    cbs = _csv(
        facts,
        ["wijk_code", "wijk_naam", "inwoners", "inwoners_0_14", "huishoudens_met_kinderen", "pct_hh_laag_inkomen",
         "pct_hh_rond_sociaal_minimum", "pct_hh_tot_120_wsm", "bron", "licentie"],
    )  # fmt: skip
    return {
        "export/kinderen.csv": kinderen,
        "export/risicofactoren.csv": risicofactoren,
        "export/wijken.csv": wijken,
        "export/armoede.csv": armoede,
        "export/cbs_wijken.csv": cbs,
        "koppeltabel.csv": koppeltabel,
    }


def main() -> None:
    for name, text in make().items():
        path = HERE / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"geschreven: {path.relative_to(HERE)}")


if __name__ == "__main__":
    main()
