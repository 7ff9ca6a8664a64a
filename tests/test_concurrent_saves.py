"""Two real processes saving the same analyst's ratings file never lose an update silently.

Each writer loads the case, writes a matrix no other save writes (its writer number and save count encoded in the
nine cells), and logs the version of the file it read (the base) and the version it wrote. A save that reported
success is *lost* when nothing later was based on it and it is not the final file: someone overwrote it without
having read it. The store's compare-and-swap under a lock must make every successful save land on top of the one
before it, and refuse the others (a ConflictError, after which the writer reloads).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sat.errors import ConflictError
from sat.store import file_version, load_case, save_ratings

WRITER = r"""
import json, random, sys, time
from sat.errors import ConflictError
from sat.model import RATING_CODES

folder, writer, saves, pace, mode, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), \
    sys.argv[5], sys.argv[6]
rng = random.Random(writer)

def pattern(n):
    codes = []
    for _ in range(9):
        codes.append(RATING_CODES[n % 6])
        n //= 6
    return codes

if mode == "editor":
    from sat.widgets.session import EditSession
    session = EditSession.open(folder, "ann")
else:
    from sat.store import load_case, save_ratings
    case = load_case(folder)
with open(log, "w") as out:
    for i in range(saves):
        cells = pattern(writer * 5000 + i + 1)
        if mode == "editor":
            try:
                for k, code in enumerate(cells):  # one click per cell, each one a save, as the grid does
                    base = session.case.versions["ann"]
                    session.set_rating(f"E{k // 3 + 1}", f"H{k % 3 + 1}", code)
                    out.write(json.dumps({"base": base, "new": session.case.versions["ann"], "writer": writer,
                                          "click": True}) + "\n")
            except ConflictError:
                out.write(json.dumps({"conflict": True}) + "\n")
                session.reload()
                continue
        else:
            base = case.versions["ann"]
            matrix = case.matrix("ann").copy()
            matrix.iloc[:, :] = [cells[0:3], cells[3:6], cells[6:9]]
            try:
                save_ratings(case, "ann", matrix)
            except ConflictError:
                out.write(json.dumps({"conflict": True}) + "\n")
                case = load_case(folder)
                continue
            out.write(json.dumps({"base": base, "new": case.versions["ann"], "writer": writer}) + "\n")
        if pace:
            time.sleep(rng.uniform(0, pace))
"""


def _race(tiny: Path, tmp_path: Path, saves: int, pace: float, modes: tuple[str, str]) -> tuple[int, int, int]:
    """Run two writers at once; return (successful saves, conflicts, silent losses)."""
    logs = [tmp_path / f"writer{n}.jsonl" for n in (1, 2)]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tiny), str(n), str(saves), str(pace), mode, str(log)])
        for n, mode, log in zip((1, 2), modes, logs)
    ]
    for proc in procs:
        assert proc.wait(timeout=240) == 0
    records = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    saved = [r for r in records if "new" in r]
    conflicts = sum(1 for r in records if r.get("conflict"))
    final = file_version(tiny / "ratings" / "ann.csv")
    bases = {r["base"] for r in saved}
    lost = [r for r in saved if r["new"] not in bases and r["new"] != final]
    # Every logged save must itself sit on the version it read: two saves on one base means one overwrote the other.
    shared_bases = len(saved) - len(bases)
    return len(saved), conflicts, len(lost) + shared_bases * (modes == ("script", "script"))


@pytest.mark.parametrize(
    ("saves", "pace", "modes"),
    [
        (150, 0.0, ("script", "script")),  # tight: as fast as two processes can go
        (40, 0.02, ("script", "script")),  # paced: like a person clicking
        (25, 0.01, ("editor", "script")),  # an open editor and a script
    ],
)
def test_two_processes_saving_one_ratings_file_never_lose_an_update_silently(tiny, tmp_path, saves, pace, modes):
    saved, conflicts, lost = _race(tiny, tmp_path, saves, pace, modes)
    assert lost == 0
    assert saved > 0 and conflicts <= 2 * saves
    load_case(tiny)  # the file is whole and valid


def test_a_save_based_on_an_old_read_is_refused_and_a_reload_lets_it_through(tiny):
    first, second = load_case(tiny), load_case(tiny)
    save_ratings(first, "ann", first.matrix("ann").replace("C", "CC"))
    with pytest.raises(ConflictError, match=r"ann\.csv changed on disk since it was read"):
        save_ratings(second, "ann", second.matrix("ann").replace("N", "I"))
    assert load_case(tiny).matrix("ann").loc["E1", "H1"] == "CC"  # the first save stands
    again = load_case(tiny)
    save_ratings(again, "ann", again.matrix("ann").replace("N", "I"))
    assert load_case(tiny).matrix("ann").loc["E2"].tolist() == ["I", "I", "I"]


def test_a_new_analyst_file_created_meanwhile_is_not_overwritten(tiny):
    case = load_case(tiny)
    other = load_case(tiny)
    save_ratings(other, "cy", other.empty_matrix().replace("", "N"))
    with pytest.raises(ConflictError):
        save_ratings(case, "cy", case.empty_matrix().replace("", "I"))


def test_a_save_racing_past_the_editors_own_check_is_refused_and_the_editor_offers_a_reload(tiny, monkeypatch):
    from sat.widgets import AchEditor

    editor = AchEditor(tiny, "ann")
    path = tiny / "ratings" / "ann.csv"
    other = path.read_text().replace("E2,N,N,N", "E2,II,N,N")
    check = editor.session.guard.check

    def check_then_lose_the_race(paths):
        check(paths)
        path.write_text(other)  # another process saves between the editor's check and its write

    monkeypatch.setattr(editor.session.guard, "check", check_then_lose_the_race)
    editor.rate("E1", "H1", "CC")
    assert path.read_text() == other  # the other process's update is kept
    assert editor.status_state == "conflict" and editor.reload_button.layout.display != "none"
    monkeypatch.setattr(editor.session.guard, "check", check)
    assert editor.reload()
    assert editor.rate("E1", "H1", "CC")
    assert load_case(tiny).matrix("ann").loc[["E1", "E2"], "H1"].tolist() == ["CC", "II"]
