"""Dutch sentences whose claims follow the published figures of an edition.

Every sentence is made from published values only (:mod:`kansrijk.publication`) and returns a
:class:`~kansrijk.show.Shown`, so that its numbers go into the ledger. No sentence asserts a
pattern its data do not show: a comparison of two groups is phrased from a test of the
difference, and a group whose figures are not published is not compared at all.
"""

from __future__ import annotations

import math
from statistics import median

from kansrijk import fmt, labels, show
from kansrijk.origin import MIGRATIEACHTERGROND, Classification
from kansrijk.publication import (
    Atlas,
    CbsFacts,
    ChiSquare,
    Estimate,
    Pair,
    Rate,
    RateTable,
    Regression,
    Sensitivity,
    Status,
)
from kansrijk.show import Shown, say

EDUCATION_LABEL = {
    "laag": "laagopgeleide",
    "midden": "middelbaar opgeleide",
    "hoog": "hoogopgeleide",
    "onbekend": "onbekend opgeleide",
}
EDUCATION_NOUN = {"laag": "laag", "midden": "middelbaar", "hoog": "hoog", "onbekend": "onbekend"}
ALPHA = 0.05
WITHHELD_TOTAL = (
    "De inkomensstatistiek heeft het aandeel kinderen in armoede voor de gemeente als geheel niet geleverd: het is "
    "niet geleverd door de bron."
)
UNPUBLISHABLE = "Het verschil naar {} is in deze editie niet te publiceren, omdat een van de groepen te klein is."


def differs(a: Rate, b: Rate) -> int:
    """+1 when ``a`` is significantly higher than ``b``, -1 when lower, 0 otherwise (z-test on the
    published counts and groups)."""
    from statsmodels.stats.proportion import proportions_ztest  # heavy: only where groups are compared

    if a.n is None or b.n is None or not a.noemer or not b.noemer:
        return 0
    if a.n + b.n in (0, a.noemer + b.noemer):
        return 0
    _, p = proportions_ztest([a.n, b.n], [a.noemer, b.noemer])
    if p >= ALPHA:
        return 0
    return 1 if a.n / a.noemer > b.n / b.noemer else -1


def more_or_less(direction: int) -> str:
    return {1: "vaker", -1: "minder vaak", 0: "niet aantoonbaar vaker of minder vaak"}[direction]


def education_gradient(rates: RateTable) -> Shown:
    """How extra attention differs between children of low- and highly educated parents."""
    low, middle, high = rates["laag"], rates["midden"], rates["hoog"]
    if not (low.published and high.published):
        return Shown(UNPUBLISHABLE.format("opleiding van de ouders"))
    direction = differs(low, high)
    sentence = say(
        "Kinderen van laagopgeleide ouders worden {} met extra aandacht gevolgd ({}) dan kinderen van "
        "hoogopgeleide ouders ({})",
        more_or_less(direction),
        show.pct(low),
        show.pct(high),
    )
    if direction == 1 and middle.published and low.pct > middle.pct > high.pct:
        sentence = say("{}; bij middelbaar opgeleide ouders ligt het ertussenin ({})", sentence, show.pct(middle))
    return say("{}.", sentence)


def composition_paradox(rates: RateTable, composition: RateTable, shares: RateTable) -> Shown:
    """Which education group forms the largest part of the extra-attention group, and why."""
    published = {c: r for c, r in composition if r.published}
    if not published:
        return Shown("De samenstelling van de groep met extra aandacht naar opleiding is niet te publiceren.")
    largest = max(published, key=lambda c: published[c].pct)
    text = say(
        "De grootste groep onder de kinderen met extra aandacht heeft {} ouders ({} van die kinderen)",
        EDUCATION_LABEL[largest],
        show.pct(published[largest]),
    )
    compared = {c: r for c, r in rates if c != "onbekend" and r.published}
    lowest = min(compared, key=lambda c: compared[c].pct) if compared else None
    if largest == lowest and shares[largest].published:
        text = say(
            "{}, terwijl hun kans op extra aandacht juist het kleinst is: dat komt doordat {} van alle kinderen "
            "{} ouders heeft",
            text,
            show.pct(shares[largest]),
            EDUCATION_LABEL[largest],
        )
    return say("{}.", text)


