"""Run a generated input through the ``sat`` command line in this process (the Hypothesis suite and the replay of
saved crashes), or save one as a regression example."""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from fuzz_corpus import Input, partial_write, place, snapshot

CRASHES = Path(__file__).resolve().parent / "crashes"


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str
    seconds: float
    error: BaseException | None = None
    changed: tuple[str, ...] = ()


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def run_in_process(item: Input, work: Path, timeout: float = 30.0) -> Outcome:
    """Place the input's files under ``work``, run ``sat.cli.main`` on its command, and report what happened:
    exit status, output, any exception that escaped (a traceback for a user), and what a failed run changed."""
    from sat.cli import main

    place(item, work)
    before = snapshot(work)
    out, err = io.StringIO(), io.StringIO()
    error: BaseException | None = None
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(item.command(work))
            except SystemExit as exc:  # argparse: a usage error
                status = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:
        status, error = -1, exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    changed = tuple(partial_write(item, work, before)) if status != 0 else ()
    return Outcome(status, out.getvalue(), err.getvalue(), seconds, error, changed)


def save_crash(item: Input, label: str, folder: Path = CRASHES) -> Path:
    """Keep an input that made a command fail badly as a regression example (compressed JSON)."""
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "kind": item.kind,
        "argv": item.argv,
        "operators": item.operators,
        "outputs": item.outputs,
        "files": {name: base64.b64encode(data).decode() for name, data in item.files.items()},
    }
    path = folder / f"{label}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(record).encode(), mtime=0))
    return path


def load_crash(path: Path) -> Input:
    record = json.loads(gzip.decompress(path.read_bytes()))
    files = {name: base64.b64decode(data) for name, data in record["files"].items()}
    return Input(record["kind"], files, record["argv"], record["operators"], record["outputs"])
