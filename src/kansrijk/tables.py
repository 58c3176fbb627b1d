"""The book's tables, built from published values (shown values and plain text only)."""

from __future__ import annotations

from kansrijk import fmt, schemas, show
from kansrijk.chapter import Table
from kansrijk.publication import Atlas, InputFile, Pair, Publication, RateTable, Regression


def rates(table: RateTable, header: str, outcome: str, name: str, caption: str, source: str) -> Table:
    """Count with the outcome, group size, percentage and interval per category."""
    return Table(
        name,
        caption,
        [header, outcome, "Kinderen in de groep", "Percentage", "95%-interval"],
        [
            [table.label(c), show.number(r, "n"), show.number(r, "noemer"), show.pct(r, 1), show.interval(r, 1)]
            for c, r in table
        ],
        source,
    )


def shares(
    table: RateTable,
    header: str,
    name: str,
    caption: str,
    source: str,
    labels: list[str] | None = None,
    unit: str = "Aantal kinderen",
) -> Table:
    """Count and share of one total per category."""
    return Table(
        name,
        caption,
        [header, unit, "Aandeel"],
        [
            [labels[i] if labels else table.label(c), show.number(r, "n"), show.pct(r, 1)]
            for i, (c, r) in enumerate(table)
        ],
        source,
    )


def stacking(rows: dict[str, RateTable], row_labels: dict[str, str], name: str, caption: str, source: str) -> Table:
    """Row percentages: one row per group, one column per kind of stacking."""
    first = next(iter(rows.values()))
    return Table(
        name,
        caption,
        ["Opleiding ouders", *(first.label(c) for c, _ in first)],
        [[row_labels[g], *(show.pct(r, 1) for _, r in table)] for g, table in rows.items()],
        source,
    )


def followed(table: RateTable, order: list[str], name: str, caption: str, source: str) -> Table:
    """Per risk factor: the children with it followed with extra attention, their share and interval."""
    return Table(
        name,
        caption,
        ["Risicofactor", "Met extra aandacht", "Percentage", "95%-interval"],
        [
            [table.label(c), show.number(table[c], "n"), show.pct(table[c], 1), show.interval(table[c], 1)]
            for c in order
        ],
        source,
    )


def proportions(model: Regression, name: str, caption: str, source: str) -> Table:
    """Adjusted shares with extra attention per category, and their ratio to the reference."""
    return Table(
        name,
        caption,
        ["Kenmerk", "Aangepast percentage", "Verhouding t.o.v. referentie"],
        [
            [p.label, show.estimate(p.share, 1), show.estimate(p.ratio, 2) if p.ratio else "referentie"]
            for p in model.proportions
        ],
        source,
    )


def factors(table: RateTable, domains: dict[str, str], name: str, caption: str, source: str) -> Table:
    """Every risk factor by domain: count and share of all children (most common first per domain)."""
    order = sorted(table, key=lambda item: (domains[item[0]], -(item[1].n or -1), table.label(item[0])))
    return Table(
        name,
        caption,
        ["Domein", "Risicofactor", "Aantal kinderen", "Aandeel"],
        [[domains[c], table.label(c), show.number(r, "n"), show.pct(r, 1)] for c, r in order],
        source,
    )


def poverty(c: Publication, name: str, caption: str, source: str) -> Table:
    """Children 0-5 per district, the shares at or below 125% and 105% of the social minimum, and
    how each district compares with the rest of the municipality."""
    at125, at105 = c.table("armoede.wijken.pct_125"), c.table("armoede.wijken.pct_105")

    def compared(code: str) -> show.Shown | str:
        comparison = c.district_comparisons.get(code)
        if comparison is None:
            return show.DASH
        return comparison.verdict or "geen aantoonbaar verschil"

    return Table(
        name,
        caption,
        [
            "Wijk",
            "Kinderen van 0 tot 6 jaar",
            "Tot 125% WSM",
            "95%-interval",
            "Tot 105% WSM",
            "T.o.v. de rest van de gemeente",
        ],
        [
            [
                at125.label(code),
                show.number(r, "noemer"),
                show.pct(r, 1),
                show.interval(r, 1),
                show.pct(at105[code], 1),
                compared(code),
            ]
            for code, r in at125
        ],
        source,
    )