def migration_gap(migration: RateTable, education: RateTable, origin: Classification = MIGRATIEACHTERGROND) -> Shown:
    """The contrasted origin group (niet-westers, buiten Europa) against the Dutch one, and that
    gap against the education gap."""
    nw, nl = migration[origin.contrast], migration[origin.reference]
    low, high = education["laag"], education["hoog"]
    if not all(r.published for r in (nw, nl, low, high)):
        return Shown(UNPUBLISHABLE.format(origin.name))
    # compared as shown (in whole points), so that the words agree with the numbers beside them
    gap_migration = abs(show.whole_points(nw.pct) - show.whole_points(nl.pct))
    gap_education = abs(show.whole_points(low.pct) - show.whole_points(high.pct))
    if gap_migration == gap_education:
        relation = "even groot als"
    else:
        relation = "kleiner dan" if gap_migration < gap_education else "groter dan"
    return say(
        "{} worden {} met extra aandacht gevolgd ({}) dan {} ({}). Dat verschil ({} procentpunten) is {} het "
        "verschil tussen kinderen van laag- en hoogopgeleide ouders ({} procentpunten).",
        Shown(origin.contrast_phrase),
        more_or_less(differs(nw, nl)),
        show.pct(nw),
        Shown(origin.reference_phrase),
        show.pct(nl),
        show.difference(nw, nl),
        relation,
        show.difference(low, high),
    )


def stacking_pattern(within: RateTable, test: ChiSquare | None) -> Shown:
    """Among the followed children with stacked factors: whether those lie within one domain more
    often for highly than for lower educated parents. 'Vaker' only when the test of that claim is
    significant, 'meestal' only when the interval lies above half."""
    values = {c: r for c, r in within if c != "onbekend" and r.published}
    if not {"hoog", "laag"} <= set(values):
        return Shown("Het patroon van stapeling naar opleiding is in deze editie niet te publiceren.")
    high = values.pop("hoog")
    parts = show.join([say("{} bij {} opgeleide ouders", show.pct(r), EDUCATION_NOUN[c]) for c, r in values.items()])
    significant = test is not None and test.statistic.p < ALPHA
    if significant and high.pct > max(r.pct for r in values.values()):
        mostly = "meestal" if high.ci_laag > 50 else "vaker"
        claim = say(
            "Bij kinderen met extra aandacht van hoogopgeleide ouders liggen gestapelde risicofactoren {} binnen "
            "één domein ({}); bij lager opgeleide ouders komen ze vaker uit meerdere domeinen, zodat de stapeling "
            "daar complexer is",
            mostly,
            show.pct(high),
        )
    else:
        claim = say(
            "Bij kinderen met extra aandacht van hoogopgeleide ouders liggen gestapelde risicofactoren niet "
            "aantoonbaar vaker binnen één domein ({}) dan bij lager opgeleide ouders",
            show.pct(high),
        )
    return say("{} ({}).", claim, parts)


def stacking_test(test: ChiSquare | None) -> Shown:
    if test is None:
        return Shown(
            "Een toets op samenhang is met deze gegevens niet zinvol: de groepen met gepubliceerde cijfers zijn "
            "te klein of te weinig."
        )
    verdict = "wel" if test.statistic.p < ALPHA else "niet"
    return say(
        "Of gestapelde factoren binnen één domein of uit meerdere domeinen komen, hangt {} aantoonbaar samen met de "
        "opleiding van de ouders (chi-kwadraattoets onder de kinderen met extra aandacht en twee of meer factoren: "
        "{}; Cramérs V = {}).",
        verdict,
        _chi_square(test.statistic, test.dof),
        show.estimate(test.cramers_v, 2),
    )


def _chi_square(statistic: Estimate, dof: int) -> Shown:
    """'χ² = 12,3, 6 vrijheidsgraden, p < 0,001'."""
    shown = show.p_value(statistic)
    p = shown if statistic.p is not None and statistic.p < 0.001 else say("= {}", shown)
    return say("χ² = {}, {} vrijheidsgraden, p {}", show.estimate(statistic, 1), str(dof), p)


