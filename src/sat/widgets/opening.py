"""Who opens the editor, on which case, and in which mode: from the caller, the hub user name and the page's URL.

Precedence, first that is set wins:

* analyst: the caller's argument; else ``$JUPYTERHUB_USER`` (on a JupyterHub the analyst *is* the logged-in user,
  and the name cannot be changed in the editor); else the URL's ``?analyst=`` (Voila passes the query string to
  the kernel as ``$QUERY_STRING``); else nobody, and the editor asks.
* case: the caller's argument; else the URL's ``?case=``; else none, and the editor asks.
* blind rating: on if the caller, the URL (``?blind=1``) or the exercise lock says so. The locks themselves
  (``lock_blind``, ``lock_structure``) come only from the caller (an exercise's injected notebook parameters),
  never from the URL, so a trainee cannot lift them by editing the address.

There is no default analyst: a new user's clicks never land in a worked example's expert matrix unless they type
that expert's name themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from ..paths import ANALYST_NAME

TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Opening:
    """How the editor opens: case and analyst (empty = ask), blind rating, and what an exercise locks."""

    case: str = ""
    analyst: str = ""
    analyst_fixed: bool = False
    blind: bool = False
    lock_blind: bool = False
    lock_structure: bool = False


def query_parameters(query: str) -> dict[str, str]:
    """A URL query string (``a=1&b=x``, with or without ``?``) as a mapping; the last value of a repeated key wins."""
    parsed = parse_qs(query.lstrip("?"), keep_blank_values=True)
    return {key: values[-1].strip() for key, values in parsed.items()}


def resolve(
    case: str = "",
    analyst: str = "",
    blind: bool = False,
    lock_blind: bool = False,
    lock_structure: bool = False,
    env: Mapping[str, str] | None = None,
) -> Opening:
    """Combine the caller's values with ``$JUPYTERHUB_USER`` and ``$QUERY_STRING`` from ``env`` (see the module)."""
    env = env or {}
    query = query_parameters(env.get("QUERY_STRING", ""))
    hub_user = env.get("JUPYTERHUB_USER", "")
    fixed = False
    if not analyst and hub_user and ANALYST_NAME.match(hub_user):
        analyst, fixed = hub_user, True
    analyst = analyst or query.get("analyst", "")
    case = str(case) or query.get("case", "")
    blind = bool(blind or lock_blind or query.get("blind", "").lower() in TRUE_WORDS)
    return Opening(case, analyst, fixed, blind, lock_blind, lock_structure)