def atlas(a: Atlas, name: str, caption: str, source: str) -> Table:
    """The atlas scores are published figures of the atlas itself, not counts of children."""
    return Table(
        name,
        caption,
        ["Wijk", "Score", "Verschil met gemiddelde", "Ten opzichte van gemiddelde", "Inwoners 15-45 jaar (%)"],
        [
            [
                r.name,
                _text(fmt.getal(r.score, 1)),
                _text(fmt.getal(r.difference, 1)),
                r.klasse,
                _text(fmt.getal(r.pct_15_45, 1)),
            ]
            for r in a.rows
        ],
        source,
    )


def cbs(c: Publication, name: str, caption: str, source: str) -> Table:
    """CBS's district facts beside this edition's share of young children in poverty."""
    from kansrijk.cbs import FACTS

    poverty = c.table("armoede.wijken.pct_125")
    facts = c.cbs.rows if c.cbs is not None else ()

    def fact(value, percentage: bool) -> show.Shown:
        return show.Shown(show.WITHHELD) if value is None else show.estimate(value, 1 if percentage else 0)

    return Table(
        name,
        caption,
        ["Wijk", *(f.label for f in FACTS), "Kinderen 0-5 jaar tot 125% WSM (deze editie)"],
        [
            [
                row.name,
                *(fact(row.get(f.column), f.percentage) for f in FACTS),
                show.pct(poverty[row.code], 1) if row.code in poverty.rows else show.Shown(show.DASH),
            ]
            for row in facts
        ],
        source,
    )


def _text(value: str) -> show.Shown:
    """A figure that is not a statistic of children (an atlas score): right-aligned, no ledger entry."""
    return show.Shown(value)


def regression(model: Regression, name: str, caption: str, source: str) -> Table:
    return Table(
        name,
        caption,
        ["Kenmerk", "Odds ratio", "95%-betrouwbaarheidsinterval", "p-waarde"],
        [[label, show.estimate(e, 2), show.estimate_interval(e, 2), show.p_value(e)] for label, e in model.terms],
        source,
    )


def pairs(published: tuple[Pair, ...], labels: dict[str, str], name: str, caption: str, source: str) -> Table:
    """Every published pair of risk factors, strongest first: phi and the odds ratio."""
    ranked = sorted(published, key=lambda pair: -pair.phi.value)
    return Table(
        name,
        caption,
        ["Risicofactoren", "Phi", "Odds ratio", "95%-betrouwbaarheidsinterval"],
        [
            [
                f"{labels[pair.a]} + {labels[pair.b]}",
                show.estimate(pair.phi, 2),
                show.estimate(pair.odds_ratio, 1),
                show.estimate_interval(pair.odds_ratio, 1),
            ]
            for pair in ranked
        ],
        source,
    )


TYPES = {
    "text": "tekst",
    "int": "geheel getal",
    "float": "getal",
    "bool": "ja/nee",
    "category": "categorie",
    "count": "geheel getal of '.'",
    "number": "getal of leeg",
    "date": "datum",
}
# Columns that may stand in for others, or be added: shown in the contract table under their file.
ALTERNATIVES = {
    "kinderen": {
        "herkomst": "in plaats van migratieachtergrond",
        "geboortedatum": "in plaats van leeftijd",
        "gezin_id": "optioneel",
    }
}


def _specs() -> list[schemas.TableSpec]:
    """Every input file's schema, with its cross-file rules (and, for kinderen.csv, the columns
    that may stand in for others)."""
    from kansrijk.origin import HERKOMST

    return [
        schemas.wijken_spec(),
        schemas.kinderen_spec(["x"], ["x"]),
        schemas.kinderen_spec(["x"], ["x"], HERKOMST, "geboortedatum", families=True),
        schemas.risicofactoren_spec(["x"]),
        schemas.koppeltabel_spec("koppeltabel"),
        schemas.armoede_spec(["x"], "GM0000"),
        schemas.atlas_spec(["x"]),
        schemas.cbs_spec(["x"]),
    ]


def contract_rules() -> dict[str, int]:
    """How many rules of the contract each input file (by stem) must pass."""
    counts: dict[str, int] = {}
    for spec in _specs():
        if spec.stem in counts:
            continue  # the variant of kinderen.csv with other columns has as many rules
        columns = spec.schema.columns.values()
        counts[spec.stem] = (
            sum(len(c.checks) + bool(c.unique) + (not c.nullable) for c in columns)
            + len(spec.row_rules)
            + bool(spec.schema.unique)
            + 1  # the columns themselves: all required present, none unknown
        )
    return counts