def district_highest(districts: RateTable, comparisons: dict) -> Shown:
    """The districts (at most two) with the highest share among those significantly higher than
    the rest of the municipality."""
    higher = [(c, districts[c]) for c, comparison in comparisons.items() if comparison.verdict == "hoger"]
    higher = sorted(higher, key=lambda item: -item[1].pct)[:2]
    if not higher:
        return Shown("Geen wijk heeft een aantoonbaar hoger aandeel dan de rest van de gemeente.")
    names = show.join([say("{} ({})", districts.label(c), show.pct(r)) for c, r in higher], last=" en ")
    return say("Het aandeel is aantoonbaar hoger dan in de rest van de gemeente in {}.", names)


def poverty_summary(total: Rate, districts: RateTable, comparisons: dict) -> Shown:
    """The municipal share at or below 125% of the social minimum, and where it is highest."""
    if total.status == Status.WITHHELD:
        return Shown(WITHHELD_TOTAL)
    if not total.published:
        return Shown("Het aandeel kinderen in armoede is voor deze gemeente niet te publiceren.")
    return say(
        "Van de kinderen van 0 tot 6 jaar groeit {} ({}) op in een huishouden met een inkomen tot 125% van het "
        "wettelijk sociaal minimum. {}",
        show.one_in(total),
        show.pct(total),
        district_highest(districts, comparisons),
    )


def strongest_pairs(pairs: tuple[Pair, ...], short: dict[str, str], k: int = 3) -> Shown:
    """The ``k`` pairs of factors with the strongest association."""
    if not pairs:
        return Shown("Voor geen enkel paar risicofactoren zijn er genoeg kinderen om de samenhang te publiceren.")
    strongest = sorted(pairs, key=lambda p: -p.phi.value)[:k]
    parts = [
        say(
            "{} en {} (phi {}, odds ratio {})",
            quoted(short[p.a]),
            quoted(short[p.b]),
            show.estimate(p.phi, 2),
            show.estimate(p.odds_ratio, 1),
        )
        for p in strongest
    ]
    return say("De sterkste samenhang is er tussen {}.", show.join(parts, "; "))


def partners(pairs: tuple[Pair, ...], codes: tuple[str, ...], short: dict[str, str]) -> Shown:
    """With which factors low education and not speaking Dutch go together most strongly."""
    sentences = []
    for code in ("lage_opleiding", "geen_nederlands"):
        mine = sorted((p for p in pairs if code in (p.a, p.b)), key=lambda p: -p.phi.value)[:2]
        if code in codes and mine:
            others = [quoted(short[p.b if p.a == code else p.a]) for p in mine]
            sentences.append(f"{quoted(short[code])} hangt het sterkst samen met {' en '.join(others)}")
    if not sentences:
        return Shown("Geen van beide factoren heeft in deze editie gepubliceerde samenhang met andere factoren.")
    return Shown(fmt.upper_first("; ".join(sentences)) + ".")


def quoted(label: str) -> str:
    return f"‘{fmt.lower_first(label)}’"


def model_sentence(model: Regression | None, origin: Classification = MIGRATIEACHTERGROND) -> Shown:
    """The adjusted odds ratios for the contrasted origin group and low education, compared."""
    if model is None:
        return Shown("Met de gegevens van deze editie is het model niet te schatten (te weinig kinderen in een groep).")
    terms = dict(model.terms)
    low = next((e for label, e in terms.items() if label.startswith("Opleiding ouders: laag")), None)
    contrast = f"{origin.name.capitalize()}: {origin.in_sentence(origin.contrast)} "
    nw = next((e for label, e in terms.items() if label.startswith(contrast)), None)
    if low is None or nw is None:
        return Shown("De groepen die de tekst vergelijkt, zijn in deze editie te klein om in het model te vergelijken.")
    smaller = abs(math.log(nw.value)) < abs(math.log(low.value))
    sentence = say(
        "Rekening houdend met de andere kenmerken is de odds ratio voor {} {} en voor laagopgeleide ouders {}: de "
        "samenhang met {} is {} dan die met opleiding.",
        Shown(origin.contrast_phrase.removeprefix("Kinderen met ")),
        show.estimate(nw, 2),
        show.estimate(low, 2),
        Shown(origin.name),
        "kleiner" if smaller else "groter",
    )
    if model.n:
        sentence = say("{} Het model gebruikt alle {} kinderen.", sentence, fmt.getal(model.n))
    return sentence


