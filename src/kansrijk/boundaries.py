"""District boundaries: extract one municipality from a national CBS district layer, and check
an edition's boundary file."""

from __future__ import annotations

import json
from pathlib import Path

from kansrijk.problems import Problem
from kansrijk.synth.facts import district_name


def extract(gemeentecode: str, source: Path, target: Path) -> int:
    """Write the districts of ``gemeentecode`` from ``source`` (GeoJSON with properties
    ``wijkcode``, ``wijknaam``, ``gemeentecode``) to ``target``; return how many."""
    layer = json.loads(source.read_text(encoding="utf-8"))
    features = [
        {
            "type": "Feature",
            "properties": {
                "wijk_code": f["properties"]["wijkcode"],
                "wijk_naam": district_name(f["properties"]["wijknaam"]),
            },
            "geometry": f["geometry"],
        }
        for f in layer["features"]
        if f["properties"].get("gemeentecode") == gemeentecode
    ]
    if not features:
        raise ValueError(f"{source.name} bevat geen wijken van {gemeentecode}")
    features.sort(key=lambda f: f["properties"]["wijk_code"])
    target.parent.mkdir(parents=True, exist_ok=True)
    collection = {
        "type": "FeatureCollection",
        "bron": f"CBS Wijk- en buurtkaart, uit {source.name}",
        "features": features,
    }
    target.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(features)


def check(path: Path, district_codes: set[str]) -> list[Problem]:
    """Problems with a boundary file: not GeoJSON, no district code property, districts missing."""
    name = path.name
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return [Problem(name, None, "geen GeoJSON FeatureCollection in UTF-8")]
    codes = {
        (f.get("properties") or {}).get("wijk_code") or (f.get("properties") or {}).get("wijkcode") for f in features
    }
    codes.discard(None)
    if not codes:
        return [Problem(name, "wijk_code", "geen wijk heeft de eigenschap wijk_code of wijkcode")]
    missing = sorted(district_codes - codes)
    if missing:
        return [
            Problem.with_examples(
                name, "wijk_code", "wijken uit wijken.csv zonder grens", range(1, len(missing) + 1), missing
            )
        ]
    return []
