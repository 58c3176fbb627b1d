from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
# The tests build without a warm fork server (kansrijk.pipeline.warm): a build's processes are then
# all its own, and end with it; tests/test_warm.py asks for one where it is tested.
os.environ["KANSRIJK_WARM"] = "0"

from kansrijk.paths import ROOT


@pytest.fixture
def runner() -> CliRunner:
    # Wide enough that the report's table cells are never wrapped mid-sentence.
    return CliRunner(env={"COLUMNS": "300"})


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def utrecht_book(tmp_path_factory) -> Path:
    """The Utrecht edition (2019, slug ``utrecht``), its next edition (``utrecht-2023``, with the
    chapter on what changed) and the landing page, built once into a temporary book folder; with
    district maps when the CBS layer is beside the checkout."""
    import yaml

    from kansrijk.boundaries import extract
    from kansrijk.cli import app
    from kansrijk.paths import PARAMS, SHARED_DATA

    folder = tmp_path_factory.mktemp("utrecht")
    params = yaml.safe_load((PARAMS / "utrecht-2019.yml").read_text(encoding="utf-8"))
    layer = SHARED_DATA / "cbs" / "wijken_2024.geojson"
    if layer.is_file():
        extract("GM0344", layer, folder / "grenzen.geojson")
        params["grenzen"] = str(folder / "grenzen.geojson")
    param_file = folder / "utrecht.yml"
    param_file.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    later = yaml.safe_load((PARAMS / "utrecht-2023.yml").read_text(encoding="utf-8"))
    later.update(grenzen=params.get("grenzen"), vorige="utrecht")
    later_file = folder / "utrecht-2023.yml"
    later_file.write_text(yaml.safe_dump(later, allow_unicode=True), encoding="utf-8")
    book = folder / "boek"
    command = ["build", str(param_file), str(later_file), "--book-dir", str(book), "--quiet"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    return book