def atlas_summary(atlas: Atlas) -> Shown:
    """Which districts score above the municipal mean, and which of them have many young adults."""
    higher = sorted((r for r in atlas.rows if r.klasse == "hoger"), key=lambda r: -r.score)
    middle = median(r.pct_15_45 for r in atlas.rows)
    big = [r for r in higher if r.pct_15_45 >= middle]
    verb = "scoort" if len(higher) <= 1 else "scoren"
    text = (
        f"Het gemeentelijk gemiddelde is {fmt.getal(atlas.mean, 1)}. "
        f"{fmt.upper_first(fmt.telwoord(len(higher)) if higher else 'geen')} van de "
        f"{fmt.telwoord(len(atlas.rows))} wijken {verb} hoger dan dat gemiddelde"
    )
    if higher:
        text += ": " + fmt.enumeration([f"{r.name} ({fmt.getal(r.score, 1)})" for r in higher])
    text += "."
    if big:
        verb = "heeft" if len(big) == 1 else "hebben"
        text += (
            f" Daarvan {verb} {fmt.enumeration([r.name for r in big])} ook een groot aandeel inwoners van 15 tot 45 "
            "jaar (minstens de mediaan van de wijken): daar gaat het om veel (toekomstige) ouders."
        )
    return Shown(text)


def attention_summary(followed, children, share: Rate) -> Shown:
    """'2.514 van de 13.900 kinderen van 0 tot en met 2 jaar (18%) worden … gevolgd'."""
    if not share.published or followed.value is None or children.value is None:
        return Shown("Hoeveel kinderen de JGZ met extra aandacht volgt, is in deze editie niet te publiceren.")
    return say(
        "Van de {1} kinderen van 0 tot en met 2 jaar volgt de JGZ er {0} ({2}) met extra aandacht, omdat hun gezin "
        "zich mogelijk in een kwetsbare situatie bevindt.",
        show.number(followed),
        show.number(children),
        show.pct(share),
    )


def balance_summary(balance: RateTable, out_of_attention: Rate) -> Shown:
    """The four balance categories in one passage."""
    if not all(r.published for _, r in balance):
        return Shown(
            "De verdeling van de kinderen over de balanscategorieën is in deze editie niet volledig te publiceren."
        )
    text = say(
        "Van alle kinderen heeft {} geen risicofactoren. Bij {} ziet de JGZ wel risicofactoren, maar is extra "
        "aandacht niet nodig. Van de kinderen wordt {} met extra aandacht gevolgd terwijl het gezin in balans is, en "
        "bij {} is het gezin uit balans: de risico's groeien de ouders boven het hoofd.",
        show.pct(balance["geen_risicofactoren"]),
        show.pct(balance["risico_niet_gevolgd"]),
        show.pct(balance["gevolgd_in_balans"]),
        show.pct(balance["uit_balans"]),
    )
    if out_of_attention.published:
        text = say("{} Dat is {} van de kinderen met extra aandacht.", text, show.pct(out_of_attention))
    return text


def top_factors(factors: RateTable, k: int = 3) -> Shown:
    """The ``k`` most common published risk factors, by name."""
    ranked = sorted(((c, r) for c, r in factors if r.published and r.n), key=lambda item: (-item[1].n, item[0]))[:k]
    if not ranked:
        return Shown("Welke risicofactoren het meest voorkomen, is in deze editie niet te publiceren.")
    names = fmt.enumeration([fmt.lower_first(factors.label(c)) for c, _ in ranked])
    return Shown(f"De {'drie ' if len(ranked) == 3 else ''}meest voorkomende risicofactoren zijn: {names}.")


def most_common(factors: RateTable) -> Shown:
    """'Het vaakst gaat het om … (7,4% van alle kinderen).'"""
    ranked = sorted(((c, r) for c, r in factors if r.published and r.n), key=lambda item: (-item[1].n, item[0]))
    if not ranked:
        return Shown("Hoe vaak de risicofactoren voorkomen, is in deze editie niet te publiceren.")
    code, rate = ranked[0]
    return say(
        "Het vaakst gaat het om de risicofactor {} ({} van alle kinderen).",
        quoted(factors.label(code)),
        show.pct(rate, 1),
    )


