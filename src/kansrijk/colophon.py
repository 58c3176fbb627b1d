"""The colophon of an edition (who publishes it, when, which version) and its accessibility
statement: two generated pages and the footer of every page.

The values come from the parameter file (``uitgever``, ``contact``, ``publicatiedatum``,
``versie``); they are text from outside, so the pages escape them (:mod:`kansrijk.myst`) and the
footer template escapes them too. Nothing here depends on the time of the build: the same
parameters give the same pages.
"""

from __future__ import annotations

from kansrijk import fmt, myst
from kansrijk.params import Edition

NOT_GIVEN = "niet opgegeven"
DEFAULT_PUBLISHER = "Uitgever niet opgegeven"
SERIES = "Kinderen en gezinnen in kwetsbare situaties"
BANNER = (
    "Synthetische gegevens: deze editie is gemaakt met nagebootste gegevens om de methode te tonen. "
    "De cijfers beschrijven geen echte kinderen."
)  # on every page of a synthetic edition, its summary, colophon, downloads and the cover of its PDF
MARGIN_NOTICE = "Synthetische gegevens: de cijfers beschrijven geen echte kinderen"  # one line in a page margin


def title(edition: Edition) -> str:
    """The edition's title: the series, the municipality and the year."""
    return f"{SERIES} – {edition.params.gemeente} {edition.params.jaar}"


def date_text(edition: Edition) -> str | None:
    """The publication date as Dutch readers write it (23 november 2026), if one is given."""
    d = edition.params.publicatiedatum
    return fmt.datum(d) if d else None


def footer(edition: Edition, pdf: str | None = None) -> dict[str, str | None]:
    """What every page's footer shows (``html_context``; the template escapes each value)."""
    p = edition.params
    return {
        "uitgever": p.uitgever or DEFAULT_PUBLISHER,
        "publicatiedatum": date_text(edition),
        "versie": p.versie,
        "pdf": pdf,
    }


def rows(edition: Edition) -> list[tuple[str, str]]:
    """The colophon's facts, as plain text (the page and the PDF escape them)."""
    p = edition.params
    data = (
        BANNER
        if p.synthetisch
        else "Registratie van de jeugdgezondheidszorg (JGZ) en inkomensstatistiek van deze gemeente."
    )
    return [
        ("Titel", title(edition)),
        ("Uitgever", p.uitgever or NOT_GIVEN),
        ("Contact", p.contact or NOT_GIVEN),
        ("Publicatiedatum", date_text(edition) or NOT_GIVEN),
        ("Versie", p.versie or NOT_GIVEN),
        ("Gegevens", data),
        ("Gemaakt met", "Kansrijk, een reproduceerbare rapportreeks (Python, Jupyter Book)"),
    ]


def page(edition: Edition) -> str:
    """The colophon page (MyST)."""
    p = edition.params
    return "\n".join(
        [
            "# Colofon",
            "",
            "Deze editie hoort bij de reeks *" + SERIES + "*: één editie per gemeente en jaar, met dezelfde "
            "hoofdstukken, definities en regels voor de bescherming van kleine groepen.",
            "",
            myst.table(["Onderdeel", "Gegevens"], [list(row) for row in rows(edition)], [False, False]),
            "",
            "Hoe de cijfers zijn berekend, staat in {doc}`methode`; waarmee deze editie is gemaakt (invoerbestanden, "
            "software, versies), staat in {doc}`herkomst`. De uitgevoerde notebooks en alle gepubliceerde getallen "
            "staan naast het boek, in de map van deze editie.",
            "",
            myst.render(
                "Overname van cijfers is toegestaan met bronvermelding: {title}{publisher}.",
                title=title(edition),
                publisher=f", {p.uitgever}" if p.uitgever else "",
            ),
        ]
    )


def accessibility(edition: Edition) -> str:
    """The accessibility statement (toegankelijkheidsverklaring), after the Dutch model for public
    bodies: what was tested, how, what is known not to work, and whom to tell."""
    p = edition.params
    contact = (
        myst.render("Loopt u tegen een probleem aan? Meld het bij {contact}.", contact=p.contact)
        if p.contact
        else "Loopt u tegen een probleem aan? Meld het bij de uitgever van deze editie (zie {doc}`colofon`)."
    )
    return "\n".join(
        [
            "# Toegankelijkheid",
            "",
            myst.render(
                "{publisher} wil dat iedereen deze publicatie kan lezen, ook met een schermlezer, alleen met het "
                "toetsenbord, op een telefoon of op papier.",
                publisher=p.uitgever or "De uitgever",
            ),
            "",
            "## Wat is getoetst",
            "",
            "De pagina's van de reeks worden automatisch getoetst aan de succescriteria van WCAG 2.1 op niveau A en "
            "AA, met axe-core in een echte browser, op een breed scherm (1280 pixels) en een telefoonscherm (390 "
            "pixels); de reeks wordt alleen uitgebracht als die toets geen fouten vindt. Een "
            "automatische toets vindt niet alles: een handmatige toets door een deskundige is nog niet gedaan. "
            "Deze editie voldoet daarom gedeeltelijk aan de eisen.",
            "",
            "## Bekende beperkingen",
            "",
            "- Figuren zijn afbeeldingen. Elke figuur heeft een tekstalternatief met de belangrijkste uitkomst, en "
            "de getallen staan ook in een tabel of in de tekst.",
            "- Kaarten gebruiken kleur; de wijken staan met hun waarde ook in een tabel.",
            "- De tabellen zijn ook te downloaden als CSV-bestand.",
            "",
            "## Contact",
            "",
            contact,
        ]
    )
