"""Small hand-made editions for tests: valid by construction, easy to break one rule at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

WIJKEN = pd.DataFrame({"wijk_code": ["WK099901", "WK099902", "WK099903"], "wijk_naam": ["Noord", "Midden", "Zuid"]})


def small_tables(n: int = 60) -> dict[str, pd.DataFrame]:
    """A valid edition of ``n`` children over three districts."""
    education = ["laag", "midden", "hoog", "onbekend"]
    migration = ["nederlands", "westers", "niet-westers", "onbekend"]
    kinderen = pd.DataFrame(
        {
            "kind_id": [f"T{i:04d}" for i in range(n)],
            "leeftijd": [i % 3 for i in range(n)],
            "wijk_code": [WIJKEN.wijk_code[i % 3] for i in range(n)],
            "opleiding_ouders": [education[i % 4] for i in range(n)],
            "migratieachtergrond": [migration[(i // 4) % 4] for i in range(n)],
            "extra_aandacht": ["1" if i % 5 == 0 else "0" for i in range(n)],
            "uit_balans": ["1" if i % 15 == 0 else "0" for i in range(n)],
        }
    )
    with_factor = kinderen.kind_id[[i % 5 == 0 or i % 7 == 0 for i in range(n)]]
    risicofactoren = pd.DataFrame(
        {
            "kind_id": list(with_factor) + list(with_factor[:3]),
            "risicofactor": ["armoede"] * len(with_factor) + ["eenoudergezin"] * 3,
        }
    )
    armoede = pd.DataFrame(
        {
            "wijk_code": WIJKEN.wijk_code,
            "kinderen_0_5": [400, 250, 600],
            "tot_125_wsm": [80, 20, 30],
            "tot_105_wsm": [50, 12, 20],
        }
    )
    atlas = pd.DataFrame(
        {"wijk_code": WIJKEN.wijk_code, "kwetsbaarheidsscore": [15.1, 13.9, 14.2], "pct_15_45": [48.0, 52.5, 39.9]}
    )
    return {
        "wijken": WIJKEN.copy(),
        "kinderen": kinderen,
        "risicofactoren": risicofactoren,
        "armoede": armoede,
        "atlas": atlas,
    }


def write_edition(
    folder: Path,
    tables: dict[str, pd.DataFrame] | None = None,
    sep: str = ",",
    params: dict | None = None,
    slug: str = "testgemeente",
) -> Path:
    """Write the tables and a parameter file; return the parameter file's path."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for stem, frame in (tables or small_tables()).items():
        frame.to_csv(data / f"{stem}.csv", index=False, sep=sep, lineterminator="\n")
    values = {
        "gemeente": "Testgemeente",
        "gemeentecode": "GM0999",
        "jaar": 2023,
        "data": str(data),
        "synthetisch": True,
    } | (params or {})
    path = folder / f"{slug}.yml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return path


def random_tables(n: int = 900, seed: int = 7, reverse_gradient: bool = False) -> dict[str, pd.DataFrame]:
    """A plausible edition of ``n`` children in four districts, one of them small (about 40
    children). With ``reverse_gradient`` children of highly educated parents get extra attention
    most often, the opposite of Utrecht, so text that follows the data must say so."""
    import numpy as np

    rng = np.random.default_rng(seed)
    codes = ["WK099801", "WK099802", "WK099803", "WK099804"]
    wijken = pd.DataFrame({"wijk_code": codes, "wijk_naam": ["Haven", "Dorp", "Polder", "Eiland"]})
    district = rng.choice(4, size=n, p=[0.4, 0.3, 0.255, 0.045])
    education = rng.choice(["laag", "midden", "hoog", "onbekend"], size=n, p=[0.3, 0.35, 0.3, 0.05])
    migration = rng.choice(["nederlands", "westers", "niet-westers", "onbekend"], size=n, p=[0.6, 0.1, 0.27, 0.03])
    base = {"laag": 0.5, "midden": 0.3, "hoog": 0.1, "onbekend": 0.3}
    if reverse_gradient:
        base = {"laag": 0.1, "midden": 0.3, "hoog": 0.5, "onbekend": 0.3}
    attention = rng.random(n) < np.array([base[e] for e in education])
    out_of_balance = attention & (rng.random(n) < 0.25)
    ids = [f"R{i:05d}" for i in range(n)]
    codes_f = [
        "armoede",
        "eenoudergezin",
        "psychische_problematiek_ouder",
        "taal_spraak",
        "vroeggeboorte",
        "werkloosheid",
    ]
    rows = []
    for i in range(n):
        k = rng.integers(1, 4) if attention[i] else (rng.integers(0, 3) if rng.random() < 0.4 else 0)
        for code in rng.choice(codes_f, size=k, replace=False):
            rows.append((ids[i], code))
    kinderen = pd.DataFrame(
        {
            "kind_id": ids,
            "leeftijd": rng.integers(0, 3, size=n),
            "wijk_code": np.array(codes)[district],
            "opleiding_ouders": education,
            "migratieachtergrond": migration,
            "extra_aandacht": np.where(attention, "ja", "nee"),
            "uit_balans": np.where(out_of_balance, "ja", "nee"),
        }
    )
    armoede = pd.DataFrame(
        {
            "wijk_code": codes,
            "kinderen_0_5": [900, 640, 520, 40],
            "tot_125_wsm": [210, 60, 35, 6],
            "tot_105_wsm": [150, 41, 20, 3],
        }
    )
    return {
        "wijken": wijken,
        "kinderen": kinderen,
        "risicofactoren": pd.DataFrame(rows, columns=["kind_id", "risicofactor"]),
        "armoede": armoede,
    }
