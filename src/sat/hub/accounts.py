"""Unix accounts of a course hub run as root: one per user, so the operating system keeps the workspaces apart.

Every trainee's home is ``<home base>/<name>``, owned by the trainee, group ``sat-instructors``, mode ``2750``:
the trainee reads and writes it, the instructors' group reads it (the set-group-id bit hands the group down to
every file and folder the trainee creates; the workbook writes files ``0644``), other trainees cannot even list it.
Instructors are members of that group and nothing more: they can collect, never change, a trainee's work.
The hub creates an account the first time its user's server starts (JupyterHub's ``pre_spawn_hook``), the way
The Littlest JupyterHub does. The course materials (``$SAT_ROOT``: cases with their expert ratings, exercises with
their keys, and a clone's git history of both) are closed to everyone but root and the instructors' group
(:func:`protect_materials`); trainees need nothing from there, their workspace holds their pack.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from ..errors import SatError
from .workspace import WORKSPACE, seed_workspace

INSTRUCTORS_GROUP = "sat-instructors"
#: Names useradd accepts everywhere (Debian's default NAME_REGEX), which are also valid analyst names.
UNIX_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
TRAINEE_HOME_MODE = 0o2750


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SatError(f"{' '.join(command)} failed: {result.stderr.strip() or result.returncode}")


def ensure_group(name: str = INSTRUCTORS_GROUP) -> int:
    """The group's id, creating it as a system group if it does not exist."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run("groupadd", "--system", name)
        return grp.getgrnam(name).gr_gid


def ensure_user(name: str, home_base: Path) -> pwd.struct_passwd:
    """The user's account, creating it (own group, home ``home_base/name``, no password) if it does not exist."""
    if not UNIX_NAME.match(name):
        raise SatError(
            f"{name!r}: not usable as a Unix account name (lower-case letters, digits, '-', '_'; "
            "starting with a letter; at most 32 characters)"
        )
    try:
        return pwd.getpwnam(name)
    except KeyError:
        _run(
            "useradd",
            "--create-home",
            "--home-dir",
            str(home_base / name),
            "--shell",
            "/bin/bash",
            "--user-group",
            name,
        )
        return pwd.getpwnam(name)


def protect_materials(root: Path, group: str = INSTRUCTORS_GROUP) -> None:
    """Close the materials folder ``root`` to all but root and ``group``: owner root, that group, mode ``0750``."""
    gid = ensure_group(group)
    os.chown(root, 0, gid)
    os.chmod(root, 0o750)


def prepare_trainee(
    name: str,
    home_base: Path,
    exercise: str,
    *,
    lock_blind: bool = True,
    lock_structure: bool = True,
    group: str = INSTRUCTORS_GROUP,
) -> Path:
    """Account, home shared read-only with the instructors, workspace seeded with the trainee pack of
    ``exercise``; return the workspace."""
    gid = ensure_group(group)
    account = ensure_user(name, home_base)
    home = Path(account.pw_dir)
    os.chown(home, account.pw_uid, gid)
    os.chmod(home, TRAINEE_HOME_MODE)
    workspace = home / WORKSPACE
    if seed_workspace(workspace, exercise, lock_blind=lock_blind, lock_structure=lock_structure):
        for folder, dirs, files in os.walk(workspace):
            for entry in (folder, *(os.path.join(folder, f) for f in dirs + files)):
                os.chown(entry, account.pw_uid, gid, follow_symlinks=False)
            os.chmod(folder, TRAINEE_HOME_MODE)
    return workspace


def prepare_instructor(name: str, home_base: Path, group: str = INSTRUCTORS_GROUP) -> Path:
    """Account in the instructors' group (read access to every trainee's home); return the home folder."""
    ensure_group(group)
    account = ensure_user(name, home_base)
    if name not in grp.getgrnam(group).gr_mem:
        _run("usermod", "--append", "--groups", group, name)
    return Path(account.pw_dir)


def pre_spawn_hook(
    exercise: str,
    instructors: Collection[str],
    home_base: Path,
    *,
    lock_blind: bool = True,
    lock_structure: bool = True,
    group: str = INSTRUCTORS_GROUP,
) -> Callable[[Any], None]:
    """A JupyterHub ``Spawner.pre_spawn_hook`` that prepares the account and workspace of the user about to start."""

    def hook(spawner: Any) -> None:
        name = spawner.user.name
        if name in instructors:
            prepare_instructor(name, home_base, group)
        else:
            prepare_trainee(
                name, home_base, exercise, lock_blind=lock_blind, lock_structure=lock_structure, group=group
            )

    return hook
