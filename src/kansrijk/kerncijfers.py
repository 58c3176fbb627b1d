"""``kerncijfers.json``: an edition's headline figures, machine-readable, from its publication.

Made from the same :class:`~kansrijk.publication.Publication` as the chapters, so book and JSON
agree; a suppressed value is ``null``. Every number is also an entry of the edition's ledger.
"""

from __future__ import annotations

import json
from pathlib import Path

from kansrijk.analyses.profile import BALANCE, STACKING
from kansrijk.labels import LEVELS
from kansrijk.publication import Count, Estimate, Publication, Rate, RateTable, Status
from kansrijk.schemas import EDUCATION
from kansrijk.show import Entry

STACKING_VARIANTS = ("stapeling_naar_opleiding", "stapeling_extra_aandacht", "stapeling_zonder_opleidingsfactor")


class _Figures:
    """Builds the JSON while recording each number as a ledger entry at its JSON path."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def pct(self, rate: Rate, path: str) -> float | None:
        if rate.pct is None:
            return None
        value = round(rate.pct, 1)
        self.entries.append(Entry(rate.key, "pct", value, 1, "kerncijfers.json", "kerncijfers", path))
        return value

    def field(self, rate: Rate, name: str, path: str) -> float | int | None:
        value = rate.get(name)
        if value is None:
            return None
        decimals = 0 if name in ("n", "noemer") else 1
        value = int(value) if decimals == 0 else round(value, 1)
        self.entries.append(Entry(rate.key, name, float(value), decimals, "kerncijfers.json", "kerncijfers", path))
        return value

    def count(self, count: Count, path: str) -> int | None:
        if count.value is None:
            return None
        self.entries.append(Entry(count.key, "waarde", float(count.value), 0, "kerncijfers.json", "kerncijfers", path))
        return count.value

    def estimate(self, e: Estimate, name: str, path: str) -> float | None:
        value = {"waarde": e.value, "laag": e.low, "hoog": e.high}[name]
        if value is None:
            return None
        value = round(value, 1)
        self.entries.append(Entry(e.key, name, value, 1, "kerncijfers.json", "kerncijfers", path))
        return value

    def rate(self, rate: Rate, path: str) -> dict:
        return {name: self.field(rate, name, f"{path}.{name}") for name in ("n", "noemer", "pct", "ci_laag", "ci_hoog")}

    def table(self, table: RateTable, path: str, categories: tuple[str, ...]) -> dict:
        return {c: self.pct(table[c], f"{path}.{c}") for c in categories}


def compute(c: Publication) -> tuple[dict, list[Entry]]:
    """Every key of the contract's ``kerncijfers.json`` and the ledger entries of its numbers."""
    f = _Figures()
    e = c.edition
    children = c.rates["kinderen.extra_aandacht"]
    factors = c.table("kinderen.risicofactoren")
    ranked = sorted((r for _, r in factors if r.published and r.n), key=lambda r: (-r.n, r.key))[:10]
    figures = {
        "editie": e.slug,
        "gemeente": e.gemeente,
        "gemeentecode": e.gemeentecode,
        "jaar": e.jaar,
        "synthetisch": e.synthetisch,
        "onthulling": {"min_cel": e.min_cel, "min_noemer": e.min_noemer},
        "kinderen": {
            "n": f.count(c.count("kinderen.n"), "kinderen.n"),
            "extra_aandacht": {
                "n": f.count(c.count("kinderen.extra_aandacht.n"), "kinderen.extra_aandacht.n"),
                "pct": f.pct(children, "kinderen.extra_aandacht.pct"),
            },
            "balans": f.table(c.table("kinderen.balans"), "kinderen.balans", BALANCE),
            "extra_aandacht_naar_opleiding": {
                edu: f.rate(r, f"kinderen.extra_aandacht_naar_opleiding.{edu}")
                for edu, r in c.table("kinderen.extra_aandacht_naar_opleiding")
            },
            "opleiding_onder_extra_aandacht": f.table(
                c.table("kinderen.opleiding_onder_extra_aandacht"), "kinderen.opleiding_onder_extra_aandacht", EDUCATION
            ),
            f"extra_aandacht_naar_{c.origin.column}": {
                cat: f.rate(r, f"{c.origin.rates_key}.{cat}")
                for cat, r in c.table(c.origin.rates_key)
                if cat in c.origin.categories
            },
            "top_risicofactoren": [
                {
                    "code": r.key.rsplit(".", 1)[1],
                    "n": f.field(r, "n", f"kinderen.top_risicofactoren.{i}.n"),
                    "pct": f.pct(r, f"kinderen.top_risicofactoren.{i}.pct"),
                }
                for i, r in enumerate(ranked)
            ],
            **{
                variant: {
                    edu: f.table(c.table(f"kinderen.{variant}.{edu}"), f"kinderen.{variant}.{edu}", STACKING)
                    for edu in EDUCATION
                }
                for variant in STACKING_VARIANTS
            },
            "niveaus": f.table(c.table("kinderen.niveaus"), "kinderen.niveaus", tuple(LEVELS)),
            "gevolgd_per_risicofactor": {
                code: f.rate(r, f"kinderen.gevolgd_per_risicofactor.{code}")
                for code, r in c.table("kinderen.gevolgd_per_risicofactor")
            },
            # cells left empty in the export, read as 'onbekend' (n, and % of all children)
            "leeg": {
                column: {
                    "n": f.field(r, "n", f"kinderen.leeg.{column}.n"),
                    "pct": f.pct(r, f"kinderen.leeg.{column}.pct"),
                }
                for column, r in c.table("kinderen.leeg")
            },
        },
        "armoede": _poverty(c, f),
    }
    if "gezinnen.niveaus" in c.tables:  # with gezin_id: the four levels as shares of families
        levels = c.table("gezinnen.niveaus")
        figures["gezinnen"] = {
            "n": f.field(levels["zelfredzaam"], "noemer", "gezinnen.n"),
            "niveaus": f.table(levels, "gezinnen.niveaus", tuple(level for level, _ in levels)),
        }
    if c.previous is not None:
        figures["vergelijking"] = _comparison(c, f)
    return figures, f.entries


