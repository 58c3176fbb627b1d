"""Jupyter Book's HTML build, as ``jupyter-book build SRC --path-output OUT --config C --toc T -W
--keep-going -q`` runs it, with two differences: every page is written, while Sphinx reads only
the pages that changed since the environment was kept (Jupyter Book's own command line cannot ask
this), and it runs in the calling process, so that a worker imports Sphinx, its extensions and
the theme once, not once per edition. A page that did not change still shows the other pages'
new titles in its navigation.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path


def build(source: Path, output: Path, config: Path, toc: Path) -> str | None:
    """Build the book; ``None`` when it succeeded, else Sphinx's warnings and errors."""
    import sphinx.locale
    from jupyter_book.sphinx import build_sphinx

    # Sphinx keeps each catalogue's translations for the process and adds every later build's
    # catalogue behind them: each build starts from its own.
    sphinx.locale.translators.clear()
    messages = io.StringIO()
    with contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages):
        result = build_sphinx(
            source.absolute(),
            output.absolute() / "_build" / "html",
            use_external_toc=True,
            noconfig=True,
            path_config=str(config),
            confoverrides={"external_toc_path": toc.as_posix(), "latex_individualpages": False},
            builder="html",
            warningiserror=True,
            keep_going=True,
            force_all=True,  # write every page; read only what changed
            quiet=True,
        )
    return None if result == 0 else messages.getvalue().strip() or f"Sphinx stopped ({result!r})"
