"""District boundaries: extract one municipality from a national CBS district layer, and check
an edition's boundary file."""

from __future__ import annotations

import json
from pathlib import Path

from kansrijk.problems import InputError, Problem
from kansrijk.synth.facts import district_name


def _features(source: Path) -> list[dict]:
    """The features of a GeoJSON FeatureCollection; anything else is an input error."""
    try:
        layer = json.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError([Problem(source.name, None, f"kan het bestand niet lezen: {error.strerror}")]) from None
    except (ValueError, UnicodeDecodeError):
        raise InputError([Problem(source.name, None, "geen GeoJSON in UTF-8")]) from None
    features = layer.get("features") if isinstance(layer, dict) else None
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise InputError([Problem(source.name, None, "geen GeoJSON FeatureCollection (een object met 'features')")])
    return features


def extract(gemeentecode: str, source: Path, target: Path) -> int:
    """Write the districts of ``gemeentecode`` from ``source`` (GeoJSON with properties
    ``wijkcode``, ``wijknaam``, ``gemeentecode``) to ``target``; return how many."""
    features = []
    for f in _features(source):
        properties = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        if properties.get("gemeentecode") != gemeentecode:
            continue
        if not isinstance(properties.get("wijkcode"), str) or not isinstance(f.get("geometry"), dict):
            raise InputError([Problem(source.name, "wijkcode", "een wijk zonder wijkcode of geometrie")])
        name = district_name(str(properties.get("wijknaam") or properties["wijkcode"]))
        features.append(
            {
                "type": "Feature",
                "properties": {"wijk_code": properties["wijkcode"], "wijk_naam": name},
                "geometry": f["geometry"],
            }
        )
    if not features:
        raise InputError([Problem(source.name, None, f"bevat geen wijken van {gemeentecode}")])
    features.sort(key=lambda f: f["properties"]["wijk_code"])
    target.parent.mkdir(parents=True, exist_ok=True)
    collection = {
        "type": "FeatureCollection",
        "bron": f"CBS Wijk- en buurtkaart, uit {source.name}",
        "features": features,
    }
    try:
        target.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise InputError([Problem(str(target), None, f"kan niet schrijven: {error.strerror}")]) from None
    return len(features)


def check(path: Path, district_codes: set[str]) -> list[Problem]:
    """Problems with a boundary file: not GeoJSON, no district code property, districts missing."""
    name = path.name
    try:
        features = _features(path)
    except InputError as error:
        return error.problems
    codes = set()
    for f in features:
        properties = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        code = properties.get("wijk_code") or properties.get("wijkcode")
        if isinstance(code, str):
            codes.add(code)
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
