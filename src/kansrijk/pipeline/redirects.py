"""Redirects from slugs the series once published under to the editions' slugs with a year.

Until editions carried their year, the demo editions were published as ``utrecht`` and
``enschede``. Links to those pages keep working: each old page sends the reader to the same page
of the edition under its new slug.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from html import escape
from pathlib import Path

from kansrijk.paths import PARAMS

MOVED = {"utrecht": "utrecht-2019", "enschede": "enschede-2023"}  # old slug -> slug now

PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
<title>Deze pagina is verhuisd</title>
</head>
<body>
<p>Deze editie heeft een nieuw adres: <a href="{url}">{url}</a>.</p>
</body>
</html>
"""


def _edition(folder: Path) -> tuple[object, object] | None:
    """The municipality and year of the edition published in ``folder``, if any."""
    try:
        figures = json.loads((folder / "kerncijfers.json").read_text(encoding="utf-8"))
        return figures.get("gemeentecode"), figures.get("jaar")
    except (OSError, ValueError, AttributeError):
        return None


def write_redirects(book: Path, moved: dict[str, str] = MOVED, params: Path = PARAMS) -> list[str]:
    """Replace ``book/<old>/`` by pages that send each of its pages on to ``book/<new>/``, for every
    moved edition that is published under its new slug. An old slug that names an edition again
    (``params/<old>.yml``, or a published edition of another municipality or year) is left alone.
    Returns the old slugs written."""
    written = []
    for old, new in moved.items():
        pages = sorted(p.name for p in (book / new / "html").glob("*.html"))
        if not pages or (params / f"{old}.yml").exists() or _edition(book / old) not in (None, _edition(book / new)):
            continue
        stage = Path(tempfile.mkdtemp(dir=book, prefix=f".{old}."))
        (stage / "html").mkdir()
        (stage / "index.html").write_text(PAGE.format(url=escape(f"../{new}/html/index.html")), encoding="utf-8")
        for name in pages:
            url = escape(f"../../{new}/html/{name}")
            (stage / "html" / name).write_text(PAGE.format(url=url), encoding="utf-8")
        stage.chmod(0o755)  # mkdtemp makes it private; the folder is for readers
        shutil.rmtree(book / old, ignore_errors=True)
        stage.rename(book / old)
        written.append(old)
    return written