def poverty_municipal(total125: Rate, total105: Rate, children) -> Shown:
    """The municipal shares at or below 125% and 105% of the social minimum."""
    if total125.status == Status.WITHHELD:
        return Shown(WITHHELD_TOTAL)
    if not total125.published or children.value is None:
        return Shown(
            "Hoeveel jonge kinderen in een huishouden met een laag inkomen opgroeien, "
            "is voor deze gemeente niet te publiceren."
        )
    text = say(
        "Van de {} kinderen van 0 tot 6 jaar groeit {} op in een huishouden met een inkomen tot 125% van het "
        "WSM: {} (95%-betrouwbaarheidsinterval {}).",
        show.number(children),
        show.one_in(total125),
        show.pct(total125, 1),
        show.interval(total125, 1),
    )
    if total105.published:
        text = say("{} Tot 105% van het WSM is dat {}.", text, show.pct(total105, 1))
    return text


def multiple_factors(total: Rate, followed: Rate, others: Rate) -> Shown:
    """How many children have two or more risk factors, with and without extra attention."""
    if not total.published:
        return Shown("Hoeveel kinderen twee of meer risicofactoren hebben, is in deze editie niet te publiceren.")
    text = say("Van alle kinderen heeft {} twee of meer risicofactoren.", show.pct(total))
    if followed.published and others.published:
        text = say(
            "{} Onder kinderen die met extra aandacht worden gevolgd is dat {}, onder de overige kinderen {}.",
            text,
            show.pct(followed),
            show.pct(others),
        )
    return text


def ranked(factors: RateTable, k: int) -> list[str]:
    """The ``k`` most common published risk factors, most common first."""
    published = [(c, r) for c, r in factors if r.published and r.n]
    return [c for c, _ in sorted(published, key=lambda item: (-item[1].n, factors.label(item[0])))[:k]]


def atlas_classes(atlas: Atlas) -> str:
    return (
        f"Een wijk heet hier hoger of lager als haar score meer dan {fmt.getal(atlas.margin, 1)} punt van het "
        "gemeentelijk gemiddelde afwijkt, anders vergelijkbaar. De atlas doet geen uitspraken over individuele "
        "mensen: een hogere score betekent een groter risico binnen de groep, niet dat alle ouders in de wijk "
        "kwetsbaar zijn."
    )


def levels_text(levels: RateTable) -> Shown:
    """The four levels of appendix 1 of the corona study, as shares of all children."""
    if not all(r.published for _, r in levels):
        return Shown("De verdeling over de niveaus van kwetsbaarheid is in deze editie niet volledig te publiceren.")
    return say(
        "Van alle kinderen van 0 tot en met 2 jaar is {} zelfredzaam, {} potentieel kwetsbaar, {} kwetsbaar en {} "
        "zeer kwetsbaar. Dat laatste is een ondergrens: acute psychiatrische problemen zijn in de registratie niet "
        "te onderscheiden van andere psychische problemen van een ouder. Tellen die allemaal als urgent, dan is {} "
        "zeer kwetsbaar.",
        show.pct(levels["zelfredzaam"], 1),
        show.pct(levels["potentieel_kwetsbaar"], 1),
        show.pct(levels["kwetsbaar"], 1),
        show.pct(levels["zeer_kwetsbaar"], 1),
        show.pct(levels["zeer_kwetsbaar_bovengrens"], 1),
    )


def practice_comparison(levels: RateTable, practice: dict[str, tuple[float, float]], source: str) -> Shown:
    """The practice estimates compared like for like: only the self-reliant share, with the
    differences between the two schemes said in words."""
    low, high = practice["zelfredzaam"]
    estimate = f"{fmt.getal(low)} tot {fmt.pct(high)}"
    text = (
        f"De JGZ-praktijk schat het aandeel zelfredzame gezinnen op {estimate} ({source}). Die schatting gaat over "
        "gezinnen, niet over kinderen, en berust op gesprekken met JGZ-medewerkers; ze gebruikt drie niveaus, waarin "
        "‘zeer kwetsbaar’ een opeenstapeling van risico's is en niet, zoals hierboven, een urgente risicofactor. "
        "Alleen het aandeel zelfredzaam is daarom te vergelijken"
    )
    share = levels["zelfredzaam"]
    if not share.published:
        return Shown(text + ".")
    where = "onder" if share.pct < low else "boven" if share.pct > high else "binnen"
    return say("{}: in deze editie {} van de kinderen, {} die bandbreedte.", text, show.pct(share), where)


