"""The last check before publishing, as a task for a worker: the key figures and the ledger of
every published number, and the disclosure audit of them all."""

from __future__ import annotations

import pickle
from pathlib import Path

from kansrijk.chapter import PUBLICATION_FILE
from kansrijk.disclosure import ledger
from kansrijk.landing import LANDING_KEYS
from kansrijk.show import Entry


def check(source: Path) -> tuple[dict, list[Entry], list[ledger.Finding]]:
    """``kerncijfers.json``'s figures, every ledger entry (the chapters', the key figures' and the
    landing page's) and what the audit finds in them, for the edition whose book is in ``source``."""
    from kansrijk import kerncijfers

    publication = pickle.loads((source / PUBLICATION_FILE).read_bytes())
    figures, entries = kerncijfers.compute(publication)
    entries += [e.at("index.html", "overzicht", e.place) for e in entries if e.place in LANDING_KEYS]
    entries = ledger.collect(source / ledger.LEDGER_FOLDER) + entries
    return figures, entries, ledger.audit(publication, entries)
