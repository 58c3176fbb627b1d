"""Valid data always builds: contract-conformant editions of every shape (no extra attention,
all of it, thirty children, one district, a district without children, names with ``&``, ``<``
and any script, families, empty cells, a poverty table as CBS delivers it) run every chapter and
pass the audit, or are refused with an input error. Never a traceback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import run_chapters, write_edition
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kansrijk.catalogue import load_catalogue
from kansrijk.cli import app
from kansrijk.disclosure import ledger
from kansrijk.origin import MIGRATIEACHTERGROND
from kansrijk.problems import InputError
from kansrijk.schemas import EDUCATION

NAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"), blacklist_characters="\x85"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())


@st.composite
def editions(draw) -> dict[str, pd.DataFrame]:
    n = draw(st.integers(30, 400))
    districts = draw(st.integers(1, 4))
    names = draw(st.lists(NAME, min_size=districts, max_size=districts))
    attention = draw(st.sampled_from(["geen", "alle", "sommige"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    codes = [f"WK0999{i:02d}" for i in range(districts)]
    followed = {"geen": np.zeros(n, bool), "alle": np.ones(n, bool), "sommige": rng.random(n) < 0.25}[attention]
    education = rng.choice(EDUCATION, size=n, p=rng.dirichlet(np.ones(4)))
    migration = rng.choice(MIGRATIEACHTERGROND.categories, size=n, p=rng.dirichlet(np.ones(4)))
    out = followed & (rng.random(n) < 0.3)
    ids = [f"P{i:05d}" for i in range(n)]
    catalogue = load_catalogue().codes
    factors = []
    for i in range(n):
        k = rng.integers(1, 5) if followed[i] else (rng.integers(0, 3) if rng.random() < 0.4 else 0)
        factors += [(ids[i], code) for code in rng.choice(catalogue, size=k, replace=False)]
    children = draw(st.lists(st.sampled_from([0, 8, 45, 120, 900]), min_size=districts, max_size=districts))
    poor = [int(c * draw(st.sampled_from([0.0, 0.1, 0.6, 1.0]))) for c in children]
    tables = {
        "wijken": pd.DataFrame({"wijk_code": codes, "wijk_naam": names}),
        "kinderen": pd.DataFrame(
            {
                "kind_id": ids,
                "leeftijd": rng.integers(0, 3, size=n),
                "wijk_code": rng.choice(codes, size=n),
                "opleiding_ouders": education,
                "migratieachtergrond": migration,
                "extra_aandacht": np.where(followed, "ja", "nee"),
                "uit_balans": np.where(out, "ja", "nee"),
            }
        ),
        "risicofactoren": pd.DataFrame(factors, columns=["kind_id", "risicofactor"]),
        "armoede": pd.DataFrame(
            {"wijk_code": codes, "kinderen_0_5": children, "tot_125_wsm": poor, "tot_105_wsm": [p // 2 for p in poor]}
        ),
    }
    kinderen = tables["kinderen"]
    if draw(st.booleans()):  # families of one to three young children; some ids left empty
        family = np.repeat(np.arange(n), rng.choice([1, 2, 3], size=n, p=[0.7, 0.25, 0.05]))[:n]
        kinderen["gezin_id"] = np.where(rng.random(n) < 0.2, "", [f"G{f:05d}" for f in family])
    if draw(st.booleans()):  # an export with empty cells, read as 'onbekend'
        share = draw(st.sampled_from([0.05, 0.3]))
        for column in ("opleiding_ouders", "migratieachtergrond"):
            kinderen.loc[rng.random(n) < share, column] = ""
    if draw(st.booleans()):  # the poverty table as CBS delivers it: rounded, withheld, with a total row
        armoede = tables["armoede"]
        total = armoede[["kinderen_0_5", "tot_125_wsm", "tot_105_wsm"]].sum() + np.array([25, 6, 3])
        rounded = armoede.assign(
            **{c: 5 * ((armoede[c] + 2) // 5) for c in ("kinderen_0_5", "tot_125_wsm", "tot_105_wsm")}
        )
        rounded = rounded.astype(object)
        rounded.loc[armoede["kinderen_0_5"] < 50, ["tot_125_wsm", "tot_105_wsm"]] = "."
        total_row = {"wijk_code": "GM0999", **{c: int(5 * round(v / 5)) for c, v in total.items()}}
        tables["armoede"] = pd.concat([rounded, pd.DataFrame([total_row])], ignore_index=True)
    if draw(st.booleans()):
        tables["atlas"] = pd.DataFrame(
            {
                "wijk_code": codes,
                "kwetsbaarheidsscore": rng.uniform(7, 35, districts),
                "pct_15_45": rng.uniform(0, 100, districts),
            }
        )
    return tables


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(editions())
def test_every_valid_edition_runs_every_chapter_and_passes_the_audit(tmp_path_factory, tables):
    folder = tmp_path_factory.mktemp("editie")
    params = write_edition(folder, tables, sep=";")
    try:
        publication, entries = run_chapters(params, folder / "bron")
    except InputError as error:  # refused with a message is fine; a traceback is not
        assert error.problems
        return
    assert ledger.audit(publication, entries) == []


EDGES = {
    "geen-extra-aandacht": {"followed": 0.0, "n": 300, "districts": 3, "poor": [0, 40, 0]},
    "alle-extra-aandacht": {"followed": 1.0, "n": 200, "districts": 2, "poor": [10, 300]},
    "veertig-kinderen-een-wijk": {"followed": 0.3, "n": 40, "districts": 1, "poor": [0]},
}


def _edge(n: int, followed: float, districts: int, poor: list[int]) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    codes = [f"WK0999{i:02d}" for i in range(districts)]
    attention = rng.random(n) < followed
    ids = [f"E{i:04d}" for i in range(n)]
    factors = [(ids[i], "armoede") for i in range(n) if attention[i] or i % 4 == 0]
    return {
        "wijken": pd.DataFrame({"wijk_code": codes, "wijk_naam": [f"Wijk & <{i}>" for i in range(districts)]}),
        "kinderen": pd.DataFrame(
            {
                "kind_id": ids,
                "leeftijd": rng.integers(0, 3, n),
                "wijk_code": rng.choice(codes, n),
                "opleiding_ouders": rng.choice(EDUCATION, n),
                "migratieachtergrond": rng.choice(MIGRATIEACHTERGROND.categories, n),
                "extra_aandacht": np.where(attention, "1", "0"),
                "uit_balans": "0",
            }
        ),
        "risicofactoren": pd.DataFrame(factors, columns=["kind_id", "risicofactor"]),
        "armoede": pd.DataFrame(
            {
                "wijk_code": codes,
                "kinderen_0_5": [max(p, 400) for p in poor],
                "tot_125_wsm": poor,
                "tot_105_wsm": [0] * districts,
            }
        ),
    }


@pytest.mark.build
@pytest.mark.parametrize("edge", EDGES, ids=list(EDGES))
def test_edge_shapes_build_end_to_end(edge, tmp_path, runner):
    params = write_edition(tmp_path, _edge(**EDGES[edge]), slug=edge)
    result = runner.invoke(app, ["build", str(params), "--book-dir", str(tmp_path / "boek"), "--jobs", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "boek" / edge / "html" / "opleiding-migratie.html").is_file()
