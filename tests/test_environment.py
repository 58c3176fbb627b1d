"""One dependency list: environment.yml carries exactly pyproject.toml's ranges."""

from __future__ import annotations

import re
import tomllib

import yaml

from kansrijk.paths import ROOT


def _split(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec.strip()).groups()
    return name.lower(), version.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(s) for s in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(
        _split(s)
        for s in env["dependencies"]
        if isinstance(s, str) and s not in ("pip",) and not s.startswith("python=")
    )
    pip = dict(
        _split(s) for d in env["dependencies"] if isinstance(d, dict) for s in d["pip"] if not s.startswith("-e")
    )
    assert conda | pip == wanted


def test_lock_pins_every_dependency_within_its_range():
    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(s) for s in project["dependencies"] + project["optional-dependencies"]["test"])
    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            locked[name.lower().replace("_", "-")] = version
    for name, spec in wanted.items():
        assert name in locked, f"{name} is not in requirements.lock"
        assert locked[name] in SpecifierSet(spec), f"{name}=={locked[name]} outside {spec}"
