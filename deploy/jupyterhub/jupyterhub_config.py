# JupyterHub for a course of the SAT workbook on one server (see docs/deployment.md).
#
# Start it as root, from the environment the workbook is installed in (`pip install 'sat[hub]'` or `make setup`):
#
#     SAT_ROOT=/srv/sat-course SAT_HUB_INSTRUCTORS=dana SAT_HUB_TRAINEES=ana,ben SAT_HUB_EXERCISE=karish-ach \
#         jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#
# What it sets up:
# - NativeAuthenticator: trainees and instructors sign up at /hub/signup with a password of their own. Names on
#   the roster (SAT_HUB_TRAINEES, SAT_HUB_INSTRUCTORS) are approved at sign-up; anyone else waits until a hub
#   administrator (SAT_HUB_ADMINS) approves them at /hub/authorize.
# - Instructors get a role of their own, not the hub's admin role (which can enter every server): they see the
#   class in the admin page and can start and stop the trainees' servers, but cannot open them.
# - One Unix account per user, created when the user's server first starts, so the operating system keeps the
#   workspaces apart: a trainee's home is theirs, readable (never writable) by the instructors' group, closed to
#   other trainees (sat.hub.accounts).
# - Each trainee's ~/workbook/<exercise> seeded with the exercise's trainee pack (never the key) and, for an ACH
#   exercise, the matrix editor with blind rating and the structure locked (sat.hub.workspace).
# - The materials folder ($SAT_ROOT: keys, expert ratings, a clone's git history) closed to all but root and the
#   instructors' group.
# - Instructors collect the class with `sat class collect EXERCISE --to DIR` in their own server's terminal and
#   grade it with `sat grade EXERCISE DIR --out graded/`.
#
# Settings come from the environment so that one file serves every course; edit the defaults here if you prefer.

import os
import sys
from pathlib import Path

from sat.hub.accounts import pre_spawn_hook, protect_materials
from sat.paths import repo_root
from sat.training.exercise import load_exercise

c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)


def _names(variable: str, default: str = "") -> set[str]:
    return {name.strip() for name in os.environ.get(variable, default).split(",") if name.strip()}


INSTRUCTORS = _names("SAT_HUB_INSTRUCTORS", "instructor")
ADMINS = _names("SAT_HUB_ADMINS")  # the hub's administrators: every right, including entering any server
TRAINEES = _names("SAT_HUB_TRAINEES")  # the roster: approved at sign-up; others wait for an administrator
EXERCISE = os.environ.get("SAT_HUB_EXERCISE", "karish-ach")  # an exercise id under $SAT_ROOT/data/exercises
HOME_BASE = Path(os.environ.get("SAT_HUB_HOME_BASE", "/home"))  # where the users' home folders are made
STATE = Path(os.environ.get("SAT_HUB_STATE_DIR", "/srv/sat-hub"))  # the hub's database and cookie secret
LOCKS = os.environ.get("SAT_HUB_LOCKS", "1") != "0"  # blind rating on and structure locked for trainees
GROUP = os.environ.get("SAT_HUB_GROUP", "sat-instructors")  # the Unix group that may read the trainees' homes
BIN = Path(sys.executable).parent  # the environment the hub (and the workbook) runs from
MATERIALS = repo_root()  # $SAT_ROOT: the course's data/ (cases, exercises with keys) and notebooks/

STATE.mkdir(parents=True, exist_ok=True, mode=0o700)
KIND = load_exercise(EXERCISE).kind  # checks the exercise (and that its key is there) before the hub starts
protect_materials(MATERIALS, GROUP)

# --- who may log in -------------------------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 120
c.Authenticator.allowed_users = TRAINEES | INSTRUCTORS  # NativeAuthenticator approves these at sign-up
c.Authenticator.admin_users = ADMINS
c.Authenticator.allow_all = True  # every *approved* NativeAuthenticator account; approval is the gate
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "See the class and start or stop its servers; no access to a trainee's server",
        "scopes": ["admin-ui", "list:users", "read:users", "servers"],
        "users": sorted(INSTRUCTORS),
    }
]

# --- one server and one Unix account per user ----------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
_prepare = pre_spawn_hook(
    EXERCISE, INSTRUCTORS | ADMINS, HOME_BASE, lock_blind=LOCKS, lock_structure=LOCKS, group=GROUP
)


def _pre_spawn(spawner):
    """Prepare the user's account (and a trainee's workspace); an instructor, who has no workspace, lands on
    JupyterLab's launcher (a terminal for `sat class collect`) instead of the trainees' editor."""
    _prepare(spawner)
    if spawner.user.name in INSTRUCTORS | ADMINS:
        spawner.default_url = "/lab"


c.Spawner.pre_spawn_hook = _pre_spawn
c.Spawner.default_url = f"/lab/tree/workbook/{EXERCISE}" + ("/ach_editor.ipynb" if KIND == "ach" else "")
c.Spawner.environment = {  # instructors' servers see the materials (to collect and grade); trainees' do not
    "SAT_ROOT": lambda spawner: str(MATERIALS) if spawner.user.name in INSTRUCTORS | ADMINS else "",
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# --- the hub's own files and its proxy -----------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
if (BIN / "configurable-http-proxy").exists():  # installed beside the hub by `make hub-env`
    c.ConfigurableHTTPProxy.command = [str(BIN / "configurable-http-proxy")]
