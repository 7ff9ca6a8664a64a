"""Small HTML snippets for reports, with every piece of analyst text escaped.

Analyst-entered text (titles, summaries, notes) is untrusted: it is always passed through :func:`html.escape`
before it reaches a report, so ``<script>`` in an evidence summary shows as text and never runs.
"""

from __future__ import annotations

import html
from collections.abc import Iterable


def plain_text_figures() -> None:
    """Make matplotlib draw every label as plain text: analyst text is never parsed as mathtext (a driver named
    ``$\\x$`` is a name, not TeX) and never handed to LaTeX."""
    import matplotlib

    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["text.usetex"] = False


def esc(text: object) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if text is None else str(text), quote=True)


def paragraphs(text: str) -> str:
    """Plain text with blank-line-separated paragraphs as escaped ``<p>`` elements."""
    parts = [p.strip() for p in str(text or "").split("\n\n") if p.strip()]
    return "".join(f"<p>{esc(p)}</p>" for p in parts)


def heading(text: str, level: int = 3) -> str:
    """An escaped heading."""
    return f"<h{level}>{esc(text)}</h{level}>"


def bullet_list(items: Iterable[str]) -> str:
    """An escaped unordered list (empty string for no items)."""
    rows = "".join(f"<li>{esc(item)}</li>" for item in items)
    return f"<ul>{rows}</ul>" if rows else ""


def labelled(pairs: Iterable[tuple[str, object]]) -> str:
    """A definition list of escaped label/value pairs, skipping empty values."""
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs if v not in (None, "", ()))
    return f"<dl>{rows}</dl>" if rows else ""
