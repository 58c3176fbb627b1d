"""Provenance of an edition: parameters, input fingerprints, versions, git state and timings."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

from kansrijk import fmt
from kansrijk.build.execute import ChapterRun
from kansrijk.build.fingerprint import versions
from kansrijk.params import Edition
from kansrijk.paths import ROOT
from kansrijk.validation import InputFile


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


def collect(
    edition: Edition,
    inputs: tuple[InputFile, ...],
    runs: list[ChapterRun],
    start: datetime,
    end: datetime,
    key: str,
) -> dict:
    return {
        "editie": edition.slug,
        "parameterbestand": str(edition.param_file),
        "parameters": edition.params.model_dump(mode="json"),
        "invoer": [{"bestand": f.name, "sha256": f.sha256, "rijen": f.rows, "kolommen": f.columns} for f in inputs],
        "software": versions(),
        "git": git_state(),
        "start": start.isoformat(timespec="seconds"),
        "einde": end.isoformat(timespec="seconds"),
        "hoofdstukken": [{"notebook": r.name, "seconden": round(r.seconds, 2)} for r in runs],
        "cache_sleutel": key,
        "uitgevoerd": True,
    }


def write(provenance: dict, path: Path) -> None:
    path.write_text(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def page(provenance: dict) -> str:
    """The book's provenance page (MyST Markdown), written from the provenance itself."""
    git = provenance["git"]
    commit = git["commit"] or "onbekend (geen git-checkout)"
    dirty = {True: "ja", False: "nee", None: "onbekend"}[git["gewijzigd"]]
    lines = [
        "# Herkomst van deze editie",
        "",
        "Deze pagina legt vast waarmee deze editie is gemaakt, zodat een beoordelaar elke uitkomst kan "
        "herleiden en herhalen. Dezelfde gegevens staan machineleesbaar in `provenance.json` naast het boek; "
        "de uitgevoerde notebooks staan in de map `notebooks/`.",
        "",
        "## Parameters",
        "",
        "| sleutel | waarde |",
        "|:---|:---|",
    ]
    for key, value in _flatten(provenance["parameters"]).items():
        lines.append(f"| `{key}` | {_cell(value)} |")
    lines += ["", "## Invoerbestanden", "", "| bestand | rijen | kolommen | SHA-256 |", "|:---|---:|---:|:---|"]
    for f in provenance["invoer"]:
        lines.append(f"| {f['bestand']} | {fmt.getal(f['rijen'])} | {f['kolommen']} | `{f['sha256']}` |")
    lines += ["", "## Software", "", "| pakket | versie |", "|:---|:---|"]
    for name, value in provenance["software"].items():
        lines.append(f"| {name} | {value} |")
    lines += [
        "",
        "## Uitvoering",
        "",
        f"- Git-commit: `{commit}`; werkkopie gewijzigd ten opzichte van die commit: {dirty}.",
        f"- Gestart: {provenance['start']}; klaar met uitvoeren: {provenance['einde']}.",
        "",
        "| hoofdstuk (notebook) | duur (seconden) |",
        "|:---|---:|",
    ]
    for run in provenance["hoofdstukken"]:
        lines.append(f"| {run['notebook']} | {fmt.getal(run['seconden'], 1)} |")
    return "\n".join(lines) + "\n"


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
    return str(value).replace("|", "\\|")
