"""The section readers of ``scenarios.yaml`` (drivers, futures, multiple, cone, bridge) and their problem collector."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...errors import ValidationError
from ...validation import ITEM_ID, ITEM_ID_RULE, FieldReader, shown
from ...yamlio import line_of, own_line
from ..bridge import Bridge, BridgeAxis
from ..cib import CIBMatrix
from ..cone import Assumption, Cone, ConeScenario, WildCard
from ..drivers import CRITICAL_UNCERTAINTY, FRAMEWORKS, RATING_MAX, RATING_MIN, Driver, classify
from ..futures import Futures, Indicator, Quadrant, combinations
from ..multiple import CRITERIA, ScreenJudgment, quadrant_key


class Checker(FieldReader):
    """The problems of one ``scenarios.yaml``: :class:`~sat.validation.FieldReader` plus the section readers' own
    helpers, which take the full field name and return None for a value that is missing or bad."""

    def add(
        self, field_path: str, message: str, value: Any = None, line: int | None = None, code: str = "invalid"
    ) -> None:
        """Record one problem (the value shown as :func:`~sat.validation.shown` does)."""
        self.problem(field_path, message, shown(value), line, code)

    def raise_if_any(self) -> None:
        """Raise one ValidationError with every problem collected."""
        if self.problems:
            raise ValidationError(list(self.problems))

    def sequence(self, node: Any, where: str, line: int | None, required: bool = True) -> list[Any]:
        if node is None and not required:
            return []
        if isinstance(node, list):
            return node
        self.add(where, "must be a list", node, line, "type")
        return []

    def unknown_keys(self, node: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
        self.unknown(node, allowed, where)

    def string(self, node: dict[Any, Any], key: str, where: str, required: bool = True) -> str | None:
        if key not in node:
            if required:
                self.add(where, "is required", None, own_line(node), "required")
            return None
        value = node[key]
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is None and not required:
            return None
        self.add(where, "must be non-empty text", value, line_of(node, key), "empty" if value == "" else "type")
        return None

    def strings(self, node: dict[Any, Any], key: str, where: str, required: bool = False) -> tuple[str, ...]:
        if key not in node:
            if required:
                self.add(where, "is required", None, own_line(node), "required")
            return ()
        items = self.sequence(node[key], where, line_of(node, key), required=False)
        out = []
        for i, item in enumerate(items):
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            else:
                self.add(f"{where}[{i}]", "must be non-empty text", item, line_of(items, i), "type")
        return tuple(out)

    def ident(self, node: dict[Any, Any], key: str, where: str) -> str | None:
        value = self.string(node, key, where)
        if value is not None and not re.match(ITEM_ID, value):
            self.add(where, ITEM_ID_RULE, value, line_of(node, key), "id")
            return None
        return value

    def rating(self, node: dict[Any, Any], key: str, where: str) -> int | None:
        if key not in node:
            self.add(where, "is required", None, own_line(node), "required")
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
            self.add(
                where, f"must be a whole number from {RATING_MIN} to {RATING_MAX}", value, line_of(node, key), "number"
            )
            return None
        return value

    def flag(self, node: dict[Any, Any], key: str, where: str, allow_unjudged: bool) -> bool | None:
        value = node.get(key)
        if value is None and allow_unjudged:
            return None
        if isinstance(value, bool):
            return value
        expected = "true, false or left out (not judged yet)" if allow_unjudged else "true or false"
        self.add(where, f"must be {expected}", value, line_of(node, key), "type")
        return None

    def driver(self, did: str, where: str, line: int | None, by_id: Mapping[str, Driver]) -> Driver | None:
        """The driver ``did`` names; a ``reference`` problem when there is none, unless that driver was itself
        rejected (its own problem is reported where it is defined)."""
        return by_id[did] if self.refs([did], where, line, "driver", by_id) else None


def read_drivers(
    check: Checker, data: dict[Any, Any], framework: str, source_ids: frozenset[str] | None
) -> list[Driver]:
    if "drivers" not in data:
        check.add("drivers", "is required: the driver table", None, own_line(data), "required")
        return []
    items = check.sequence(data["drivers"], "drivers", line_of(data, "drivers"))
    if "drivers" in data and isinstance(data["drivers"], list) and not items:
        check.add("drivers", "the driver table is empty", None, line_of(data, "drivers"), "empty")
    categories = {c.lower(): c for c in FRAMEWORKS.get(framework, ())}
    drivers: list[Driver] = []
    seen: set[str] = set()
    for i, node in enumerate(items):
        where = f"drivers[{i}]"
        node = check.mapping(node, where, line_of(items, i))
        if node is None:
            continue
        check.unknown_keys(
            node, ("id", "name", "category", "description", "impact", "uncertainty", "end_states", "sources"), where
        )
        did = check.ident(node, "id", f"{where}.id")
        if did is not None and did in seen:
            check.add(f"{where}.id", "duplicate driver id", did, line_of(node, "id"), "duplicate")
            did = None
        name = check.string(node, "name", f"{where}.name")
        description = check.string(node, "description", f"{where}.description")
        category = check.string(node, "category", f"{where}.category")
        if category is not None and framework:
            if category.lower() in categories:
                category = categories[category.lower()]
            else:
                check.add(
                    f"{where}.category",
                    f"not a {framework} category (expected one of: {', '.join(FRAMEWORKS[framework])})",
                    category,
                    line_of(node, "category"),
                    "choice",
                )
                category = None
        impact = check.rating(node, "impact", f"{where}.impact")
        uncertainty = check.rating(node, "uncertainty", f"{where}.uncertainty")
        states = check.strings(node, "end_states", f"{where}.end_states", required=True)
        if "end_states" in node and isinstance(node["end_states"], list):
            if len(node["end_states"]) != 2:
                check.add(
                    f"{where}.end_states",
                    "must list exactly two end states",
                    len(node["end_states"]),
                    line_of(node, "end_states"),
                    "structure",
                )
            elif len(states) == 2 and states[0] == states[1]:
                check.add(
                    f"{where}.end_states", "the two end states must differ", states[0], line_of(node, "end_states")
                )
        sources = check.strings(node, "sources", f"{where}.sources")
        if source_ids is not None:
            for k, sid in enumerate(sources):
                check.refs([sid], f"{where}.sources[{k}]", line_of(node["sources"], k), "source", source_ids)
        if did is not None:
            seen.add(did)
        if (
            did is None
            or name is None
            or description is None
            or category is None
            or impact is None
            or uncertainty is None
            or len(states) != 2
            or states[0] == states[1]
        ):
            raw_id = node.get("id")
            if isinstance(raw_id, str) and raw_id.strip() not in {d.id for d in drivers}:
                check.problems.reject("driver", raw_id.strip())  # references to it are not reported again
            continue
        drivers.append(Driver(did, name, description, category, impact, uncertainty, (states[0], states[1]), sources))
    return drivers


def _indicators(
    check: Checker, node: dict[Any, Any], where: str, indicator_ids: dict[str, str], required: bool
) -> tuple[Indicator, ...]:
    if "indicators" not in node:
        if required:
            check.add(
                f"{where}.indicators",
                "is required: every scenario needs observable indicators",
                None,
                own_line(node),
                "required",
            )
        return ()
    items = check.sequence(node["indicators"], f"{where}.indicators", line_of(node, "indicators"))
    if required and isinstance(node["indicators"], list) and not items:
        check.add(
            f"{where}.indicators",
            "empty: every scenario needs observable indicators",
            None,
            line_of(node, "indicators"),
            "empty",
        )
    out = []
    for k, item in enumerate(items):
        w = f"{where}.indicators[{k}]"
        item = check.mapping(item, w, line_of(items, k))
        if item is None:
            continue
        check.unknown_keys(item, ("id", "text"), w)
        iid = check.ident(item, "id", f"{w}.id")
        text = check.string(item, "text", f"{w}.text")
        if iid is not None and iid in indicator_ids:
            check.add(
                f"{w}.id",
                f"duplicate indicator id (already used in {indicator_ids[iid]})",
                iid,
                line_of(item, "id"),
                "duplicate",
            )
            continue
        if iid is not None:
            indicator_ids[iid] = where
        if iid is not None and text is not None:
            out.append(Indicator(iid, text))
    return tuple(out)


def _axis_driver(check: Checker, node: dict[Any, Any], key: str, by_id: Mapping[str, Driver]) -> Driver | None:
    did = check.string(node, key, f"futures.{key}")
    if did is None:
        return None
    driver = check.driver(did, f"futures.{key}", line_of(node, key), by_id)
    if driver is None:
        return None
    kind = classify(driver.impact, driver.uncertainty)
    if kind != CRITICAL_UNCERTAINTY:
        check.add(
            f"futures.{key}",
            f"axis driver is a {kind} (impact {driver.impact}, uncertainty {driver.uncertainty}); "
            "2x2 axes must be critical uncertainties",
            did,
            line_of(node, key),
        )
    return driver


def read_futures(
    check: Checker, node: Any, line: int | None, by_id: Mapping[str, Driver], indicator_ids: dict[str, str]
) -> Futures | None:
    node = check.mapping(node, "futures", line)
    if node is None:
        return None
    check.unknown_keys(node, ("x_axis", "y_axis", "independence", "robust_moves", "quadrants"), "futures")
    x = _axis_driver(check, node, "x_axis", by_id)
    y = _axis_driver(check, node, "y_axis", by_id)
    if x is not None and y is not None and x.id == y.id:
        check.add("futures.y_axis", "the two axes must be different drivers", y.id, line_of(node, "y_axis"))
        y = None
    independence = check.string(node, "independence", "futures.independence")
    robust = check.strings(node, "robust_moves", "futures.robust_moves")
    items = (
        check.sequence(node.get("quadrants"), "futures.quadrants", line_of(node, "quadrants"))
        if "quadrants" in node
        else []
    )
    if "quadrants" not in node:
        check.add("futures.quadrants", "is required", None, line, "required")
    quadrants: list[Quadrant] = []
    quadrant_ids: set[str] = set()
    placed: dict[tuple[str, str], int] = {}
    for i, q in enumerate(items):
        where = f"futures.quadrants[{i}]"
        q = check.mapping(q, where, line_of(items, i))
        if q is None:
            continue
        check.unknown_keys(q, ("id", "name", "x", "y", "narrative", "indicators", "implications", "options"), where)
        qid = check.ident(q, "id", f"{where}.id")
        if qid is not None and qid in quadrant_ids:
            check.add(f"{where}.id", "duplicate quadrant id", qid, line_of(q, "id"), "duplicate")
            qid = None
        name = check.string(q, "name", f"{where}.name")
        xs = check.string(q, "x", f"{where}.x")
        ys = check.string(q, "y", f"{where}.y")
        for state, axis, key in ((xs, x, "x"), (ys, y, "y")):
            if state is not None and axis is not None and state not in axis.end_states:
                check.add(
                    f"{where}.{key}",
                    f"not an end state of axis driver {axis.id!r} "
                    f"(expected {axis.end_states[0]!r} or {axis.end_states[1]!r})",
                    state,
                    line_of(q, key),
                    "choice",
                )
        if x is not None and y is not None and xs in x.end_states and ys in y.end_states:
            if (xs, ys) in placed:
                check.add(
                    where,
                    f"a second quadrant at ({xs}, {ys}); the first is quadrants[{placed[(xs, ys)]}]",
                    f"{xs} / {ys}",
                    own_line(q),
                    "duplicate",
                )
            placed.setdefault((xs, ys), i)
        narrative = check.string(q, "narrative", f"{where}.narrative")
        indicators = _indicators(check, q, where, indicator_ids, required=True)
        implications = check.strings(q, "implications", f"{where}.implications", required=True)
        options = check.strings(q, "options", f"{where}.options")
        if qid is not None:
            quadrant_ids.add(qid)
        if (
            qid is not None
            and name is not None
            and xs is not None
            and ys is not None
            and narrative is not None
            and indicators
        ):
            quadrants.append(Quadrant(qid, name, xs, ys, narrative, indicators, implications, options))
    if x is not None and y is not None and isinstance(node.get("quadrants"), list):
        for combo in combinations(x, y):
            if combo not in placed:
                check.add(
                    "futures.quadrants",
                    f"no quadrant for {x.id}={combo[0]} and {y.id}={combo[1]}",
                    f"{combo[0]} / {combo[1]}",
                    line_of(node, "quadrants"),
                    "structure",
                )
    if x is None or y is None or independence is None or len(quadrants) != 4:
        return None
    return Futures(x.id, y.id, independence, tuple(quadrants), robust)


def read_multiple(check: Checker, node: Any, line: int | None, by_id: Mapping[str, Driver]) -> list[ScreenJudgment]:
    node = check.mapping(node, "multiple", line)
    if node is None:
        return []
    check.unknown_keys(node, ("screen",), "multiple")
    items = check.sequence(node.get("screen"), "multiple.screen", line_of(node, "screen"))
    order = list(by_id)
    seen: dict[str, int] = {}
    out: list[ScreenJudgment] = []
    for i, j in enumerate(items):
        where = f"multiple.screen[{i}]"
        j = check.mapping(j, where, line_of(items, i))
        if j is None:
            continue
        check.unknown_keys(j, ("drivers", "states", *CRITERIA, "shortlisted", "name", "reason"), where)
        pair = check.strings(j, "drivers", f"{where}.drivers", required=True)
        states = check.strings(j, "states", f"{where}.states", required=True)
        ok = True
        if len(pair) != 2 or len(states) != 2:
            if "drivers" in j and "states" in j:
                check.add(
                    where,
                    "needs exactly two drivers and one end state of each",
                    f"{len(pair)} drivers, {len(states)} states",
                    own_line(j),
                    "structure",
                )
            ok = False
        else:
            if pair[0] == pair[1]:
                check.add(f"{where}.drivers", "the two drivers must differ", pair[0], line_of(j, "drivers"))
                ok = False
            for k, (did, state) in enumerate(zip(pair, states)):
                driver = check.driver(did, f"{where}.drivers[{k}]", line_of(j["drivers"], k), by_id)
                if driver is None:
                    ok = False
                elif state not in driver.end_states:
                    check.add(
                        f"{where}.states[{k}]",
                        f"not an end state of driver {did!r} "
                        f"(expected {driver.end_states[0]!r} or {driver.end_states[1]!r})",
                        state,
                        line_of(j["states"], k),
                        "choice",
                    )
                    ok = False
        flags = {c: check.flag(j, c, f"{where}.{c}", allow_unjudged=True) for c in CRITERIA}
        shortlisted = check.flag(j, "shortlisted", f"{where}.shortlisted", allow_unjudged=True) or False
        name = check.string(j, "name", f"{where}.name", required=False) or ""
        reason = check.string(j, "reason", f"{where}.reason", required=False) or ""
        if shortlisted:
            if not reason:
                check.add(
                    f"{where}.reason",
                    "a shortlisted scenario needs the reason it was kept",
                    None,
                    own_line(j),
                    "required",
                )
            if not name:
                check.add(f"{where}.name", "a shortlisted scenario needs a name", None, own_line(j), "required")
            if flags["plausible"] is not True:
                check.add(
                    f"{where}.shortlisted",
                    "only a quadrant judged plausible can be shortlisted",
                    flags["plausible"],
                    line_of(j, "shortlisted"),
                )
        if not ok:
            continue
        judgment = ScreenJudgment(
            (pair[0], pair[1]),
            (states[0], states[1]),
            flags["plausible"],
            flags["consequential"],
            flags["novel"],
            flags["not_yet_considered"],
            shortlisted,
            name,
            reason,
        )
        key = quadrant_key(*_normal_key(judgment, order))
        if key in seen:
            check.add(
                where,
                f"this quadrant was already judged in multiple.screen[{seen[key]}]",
                key,
                own_line(j),
                "duplicate",
            )
            continue
        seen[key] = i
        out.append(judgment)
    return out


def _normal_key(j: ScreenJudgment, order: list[str]) -> tuple[tuple[str, str], tuple[str, str]]:
    n = j.normalised(order)
    return n.drivers, n.states


def _cone_scenario(
    check: Checker,
    node: Any,
    where: str,
    line: int | None,
    by_id: Mapping[str, Driver],
    assumed: Mapping[str, str],
    indicator_ids: dict[str, str],
    baseline: bool,
) -> ConeScenario | None:
    node = check.mapping(node, where, line)
    if node is None:
        return None
    allowed = (
        ("id", "name", "narrative", "indicators") if baseline else ("id", "name", "flips", "narrative", "indicators")
    )
    check.unknown_keys(node, allowed, where)
    sid = check.ident(node, "id", f"{where}.id")
    name = check.string(node, "name", f"{where}.name")
    narrative = check.string(node, "narrative", f"{where}.narrative")
    flips: tuple[str, ...] = ()
    if not baseline:
        flips = check.strings(node, "flips", f"{where}.flips", required=True)
        if "flips" in node and isinstance(node["flips"], list) and not flips:
            check.add(
                f"{where}.flips",
                "an alternative must flip at least one assumption",
                None,
                line_of(node, "flips"),
                "empty",
            )
        for k, did in enumerate(flips):
            if check.driver(did, f"{where}.flips[{k}]", line_of(node["flips"], k), by_id) is None:
                pass
            elif did not in assumed and ("assumption", did) not in check.problems.rejected:
                check.add(
                    f"{where}.flips[{k}]",
                    "this driver has no assumption in cone.assumptions to flip",
                    did,
                    line_of(node["flips"], k),
                    "reference",
                )
            if did in flips[:k]:
                check.add(f"{where}.flips[{k}]", "driver flipped twice", did, line_of(node["flips"], k), "duplicate")
    indicators = _indicators(check, node, where, indicator_ids, required=not baseline)
    if sid is None or name is None or narrative is None:
        return None
    return ConeScenario(sid, name, tuple(dict.fromkeys(flips)), narrative, indicators)


def read_cone(
    check: Checker, node: Any, line: int | None, by_id: Mapping[str, Driver], indicator_ids: dict[str, str]
) -> Cone | None:
    node = check.mapping(node, "cone", line)
    if node is None:
        return None
    check.unknown_keys(node, ("assumptions", "baseline", "alternatives", "wild_cards"), "cone")
    items = check.sequence(node.get("assumptions"), "cone.assumptions", line_of(node, "assumptions"))
    if isinstance(node.get("assumptions"), list) and not items:
        check.add(
            "cone.assumptions",
            "empty: the baseline needs one assumption per key driver",
            None,
            line_of(node, "assumptions"),
            "empty",
        )
    assumptions: list[Assumption] = []
    assumed: dict[str, str] = {}
    for i, a in enumerate(items):
        where = f"cone.assumptions[{i}]"
        a = check.mapping(a, where, line_of(items, i))
        if a is None:
            continue
        check.unknown_keys(a, ("driver", "state", "assumption"), where)
        did = check.string(a, "driver", f"{where}.driver")
        state = check.string(a, "state", f"{where}.state")
        text = check.string(a, "assumption", f"{where}.assumption")
        driver = check.driver(did, f"{where}.driver", line_of(a, "driver"), by_id) if did is not None else None
        if driver is not None and did in assumed:
            check.add(
                f"{where}.driver",
                "a driver carries one assumption only; this one is listed twice",
                did,
                line_of(a, "driver"),
                "duplicate",
            )
            driver = None
        if driver is not None and state is not None and state not in driver.end_states:
            check.add(
                f"{where}.state",
                f"not an end state of driver {did!r} (expected {driver.end_states[0]!r} or {driver.end_states[1]!r})",
                state,
                line_of(a, "state"),
                "choice",
            )
            driver = None
        if driver is not None and state is not None and text is not None:
            assumed[driver.id] = state
            assumptions.append(Assumption(driver.id, state, text))
        elif did is not None and did not in assumed:
            check.problems.reject("assumption", did)  # flips of this driver are not reported again
    if "baseline" not in node:
        check.add("cone.baseline", "is required", None, line, "required")
        baseline = None
    else:
        baseline = _cone_scenario(
            check,
            node["baseline"],
            "cone.baseline",
            line_of(node, "baseline"),
            by_id,
            assumed,
            indicator_ids,
            baseline=True,
        )
    alt_items = check.sequence(node.get("alternatives"), "cone.alternatives", line_of(node, "alternatives"))
    alternatives = []
    flip_sets: dict[frozenset[str], int] = {}
    ids = {baseline.id} if baseline is not None else set()
    for i, alt in enumerate(alt_items):
        where = f"cone.alternatives[{i}]"
        s = _cone_scenario(check, alt, where, line_of(alt_items, i), by_id, assumed, indicator_ids, baseline=False)
        if s is None:
            continue
        if s.id in ids:
            check.add(f"{where}.id", "duplicate scenario id in the cone", s.id, line_of(alt, "id"), "duplicate")
            continue
        ids.add(s.id)
        key = frozenset(s.flips)
        if key and key in flip_sets:
            check.add(
                f"{where}.flips",
                f"same flips as cone.alternatives[{flip_sets[key]}]",
                ", ".join(s.flips),
                line_of(alt, "flips"),
                "duplicate",
            )
            continue
        flip_sets[key] = i
        alternatives.append(s)
    wild_items = check.sequence(node.get("wild_cards"), "cone.wild_cards", line_of(node, "wild_cards"), required=False)
    wild_cards = []
    for i, w in enumerate(wild_items):
        where = f"cone.wild_cards[{i}]"
        w = check.mapping(w, where, line_of(wild_items, i))
        if w is None:
            continue
        check.unknown_keys(w, ("id", "name", "description", "indicators"), where)
        wid = check.ident(w, "id", f"{where}.id")
        name = check.string(w, "name", f"{where}.name")
        description = check.string(w, "description", f"{where}.description")
        indicators = _indicators(check, w, where, indicator_ids, required=False)
        if wid is not None and wid in ids:
            check.add(f"{where}.id", "duplicate scenario id in the cone", wid, line_of(w, "id"), "duplicate")
            continue
        if wid is not None and name is not None and description is not None:
            ids.add(wid)
            wild_cards.append(WildCard(wid, name, description, indicators))
    if baseline is None:
        return None
    return Cone(tuple(assumptions), baseline, tuple(alternatives), tuple(wild_cards))


def _bridge_axis(
    check: Checker, node: dict[Any, Any], key: str, driver: Driver | None, cib: CIBMatrix | None, line: int | None
) -> BridgeAxis | None:
    where = f"bridge.{key}"
    if key not in node:
        check.add(where, "is required", None, line, "required")
        return None
    axis = check.mapping(node[key], where, line_of(node, key))
    if axis is None:
        return None
    check.unknown_keys(axis, ("descriptor", "variants"), where)
    descriptor = check.string(axis, "descriptor", f"{where}.descriptor")
    variants_node = axis.get("variants")
    if variants_node is None:
        check.add(f"{where}.variants", "is required", None, line_of(node, key), "required")
        return None
    variants_node = check.mapping(variants_node, f"{where}.variants", line_of(axis, "variants"))
    if variants_node is None:
        return None
    names = None
    if descriptor is not None and cib is not None:
        try:
            names = cib.descriptors[cib.descriptor_index(descriptor)].variants
        except KeyError:
            known = ", ".join(d.name for d in cib.descriptors)
            check.add(
                f"{where}.descriptor",
                f"no CIB descriptor with this name (known: {known})",
                descriptor,
                line_of(axis, "descriptor"),
                "reference",
            )
    mapping: dict[str, str] = {}
    for state, variant in variants_node.items():
        w = f"{where}.variants.{state}"
        if driver is not None and state not in driver.end_states:
            check.add(
                w, f"not an end state of axis driver {driver.id!r}", state, line_of(variants_node, state), "choice"
            )
            continue
        if not isinstance(variant, str) or not variant.strip():
            check.add(w, "must name a variant of the descriptor", variant, line_of(variants_node, state), "type")
            continue
        if names is not None and variant.strip() not in names:
            check.add(
                w,
                f"not a variant of descriptor {descriptor!r} (known: {', '.join(names)})",
                variant,
                line_of(variants_node, state),
                "choice",
            )
            continue
        mapping[str(state)] = variant.strip()
    if driver is not None:
        for state in driver.end_states:
            if state not in variants_node:
                check.add(
                    f"{where}.variants",
                    f"end state {state!r} of {driver.id!r} is not mapped to a variant",
                    state,
                    line_of(axis, "variants"),
                    "structure",
                )
    if len(set(mapping.values())) < len(mapping):
        check.add(
            f"{where}.variants",
            "two end states map to the same variant",
            ", ".join(mapping.values()),
            line_of(axis, "variants"),
            "duplicate",
        )
        return None
    if descriptor is None or driver is None or len(mapping) != 2 or names is None:
        return None
    return BridgeAxis(driver.id, descriptor, mapping)


def read_bridge(
    check: Checker,
    node: Any,
    line: int | None,
    futures: Futures | None,
    by_id: Mapping[str, Driver],
    cib: CIBMatrix | None,
    has_futures: bool,
    has_cib: bool,
) -> Bridge | None:
    """The bridge section; a futures or cib section that is present but invalid has its own problems already."""
    node = check.mapping(node, "bridge", line)
    if node is None:
        return None
    check.unknown_keys(node, ("x", "y"), "bridge")
    if not has_futures:
        check.add("bridge", "needs a futures section (the 2x2 whose axes it maps)", None, line, "structure")
    if not has_cib:
        check.add("bridge", "needs a cib section (the model it maps the axes into)", None, line, "structure")
    x = by_id.get(futures.x_axis) if futures is not None else None
    y = by_id.get(futures.y_axis) if futures is not None else None
    bx = _bridge_axis(check, node, "x", x, cib, line)
    by = _bridge_axis(check, node, "y", y, cib, line)
    if bx is not None and by is not None and bx.descriptor == by.descriptor:
        check.add(
            "bridge.y.descriptor",
            "both axes map to the same descriptor",
            by.descriptor,
            line_of(node["y"], "descriptor"),
            "duplicate",
        )
        return None
    if bx is None or by is None:
        return None
    return Bridge(bx, by)
