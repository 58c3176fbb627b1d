"""Provenance of an edition: parameters, input fingerprints, versions, git state, disclosure
control and timings.

``provenance.json`` holds all of it; the book's provenance page holds what does not change
between two builds of the same inputs (no times), so that the book itself is reproducible to
the byte. Neither holds a path of the build machine or the size of an input file.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path, PurePath

from kansrijk import fmt, myst
from kansrijk.myst import Myst
from kansrijk.params import Edition
from kansrijk.paths import ROOT
from kansrijk.pipeline.execute import ChapterRun
from kansrijk.pipeline.fingerprint import versions
from kansrijk.publication import Publication

PATH_KEYS = ("data", "grenzen")


def git_state(root: Path = ROOT) -> dict[str, object]:
    """The commit of the checkout and whether its tree differs from it (``None`` outside git)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "gewijzigd": None}
    return {"commit": commit, "gewijzigd": bool(status.strip())}


def _parameters(edition: Edition) -> dict:
    """The parameters as published: a path shows only its last part (no folder of the build machine)."""
    values = edition.params.model_dump(mode="json")
    for key in PATH_KEYS:
        if values.get(key):
            values[key] = PurePath(values[key]).name
    return values


def collect(
    edition: Edition, publication: Publication, runs: list[ChapterRun], start: datetime, end: datetime, key: str
) -> dict:
    return {
        "editie": edition.slug,
        "parameterbestand": edition.param_file.name,
        "parameters": _parameters(edition),
        "invoer": [{"bestand": f.name, "sha256": f.sha256} for f in publication.edition.files],
        "onthulling": {
            "min_cel": publication.edition.min_cel,
            "min_noemer": publication.edition.min_noemer,
            "onderdrukt": publication.suppressed,
        },
        "software": versions(),
        "git": git_state(),
        "start": start.isoformat(timespec="seconds"),
        "einde": end.isoformat(timespec="seconds"),
        "hoofdstukken": [{"notebook": r.name, "seconden": round(r.seconds, 2), "uit_cache": r.cached} for r in runs],
        "cache_sleutel": key,
    }


def write(provenance: dict, path: Path) -> None:
    path.write_text(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def page(provenance: dict) -> str:
    """The book's provenance page (MyST), every value escaped; no times, so that two builds of
    the same inputs give the same page."""
    git = provenance["git"]
    commit = git["commit"] or "onbekend (geen git-checkout)"
    dirty = {True: "ja", False: "nee", None: "onbekend"}[git["gewijzigd"]]
    suppressed = provenance["onthulling"]["onderdrukt"]
    lines: list[str] = [
        "# Herkomst van deze editie",
        "",
        "Deze pagina legt vast waarmee deze editie is gemaakt, zodat een beoordelaar elke uitkomst kan "
        "herleiden en herhalen. Dezelfde gegevens staan machineleesbaar in `provenance.json` naast het boek, "
        "met de tijden van de uitvoering; de uitgevoerde notebooks staan in de map `notebooks/` en elk "
        "gepubliceerd getal, met de plek waar het staat en de cel die het berekende, in `cijfers.json`.",
        "",
        "## Parameters",
        "",
        myst.table(
            ["Sleutel", "Waarde"],
            [[k, _cell(v)] for k, v in _flatten(provenance["parameters"]).items()],
            [False, False],
        ),
        "",
        "## Invoerbestanden",
        "",
        myst.table(["Bestand", "SHA-256"], [[f["bestand"], f["sha256"]] for f in provenance["invoer"]], [False, False]),
        "",
        "## Onthullingscontrole",
        "",
        myst.render(
            "Weggelaten omdat ze te klein zijn: {primary}; weggelaten omdat ze anders terug te rekenen "
            "zouden zijn: {secondary}.",
            primary=fmt.aantal(suppressed["primair_onderdrukt"], "getal", "getallen"),
            secondary=fmt.aantal(suppressed["secundair_onderdrukt"], "getal", "getallen"),
        ),
        "",
        "## Software",
        "",
        myst.table(["Pakket", "Versie"], [[k, v] for k, v in provenance["software"].items()], [False, False]),
        "",
        "## Uitvoering",
        "",
        myst.render(
            "Git-commit: {commit}; werkkopie gewijzigd ten opzichte van die commit: {dirty}.",
            commit=commit,
            dirty=dirty,
        ),
    ]
    return "\n".join(str(line) if isinstance(line, Myst) else line for line in lines) + "\n"


def _flatten(values: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _cell(value: object) -> str:
    if value is None:
        return "(geen)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)
