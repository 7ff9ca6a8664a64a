"""A course hub for real: JupyterHub from deploy/jupyterhub/jupyterhub_config.py on 127.0.0.1, two trainees and an
instructor who sign up and log in through Debian's Chromium, one Unix account each.

Each trainee's workspace holds the trainee pack of the Karish exercise (never its key, which no trainee can read
in the course materials either); each trainee opens the matrix editor (Voila) there and rates a cell; the rating
lands in that trainee's workspace only, owned by that trainee; the other trainee can neither read nor change it,
through the file system or through the hub; the instructor collects both read-only and grades them. The hub, its proxy,
the user servers and the Unix accounts and group the hub created are all stopped and removed afterwards.
Needs root (it creates Unix accounts; CI runs as root) and configurable-http-proxy (``make setup`` installs it).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_browser_editor import CHROMIUM, CHROMIUM_ARGS, STEP_TIMEOUT, cell, free_port, wait_until

from sat.paths import repo_root

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
HUB_BIN = Path(os.environ.get("SAT_HUB_ENV", "/opt/sat-hub-env")) / "bin"  # built by `make hub-env`
PASSWORD = "lantern-harbour-4711"  # long enough and not a common password (NativeAuthenticator checks both)
HUB_START_TIMEOUT = 90  # seconds for the hub to listen
LANDING = "lab/tree/workbook/karish-ach/ach_editor.ipynb"  # where a trainee's login ends: the exercise's editor
INSTRUCTOR_LANDING = "lab"  # an instructor has no workspace: JupyterLab's launcher
SPAWN_TIMEOUT_MS = 180_000  # for a user's server to start and the editor to appear (shared 2-core machine)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.hub,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the course hub creates Unix accounts: run as root (CI does)"),
    pytest.mark.skipif(
        not (HUB_BIN / "configurable-http-proxy").exists(),
        reason=f"no course hub environment in {HUB_BIN.parent}: `make hub-env` builds it",
    ),
]


@dataclass
class Course:
    starting: Future[tuple[subprocess.Popen[bytes], int]]  # the hub and its port, once it answers
    base: Path
    materials: Path
    homes: Path
    trainees: list[str]
    instructor: str
    group: str
    log: Path

    @property
    def url(self) -> str:
        """The hub's address; waits until the hub answers (it starts while Chromium launches)."""
        return f"http://127.0.0.1:{self.starting.result()[1]}"

    def ratings(self, trainee: str) -> Path:
        return self.homes / trainee / "workbook" / "karish-ach" / "case" / "ratings" / f"{trainee}.csv"


def as_user(course: Course, user: str, *command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command as a Unix user of the course (what they could do in a terminal of their own server)."""
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", f"SAT_ROOT={course.materials}", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def processes_of(*names: str) -> list[int]:
    """The ids of the live (not yet reaped zombie) processes run by the given Unix accounts."""
    pids = []
    for name in names:
        listed = subprocess.run(["pgrep", "-u", name], capture_output=True, text=True, check=False).stdout.split()
        pids += [int(pid) for pid in listed if not ended(int(pid))]
    return pids


def ended(pid: int) -> bool:
    """Whether the process has ended: gone, or a zombie its parent has yet to reap."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def signal_servers(*names: str) -> None:
    """SIGINT (what the hub sends) to each server the accounts run, SIGTERM to anything else they run (kernels)."""
    for pid in processes_of(*names):
        with contextlib.suppress(OSError):
            server = b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes()
            os.kill(pid, signal.SIGINT if server else signal.SIGTERM)


def remove_account(name: str) -> None:
    """Stop what still runs as a test account (by process id), then delete the account and its home."""
    listed = subprocess.run(["pgrep", "-u", name], capture_output=True, text=True, check=False).stdout.split()
    for pid in listed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)


class HubExited(Exception):
    """The hub process ended while starting."""