def _comparison(c: Publication, f: _Figures) -> dict:
    """``vergelijking``: the previous edition's slug, and per compared kerncijfers path the two
    levels and their difference in points with its 95% Newcombe interval (``null`` when
    suppressed)."""
    differences = {}
    for change in c.changes:
        path = f"vergelijking.verschillen.{change.path}"
        d = change.difference
        differences[change.path] = {
            "vorig": f.pct(change.previous, f"{path}.vorig"),
            "nu": f.pct(change.current, f"{path}.nu"),
            "verschil": f.estimate(d, "waarde", f"{path}.verschil") if d else None,
            "ci_laag": f.estimate(d, "laag", f"{path}.ci_laag") if d else None,
            "ci_hoog": f.estimate(d, "hoog", f"{path}.ci_hoog") if d else None,
        }
    return {"vorige_editie": c.previous.slug, "verschillen": differences}  # type: ignore[union-attr]


def _poverty(c: Publication, f: _Figures) -> dict:
    total125, total105 = c.rates["armoede.pct_125"], c.rates["armoede.pct_105"]
    at125, at105 = c.table("armoede.wijken.pct_125"), c.table("armoede.wijken.pct_105")
    paths = {"armoede.pct_125": total125, "armoede.pct_105": total105}
    paths |= {f"armoede.wijken.{code}.pct_{line}": r for line, t in (("125", at125), ("105", at105)) for code, r in t}
    return {
        # how the source delivered the file: rounded to fives, and the figures it did not deliver (null)
        "afgerond_op_vijftallen": c.edition.poverty_rounded,
        "niet_geleverd": sorted(path for path, r in paths.items() if r.status == Status.WITHHELD),
        "kinderen_0_5": f.count(c.count("armoede.kinderen_0_5"), "armoede.kinderen_0_5"),
        "pct_125": f.pct(total125, "armoede.pct_125"),
        "pct_105": f.pct(total105, "armoede.pct_105"),
        "wijken": {
            code: {
                "naam": at125.label(code),
                "kinderen_0_5": f.field(r, "noemer", f"armoede.wijken.{code}.kinderen_0_5"),
                "pct_125": f.pct(r, f"armoede.wijken.{code}.pct_125"),
                "pct_105": f.pct(at105[code], f"armoede.wijken.{code}.pct_105"),
            }
            for code, r in at125
        },
    }


def write(figures: dict, path: Path) -> None:
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
