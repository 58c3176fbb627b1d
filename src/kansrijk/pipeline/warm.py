"""A fork server that outlives the build that started it, so that the next build's workers start
with the stack imported: a chapter edit as a new command does not wait 3 s for the imports again.

A build looks for the warm fork server of its *key* (:func:`key`). When there is none, it starts
one as multiprocessing starts its own, so that it imports while the build validates, but in a
session of its own and with a *keeper* (``python -m kansrijk.pipeline.warm``). The keeper holds
the server's "alive" pipe and ends it ``KANSRIJK_WARM`` minutes (10 when unset) after the last
build that used it; a build holds the server (a shared lock) while it may fork from it. With
``KANSRIJK_WARM=0`` a build starts a fork server of its own, which ends with it. Code that changed
has another key, so no build forks from old code; each worker takes its environment from its own
driver, not from the build that started the server.

Everything lives in a folder only this user can enter (``$XDG_RUNTIME_DIR/kansrijk-<uid>``, else
in the system's temporary folder): whoever can connect to the socket can make the fork server run
code, so a folder that another user could enter, or a link, is not used (the build then starts a
fork server of its own).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from multiprocessing import context, forkserver, popen_forkserver, reduction, resource_tracker, spawn, util
from pathlib import Path

MINUTES, DEFAULT_MINUTES = "KANSRIJK_WARM", 10
PRELOAD = "kansrijk.pipeline.preload"
# What an import may read from the environment (BLAS threads, matplotlib's folders, the locale and
# time zone, Python's own settings): a build with other values gets a server of its own.
_KEYED_PREFIXES = ("PYTHON", "OPENBLAS", "OMP_", "MKL_", "MPL", "LC_", "KANSRIJK")
_KEYED_NAMES = ("LANG", "TZ", "HOME", "PATH", "VIRTUAL_ENV")
_POLL = 1.0  # how often a keeper looks whether it is still wanted


def minutes() -> float:
    """How long a warm server stays after its last build (0: none)."""
    try:
        return max(0.0, float(os.environ.get(MINUTES, DEFAULT_MINUTES)))
    except ValueError:
        return 0.0


def folder() -> Path | None:
    """This user's private folder for warm servers, made when missing; ``None`` when it is not
    private (another owner, a link, or rights for others)."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    path = base / f"kansrijk-{os.getuid()}"
    with contextlib.suppress(FileExistsError, OSError):
        path.mkdir(mode=0o700)
    try:
        found = path.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077
    return path if private else None