def circular_factor(all_children: RateTable, without: RateTable) -> Shown:
    """'Low education' is a risk factor and the grouping variable at once: what that does to the
    share without any factor among children of low-educated parents."""
    with_factor, without_factor = all_children["geen"], without["geen"]
    if not (with_factor.published and without_factor.published):
        return Shown(
            "De risicofactor ‘lage opleiding’ is ook de indeling naar opleiding; het effect daarvan is in deze "
            "editie niet te publiceren."
        )
    return say(
        "Let op: ‘lage opleiding’ is zowel een risicofactor als de indeling zelf. Van de kinderen van laagopgeleide "
        "ouders heeft {} geen enkele risicofactor; laat je die ene factor weg, dan is dat {} ({}).",
        show.pct(with_factor, 1),
        show.pct(without_factor, 1),
        "zie de tabel zonder deze factor",
    )


def followed_factors(table: RateTable, k: int = 3) -> Shown:
    """The risk factors with which children are most often followed with extra attention."""
    ranked = sorted(((c, r) for c, r in table if r.published), key=lambda item: (-item[1].pct, item[0]))[:k]
    if not ranked:
        return Shown("Per risicofactor is het aandeel kinderen met extra aandacht in deze editie niet te publiceren.")
    parts = show.join([say("{} ({})", quoted(table.label(c)), show.pct(r, 1)) for c, r in ranked], last=" en ")
    return say(
        "Van de kinderen met een bepaalde risicofactor volgt de JGZ vooral die met de risicofactor {} met extra "
        "aandacht.",
        parts,
    )


def district_comparison(comparisons: dict, districts: RateTable) -> Shown:
    """Which districts differ significantly from the rest of the municipality (Holm-corrected)."""
    if not comparisons:
        return Shown("Een vergelijking van de wijken met de rest van de gemeente is in deze editie niet te publiceren.")
    parts = []
    for verdict in ("hoger", "lager"):
        names = [districts.label(code) for code, c in comparisons.items() if c.verdict == verdict]
        if names:
            parts.append(f"{verdict} in {fmt.enumeration(names)}")
    if not parts:
        return Shown(
            f"Geen van de {fmt.telwoord(len(comparisons))} vergeleken wijken wijkt aantoonbaar af van de rest van de "
            "gemeente."
        )
    return Shown(
        f"Vergeleken met de rest van de gemeente is het aandeel aantoonbaar {' en '.join(parts)} "
        f"(van {fmt.telwoord(len(comparisons))} vergeleken wijken; toets met correctie voor het aantal vergelijkingen)."
    )


def interaction(model: Regression | None, origin: Classification = MIGRATIEACHTERGROND) -> Shown:
    if model is None or model.interaction is None:
        return Shown(
            f"Of de samenhang met opleiding verschilt naar {origin.name} (interactie), is met deze gegevens niet "
            "te toetsen."
        )
    verdict = "wel" if model.interaction.p < ALPHA else "niet"
    test = "Wald-toets met clustergecorrigeerde variantie" if model.clustered else "likelihood-ratio-toets"
    return say(
        "De samenhang met opleiding verschilt {} aantoonbaar naar {} (interactie: {}, {}).",
        verdict,
        Shown(origin.name),
        test,
        _chi_square(model.interaction, model.interaction_dof),
    )


def ranked_by_share(table: RateTable) -> list[str]:
    """The categories by published share, highest first; unpublished ones last, by name."""
    return sorted((c for c, _ in table), key=lambda c: (table[c].pct is None, -(table[c].pct or 0), table.label(c)))


def poverty_source(rounded: bool, total: bool, table: RateTable) -> str:
    """What the poverty figures rest on, said of this edition's own file: counts rounded at source,
    the source's own municipal total, and districts whose figures the source did not deliver."""
    parts = []
    if rounded:
        parts.append(
            "De aantallen in het armoedebestand zijn afgerond op vijftallen, zoals CBS ze levert; een percentage "
            "daaruit kan daardoor iets afwijken van het percentage over de werkelijke aantallen, het meest in kleine "
            "wijken."
        )
    else:
        parts.append("De aantallen in het armoedebestand zijn niet afgerond.")
    if total:
        parts.append(
            "Het cijfer voor de gemeente komt uit de totaalrij van de bron zelf; daarin tellen ook kinderen mee die "
            "niet aan een wijk zijn toegekend."
        )
    withheld = [table.label(code) for code, rate in table if rate.status == Status.WITHHELD]
    if withheld:
        parts.append(f"Niet geleverd door de bron: de cijfers van {fmt.enumeration(withheld)}.")
    return " ".join(parts)


