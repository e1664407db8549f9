"""Readers of the goal sections: ``objectives`` and ``constraints``, and the metric names in them.

What a metric is (a ratio, a resource, a time), which way is better and what ``NN%`` means in a
budget on it all come from the metric table (:mod:`specc.metrics`); nothing here is decided from
a metric's name. Only metrics marked ``selectable`` may be named.
"""

from __future__ import annotations

from specc.diagnostics import Diagnostics, did_you_mean
from specc.frontend import ast
from specc.ir import model as ir
from specc.ir.schema import UNITS
from specc.ir.values import read_number
from specc.metrics import METRICS

__all__ = ["constraints", "metric", "objectives"]

# Names people write for a metric, mapped to the one they most likely mean.
_ALIASES = {
    "latency": "latency_ns",
    "bram_18k": "bram",
    "accuracy": "fixed_accuracy",
    "error": "fixed_error",
    "initiation_interval": "ii",
}
# The metrics a spec may name, in the table's order (the order the hint lists them in).
_SELECTABLE = tuple(name for name, m in METRICS.items() if m.selectable)


def metric(name: ast.Name, d: Diagnostics) -> str | None:
    """The metric ``name`` names, or None after reporting an unknown one."""
    if name.text in _SELECTABLE:
        return name.text
    guess = _ALIASES.get(name.text) or did_you_mean(name.text, _SELECTABLE)
    d.error(
        "E0203",
        name.span,
        f"unknown metric '{name.text}'",
        f"did you mean '{guess}'?" if guess else "metrics: " + ", ".join(_SELECTABLE),
    )
    return None


def objectives(sec: ast.Section, d: Diagnostics) -> tuple[ir.Objective, ...]:
    """``minimize m1, m2`` / ``maximize m3``: each metric once, warning on the wrong sense."""
    out: list[ir.Objective] = []
    seen: dict[str, ast.Name] = {}
    for stmt in sec.body or ():
        assert isinstance(stmt, ast.Objective)
        for name in stmt.metrics:
            m = metric(name, d)
            if m is None:
                continue
            if m in seen:
                d.error(
                    "E0209",
                    name.span,
                    f"objective '{m}' is listed twice",
                    f"first at line {seen[m].span.line}",
                )
                continue
            seen[m] = name
            better = METRICS[m].direction
            if stmt.sense[:3] != better:
                opposite = "maximize" if better == "max" else "minimize"
                d.warning(
                    "W0501",
                    name.span,
                    f"{stmt.sense} {m} searches for worse designs",
                    f"did you mean '{opposite} {m}'?",
                )
            out.append(ir.Objective(metric=m, sense=stmt.sense, span=name.span))  # type: ignore[arg-type]
    if not out and sec.body is not None and not any(isinstance(s, ast.Objective) for s in sec.body):
        d.error("E0404", sec.keyword_span, "no objectives", "add e.g. 'minimize fixed_error'")
    return tuple(out)


def constraints(
    sec: ast.Section | None, target: ir.Target | None, d: Diagnostics
) -> tuple[ir.Constraint, ...]:
    """The budgets: at most one upper and one lower bound per metric."""
    out: list[ir.Constraint] = []
    seen: dict[tuple[str, str], ast.Constraint] = {}
    for stmt in (sec.body or ()) if sec else ():
        assert isinstance(stmt, ast.Constraint)
        m = metric(stmt.metric, d)
        if m is None:
            continue
        c = _constraint(stmt, m, target, d)
        if c is None:
            continue
        direction = "upper" if c.op in ("<=", "<") else "lower"
        if (m, direction) in seen:
            d.error(
                "E0209",
                stmt.span,
                f"a second {direction} bound on '{m}'",
                f"first at line {seen[(m, direction)].span.line}; keep one",
            )
            continue
        seen[(m, direction)] = stmt
        out.append(c)
    return tuple(out)


def _constraint(
    stmt: ast.Constraint, metric: str, target: ir.Target | None, d: Diagnostics
) -> ir.Constraint | None:
    """One budget, its value resolved to the metric's own unit (a share of the part to a count,
    a percentage to a fraction, us to ns)."""
    v = stmt.value
    if stmt.op == "==":
        d.error(
            "E0310",
            stmt.span,
            "a budget is a bound, not an equality",
            f"write '{metric} <= ...' or '{metric} >= ...'",
        )
        return None
    if not isinstance(v, ast.Quantity):
        d.error("E0309", v.span, "a budget is one number", "e.g. 'dsp <= 220' or 'lut <= 80%'")
        return None
    m = METRICS[metric]
    written = read_number(v, d)
    if written is None:
        return None
    value = float(written)
    percent = None
    if v.unit == "%":
        if m.percent_of is None:
            d.error(
                "E0308",
                v.span,
                f"'{metric}' cannot be given in %",
                "% is for resources (share of the part) and accuracy/error",
            )
            return None
        percent = value
        if m.percent_of == "part":
            if target is None:
                return None  # the target's own error is reported already
            cap = target.capacity(metric)
            assert cap is not None
            value = cap * value / 100.0
        else:
            value = value / 100.0
    elif v.unit is not None:
        # A time budget may be written in any unit of time (periods are the ns units).
        if m.kind == "time" and v.unit in UNITS and UNITS[v.unit][0] == "period":
            value *= UNITS[v.unit][1]
        else:
            if m.kind == "time":
                hint = "write the budget in ns or us"
            elif m.kind == "resource":
                hint = f"write a count ({metric} <= 100) or a share of the part ({metric} <= 80%)"
            elif m.kind == "ratio":
                hint = f"write a fraction ({metric} <= 0.1) or a percentage (10%)"
            else:
                hint = f"'{metric}' is counted in clock cycles: write a plain number"
            d.error("E0308", v.span, f"'{metric}' does not take a unit in '{v.unit}'", hint)
            return None
    if value < 0:
        d.error("E0305", v.span, f"a budget on '{metric}' cannot be negative")
        return None
    if m.kind == "ratio" and value > 1:
        d.error(
            "E0305",
            v.span,
            f"'{metric}' is a fraction between 0 and 1, not {value:g}",
            f"write {value / 100:g} or {value:g}%" if value <= 100 else None,
        )
        return None
    return ir.Constraint(
        metric=metric,
        op=stmt.op,
        value=value,
        percent=percent,
        span=stmt.span,  # type: ignore[arg-type]
    )
