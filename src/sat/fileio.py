"""Atomic file writes, the clean-up of what a killed writer left behind, and a lock for read-check-write cycles.

A write goes to a temporary file ``.<name>.<pid>.<random>.tmp`` in the same folder, then ``os.replace`` puts it in
place: readers see the old file or the new one, never a part. A process killed mid-write (kill -9, power loss) leaves
its temporary file behind; the next write to the same folder removes every such file whose process is gone (or, for
names without a process id, that is older than :data:`STALE_AFTER` seconds). Readers never read them: every file
name starting with ``.`` is ignored by the case readers.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: Age (seconds) after which a temporary file or folder without a live owner is removed.
STALE_AFTER = 3600
_OWNED = re.compile(r"^\..*\.(\d+)\.[^.]+\.(?:tmp|import)$")


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(path: Path, now: float | None = None) -> bool:
    """Whether a temporary file or staging folder was left by a process that no longer runs."""
    owned = _OWNED.match(path.name)
    if owned:
        return not process_alive(int(owned.group(1)))
    try:
        return (now or time.time()) - path.lstat().st_mtime > STALE_AFTER
    except FileNotFoundError:
        return False


def sweep(folder: Path, pattern: str) -> int:
    """Remove the stale leftovers matching ``pattern`` (a glob) in ``folder``; return how many were removed."""
    removed = 0
    try:
        candidates = list(folder.glob(pattern))
    except OSError:
        return 0
    now = time.time()
    for path in candidates:
        if not path.name.startswith(".") or not is_stale(path, now):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed += 1
    return removed


def temp_prefix(name: str) -> str:
    """The prefix of this process's temporary files for ``name`` (with the process id, for the clean-up)."""
    return f".{name}.{os.getpid()}."


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the new one, never a part."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target.parent, f".{glob_escape(target.name)}.*.tmp")
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Text variant of :func:`atomic_write_bytes` (newlines are written as given)."""
    atomic_write_bytes(path, text.encode(encoding))


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return re.sub(r"([*?[])", r"[\1]", name)


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` across processes (``flock`` on its folder: no lock file is created).

    Used to make "check that the file is still what I read, then write it" one step, so two processes saving the
    same file cannot both pass the check. The lock is released when the block ends or the process dies."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