def sensitivity(found: Sensitivity, names: dict[str, str]) -> Shown:
    """With many 'onbekend': how large that group is, and what the end groups' rates would be if
    every child with 'onbekend' belonged there (published numbers only; ``names``: the groups' labels)."""
    column = {"opleiding_ouders": "de opleiding van de ouders"}.get(found.variable, f"de {found.variable}")
    text = say(
        "Bij {}% van de kinderen is {} onbekend: meer dan 15%, en wie onbekend is, is meestal niet willekeurig.",
        show.estimate(found.share, 0),
        column,
    )
    if not found.scenarios:
        return say("{} Hoe de percentages dan zouden liggen, is in deze editie niet te publiceren.", text)
    parts = [
        say(
            "hoorden zij allemaal bij ‘{}’, dan kreeg daar {}% extra aandacht in plaats van {}",
            labels.in_sentence(names.get(category, category)),
            show.estimate(estimate, 0),
            show.pct(rate),
        )
        for category, rate, estimate in found.scenarios
    ]
    return say("{} Ter vergelijking: {}.", text, show.join(parts, "; "))


def family_levels(table: RateTable) -> Shown:
    """The four levels counted per family, each family at the highest level of its children; the
    levels that may not be published are named as such."""
    rates = dict(iter(table))
    total = next((r for r in rates.values() if r.noemer is not None), None)
    if total is None:
        return Shown("De verdeling van de gezinnen over de niveaus is in deze editie niet te publiceren.")
    shown = [say("{} {}", show.pct(r, 1), labels.LEVELS[level].lower()) for level, r in rates.items() if r.published]
    text = say(
        "Per gezin geteld, met elk gezin op het hoogste niveau van zijn kinderen: van de {} gezinnen is {}.",
        show.number(total, "noemer"),
        show.join(shown, last=" en ") if shown else "geen niveau te publiceren",
    )
    hidden = [labels.LEVELS[level].lower() for level, r in rates.items() if not r.published]
    if hidden:
        text = say(
            "{} Het aandeel {} is niet te publiceren, om kleine groepen te beschermen.", text, fmt.enumeration(hidden)
        )
    return text


def cbs_low_income(facts: CbsFacts, poverty: RateTable) -> Shown:
    """Where CBS counts the most households with a low income, and whether child poverty is
    highest there too."""
    with_value = [(row, row.get("pct_hh_laag_inkomen")) for row in facts.rows]
    with_value = [(row, e) for row, e in with_value if e is not None]
    if not with_value:
        return Shown("CBS levert voor deze wijken (nog) geen cijfers over huishoudens met een laag inkomen.")
    row, highest = max(with_value, key=lambda item: item[1].value)
    text = say(
        "Volgens CBS heeft {} het grootste aandeel huishoudens met een laag inkomen ({}%).",
        row.name,
        show.estimate(highest, 1),
    )
    published = [(code, r) for code, r in poverty if r.published]
    if published:
        top, rate = max(published, key=lambda item: item[1].pct)
        where = "Daar is ook" if top == row.code else f"In {poverty.label(top)} is"
        text = say(
            "{} {} het aandeel jonge kinderen in armoede het hoogst ({} van de kinderen van 0 tot 6 jaar tot 125% "
            "van het WSM).",
            text,
            where,
            show.pct(rate),
        )
    return text


