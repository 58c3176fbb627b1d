"""Publish an edition without a gap: ``book/<slug>`` always holds a whole edition, old or new.

On Linux the new edition and the old one trade places in one system call (``renameat2`` with
``RENAME_EXCHANGE``), so ``book/<slug>`` stays a plain folder that any web server or copy
serves, and is never missing. A first edition is a plain rename onto a name that does not yet
exist, which is atomic everywhere. Where the exchange is not available (another system, or a
file system without it), two renames are the fallback, and the build says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_EXCHANGE = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; ``False`` when this system or file system cannot."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def publish(assembled: Path, final: Path) -> str | None:
    """Put ``assembled`` in place as ``final`` and remove the old edition; return a warning when
    the swap could not be atomic. The caller holds the edition's lock."""
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise OSError(errno.EEXIST, "bestaat al en is geen map met een editie", str(final))
    if not final.exists():
        os.rename(assembled, final)
        return None
    if exchange(assembled, final):
        shutil.rmtree(assembled)  # it now holds the old edition
        return None
    old = assembled.with_name(assembled.name + "-oud")
    os.rename(final, old)
    os.rename(assembled, final)
    shutil.rmtree(old)
    return "dit bestandssysteem kan mappen niet atomisch wisselen: de editie ontbrak even tijdens het publiceren"


def keep_failed(notebooks: list[Path], folder: Path) -> Path:
    """Keep failed executed notebooks in ``folder`` (inside ``book/.work/failed/``) for the analyst."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for notebook in notebooks:
        if notebook.exists():
            shutil.copy2(notebook, folder / notebook.name)
    return folder
