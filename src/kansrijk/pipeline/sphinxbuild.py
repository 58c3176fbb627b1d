"""Jupyter Book's HTML build, as ``jupyter-book build SRC --path-output OUT --config C --toc T -W
--keep-going -q`` runs it, with one difference: every page is written, while Sphinx reads only the
pages that changed since the environment was kept (Jupyter Book's own command line cannot ask
this). A page that did not change still shows the other pages' new titles in its navigation.

    python -m kansrijk.pipeline.sphinxbuild SRC OUT CONFIG TOC
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(source: str, output: str, config: str, toc: str) -> int:
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        Path(source).absolute(),
        Path(output).absolute() / "_build" / "html",
        use_external_toc=True,
        noconfig=True,
        path_config=config,
        confoverrides={"external_toc_path": Path(toc).as_posix(), "latex_individualpages": False},
        builder="html",
        warningiserror=True,
        keep_going=True,
        force_all=True,  # write every page; read only what changed
        quiet=True,
    )
    return result if isinstance(result, int) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
