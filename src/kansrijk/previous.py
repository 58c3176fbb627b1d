"""The previous edition of a municipality, as the data contract finds it.

``vorige`` in a parameter file names it: a slug is looked up in the parameter file's own folder,
a path is taken relative to that folder. Without ``vorige``, the previous edition is the one in
that folder with the same ``gemeentecode`` and the latest earlier ``jaar``. A ``vorige`` that
names nothing, another municipality or a year that is not earlier is an input error (exit 2);
finding nothing when ``vorige`` is absent is not (a first edition has no previous one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kansrijk import yamlfile
from kansrijk.params import Edition, load_edition, resolve_path
from kansrijk.problems import InputError, Problem
from kansrijk.text import slug_problem

if TYPE_CHECKING:  # validation needs pandas; a build that finds nothing changed does not import it
    from kansrijk.validation import EditionData, InputFile


def _named(edition: Edition, ref: str) -> Path:
    folder = edition.param_file.parent
    if slug_problem(ref) is None:  # a slug: a file beside this one
        return folder / f"{ref}.yml"
    return (folder / Path(ref).expanduser()).resolve()


def _found(edition: Edition) -> Path | None:
    """The sibling parameter file with the same municipality and the latest earlier year."""
    code, year = edition.params.gemeentecode, edition.params.jaar
    candidates: list[tuple[int, Path]] = []
    for path in sorted(edition.param_file.parent.glob("*.yml")):
        if path.resolve() == edition.param_file.resolve():
            continue
        try:
            raw = yamlfile.load(path)
        except (yamlfile.YamlError, OSError):
            continue  # another edition's broken file is that edition's problem
        same = isinstance(raw, dict) and raw.get("gemeentecode") == code and isinstance(raw.get("jaar"), int)
        if same and raw["jaar"] < year:
            candidates.append((raw["jaar"], path))
    if not candidates:
        return None
    latest = max(y for y, _ in candidates)
    paths = [p for y, p in candidates if y == latest]
    if len(paths) > 1:
        names = ", ".join(p.name for p in paths)
        raise InputError(
            [Problem(str(edition.param_file), "vorige", f"meer dan één editie van {latest} gevonden ({names}): "
                     "noem de vorige editie met 'vorige'")]
        )  # fmt: skip
    return paths[0]


def previous_edition(edition: Edition) -> Edition | None:
    """The previous edition, validated; ``None`` for a first edition."""
    file = str(edition.param_file)
    ref = edition.params.vorige
    if ref is None:
        path = _found(edition)
        return load_edition(path) if path else None
    path = _named(edition, ref)
    if not path.is_file():
        raise InputError([Problem(file, "vorige", "de vorige editie bestaat niet", 1, (), (ref,))])
    previous = load_edition(path)
    if previous.params.gemeentecode != edition.params.gemeentecode:
        rule = f"de vorige editie is van een andere gemeente ({previous.params.gemeentecode})"
        raise InputError([Problem(file, "vorige", rule, 1, (), (ref,))])
    if previous.params.jaar >= edition.params.jaar:
        rule = f"de vorige editie moet van een eerder jaar zijn dan {edition.params.jaar} (is {previous.params.jaar})"
        raise InputError([Problem(file, "vorige", rule, 1, (), (ref,))])
    return previous


@dataclass(frozen=True)
class Previous:
    """The previous edition with its validated inputs, and how districts map onto it."""

    edition: Edition
    data: EditionData
    link: dict[str, str]  # this edition's district code -> the previous edition's, from wijk_koppeling
    files: tuple[InputFile, ...]  # the previous edition's inputs and the link file: they enter the cache key


def previous_parameters(edition: Edition) -> Edition | None:
    """The previous edition's parameters, checked, without its inputs; ``None`` for a first
    edition (a ``wijk_koppeling`` then has nothing to link to: an input error)."""
    previous = previous_edition(edition)
    if previous is None and edition.params.wijk_koppeling is not None:
        rule = "er is geen vorige editie om de wijken aan te koppelen (zie 'vorige')"
        raise InputError(
            [Problem(str(edition.param_file), "wijk_koppeling", rule, 1, (), (edition.params.wijk_koppeling,))]
        )
    return previous


def load_previous(edition: Edition, data: EditionData) -> Previous | None:
    """The previous edition and its inputs, validated, with the parameter ``wijk_koppeling``;
    ``None`` for a first edition."""
    from kansrijk.validation import load_edition_data

    previous = previous_parameters(edition)
    if previous is None:
        return None
    before = load_edition_data(previous)
    link, link_file = district_link(edition, before, data)
    return Previous(previous, before, link, before.files + link_file)


def district_link(edition: Edition, before: EditionData, data: EditionData) -> tuple[dict[str, str], tuple]:
    """``wijk_koppeling``, validated against both editions' districts (empty when not given),
    and the link file's fingerprint."""
    ref = edition.params.wijk_koppeling
    if ref is None:
        return {}, ()
    path = resolve_path(ref)
    if not path.is_file():
        raise InputError(
            [Problem(str(edition.param_file), "wijk_koppeling", "het bestand bestaat niet", 1, (), (ref,))]
        )
    from kansrijk.validation import load_district_link

    link, link_file = load_district_link(path, set(before.wijken["wijk_code"]), set(data.wijken["wijk_code"]))
    return link, (link_file,)
