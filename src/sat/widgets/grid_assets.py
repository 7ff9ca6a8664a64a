"""The grid's front end: a small ES module and its style sheet, shipped inline (no CDN, works offline).

The module renders the whole matrix as one HTML table and talks to Python with two messages:
``{"event": "rate", "evidence", "hypothesis", "code", "seq"}`` and ``{"event": "select", "kind", "id"}``. All text
reaches the page through ``textContent`` and ``title`` (never ``innerHTML``), so analyst text cannot inject markup.
"""

from __future__ import annotations

import json

from ..palette import RATING_COLOURS, RATING_TEXT
from ..rating_scale import ALL_CODES, RATING_KEYS, RATING_LABEL

#: The rating scale as the module's constants (codes in order, their names, and the keys that set them).
_SCALE_JS = (
    f"const CODES = {json.dumps(list(ALL_CODES))};\n"
    f"const NAMES = {json.dumps(RATING_LABEL)};\n"
    f"const KEYS = {json.dumps({**RATING_KEYS, 'Delete': '', 'Backspace': ''})};\n"
)

GRID_ESM = (
    _SCALE_JS
    + r"""
const MOVES = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};

function node(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function keyOf(code) {
  return Object.keys(KEYS).find((k) => KEYS[k] === code);
}

function render({ model, el }) {
  const root = node("div", "satg");
  root.dataset.lmSuppressShortcuts = "true";  // JupyterLab: keys typed in the grid are ratings, not commands
  const bar = node("div", "satg-bar");
  const scroll = node("div", "satg-scroll");
  const table = node("table", "satg-table");
  scroll.append(table);
  root.append(bar, scroll);
  el.append(root);

  let rows = [], cols = [], tds = [], heads = [], focus = null;
  // Ratings sent but not yet handled by the kernel ("E\tH" -> {code, seq}). They stay painted until the kernel's
  // acknowledgement (``ack``) reaches their number, so an earlier change's update cannot paint over a newer click.
  const pending = new Map();
  let seq = model.get("ack") || 0;
  const brushes = new Map();
  bar.append(node("span", "satg-bar-label", "Rating to apply"));
  for (const code of CODES) {
    const b = node("button", `satg-brush satg-c-${code || "empty"}`, code || "clear");
    b.type = "button";
    b.title = `${NAMES[code]} (key ${keyOf(code)})`;
    b.dataset.code = code;
    b.addEventListener("click", () => { model.set("brush", code); model.save_changes(); });
    brushes.set(code, b);
    bar.append(b);
  }
  bar.append(node("span", "satg-help", "click a cell to apply \u00b7 keys 1\u20136 rate, 0 clears, arrows move"));
  const progress = node("span", "satg-progress");
  bar.append(progress);

  function paintBrush() {
    const brush = model.get("brush");
    for (const [code, b] of brushes) b.classList.toggle("satg-on", code === brush);
  }

  function build() {
    cols = model.get("hypotheses");
    rows = model.get("evidence");
    focus = null;
    const head = node("tr");
    const corner = node("th", "satg-corner");
    corner.append(node("span", "satg-corner-e", "Evidence \u2193"), node("span", "satg-corner-h", "Hypotheses \u2192"));
    head.append(corner);
    cols.forEach((h, c) => {
      const th = node("th", "satg-col");
      th.title = h.tip;
      th.dataset.c = c;
      th.dataset.id = h.id;
      th.append(node("div", "satg-hid", h.id), node("div", "satg-htitle", h.title));
      head.append(th);
    });
    const thead = node("thead");
    thead.append(head);
    const tbody = node("tbody");
    heads = [];
    tds = rows.map((e, r) => {
      const tr = node("tr");
      const th = node("th", "satg-row");
      heads.push(th);
      th.title = e.tip;
      th.dataset.id = e.id;
      const label = node("div", "satg-rlabel");
      label.append(node("span", "satg-eid", e.id), node("span", "satg-esum", e.summary));
      th.append(label);
      tr.append(th);
      const line = cols.map((h, c) => {
        const td = node("td", "satg-cell");
        td.dataset.r = r;
        td.dataset.c = c;
        td.tabIndex = r === 0 && c === 0 ? 0 : -1;
        tr.append(td);
        return td;
      });
      tbody.append(tr);
      return line;
    });
    table.replaceChildren(thead, tbody);
    paint();
    flag();
  }

  function flag() {
    const linchpins = new Set(model.get("linchpins"));
    rows.forEach((e, r) => heads[r].classList.toggle("satg-linchpin", linchpins.has(e.id)));
  }

  function paint() {
    // Touch only the cells whose rating, mark or hover text changed: a click changes one cell of thousands.
    const codes = model.get("codes"), marks = model.get("marks"), tips = model.get("tips"), ack = model.get("ack");
    const notes = model.get("notes");
    for (const [key, sent] of pending) if (sent.seq <= ack) pending.delete(key);
    let rated = 0, total = 0;
    rows.forEach((e, r) => cols.forEach((h, c) => {
      const key = `${e.id}\t${h.id}`;
      const sent = pending.get(key);
      const code = sent ? sent.code : (codes[r] || [])[c] || "";
      const td = tds[r][c];
      const cls = `satg-cell satg-c-${code || "empty"}` + (marks[key] ? ` satg-m-${marks[key]}` : "") +
        (notes[key] ? " satg-noted" : "") + (sent ? " satg-pending" : "");
      const title = `${e.id} \u00d7 ${h.id}: ${NAMES[code] ?? code}` + (tips[key] ? `\n${tips[key]}` : "") +
        (notes[key] ? `\nWhy: ${notes[key]}` : "");
      if (td.className !== cls) td.className = cls;
      if (td.textContent !== code) td.textContent = code;
      if (td.title !== title) td.title = title;
      total += 1;
      if (code) rated += 1;
    }));
    progress.textContent = `${rated} of ${total} cells rated`;
    root.classList.toggle("satg-readonly", model.get("readonly"));
  }

  function setFocus(r, c) {
    if (!tds.length || !cols.length) return;
    r = Math.max(0, Math.min(rows.length - 1, r));
    c = Math.max(0, Math.min(cols.length - 1, c));
    if (focus) tds[focus[0]][focus[1]].tabIndex = -1;
    table.querySelectorAll(".satg-hot").forEach((x) => x.classList.remove("satg-hot"));
    tds[r][c].tabIndex = 0;
    tds[r][c].focus();
    tds[r][c].parentElement.firstChild.classList.add("satg-hot");
    table.querySelector(`th.satg-col[data-c="${c}"]`).classList.add("satg-hot");
    if (!focus || focus[0] !== r || focus[1] !== c) {
      model.send({event: "select", kind: "cell", evidence: rows[r].id, hypothesis: cols[c].id});
    }
    focus = [r, c];
  }

  function rate(r, c, code) {
    if (model.get("readonly")) return;
    const td = tds[r][c];
    if (td.textContent === code) return;
    td.textContent = code;
    td.className = `satg-cell satg-c-${code || "empty"} satg-pending`;
    window.__satClick = performance.now();
    seq += 1;
    pending.set(`${rows[r].id}\t${cols[c].id}`, {code, seq});
    model.send({event: "rate", evidence: rows[r].id, hypothesis: cols[c].id, code, seq});
  }

  table.addEventListener("click", (ev) => {
    const td = ev.target.closest("td.satg-cell");
    if (td) {
      setFocus(+td.dataset.r, +td.dataset.c);
      rate(+td.dataset.r, +td.dataset.c, model.get("brush"));
      return;
    }
    const th = ev.target.closest("th.satg-col, th.satg-row");
    if (th) model.send({event: "select", kind: th.classList.contains("satg-col") ? "hypothesis" : "evidence",
                        id: th.dataset.id});
  });
  table.addEventListener("keydown", (ev) => {
    const td = ev.target.closest("td.satg-cell");
    if (!td) return;
    const r = +td.dataset.r, c = +td.dataset.c;
    if (ev.key in MOVES) {
      setFocus(r + MOVES[ev.key][0], c + MOVES[ev.key][1]);
    } else if (ev.key in KEYS) {
      rate(r, c, KEYS[ev.key]);
    } else if (ev.key === "Enter" || ev.key === " ") {
      rate(r, c, model.get("brush"));
    } else {
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  });

  const handlers = [["change:hypotheses", build], ["change:evidence", build], ["change:codes", paint],
                    ["change:marks", paint], ["change:tips", paint], ["change:notes", paint],
                    ["change:readonly", paint], ["change:ack", paint],
                    ["change:brush", paintBrush], ["change:linchpins", flag]];
  for (const [event, fn] of handlers) model.on(event, fn);
  build();
  paintBrush();
  return () => { for (const [event, fn] of handlers) model.off(event, fn); };
}

export default { render };
"""
)

