"""Run one job (a report render) in a child process of its own: isolated, bounded in time, contained if it dies.

Every job runs in a fresh child forked from a *warm* process: one that has imported the heavy libraries (pandas,
matplotlib, IPython, nbconvert) and has never run a job. The child starts from that state, runs the job in its own
working directory with its own temporary folder and IPython folder, sends back the result, and exits; nothing it
changes (modules, matplotlib settings, globals) can reach the next job. So many jobs may run at once on one
machine, on the same or different cases, and a second render of a case is byte for byte the first.

Forking is only safe from a process with one thread that sat controls, such as the ``sat`` command or a worker of
the batch runner: such a process calls :func:`claim_process` first. Anywhere else (a Jupyter kernel, a Dask
worker, a test session) jobs go to a *zygote*: a helper process (``python -m sat.sandbox``) that claims itself,
imports the libraries once, and forks a child per job. A claimed process may also start a *helper* zygote for a
later step (:func:`start_helper`): ``sat report`` has the HTML converter made ready on the second core while the
notebook runs on the first. Needs ``os.fork`` (Linux, macOS).

A job that runs past its time limit is killed; a child that dies (killed, out of memory, a crash in a C library)
is reported; either way in one line, naming the step it had reached, and the job's output is never written.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, Pipe
from typing import Any

from .errors import Problem, ReportError, SatError, ValidationError

#: What a warm process imports before its first job: modules, and ``module:function`` to call once imported
#: (see :func:`warm_up`). Nothing here may run a notebook or read a case. Executing a notebook needs the first part,
#: converting it to HTML the second (a helper may prepare that one in the background, see :func:`start_helper`).
EXECUTION_PRELOAD: tuple[str, ...] = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "IPython.core.interactiveshell",
    "nbformat",
    "sat.store",
    "sat.ach.figures",
    "sat.ach.analysis",
    "sat.ach.narrative",
    "sat.execute",
)
CONVERSION_PRELOAD: tuple[str, ...] = ("nbconvert", "sat.report:prime_converter")
PRELOAD: tuple[str, ...] = EXECUTION_PRELOAD + CONVERSION_PRELOAD

_claimed = False
_many = False
_warm = False  # warmed up with priming (see warm_up)
_primed: set[str] = set()
_helper: _Zygote | None = None  # started by start_helper


def claim_process(many_jobs: bool = False) -> None:
    """Declare this process sat's own: jobs may be forked from it (``many_jobs``: several will be, so the first
    one warms up fully, see :func:`warm_up`).

    Call it first thing in a process sat controls (the ``sat`` command, a batch worker). It also makes two
    settings a job relies on: matplotlib's default backend is the inline one, as in a Jupyter kernel; and
    jsonschema's optional IRI format checker is not loaded in this process (``rfc3987_syntax``, imported by
    nbformat through jsonschema, compiles a grammar for about a second at import; no notebook schema uses the
    ``iri`` formats, and jsonschema skips the checker as it does when that package is not installed — see
    python-jsonschema/jsonschema#1428). Neither setting reaches the user's own Python or kernels.
    """
    global _claimed, _many
    _claimed = True
    _many = _many or many_jobs
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def warm_up(modules: Sequence[str] = PRELOAD, prime: bool = True) -> None:
    """Import the libraries every job needs, once, in this (claimed) process (before its first job).

    ``prime=False`` skips the ``module:function`` entries: worth it only when several jobs will follow.
    """
    global _warm
    for entry in modules:
        name, _, function = entry.partition(":")
        if function and (not prime or entry in _primed):
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # warming up is an optimisation: a job imports what it needs itself
            if exc.name != name:
                raise
            continue
        if function:
            getattr(module, function)()
            _primed.add(entry)
    _warm = _warm or prime


def _fork_is_safe() -> bool:
    return _claimed and hasattr(os, "fork") and threading.active_count() == 1


def run(
    fn: Callable[..., Any], *args: Any, timeout: float | None = None, what: str = "job", on_helper: bool = False
) -> Any:
    """``fn(*args, step=...)`` in a fresh child process; its return value, or its error raised here.

    ``fn`` must be a module-level function (it may travel to a zygote) and accept a keyword ``step``: a callable
    it calls with a short text (e.g. ``"cell 4"``) as it goes, so that a timeout or a death can say where. A
    :class:`~sat.errors.SatError` raised by ``fn`` is raised here as it was; anything else, a timeout or a death
    becomes a one-line :class:`~sat.errors.ReportError` that starts with ``what``. ``on_helper``: fork the child
    from the helper of :func:`start_helper` (which must be running).
    """
    if not hasattr(os, "fork"):
        raise ReportError(f"{what}: rendering needs os.fork, which this system does not have (Linux and macOS do)")
    if on_helper:
        if _helper is None:
            raise RuntimeError("no helper process: call start_helper first")
        outcome = _helper.run(fn, args, timeout)
    elif _fork_is_safe():
        if not _warm:
            helped = _helper.modules if _helper is not None else ()
            warm_up([entry for entry in PRELOAD if entry not in helped], prime=_many)
        outcome = _run_forked(fn, args, timeout)
    else:
        outcome = _zygote().run(fn, args, timeout)
    return _unwrap(outcome, what)


def start_helper(modules: Sequence[str]) -> bool:
    """Start a helper process now that imports ``modules`` (see :func:`warm_up`, priming included) while this
    process goes on; jobs run with ``run(..., on_helper=True)`` are then forked from it, warm.

    Worth it where a job's second step needs libraries the first does not: a render's conversion to HTML is
    prepared on the second core while the notebook executes on the first. Only in a claimed process, and only
    when this process may use more than one core (with one, the helper would only take turns with the job); returns
    whether a helper was started (once per process).
    """
    global _helper
    if _helper is not None:
        return True
    if not _claimed or not hasattr(os, "fork") or _cores() < 2:
        return False
    _helper = _Zygote(tuple(modules))
    _helper.start()
    atexit.register(_helper.stop)
    return True


def helper_running() -> bool:
    """Whether :func:`start_helper` started a helper in this process."""
    return _helper is not None


def _cores() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def _unwrap(outcome: tuple[Any, ...], what: str) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "invalid":
        raise ValidationError([Problem(**p) for p in outcome[1]])
    if kind == "sat":
        raise (ReportError if outcome[1] == "ReportError" else SatError)(outcome[2])
    raise ReportError(f"{what}: {outcome[1]}")


def _child_main(send: Connection, tmp: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """The forked child: private folders, run, send the outcome back."""
    try:
        os.chdir(tmp)
        for name in ("TMPDIR", "TEMP", "TMP"):
            os.environ[name] = tmp
        os.environ["IPYTHONDIR"] = os.path.join(tmp, ".ipython")
        tempfile.tempdir = tmp
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            result = fn(*args, step=lambda text: send.send(("step", text)))
            outcome: tuple[Any, ...] = ("ok", result)
        except ValidationError as exc:
            outcome = ("invalid", [p.__dict__ for p in exc.problems])
        except SatError as exc:
            outcome = ("sat", type(exc).__name__, str(exc))
        except BaseException as exc:
            outcome = ("failed", f"{type(exc).__name__}: {exc}".splitlines()[0])
        send.send(outcome)
    finally:
        os._exit(0)


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by signal {number} ({name})"
    return f"exited with status {os.WEXITSTATUS(status)}"


def _run_forked(fn: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> tuple[Any, ...]:
    """Fork, let the child run ``fn``, wait for its outcome until ``timeout`` (seconds)."""
    tmp = tempfile.mkdtemp(prefix="sat-job-")
    receive, send = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        receive.close()
        _child_main(send, tmp, fn, args)
    send.close()
    deadline = None if timeout is None else time.monotonic() + timeout
    step = "start-up"
    outcome: tuple[Any, ...] | None = None
    try:
        while outcome is None:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not receive.poll(left):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pid = 0
                return ("failed", f"timed out after {timeout:g} s (at {step}); nothing written")
            try:
                message = receive.recv()
            except EOFError:
                _, status = os.waitpid(pid, 0)
                pid = 0
                died = f"the process running it died ({_describe_status(status)}) at {step}; nothing written"
                return ("failed", died)
            if message[0] == "step":
                step = message[1]
            else:
                outcome = message
        os.waitpid(pid, 0)
        pid = 0
        return outcome
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        receive.close()
        shutil.rmtree(tmp, ignore_errors=True)


class _Zygote:
    """A helper process that forks a child per job: on behalf of a process that cannot fork safely itself
    (with every module of :data:`PRELOAD`), or to have other modules ready (:func:`start_helper`)."""

    def __init__(self, modules: tuple[str, ...] = PRELOAD) -> None:
        self.modules = modules
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None

    def start(self) -> Connection:
        """Start the process (it warms up at once) unless it is running; the connection to it."""
        if self._proc is not None and self._proc.poll() is None and self._conn is not None:
            return self._conn
        mine, theirs = Pipe(duplex=True)
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "sat.sandbox", str(theirs.fileno()), *self.modules],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._conn = mine
        return mine

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> tuple[Any, ...]:
        with self._lock:
            conn = self.start()
            try:
                conn.send((fn, args, timeout))
                return conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self.stop()
                return ("failed", "the helper process that runs jobs died; nothing written")

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            self._proc = None


_the_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _zygote() -> _Zygote:
    global _the_zygote
    with _zygote_lock:
        if _the_zygote is None:
            _the_zygote = _Zygote()
            atexit.register(_the_zygote.stop)
        return _the_zygote


def _serve(fd: int, modules: Sequence[str]) -> None:
    """The zygote's loop: warm up, then run each job it is sent in a forked child and answer its outcome."""
    claim_process()
    conn = Connection(fd)
    warm_up(modules)
    while True:
        try:
            fn, args, timeout = conn.recv()
        except EOFError:
            return
        conn.send(_run_forked(fn, args, timeout))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), sys.argv[2:])