def answers(hub: subprocess.Popen[bytes], port: int) -> bool:
    """Whether the hub's login page answers on ``port``; raise HubExited if the hub has ended."""
    if hub.poll() is not None:
        raise HubExited
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/login", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_hub(env: dict[str, str], base: Path, log, log_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start the hub on free loopback ports and wait until it answers; return it and its port.

    On a busy machine another process can take a port between choosing it and binding it; a hub that exits while
    starting is started again on new ports, three times at most.
    """
    for _ in range(3):
        port, hub_port, api_port = free_port(), free_port(), free_port()
        command = [
            str(HUB_BIN / "jupyterhub"),
            "-f",
            str(CONFIG),
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--JupyterHub.hub_port={hub_port}",
            f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
        ]
        hub = subprocess.Popen(command, cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until(functools.partial(answers, hub, port), f"the hub to answer on {port}", HUB_START_TIMEOUT)
            return hub, port
        except HubExited:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub.pid, signal.SIGKILL)  # its proxy, if it got that far
        except AssertionError:  # it never answered: stop it and its proxy
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub.pid, signal.SIGKILL)
            hub.wait()
            raise
    raise AssertionError(f"jupyterhub exited while starting, three times: {log_path.read_text()[-3000:]}")


@pytest.fixture
def course() -> Iterator[Course]:
    tag = secrets.token_hex(3)
    trainees, instructor, group = [f"tr{tag}ana", f"tr{tag}ben"], f"in{tag}ida", f"satin{tag}"
    base = Path(tempfile.mkdtemp(prefix="sat-hub-", dir="/tmp"))  # not under pytest's 0700 folder: users enter it
    os.chmod(base, 0o755)
    homes = base / "home"
    homes.mkdir(mode=0o755)
    materials, pristine = base / "materials", repo_root()  # the course's materials, as SAT_ROOT
    shutil.copytree(pristine / "data" / "cases" / "karish", materials / "data" / "cases" / "karish")
    shutil.copytree(pristine / "data" / "exercises" / "karish-ach", materials / "data" / "exercises" / "karish-ach")
    shutil.copytree(pristine / "notebooks" / "ach", materials / "notebooks" / "ach")
    env = {
        **os.environ,
        "SAT_ROOT": str(materials),
        "SAT_HUB_INSTRUCTORS": instructor,
        "SAT_HUB_TRAINEES": ",".join(trainees),
        "SAT_HUB_EXERCISE": "karish-ach",
        "SAT_HUB_HOME_BASE": str(homes),
        "SAT_HUB_STATE_DIR": str(base / "state"),
        "SAT_HUB_GROUP": group,
    }
    log_path = base / "hub.log"
    try:
        with open(log_path, "wb") as log, ThreadPoolExecutor(max_workers=1) as pool:
            # The hub starts in the background while the browser fixture launches Chromium; Course.url waits for it.
            starting = pool.submit(start_hub, env, base, log, log_path)
            try:
                yield Course(starting, base, materials, homes, trainees, instructor, group, log_path)
            finally:
                hub = None if starting.exception() else starting.result()[0]
                if hub is not None and hub.poll() is None:
                    # The servers first, waiting until they have ended: the hub, stopping them itself, polls each
                    # with back-off; it then finds them stopped and stops its proxy.
                    signal_servers(*trainees, instructor)
                    with contextlib.suppress(AssertionError):  # what is left is killed with the accounts
                        wait_until(lambda: not processes_of(*trainees, instructor), "the servers to end", 10)
                    os.killpg(hub.pid, signal.SIGTERM)
                    try:
                        hub.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        os.killpg(hub.pid, signal.SIGKILL)
                        hub.wait()
    finally:
        for name in (*trainees, instructor):
            remove_account(name)
        subprocess.run(["groupdel", group], capture_output=True, check=False)
        if os.environ.get("SAT_KEEP_HUB_LOG"):
            shutil.copy(log_path, Path(os.environ["SAT_KEEP_HUB_LOG"]))
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def sign_up_and_log_in(browser, course: Course, *names: str) -> dict[str, object]:
    """NativeAuthenticator's own pages: each user signs up with a password, then logs in; the hub starts their servers.

    The users act at once, as a class does: every form is filled before any is submitted, and every login submitted
    before any page is waited on, so the hub spawns the servers concurrently; ``arrive`` waits for a user's server.
    """
    pages = {name: browser.new_context(viewport={"width": 1440, "height": 900}).new_page() for name in names}
    for name, page in pages.items():
        page.goto(f"{course.url}/hub/signup")
        page.fill("#username_input", name)
        page.fill("#password_input", PASSWORD)
        page.fill("#password_confirmation_input", PASSWORD)
    for page in pages.values():
        page.click("#signup_submit")
    for name, page in pages.items():
        page.locator(".alert").wait_for(timeout=STEP_TIMEOUT * 1000)
        page.goto(f"{course.url}/hub/login")
        page.fill("#username_input", name)
        page.fill("#password_input", PASSWORD)
    for page in pages.values():
        page.click("#login_submit")
    return pages


def arrive(page, name: str, landing: str = LANDING) -> None:
    """Wait until the login has ended on the user's own server at the page the hub sends them to. Only the page's
    response is waited for: every next step leaves the page, so JupyterLab's scripts (and the kernel they would
    start) never run."""
    page.wait_for_url(f"**/user/{name}/{landing}", timeout=SPAWN_TIMEOUT_MS, wait_until="commit")


def open_editor(page, course: Course, name: str) -> None:
    """Ask for the exercise's editor in Voila; ``rate`` waits for it (so that both trainees' editors start at once)."""
    page.goto(f"{course.url}/user/{name}/voila/render/workbook/karish-ach/ach_editor.ipynb", wait_until="commit")


def rate(page, course: Course, name: str, evidence: str, hypothesis: str, code: str) -> None:
    """The editor shows the trainee's own name, blind rating and the structure locked; one rating."""
    page.locator("td.satg-cell").first.wait_for(timeout=SPAWN_TIMEOUT_MS)
    header = page.locator(".sat-editor-head").inner_text()
    assert f"analyst {name}" in header
    assert "blind rating (set by the exercise)" in header and "structure locked" in header
    assert page.locator(".lm-TabBar-tab", has_text="Hypotheses").count() == 0
    page.locator(f"button.satg-brush[data-code={code!r}]").click()
    cell(page, evidence, hypothesis).click()
    wait_until(
        lambda: course.ratings(name).is_file() and f"{evidence}," in course.ratings(name).read_text(),
        f"{name}'s rating of {evidence} in their own workspace",
    )
    page.locator(".sat-status-saved").wait_for(timeout=STEP_TIMEOUT * 1000)