def change_summary(changes: tuple, before: int) -> Shown:
    """Which headline figures changed demonstrably since the previous edition ('gestegen' and
    'gedaald' only for a change whose 95% interval excludes zero)."""
    moved = [ch for ch in changes if ch.significant]
    compared = [ch for ch in changes if ch.difference is not None]
    if not compared:
        return Shown(f"Geen van de kerncijfers is met {before} te vergelijken zonder de privacyregels te breken.")
    if not moved:
        return say(
            "Geen van de {} vergeleken kerncijfers is aantoonbaar veranderd sinds {}; de verschillen vallen binnen "
            "wat bij toeval te verwachten is.",
            fmt.telwoord(len(compared)),
            str(before),
        )
    parts = [
        say(
            "“{}” is {} van {} naar {} ({} procentpunt, 95%-interval {})",
            ch.label,
            ch.direction,
            show.pct(ch.previous, 1),
            show.pct(ch.current, 1),
            show.estimate(ch.difference, 1),
            show.estimate_interval(ch.difference, 1),
        )
        for ch in moved
    ]
    rest = len(compared) - len(moved)
    others = " De andere {} vergeleken kerncijfers zijn niet aantoonbaar veranderd."
    tail = say(others, fmt.telwoord(rest)) if rest else ""
    return say("Sinds {}: {}.{}", str(before), show.join(parts, "; "), tail)


def district_change_summary(changes: tuple, before: int) -> Shown:
    """In which compared districts child poverty changed demonstrably since the previous edition."""
    compared = [ch for ch in changes if ch.difference is not None]
    if not compared:
        return Shown(f"Geen wijk is met {before} te vergelijken zonder de privacyregels te breken.")
    words = {d: [ch.label for ch in compared if ch.significant and ch.direction == d] for d in ("gestegen", "gedaald")}
    parts = [f"{direction} in {fmt.enumeration(names)}" for direction, names in words.items() if names]
    moved = sum(len(names) for names in words.values())
    if not parts:
        return say(
            "In geen van de {} vergeleken wijken is het aandeel kinderen in armoede aantoonbaar veranderd sinds {}.",
            fmt.telwoord(len(compared)),
            str(before),
        )
    rest = len(compared) - moved
    tail = f"; in de andere {fmt.telwoord(rest)} vergeleken wijken niet" if rest else ""
    return Shown(f"Sinds {before} is het aandeel kinderen in armoede aantoonbaar {', en '.join(parts)}{tail}.")


def blank_cells(empty: RateTable) -> Shown:
    """How many cells of education and origin the export left empty (read as 'onbekend')."""
    parts = []
    for column, rate in empty:
        if rate.n == 0:
            amount: Shown | str = "geen"
        elif rate.n is None:
            amount = "een klein aantal"
        else:
            amount = say("{} ({} van de kinderen)", show.number(rate, "n"), show.pct(rate, 1))
        parts.append(say("in {} {}", column, amount))
    return say("Lege cellen in de export van deze editie, gelezen als onbekend: {}.", show.join(parts, last=" en "))


def families_note(families: bool) -> str:
    """Whether the intervals and the model allow for siblings (with gezin_id) or cannot."""
    if families:
        return (
            "De export koppelt kinderen aan hun gezin (gezin_id), en daar is rekening mee gehouden: elk interval "
            "gebruikt de clustergecorrigeerde variantie van het percentage over gezinnen (statsmodels), omgerekend "
            "naar een effectief aantal kinderen voor het Wilson-interval, en het regressiemodel gebruikt "
            "clustergecorrigeerde standaardfouten. De intervallen zijn daardoor breder dan bij kinderen die los van "
            "elkaar zouden staan. De vier niveaus van kwetsbaarheid staan ook per gezin, elk gezin op het hoogste "
            "niveau van zijn kinderen."
        )
    return (
        "De export van deze editie heeft geen gezinsnummer (gezin_id), dus daar kan niet voor gecorrigeerd worden: "
        "de intervallen zijn daardoor wat te smal."
    )


def age_note(peildatum) -> str:
    """How the age of a child was known: as given, or computed at the reference date."""
    if peildatum is None:
        return "De export geeft de leeftijd van elk kind in voltooide jaren."
    return (
        f"De export geeft geboortedata; de leeftijd is berekend in voltooide jaren op de peildatum "
        f"{fmt.datum(peildatum)}. Kinderen die op die datum geen 0 tot en met 2 jaar waren, zijn weggelaten, met hun "
        "risicofactoren."
    )


def codes_note(local_codes: int) -> str:
    """Whether the export used the catalogue's codes or its own, mapped by a koppeltabel."""
    if not local_codes:
        return "De risicofactoren staan in de export in de codes van de catalogus."
    return (
        f"De export gebruikt eigen codes voor risicofactoren; een koppeltabel (parameter koppeltabel) vertaalt de "
        f"{fmt.telwoord(local_codes)} gebruikte codes naar de catalogus."
    )
