"""Reading input files defensively: regular files only, no symbolic link out of the case, bounded size, and
encoding errors reported with a line and column rather than a byte offset.

Every reader of a case file goes through :func:`read_bytes` / :func:`read_text`, so a ratings file that is a link to
``/dev/zero``, a FIFO, or a link to a file elsewhere on the disk is refused with a message (reason code ``file``)
before anything is read. The limits are documented in ``docs/formats/limits.md``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Problem, ValidationError

#: Largest text file (case.yaml, scenarios.yaml, a ratings or notes CSV) read, in bytes.
MAX_TEXT_BYTES = 20 * 1024 * 1024


def _refuse(shown: str, message: str, value: object = None, code: str = "file") -> ValidationError:
    return ValidationError([Problem(shown, "file", message, value, code=code)])


def check_file(
    path: str | os.PathLike[str], shown: str, inside: str | os.PathLike[str] | None = None, limit: int = MAX_TEXT_BYTES
) -> int:
    """The size of ``path`` after checking that it is a regular file of at most ``limit`` bytes, and, when it is
    (or passes through) a symbolic link, that the link leads to a file inside ``inside``."""
    p = Path(path)
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise _refuse(shown, "file not found") from None
    except OSError as exc:
        raise _refuse(shown, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(shown, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(shown, "is not a regular file (a device, pipe or socket); refused")
    if inside is not None:
        real, root = p.resolve(), Path(inside).resolve()
        if real != root and root not in real.parents:
            raise _refuse(
                shown,
                "is a symbolic link to a file outside the case folder; refused (copy the file into the case instead)",
            )
    if info.st_size > limit:
        raise _refuse(
            shown,
            f"file is larger than {limit:,} bytes; refused (no real case file is this large)",
            info.st_size,
            "limit",
        )
    return info.st_size


def read_bytes(
    path: str | os.PathLike[str], shown: str, inside: str | os.PathLike[str] | None = None, limit: int = MAX_TEXT_BYTES
) -> bytes:
    """The bytes of a checked regular file (see :func:`check_file`), never more than ``limit``."""
    check_file(path, shown, inside, limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _refuse(shown, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:  # it grew between the check and the read
        raise _refuse(shown, f"file is larger than {limit:,} bytes; refused", len(data), "limit")
    return data


def decode(data: bytes, shown: str, encoding: str = "utf-8-sig") -> str:
    """``data`` decoded; a decoding error names the line and column (counted in characters of that line)."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode(encoding, errors="replace")) + 1
        bad = data[start : exc.end]
        raise ValidationError(
            [
                Problem(
                    shown,
                    "file",
                    f"not UTF-8 text: {exc.reason} at column {column} (save the file as UTF-8)",
                    bad.hex(" "),
                    line,
                    "encoding",
                )
            ]
        ) from None


def read_text(
    path: str | os.PathLike[str], shown: str, inside: str | os.PathLike[str] | None = None, limit: int = MAX_TEXT_BYTES
) -> str:
    """A checked regular file's text (UTF-8, with or without a byte-order mark)."""
    return decode(read_bytes(path, shown, inside, limit), shown)