def contract(name: str, caption: str, source: str) -> Table:
    """The data contract as the schemas enforce it."""
    rows: list[list[show.Shown | str]] = []
    seen: set[tuple[str, str]] = set()
    for spec in _specs():
        for column_name, column in spec.schema.columns.items():
            if (spec.stem, column_name) in seen:
                continue
            seen.add((spec.stem, column_name))
            rules = [c.error for c in column.checks if c.error]
            if column.unique:
                rules.append("uniek")
            rules += [r.error for r in spec.row_rules if r.column == column_name]
            if not rules and column.nullable:
                rules.append("mag leeg zijn")
            filename = spec.filename + ("" if spec.required else " (optioneel)")
            if spec.stem == "koppeltabel":
                filename = "koppeltabel (parameter, optioneel)"
            alternative = ALTERNATIVES.get(spec.stem, {}).get(column_name)
            label = f"{column_name} ({alternative})" if alternative else column_name
            rows.append([filename, label, TYPES[spec.columns[column_name]], "; ".join(rules) or "niet leeg"])
    return Table(name, caption, ["Bestand", "Kolom", "Type", "Regels"], rows, source)


def inputs(files: tuple[InputFile, ...], name: str, caption: str, source: str) -> Table:
    """The input files read, with their fingerprints (not their sizes: row counts are not published)."""
    return Table(name, caption, ["Bestand", "SHA-256 (begin)"], [[f.name, f.sha256[:16]] for f in files], source)


def input_changes(c: Publication, name: str, caption: str, source: str) -> Table:
    """Each input file of either edition with its fingerprint in both, and whether it changed."""
    before = {f.name: f.sha256 for f in c.previous.files}  # type: ignore[union-attr]
    now = {f.name: f.sha256 for f in c.edition.files}
    rows = []
    for file in sorted(before.keys() | now.keys()):
        old, new = before.get(file), now.get(file)
        verdict = (
            "alleen vorige editie" if new is None else "nieuw" if old is None else "gelijk" if old == new else "anders"
        )
        rows.append([file, old[:16] if old else show.DASH, new[:16] if new else show.DASH, verdict])
    years = (str(c.previous.jaar), str(c.edition.jaar))  # type: ignore[union-attr]
    return Table(
        name, caption, ["Bestand", f"SHA-256 {years[0]} (begin)", f"SHA-256 {years[1]} (begin)", "Inhoud"], rows, source
    )


def rule_changes(c: Publication, name: str, caption: str, source: str) -> Table:
    """The classification and disclosure rules of both editions, and whether they differ."""
    before, now = c.previous, c.edition

    def row(label: str, old: object, new: object) -> list[str]:
        return [label, str(old), str(new), "gelijk" if old == new else "anders"]

    return Table(
        name,
        caption,
        ["Onderdeel", str(before.jaar), str(now.jaar), "Verandering"],  # type: ignore[union-attr]
        [
            row("Indeling naar herkomst", before.classification.name, now.classification.name),  # type: ignore[union-attr]
            row("Kleinste aantal dat gepubliceerd wordt", before.min_cel, now.min_cel),  # type: ignore[union-attr]
            row("Kleinste groep achter een percentage", before.min_noemer, now.min_noemer),  # type: ignore[union-attr]
        ],
        source,
    )


def changes(c: Publication, compared: tuple, first: str, name: str, caption: str, source: str) -> Table:
    """Each compared figure in the previous and this edition, the difference in points with its
    95% Newcombe interval, and whether it changed demonstrably; ``first`` heads the labels."""
    before, now = c.previous.jaar, c.edition.jaar  # type: ignore[union-attr]
    return Table(
        name,
        caption,
        [first, str(before), str(now), "Verschil (procentpunt)", "95%-interval", "Verandering"],
        [
            [
                change.label,
                show.pct(change.previous, 1),
                show.pct(change.current, 1),
                show.estimate(change.difference, 1) if change.difference else show.DASH,
                show.estimate_interval(change.difference, 1) if change.difference else show.DASH,
                change.direction if change.difference else show.DASH,
            ]
            for change in compared
        ],
        source,
    )
