"""Run many independent tasks (report renders, grading) on a local process pool or a Dask cluster.

Tasks in, outcomes out: a :class:`Task` names a module-level function and its arguments; :func:`run` calls each
one in a worker process and returns one :class:`Outcome` per task, in the order given, whether it succeeded (its
result) or failed (its error, in words). One failing task never stops the others.

Engines:

- local (default): ``concurrent.futures.ProcessPoolExecutor`` with ``jobs`` worker processes. Workers are claimed
  by sat and import the heavy libraries once, before their first render (:func:`sat.sandbox.warm_up`); each
  render still runs in a fresh child of its worker, so reusing a worker never carries one report's state into
  the next.
- Dask (``scheduler="tcp://host:8786"``, ``pip install 'sat[dask]'``): the same tasks go to a
  ``dask.distributed`` cluster through ``Client.get_executor()``; every worker needs sat installed and the case
  files at the same paths (a shared file system).
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from typing import Any

from .errors import SatError, ValidationError

#: Seconds to keep trying to reach a Dask scheduler before giving up (``sat report --scheduler-timeout``).
DEFAULT_SCHEDULER_TIMEOUT = 10.0


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(*args, **kwargs)`` in a worker; ``key`` names it in progress and summaries."""

    key: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What became of a task: ``result`` when ``ok``, else ``error`` (one line per problem); wall ``seconds``."""

    key: str
    ok: bool
    result: Any = None
    error: str = ""
    seconds: float = 0.0


def _call(task: Task) -> Outcome:
    """Run one task in a worker and turn any error into words (errors travel back as text, never as tracebacks)."""
    start = time.perf_counter()
    try:
        result = task.fn(*task.args, **task.kwargs)
    except ValidationError as exc:
        return Outcome(
            task.key, False, error="\n".join(str(p) for p in exc.problems), seconds=time.perf_counter() - start
        )
    except SatError as exc:
        return Outcome(task.key, False, error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:
        return Outcome(task.key, False, error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start)
    return Outcome(task.key, True, result=result, seconds=time.perf_counter() - start)


def _init_worker() -> None:
    from . import sandbox

    sandbox.claim_process(many_jobs=True)


def local_executor(jobs: int) -> Executor:
    """A process pool of ``jobs`` warm workers claimed by sat.

    Workers are forked from this process, warmed up first, when it is itself claimed
    (:func:`sat.sandbox.claim_process`) and has one thread; otherwise they are spawned and warm up on their own.
    """
    from concurrent.futures import ProcessPoolExecutor

    from . import sandbox

    method = "fork" if sandbox._fork_is_safe() else "spawn"
    if method == "fork":
        sandbox.warm_up()  # once here rather than once per worker
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method), initializer=_init_worker
    )


def dask_executor(scheduler: str, timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> tuple[Executor, Callable[[], None]]:
    """An executor over the Dask cluster at ``scheduler``, and the function that disconnects from it.

    Connecting gives up after ``timeout`` seconds.
    """
    try:
        from distributed import Client
    except ModuleNotFoundError:
        raise SatError("--scheduler needs Dask: pip install 'sat[dask]'") from None
    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except OSError as exc:
        raise SatError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    return client.get_executor(pure=False), client.close


def run(
    tasks: Sequence[Task],
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[Outcome], None] | None = None,
    scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT,
) -> list[Outcome]:
    """Run ``tasks``; return their outcomes in the order given.

    ``jobs`` worker processes on this machine, or the Dask cluster at ``scheduler`` (reached within
    ``scheduler_timeout`` seconds). ``progress(outcome)`` is
    called in this process as each task finishes. With ``jobs=1`` and no scheduler the tasks run one after the
    other in this process (each render still in a fresh child process).
    """
    if jobs < 1:
        raise SatError(f"--jobs must be 1 or more, got {jobs}")
    if scheduler is None and (jobs == 1 or len(tasks) <= 1):
        from . import sandbox

        if sandbox._fork_is_safe() and len(tasks) > 1:
            sandbox.warm_up()  # each task's renders fork from this process
        outcomes = []
        for task in tasks:
            outcome = _call(task)
            if progress is not None:
                progress(outcome)
            outcomes.append(outcome)
        return outcomes
    close: Callable[[], None] | None = None
    if scheduler is not None:
        executor, close = dask_executor(scheduler, scheduler_timeout)
    else:
        executor = local_executor(min(jobs, len(tasks)))
    try:
        with executor:
            futures: dict[Future[Outcome], int] = {executor.submit(_call, task): i for i, task in enumerate(tasks)}
            results: list[Outcome | None] = [None] * len(tasks)
            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:
                    outcome = Outcome(
                        tasks[index].key,
                        False,
                        error=f"the worker running it was lost: {type(exc).__name__}: {exc}".strip(),
                    )
                results[index] = outcome
                if progress is not None:
                    progress(outcome)
    finally:
        if close is not None:
            close()
    return [r for r in results if r is not None]


def progress_bar(total: int, what: str = "reports") -> tuple[Callable[[Outcome], None], Callable[[], None]]:
    """A tqdm progress bar on standard error (shown on a terminal only): the callback for :func:`run`, and close."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    class Bar(tqdm):
        monitor_interval = 0  # no monitor thread: renders are forked from this process, which needs one thread

    bar = Bar(total=total, unit=what.rstrip("s"), desc=what, file=sys.stderr, disable=None, leave=False)
    failed = [0]

    def update(outcome: Outcome) -> None:
        if not outcome.ok:
            failed[0] += 1
            bar.set_postfix(failed=failed[0])
        bar.update(1)

    return update, bar.close


def summary(outcomes: Iterable[Outcome], what: str = "reports") -> list[str]:
    """Lines that say how many of the ``what`` failed and why, one task a line (none when all succeeded)."""
    outcomes = list(outcomes)
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        return []
    lines = [f"{len(failed)} of {len(outcomes)} {what} failed:"]
    for outcome in failed:
        first, *rest = outcome.error.splitlines() or [""]
        lines.append(f"  {outcome.key}: {first}")
        lines.extend(f"  {' ' * len(outcome.key)}  {line}" for line in rest)
    return lines