_BASE_CSS = """
.satg { font: 13px/1.35 var(--jp-ui-font-family, system-ui, -apple-system, "Segoe UI", sans-serif); color: #1f2328; }
.satg-bar { display: flex; align-items: center; gap: 5px; flex-wrap: wrap; padding: 6px 8px; background: #f6f8fa;
  border: 1px solid #d0d7de; border-bottom: none; border-radius: 6px 6px 0 0; }
.satg-bar-label { font-weight: 600; margin-right: 4px; }
.satg-brush { min-width: 3.4em; padding: 2px 8px; border: 1px solid #8c959f; border-radius: 4px; font: inherit;
  font-weight: 600; cursor: pointer; }
.satg-brush.satg-on { outline: 2px solid #0969da; outline-offset: 1px; }
.satg-help { color: #57606a; font-size: 12px; margin-left: 8px; }
.satg-progress { margin-left: auto; color: #57606a; font-variant-numeric: tabular-nums; }
.satg-scroll { max-height: 72vh; overflow: auto; border: 1px solid #d0d7de; border-radius: 0 0 6px 6px; }
.satg-table { border-collapse: separate; border-spacing: 0; min-width: 100%; }
.satg-table th, .satg-table td { border-right: 1px solid #d8dee4; border-bottom: 1px solid #d8dee4; }
.satg-table thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 2; vertical-align: bottom; }
.satg-corner { left: 0; z-index: 3 !important; min-width: 20em; max-width: 20em; padding: 4px 8px;
  text-align: left; font-weight: 600; color: #57606a; }
.satg-corner-h { float: right; }
.satg-col { min-width: 6.8em; max-width: 11em; padding: 4px 6px; text-align: left;
  font-weight: normal; cursor: pointer; }
.satg-hid { font-weight: 700; }
.satg-htitle { font-size: 11.5px; color: #424a53; display: -webkit-box; -webkit-line-clamp: 4;
  -webkit-box-orient: vertical; overflow: hidden; }
.satg-row { position: sticky; left: 0; z-index: 1; background: #fff; min-width: 20em; max-width: 20em;
  padding: 3px 8px; text-align: left; font-weight: normal; cursor: pointer; }
.satg-rlabel { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.satg-eid { font-weight: 700; margin-right: 6px; }
.satg-linchpin .satg-eid::after { content: " \\25C6"; color: #d9480f; }
.satg-col:hover, .satg-row:hover { background: #eaeef2; }
.satg-hot { background: #ddf4ff !important; }
.satg-cell { height: 26px; padding: 0 4px; text-align: center; font-weight: 600; cursor: pointer; }
.satg-cell:focus { outline: 2px solid #0969da; outline-offset: -2px; }
.satg-pending { opacity: 0.5; }
.satg-cell[class*="satg-m-"] { position: relative; }
.satg-cell[class*="satg-m-"]::after { content: ""; position: absolute; top: 0; right: 0; border-style: solid;
  border-width: 0 13px 13px 0; border-color: transparent var(--satg-mark) transparent transparent; }
.satg-m-mild { --satg-mark: #f08c00; box-shadow: inset 0 0 0 2px #f08c00; }
.satg-m-large { --satg-mark: #d9480f; box-shadow: inset 0 0 0 3px #d9480f; }
.satg-m-extreme { --satg-mark: #212529; box-shadow: inset 0 0 0 2px #ffffff, inset 0 0 0 5px #212529; }
.satg-m-na { --satg-mark: #1c7ed6; box-shadow: inset 0 0 0 3px #1c7ed6; }
.satg-readonly .satg-cell { cursor: not-allowed; opacity: 0.55; }
.satg-cell.satg-noted { background-image: linear-gradient(225deg, #24292f 5px, transparent 5px); }
"""


def grid_css() -> str:
    """The grid's style sheet, with the rating colours of the report (:data:`sat.palette.RATING_COLOURS`)."""
    rules = [
        f".satg-c-{code or 'empty'} {{ background: {RATING_COLOURS[code]}; color: {RATING_TEXT[code]}; }}"
        for code in ALL_CODES
    ]
    return _BASE_CSS + "\n".join(rules) + "\n"