def test_two_trainees_rate_in_their_own_workspaces_and_the_instructor_collects_both(course: Course, browser):
    committed = sorted(p.name for p in (course.materials / "data" / "cases" / "karish" / "ratings").iterdir())
    ana, ben = course.trainees
    pages = sign_up_and_log_in(browser, course, ana, ben, course.instructor)
    ana_page, ben_page, instructor_page = pages[ana], pages[ben], pages[course.instructor]
    for name in (ana, ben):
        arrive(pages[name], name)
        open_editor(pages[name], course, name)
    arrive(instructor_page, course.instructor, INSTRUCTOR_LANDING)
    instructor_page.goto(f"{course.url}/hub/home")  # the instructor's page waits on the hub's home page meanwhile
    rate(ana_page, course, ana, "E05", "H3", "II")
    rate(ben_page, course, ben, "E02", "H1", "C")

    # The files land in each trainee's own workspace, owned by that trainee; never the expert key, never the repo.
    for name, line in ((ana, "E05"), (ben, "E02")):
        file = course.ratings(name)
        assert file.stat().st_uid == pwd.getpwnam(name).pw_uid
        assert sorted(p.name for p in file.parent.iterdir()) == [file.name]  # only the trainee's own file
        assert line in file.read_text()
    assert sorted(p.name for p in (course.materials / "data" / "cases" / "karish" / "ratings").iterdir()) == committed

    # The key is in no workspace, and no trainee can read it in the course materials.
    assert not [p for p in course.homes.rglob("*") if p.name in ("key.yaml", "levant_desk.csv")]
    key = course.materials / "data" / "exercises" / "karish-ach" / "key.yaml"
    # One trainee can neither read nor change the other's work: not through the file system...
    for command in (
        ["cat", str(course.ratings(ana))],
        ["ls", str(course.homes / ana)],
        ["touch", str(course.homes / ana / "workbook" / "x")],
        ["cat", str(key)],
    ):
        result = as_user(course, ben, *command, cwd=course.base)
        assert result.returncode != 0 and "Permission denied" in result.stderr, command
    # ...nor through the hub (the other's server refuses them).
    response = ben_page.goto(f"{course.url}/user/{ana}/lab")
    assert response is not None and response.status == 403

    # The instructor collects both, read-only, and grades them.
    home = course.homes / course.instructor
    sat = str(HUB_BIN / "sat")
    collected = as_user(
        course,
        course.instructor,
        sat,
        "class",
        "collect",
        "karish-ach",
        "--homes",
        str(course.homes),
        "--to",
        str(home / "collected"),
        cwd=home,
    )
    assert collected.returncode == 0, collected.stderr
    assert "collected 2 of 2 trainee(s)" in collected.stdout
    for name in (ana, ben):
        assert (home / "collected" / f"{name}.csv").read_bytes() == course.ratings(name).read_bytes()
    change = as_user(course, course.instructor, "sh", "-c", f"echo x >> {course.ratings(ana)}", cwd=home)
    assert change.returncode != 0 and "Permission denied" in change.stderr
    graded = as_user(
        course,
        course.instructor,
        sat,
        "grade",
        "karish-ach",
        str(home / "collected"),
        "--out",
        str(home / "graded"),
        cwd=home,
    )
    assert graded.returncode == 0, graded.stderr
    assert {p.name for p in (home / "graded" / "feedback").iterdir()} == {f"{ana}.html", f"{ben}.html"}
    response = instructor_page.goto(f"{course.url}/user/{ana}/lab")  # no way into a trainee's server either
    assert response is not None and response.status == 403