def key() -> str:
    """What the server's imports depend on, hashed: the interpreter and its path, what is installed
    there, the working folder, the package's code and the environment variables imports read.
    Computed before the fork server starts, so without importing anything (a folder's time
    changes when a package in it is installed, upgraded or removed)."""
    package = Path(__file__).resolve().parents[1]
    code = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    environment = {k: v for k, v in os.environ.items() if k.startswith(_KEYED_PREFIXES) or k in _KEYED_NAMES}
    parts = {
        "python": [sys.executable, *sys.path, *util._args_from_interpreter_flags()],
        "installed": {entry: os.stat(entry).st_mtime_ns for entry in sys.path if os.path.isdir(entry)},
        # imports read files from the working folder (matplotlib's matplotlibrc, the project root
        # of a package that is not installed from its checkout)
        "folder": os.getcwd(),
        "code": {str(p.relative_to(package)): hashlib.sha256(p.read_bytes()).hexdigest() for p in code},
        "environment": environment,
        "preload": PRELOAD,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


class Server:
    """A warm fork server in use by this build: while it is held, its keeper keeps it."""

    def __init__(self, address: Path, in_use: int) -> None:
        self.address = address
        self._in_use = in_use

    def release(self) -> None:
        """This build no longer forks from it: the idle time starts now."""
        if self._in_use >= 0:
            with contextlib.suppress(OSError):
                os.utime(self._in_use)
            os.close(self._in_use)
            self._in_use = -1


def attach() -> Server | None:
    """The warm server of this build's key, started when there is none; ``None`` when warm servers
    are off or cannot be used here (the build then starts its own fork server)."""
    # Linux: the keeper watches its server through a pidfd, and Windows has no fork server
    if minutes() == 0 or not sys.platform.startswith("linux"):
        return None
    place = folder()
    if place is None:
        return None
    name = key()
    address, in_use = place / f"{name}.sock", place / f"{name}.in-use"
    descriptor = None
    try:
        descriptor = _lock(in_use, shared=True)  # held while this build may fork: the keeper waits for it
        starting = _lock(place / f"{name}.start")  # one build starts a server, the others wait for it
        try:
            keeper = _lock(place / f"{name}.keeper", wait=False)
            if keeper is not None:  # no keeper holds it: this build starts one, which takes the lock over
                try:
                    _start(address, keeper, in_use)
                finally:
                    os.close(keeper)
        finally:
            os.close(starting)
        return Server(address, descriptor)
    except OSError:
        if descriptor is not None:
            os.close(descriptor)
        return None


def _lock(path: Path, *, shared: bool = False, wait: bool = True) -> int | None:
    """``path`` opened and locked (exclusively unless ``shared``), as a descriptor whose closing
    ends the lock; ``None`` when another holds it and not ``wait``."""
    import fcntl

    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(descriptor)
        return None
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _start(address: Path, keeper_lock: int, in_use: Path) -> None:
    """Start the fork server on a new socket at ``address``, as multiprocessing starts its own
    (so it imports while this build validates), and its keeper, which holds the server's "alive"
    pipe and ``keeper_lock`` (taken over from this build) in a session of its own: Ctrl-C ends the
    build, not them."""
    import socket

    address.unlink(missing_ok=True)  # a socket left by a keeper that was killed
    previous = os.umask(0o077)
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(address))
    finally:
        os.umask(previous)
    with listener:
        listener.listen()
        alive_r, alive_w = os.pipe()
        log = os.open(address.with_suffix(".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # Neither holds the build's terminal or pipes (whoever reads the build's output would wait
        # for them), and neither is in its session (Ctrl-C or a closed terminal ends the build only).
        detached = {"stdin": subprocess.DEVNULL, "stdout": log, "stderr": log, "start_new_session": True}
        try:
            fds = (listener.fileno(), alive_r)
            command = f"from multiprocessing.forkserver import main; main({fds[0]}, {fds[1]}, {[PRELOAD]!r})"
            executable = spawn.get_executable()
            arguments = [executable, *util._args_from_interpreter_flags(), "-c", command]
            server = subprocess.Popen(arguments, pass_fds=fds, **detached)
            keeper = (server.pid, alive_w, keeper_lock, in_use, address)
            subprocess.Popen(
                [sys.executable, "-m", __name__, *map(str, keeper)], pass_fds=(alive_w, keeper_lock), **detached
            )
        finally:
            for fd in (alive_r, alive_w, log):
                os.close(fd)


class _Popen(popen_forkserver.Popen):
    """multiprocessing's fork-server start, from the warm server's socket."""

    address: Path | None = None

    def _launch(self, process_obj) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        buffer = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buffer)
            reduction.dump(process_obj, buffer)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = _connect(self._fds)
        parent_w = os.dup(w)  # the child's sentinel of this process, as the standard start keeps it
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as pipe:
            pipe.write(buffer.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


def _connect(fds: list[int]) -> tuple[int, int]:
    """``ForkServer.connect_to_new_process`` for a server this process did not start. The child's
    "alive" descriptor is the null device: only the keeper ends the server."""
    import socket

    resource_tracker.ensure_running()
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(str(_Popen.address))
        parent_r, child_w = os.pipe()
        child_r, parent_w = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY)
        try:
            reduction.sendfds(client, [child_r, child_w, null, resource_tracker.getfd(), *fds])
            return parent_r, parent_w
        except BaseException:
            os.close(parent_r)
            os.close(parent_w)
            raise
        finally:
            for fd in (child_r, child_w, null):
                os.close(fd)


class _Process(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):  # noqa: N802 (multiprocessing's name)
        return _Popen(process_obj)


class WarmContext(context.ForkServerContext):
    """A multiprocessing context whose processes are forked by the warm server at ``address``."""

    Process = _Process

    def __init__(self, address: Path) -> None:
        super().__init__()
        _Popen.address = address


def keep(server: int, alive_w: int, keeper_lock: int, in_use: Path, address: Path) -> None:
    """The keeper of the fork server ``server``: end it once no build has used it for
    :func:`minutes` (holding ``in_use`` meanwhile, so that no build starts to use it), or stop when
    it died. Whoever holds ``keeper_lock`` keeps the server at ``address``."""
    import select

    idle = minutes() * 60
    try:
        watched = os.pidfd_open(server)
    except ProcessLookupError:
        return
    while not select.select([watched], [], [], _POLL)[0]:  # readable: the server ended
        with contextlib.suppress(OSError):
            if time.time() - os.stat(in_use).st_mtime < idle:
                continue
        holding = _lock(in_use, wait=False)  # each build holds it shared while it may fork
        if holding is not None:  # no build uses it, and none can start to until this keeper ends
            with contextlib.suppress(OSError):
                address.unlink()
            os.close(keeper_lock)  # before in_use: a build that then gets in_use starts a new server
            os.close(alive_w)  # the fork server sees the end of its pipe and exits
            os.close(holding)
            return


if __name__ == "__main__":
    keep(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
