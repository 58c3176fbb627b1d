"""Small hand-made editions for tests: valid by construction, easy to break one rule at a time."""

from __future__ import annotations

import io
import math
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
    education = rng.choice(["laag", "midden", "hoog", "onbekend"], size=n, p=[0.3, 0.32, 0.3, 0.08])
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


def planted_tables(seed: int = 11) -> dict[str, pd.DataFrame]:
    """The small municipality of issue 9, made from the contract with planted small groups:
    1,600 children; 37 of low-educated parents, 34 of them followed; 9 of unknown migration
    background, 8 of them followed; a district ('Buitengebied') of 45 children aged 0-5, 30 of
    them at or below 125% of the social minimum; a risk factor (addiction of a parent) that
    occurs 3 times."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 1600
    education = np.array(["laag"] * 37 + ["midden"] * 520 + ["hoog"] * 930 + ["onbekend"] * 113)
    migration = rng.choice(["nederlands", "westers", "niet-westers"], size=n, p=[0.7, 0.1, 0.2]).astype(object)
    unknown = np.flatnonzero(education == "hoog")[:9]  # the 9 of unknown background
    migration[unknown] = "onbekend"
    rate = {"laag": 0.0, "midden": 0.3, "hoog": 0.12, "onbekend": 0.3}
    attention = rng.random(n) < np.array([rate[e] for e in education])
    attention[np.flatnonzero(education == "laag")[:34]] = True  # 34 of 37
    attention[unknown[:8]], attention[unknown[8:]] = True, False  # 8 of 9
    out_of_balance = attention & (rng.random(n) < 0.22)
    ids = [f"K{i:05d}" for i in range(n)]
    common = ["armoede", "eenoudergezin", "psychische_problematiek_ouder", "taal_spraak", "werkloosheid",
              "geen_nederlands", "lage_opleiding", "vroeggeboorte"]  # fmt: skip
    rows = []
    for i in range(n):
        k = rng.integers(1, 4) if attention[i] else (rng.integers(1, 3) if rng.random() < 0.3 else 0)
        rows += [(ids[i], code) for code in rng.choice(common, size=k, replace=False)]
    followed = [ids[i] for i in np.flatnonzero(attention)]
    rows += [(kid, "verslaving_ouder") for kid in followed[:3]]  # the rare factor
    codes = ["WK099701", "WK099702", "WK099703", "WK099704", "WK099705"]
    district = rng.choice(4, size=n, p=[0.35, 0.3, 0.2, 0.15])
    district[:6] = 4  # a few children 0-2 in the small district too
    return {
        "wijken": pd.DataFrame({"wijk_code": codes, "wijk_naam": ["Centrum", "Noord", "Zuid", "Oost", "Buitengebied"]}),
        "kinderen": pd.DataFrame(
            {
                "kind_id": ids,
                "leeftijd": rng.integers(0, 3, size=n),
                "wijk_code": np.array(codes)[district],
                "opleiding_ouders": education,
                "migratieachtergrond": migration,
                "extra_aandacht": np.where(attention, "1", "0"),
                "uit_balans": np.where(out_of_balance, "1", "0"),
            }
        ),
        "risicofactoren": pd.DataFrame(sorted(set(rows)), columns=["kind_id", "risicofactor"]),
        "armoede": pd.DataFrame(
            {
                "wijk_code": codes,
                "kinderen_0_5": [1700, 1400, 950, 700, 45],
                "tot_125_wsm": [290, 150, 60, 120, 30],
                "tot_105_wsm": [200, 100, 35, 80, 20],
            }
        ),
    }


def run_chapters(param_file: Path, folder: Path, chapters: Path | None = None) -> list:
    """Execute the code of every chapter notebook in this process, as papermill would but
    without kernels or the book: every chapter code path on an edition, fast enough for
    property tests. Returns the publication and the ledger the chapters recorded."""
    import contextlib
    import io
    import json
    import os

    import matplotlib

    matplotlib.use("Agg")
    import pickle
    import shutil

    from kansrijk.chapter import PUBLICATION_FILE
    from kansrijk.disclosure import ledger
    from kansrijk.disclosure.plan import plan
    from kansrijk.params import load_edition
    from kansrijk.paths import CHAPTERS
    from kansrijk.pipeline.book import CHANGE_CHAPTER
    from kansrijk.validation import load_edition_data

    shutil.rmtree(folder, ignore_errors=True)  # a fresh folder, as a build's staging is
    folder.mkdir(parents=True)
    edition = load_edition(param_file)
    publication = plan(edition, load_edition_data(edition))  # once, as the driver does
    (folder / PUBLICATION_FILE).write_bytes(pickle.dumps(publication))
    previous = Path.cwd()
    os.chdir(folder)
    try:
        for notebook in sorted((chapters or CHAPTERS).glob("*.ipynb")):
            if notebook.stem == CHANGE_CHAPTER and publication.previous is None:
                continue  # as the driver leaves it out of a first edition
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            namespace: dict = {}
            for cell in cells:
                if cell["cell_type"] == "code":
                    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    with contextlib.redirect_stdout(io.StringIO()):
                        exec(compile(source, f"{notebook.name}", "exec"), namespace)
                    if "editie" in namespace and namespace["editie"] != str(param_file):
                        namespace["editie"] = str(param_file)  # as papermill injects it
    finally:
        os.chdir(previous)
    return publication, ledger.collect(folder / ledger.LEDGER_FOLDER)


def downloaded_table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """A table as a reader downloads it: its rows (as text), which end at the first empty line,
    and the note lines that follow."""
    rows, notes = path.read_text(encoding="utf-8-sig").split("\n\n")
    return pd.read_csv(io.StringIO(rows), sep=";", dtype=str), notes.strip().splitlines()


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def newcombe_by_hand(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    """Newcombe (1998), method 10: the difference p1 - p2 and its interval from Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    d = p1 - p2
    return (
        100 * d,
        100 * (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
        100 * (d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)),
    )


def imported(names: list[str]) -> list[bool]:
    """Which of ``names`` this process has imported (a task for a worker)."""
    import sys

    return [name in sys.modules for name in names]
