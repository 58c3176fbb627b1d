from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from kansrijk.paths import ROOT


@pytest.fixture
def runner() -> CliRunner:
    # Wide enough that the report's table cells are never wrapped mid-sentence.
    return CliRunner(env={"COLUMNS": "300"})


@pytest.fixture
def root() -> Path:
    return ROOT
