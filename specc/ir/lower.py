"""AST -> IR: read each section against the key table, convert values and units, fill defaults.

Problems are collected, not raised: lowering goes on after an error so that one run reports every
problem in the spec. Cross-section checks (budgets against the part, reuse factors against layer
sizes, files on disk) run afterwards on the IR, in specc/ir/checks.py.
"""

from __future__ import annotations

import math
from typing import Any

from specc.diagnostics import Diagnostics, Span, did_you_mean
from specc.frontend import ast
from specc.ir import model as ir
from specc.ir import parts
from specc.ir.schema import DATASETS, FAMILIES, UNITS, Key, keys_for

__all__ = ["REQUIRED_SECTIONS", "lower"]

REQUIRED_SECTIONS = {
    "design": "design my_design",
    "dataset": "dataset digits",
    "model": "model mlp { hidden_layers = 1..3 }",
    "target": "target xc7z020clg400-1",
    "objectives": "objectives { minimize fixed_error, latency_ns }",
}
_PRECISION_TYPES = ("ap_fixed", "ap_ufixed")
_WIDTH = Key("width", "int", None, "total bits", lo=2, hi=64)
_INTEGER = Key("integer", "int", None, "integer bits", lo=0, hi=64)
_DIMENSION_UNITS = {
    "period": ("ns", "us", "ps", "MHz", "GHz"),
    "duration": ("s", "min", "h"),
    "fraction": ("%",),
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Lowerer:
    def __init__(self, spec: ast.Spec, diags: Diagnostics):
        self.spec = spec
        self.d = diags
        self.file = spec.file

    # ---- values ---------------------------------------------------------------------------

    def _unit_factor(self, key: Key, q: ast.Quantity) -> tuple[str, float] | None:
        """(dimension, factor) of q's unit for this key, or None after reporting a bad unit."""
        allowed = _DIMENSION_UNITS.get(key.type, ())
        if key.name == "fidelity":
            allowed = ("epochs",)
        if q.unit is None:
            if key.type == "duration":
                self.d.error(
                    "E0308",
                    q.span,
                    f"'{key.name}' needs a unit",
                    f"write e.g. '{q.text} min' (units: s, min, h)",
                )
                return None
            return ("plain", 1.0)
        if q.unit not in UNITS:
            guess = did_you_mean(q.unit, allowed or UNITS)
            hint = f"did you mean '{guess}'?" if guess else _units_hint(allowed)
            self.d.error("E0207", q.span, f"unknown unit '{q.unit}'", hint)
            return None
        if q.unit not in allowed:
            self.d.error(
                "E0308",
                q.span,
                f"'{key.name}' does not take a unit in '{q.unit}'",
                _units_hint(allowed),
            )
            return None
        return UNITS[q.unit]

    def _number(self, key: Key, v: ast.Quantity | ast.Power) -> int | float | None:
        if isinstance(v, ast.Power):
            if not (v.base.isdigit() and v.exp.isdigit()):
                self.d.error("E0301", v.span, "a power needs whole numbers", "write e.g. 2^4")
                return None
            num: int | float = int(v.base) ** int(v.exp)
        else:
            unit = self._unit_factor(key, v)
            if unit is None:
                return None
            dim, factor = unit
            num = v.number
            if dim == "frequency":
                if num <= 0:
                    self.d.error("E0305", v.span, "a frequency must be positive")
                    return None
                num = 1e9 / (num * factor)
            elif factor != 1.0:
                num = num * factor
        if key.type == "int" or key.type == "label":
            if isinstance(num, float):
                if not num.is_integer():
                    self.d.error(
                        "E0301", v.span, f"'{key.name}' must be a whole number, not {num:g}"
                    )
                    return None
                num = int(num)
        elif isinstance(num, float) and num.is_integer() and key.type == "period":
            num = int(num)
        elif key.type in ("float", "fraction"):
            num = float(num)
        return num

    def _check_bounds(self, key: Key, num: float, span: Span) -> bool:
        lo_bad = key.lo is not None and (num <= key.lo if key.lo_open else num < key.lo)
        hi_bad = key.hi is not None and num > key.hi
        if lo_bad or hi_bad:
            if key.lo is not None and key.hi is not None:
                rel = ">" if key.lo_open else ">="
                want = f"{rel} {key.lo:g} and <= {key.hi:g}"
            elif key.lo is not None:
                want = f"{'>' if key.lo_open else '>='} {key.lo:g}"
            else:
                want = f"<= {key.hi:g}"
            self.d.error("E0305", span, f"'{key.name}' is {num:g}; it must be {want}", f"{key.doc}")
            return False
        return True

    def _scalar(self, key: Key, v: ast.Value) -> Any:
        """One value (not a range or choice) of ``key``; None after reporting a problem."""
        if isinstance(v, (ast.Quantity, ast.Power)):
            if key.type in ("enum", "str", "precision"):
                self.d.error(
                    "E0301",
                    v.span,
                    f"'{key.name}' takes {_expects(key)}, not a number",
                    _example(key),
                )
                return None
            num = self._number(key, v)
            if num is None or not self._check_bounds(key, num, v.span):
                return None
            return num
        if isinstance(v, ast.Word):
            if key.type == "enum":
                if v.text not in key.choices:
                    guess = did_you_mean(v.text, key.choices)
                    hint = f"did you mean '{guess}'?" if guess else "choose " + _or(key.choices)
                    self.d.error("E0208", v.span, f"unknown {key.name} '{v.text}'", hint)
                    return None
                return v.text
            self.d.error(
                "E0301",
                v.span,
                f"'{key.name}' takes {_expects(key)}, not the word '{v.text}'",
                'quote file names and column names: "..."'
                if key.type in ("str", "label")
                else _example(key),
            )
            return None
        if isinstance(v, ast.String):
            if key.type in ("str", "label"):
                return v.text
            self.d.error(
                "E0301",
                v.span,
                f"'{key.name}' takes {_expects(key)}, not a string",
                _example(key),
            )
            return None
        self.d.error("E0301", v.span, f"'{key.name}' takes {_expects(key)}", _example(key))
        return None

    def param(self, key: Key, v: ast.Value) -> ir.Param | None:
        """A value of ``key`` as a parameter domain (fixed, range or choice)."""
        if isinstance(v, (ast.Range, ast.Choice)) and not key.searchable:
            self.d.error(
                "E0309",
                v.span,
                f"'{key.name}' cannot be searched; give one value",
                _example(key),
            )
            return None
        if isinstance(v, ast.Range):
            return self._range(key, v)
        if isinstance(v, ast.Choice):
            values = [self._scalar(key, item) for item in v.items]
            if any(x is None for x in values):
                return None
            seen: set[Any] = set()
            for item, x in zip(v.items, values, strict=False):
                if x in seen:
                    self.d.error("E0209", item.span, f"{x} is listed twice", "remove one")
                    return None
                seen.add(x)
            return ir.Choice(options=tuple(values), span=v.span)
        if isinstance(v, ast.FixedType):
            self.d.error(
                "E0301",
                v.span,
                f"'{key.name}' takes {_expects(key)}, not a fixed-point type",
                _example(key),
            )
            return None
        value = self._scalar(key, v)
        return None if value is None else ir.Fixed(value=value, span=v.span)

    def _range(self, key: Key, v: ast.Range) -> ir.Param | None:
        if key.type not in ("int", "float", "period", "fraction"):
            self.d.error(
                "E0301",
                v.span,
                f"'{key.name}' takes {_expects(key)}, not a range",
                "list the options: {a, b}" if key.type == "enum" else _example(key),
            )
            return None
        if isinstance(v.lo, ast.Power) != isinstance(v.hi, ast.Power):
            self.d.error(
                "E0301",
                v.span,
                "mixed range: one bound is a power of two, the other is not",
                "write both bounds as powers, e.g. 2^1..2^8",
            )
            return None
        lo, hi = self._number(key, v.lo), self._number(key, v.hi)
        if lo is None or hi is None:
            return None
        # A unit written only after the upper bound ("4..7 ns") applies to both.
        if isinstance(v.lo, ast.Quantity) and isinstance(v.hi, ast.Quantity):
            if v.lo.unit is None and v.hi.unit is not None:
                lo2 = self._number(key, ast.Quantity(v.lo.text, v.hi.unit, v.lo.span))
                if lo2 is None:
                    return None
                lo = lo2
                if UNITS[v.hi.unit][0] == "frequency" and lo > hi:
                    lo, hi = hi, lo
        if lo > hi:
            self.d.error(
                "E0302",
                v.span,
                f"range {_txt(v)} is inverted: {lo:g} > {hi:g}",
                f"write the smaller bound first: {_bound_txt(v.hi)}..{_bound_txt(v.lo)}",
            )
            return None
        if lo == hi:
            self.d.error(
                "E0302",
                v.span,
                f"range {_txt(v)} is empty: both bounds are {lo:g}",
                f"write the single value {lo:g}, or widen the range",
            )
            return None
        if v.log and lo <= 0:
            self.d.error(
                "E0304",
                v.lo.span,
                "a log range needs bounds above 0",
                f"start at a small positive value, e.g. {max(hi * 1e-5, 1e-12):g}",
            )
            return None
        ok = self._check_bounds(key, lo, v.lo.span) and self._check_bounds(key, hi, v.hi.span)
        if not ok:
            return None
        if isinstance(v.lo, ast.Power) and isinstance(v.hi, ast.Power):
            if v.lo.base != "2" or v.hi.base != "2":
                self.d.error("E0301", v.span, "a range of powers must use base 2", "2^1..2^8")
                return None
            if v.step is not None or v.log:
                self.d.error("E0301", v.span, "a range of powers of two takes no step or log")
                return None
            return ir.Pow2Range(lo_exp=int(v.lo.exp), hi_exp=int(v.hi.exp), span=v.span)
        # A period range written in whole ns steps is discrete; one from a frequency is not.
        from_freq = any(
            isinstance(b, ast.Quantity) and b.unit in ("MHz", "GHz") for b in (v.lo, v.hi)
        )
        is_int = key.type == "int" or (
            key.type == "period" and isinstance(lo, int) and isinstance(hi, int) and not from_freq
        )
        if v.step is not None:
            step = self._number(key, v.step)
            if step is None:
                return None
            if step <= 0:
                self.d.error("E0303", v.step.span, f"step must be positive, not {step:g}")
                return None
            if is_int and isinstance(step, int):
                if (hi - lo) % step:
                    last = lo + (hi - lo) // step * step
                    self.d.warning(
                        "W0304",
                        v.span,
                        f"range {_txt(v)} never reaches {hi:g}",
                        f"its last value is {last:g}; write {lo:g}..{last:g} step {step:g}",
                    )
                return ir.IntRange(lo=int(lo), hi=int(hi), step=step, span=v.span)
            n = math.floor((hi - lo) / step + 1e-9) + 1
            options = tuple(round(lo + i * step, 12) for i in range(n))
            return ir.Choice(options=options, span=v.span)
        if is_int:
            return ir.IntRange(lo=int(lo), hi=int(hi), log=v.log, span=v.span)
        return ir.FloatRange(lo=float(lo), hi=float(hi), log=v.log, span=v.span)

    def precision(self, key: Key, v: ast.Value) -> ir.Precision | None:
        if not isinstance(v, ast.FixedType):
            self.d.error(
                "E0301",
                v.span,
                f"'{key.name}' takes a fixed-point type",
                "write ap_fixed<W, I>: W total bits, I integer bits, e.g. ap_fixed<16, 6>",
            )
            return None
        if v.name.text not in _PRECISION_TYPES:
            guess = did_you_mean(v.name.text, _PRECISION_TYPES)
            self.d.error(
                "E0208",
                v.name.span,
                f"unknown fixed-point type '{v.name.text}'",
                f"did you mean '{guess}'?" if guess else "use ap_fixed<W, I> or ap_ufixed<W, I>",
            )
            return None
        width = self.param(_WIDTH, v.width)
        integer = self.param(_INTEGER, v.integer)
        if width is None or integer is None:
            return None
        return ir.Precision(
            signed=v.name.text == "ap_fixed", width=width, integer=integer, span=v.span
        )

    # ---- sections -------------------------------------------------------------------------

    def body(
        self,
        where: str,
        keys: tuple[Key, ...],
        sec: ast.Section,
        body: tuple[ast.Statement, ...] | None,
        other_keys: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Read ``key = value`` statements against ``keys``; returns name -> converted value.

        Absent keys get their defaults (``ir.Fixed`` without a span).
        """
        table = {k.name: k for k in keys}
        seen: dict[str, ast.Assign] = {}
        out: dict[str, Any] = {}
        for stmt in body or ():
            if isinstance(stmt, ast.Layer):
                if where != "hls":
                    self.d.error("E0202", stmt.span, f"'layer' blocks belong in 'hls', not {where}")
                continue
            assert isinstance(stmt, ast.Assign)
            name = stmt.key.text
            if name in seen:
                self.d.error(
                    "E0209",
                    stmt.key.span,
                    f"duplicate key '{name}' in {where}",
                    f"first set at line {seen[name].span.line}; keep one",
                )
                continue
            seen[name] = stmt
            key = table.get(name)
            if key is None:
                self._unknown_key(where, name, stmt.key.span, keys, other_keys or {})
                continue
            value = (
                self.precision(key, stmt.value)
                if key.type == "precision"
                else self.param(key, stmt.value)
            )
            if value is not None:
                out[name] = value
        for key in keys:
            if key.name not in out and key.name not in seen and key.default is not None:
                if key.type == "precision":
                    w, i = key.default
                    out[key.name] = ir.Precision(width=ir.Fixed(value=w), integer=ir.Fixed(value=i))
                else:
                    out[key.name] = ir.Fixed(value=key.default)
        return out

    def _unknown_key(
        self, where: str, name: str, span: Span, keys: tuple[Key, ...], other_keys: dict[str, str]
    ) -> None:
        names = [k.name for k in keys]
        if name in other_keys:
            hint = f"'{name}' belongs to {other_keys[name]}"
            if names:
                hint += f"; {where} takes: {', '.join(names)}"
        else:
            guess = did_you_mean(name, names)
            if guess:
                hint = f"did you mean '{guess}'?"
            elif names:
                hint = f"{where} takes: {', '.join(names)}"
            else:
                hint = f"{where} takes no keys"
        self.d.error("E0202", span, f"unknown key '{name}' in {where}", hint)

    def single(self, kind: str) -> ast.Section | None:
        found = self.spec.find(kind)
        for dup in found[1:]:
            self.d.error(
                "E0209",
                dup.keyword_span,
                f"duplicate '{kind}' section",
                f"first at line {found[0].span.line}; a spec has one '{kind}'",
            )
        return found[0] if found else None

    def label(self, sec: ast.Section, options: tuple[str, ...], what: str, code: str) -> str | None:
        assert sec.label is not None
        if sec.label.text in options:
            return sec.label.text
        guess = did_you_mean(sec.label.text, options)
        self.d.error(
            code,
            sec.label.span,
            f"unknown {what} '{sec.label.text}'",
            f"did you mean '{guess}'?" if guess else "choose " + _or(options),
        )
        return None

    def file_arg(self, sec: ast.Section, needs: bool, kind: str, example: str) -> str | None:
        assert sec.label is not None
        if needs and sec.path is None:
            self.d.error(
                "E0407",
                sec.label.span,
                f"{sec.kind} {kind} needs a file",
                f'write {sec.kind} {kind} "{example}"',
            )
        if not needs and sec.path is not None:
            self.d.error(
                "E0407",
                sec.path.span,
                f"{sec.kind} {kind} takes no file",
                f"a file goes with {sec.kind} "
                + ("csv or npz" if sec.kind == "dataset" else "keras"),
            )
        return sec.path.text if sec.path is not None else None

    def dataset(self, sec: ast.Section) -> ir.Dataset | None:
        name = self.label(sec, DATASETS, "dataset", "E0205")
        if name is None:
            return None
        path = self.file_arg(sec, name in ("csv", "npz"), name, f"data/train.{name}")
        others = {
            k.name: f"dataset {n.split(':')[1]}"
            for n in ("dataset:csv", "dataset:npz")
            for k in keys_for("dataset", n.split(":")[1])
        }
        v = self.body(f"dataset {name}", keys_for("dataset", name), sec, sec.body, others)
        fields: dict[str, Any] = {"name": name, "path": path, "span": sec.span}
        for k in ("test_fraction", "normalize", "seed"):
            if k in v:
                fields[k] = v[k].value
        if "label" in v:
            fields["label"] = v["label"].value
        if "x" in v:
            fields["x_key"] = v["x"].value
        if "y" in v:
            fields["y_key"] = v["y"].value
        return ir.Dataset(**fields)

    def model(self, sec: ast.Section) -> ir.Model | None:
        family = self.label(sec, FAMILIES, "model family", "E0206")
        if family is None:
            return None
        path = self.file_arg(sec, family == "keras", family, "models/trained.keras")
        others = {k.name: f"model {f}" for f in FAMILIES for k in keys_for("model", f)}
        v = self.body(f"model {family}", keys_for("model", family), sec, sec.body, others)
        # Keys the family does not have keep their neutral value, so every Model has all fields.
        neutral = {
            "hidden_layers": ir.Fixed(value=0),
            "neurons": ir.Fixed(value=0),
            "activation": ir.Fixed(value="relu"),
            "conv_layers": ir.Fixed(value=0),
            "filters": ir.Fixed(value=0),
            "kernel": ir.Fixed(value=0),
            "pooling": ir.Fixed(value="none"),
        }
        fields: dict[str, Any] = {**neutral, **v, "family": family, "path": path, "span": sec.span}
        if "conv" in v:
            fields["conv"] = v["conv"].value
        if "pool_size" in v:
            fields["pool_size"] = v["pool_size"].value
        if any(x is None for x in fields.values() if x is not path):
            return None
        return ir.Model(**fields)

    def hls(self, sec: ast.Section | None) -> ir.Hls | None:
        body = sec.body if sec else ()
        v = self.body("hls", keys_for("hls"), sec or _NO_SECTION, body)
        layers: list[ir.LayerKnobs] = []
        seen: dict[str, ast.Layer] = {}
        for stmt in body or ():
            if not isinstance(stmt, ast.Layer):
                continue
            name = stmt.name.text
            if name in seen:
                self.d.error(
                    "E0209",
                    stmt.name.span,
                    f"duplicate layer '{name}'",
                    f"first at line {seen[name].span.line}; merge the two blocks",
                )
                continue
            seen[name] = stmt
            lv = self.body(f"layer {name}", keys_for("layer"), sec or _NO_SECTION, stmt.body)
            layers.append(ir.LayerKnobs(name=name, span=stmt.name.span, **lv))
        needed = [k.name for k in keys_for("hls")]
        if any(k not in v for k in needed):
            return None
        return ir.Hls(**v, layers=tuple(layers), span=sec.span if sec else None)

    def train(self, sec: ast.Section | None) -> ir.Train | None:
        v = self.body("train", keys_for("train"), sec or _NO_SECTION, sec.body if sec else ())
        if any(k.name not in v for k in keys_for("train")):
            return None
        return ir.Train(**v, span=sec.span if sec else None)

    def target(self, sec: ast.Section) -> ir.Target | None:
        assert sec.label is not None
        part = sec.label.text
        v = self.body("target", keys_for("target"), sec, sec.body)
        dev = parts.lookup(part)
        given = {k: p.value for k, p in v.items()}
        if dev is None:
            missing = [k.name for k in keys_for("target") if k.name not in given]
            if missing and sec.body is not None:
                self.d.error(
                    "E0204",
                    sec.label.span,
                    f"part '{part}' is not in the table and its capacities are incomplete",
                    "add " + ", ".join(f"{m} = N" for m in missing) + " (from its data sheet)",
                )
                return None
            if missing:
                names = [d.name for d in parts.DEVICES]
                guess = did_you_mean(part, names + [d.example_part for d in parts.DEVICES])
                hint = (
                    f"did you mean '{guess}'? (`specc parts` lists the table)"
                    if guess
                    else f"give its capacities: target {part} {{ "
                    + " ".join(f"{m} = N" for m in missing)
                    + " }, or see `specc parts`"
                )
                self.d.error("E0204", sec.label.span, f"unknown part '{part}'", hint)
                return None
            return ir.Target(part=part, family=parts.family_of(part), span=sec.span, **given)
        caps = {"lut": dev.lut, "ff": dev.ff, "dsp": dev.dsp, "bram_18k": dev.bram_18k, **given}
        return ir.Target(part=part, device=dev.name, family=dev.family, span=sec.span, **caps)

    def objectives(self, sec: ast.Section) -> tuple[ir.Objective, ...]:
        out: list[ir.Objective] = []
        seen: dict[str, ast.Name] = {}
        for stmt in sec.body or ():
            assert isinstance(stmt, ast.Objective)
            for name in stmt.metrics:
                metric = self.metric(name)
                if metric is None:
                    continue
                if metric in seen:
                    self.d.error(
                        "E0209",
                        name.span,
                        f"objective '{metric}' is listed twice",
                        f"first at line {seen[metric].span.line}",
                    )
                    continue
                seen[metric] = name
                better = ir.METRICS[metric][1]
                if stmt.sense[:3] != better:
                    opposite = "maximize" if better == "max" else "minimize"
                    self.d.warning(
                        "W0501",
                        name.span,
                        f"{stmt.sense} {metric} searches for worse designs",
                        f"did you mean '{opposite} {metric}'?",
                    )
                out.append(ir.Objective(metric=metric, sense=stmt.sense, span=name.span))  # type: ignore[arg-type]
        if (
            not out
            and sec.body is not None
            and not any(isinstance(s, ast.Objective) for s in sec.body)
        ):
            self.d.error(
                "E0404", sec.keyword_span, "no objectives", "add e.g. 'minimize fixed_error'"
            )
        return tuple(out)

    def metric(self, name: ast.Name) -> str | None:
        if name.text in ir.METRICS:
            return name.text
        aliases = {
            "latency": "latency_ns",
            "bram_18k": "bram",
            "accuracy": "fixed_accuracy",
            "error": "fixed_error",
            "initiation_interval": "ii",
        }
        guess = aliases.get(name.text) or did_you_mean(name.text, ir.METRICS)
        self.d.error(
            "E0203",
            name.span,
            f"unknown metric '{name.text}'",
            f"did you mean '{guess}'?" if guess else "metrics: " + ", ".join(ir.METRICS),
        )
        return None

    def constraints(
        self,
        sec: ast.Section | None,
        target: ir.Target | None,
    ) -> tuple[ir.Constraint, ...]:
        out: list[ir.Constraint] = []
        seen: dict[tuple[str, str], ast.Constraint] = {}
        for stmt in (sec.body or ()) if sec else ():
            assert isinstance(stmt, ast.Constraint)
            metric = self.metric(stmt.metric)
            if metric is None:
                continue
            c = self._constraint(stmt, metric, target)
            if c is None:
                continue
            direction = "upper" if c.op in ("<=", "<") else "lower"
            if (metric, direction) in seen:
                self.d.error(
                    "E0209",
                    stmt.span,
                    f"a second {direction} bound on '{metric}'",
                    f"first at line {seen[(metric, direction)].span.line}; keep one",
                )
                continue
            seen[(metric, direction)] = stmt
            out.append(c)
        return tuple(out)

    def _constraint(
        self,
        stmt: ast.Constraint,
        metric: str,
        target: ir.Target | None,
    ) -> ir.Constraint | None:
        v = stmt.value
        if stmt.op == "==":
            self.d.error(
                "E0310",
                stmt.span,
                "a budget is a bound, not an equality",
                f"write '{metric} <= ...' or '{metric} >= ...'",
            )
            return None
        if not isinstance(v, ast.Quantity):
            self.d.error(
                "E0309", v.span, "a budget is one number", "e.g. 'dsp <= 220' or 'lut <= 80%'"
            )
            return None
        value = float(v.number)
        percent = None
        is_resource = metric in ir.RESOURCE_METRICS
        is_ratio = metric.endswith(("_error", "_accuracy"))
        if v.unit == "%":
            if not (is_resource or is_ratio):
                self.d.error(
                    "E0308",
                    v.span,
                    f"'{metric}' cannot be given in %",
                    "% is for resources (share of the part) and accuracy/error",
                )
                return None
            percent = value
            if is_resource:
                if target is None:
                    return None
                cap = target.capacity(metric)
                assert cap is not None
                value = cap * value / 100.0
            else:
                value = value / 100.0
        elif v.unit is not None:
            if metric == "latency_ns" and v.unit in ("ns", "us", "ps"):
                value *= UNITS[v.unit][1]
            else:
                if metric == "latency_ns":
                    hint = "write the budget in ns or us"
                elif is_resource:
                    hint = (
                        f"write a count ({metric} <= 100) or a share of the part ({metric} <= 80%)"
                    )
                elif is_ratio:
                    hint = f"write a fraction ({metric} <= 0.1) or a percentage (10%)"
                else:
                    hint = f"'{metric}' is counted in clock cycles: write a plain number"
                self.d.error(
                    "E0308", v.span, f"'{metric}' does not take a unit in '{v.unit}'", hint
                )
                return None
        if value < 0:
            self.d.error("E0305", v.span, f"a budget on '{metric}' cannot be negative")
            return None
        if is_ratio and value > 1:
            self.d.error(
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

    def search(self, sec: ast.Section | None) -> ir.Search | None:
        v = self.body("search", keys_for("search"), sec or _NO_SECTION, sec.body if sec else ())
        fields: dict[str, Any] = {"span": sec.span if sec else None}
        for k in ("algorithm", "trials", "seed", "workers"):
            if k in v:
                fields[k] = v[k].value
        if "time_budget" in v:
            fields["time_budget_s"] = float(v["time_budget"].value)
        fid = v.get("fidelity")
        if fid is not None:
            if not isinstance(fid, ir.IntRange) or fid.step != 1 or fid.log:
                self.d.error(
                    "E0301",
                    fid.span or _NO_SECTION.span,
                    "'fidelity' takes a range of epochs",
                    "write e.g. 'fidelity = 2..20 epochs'",
                )
            else:
                fields["fidelity_epochs"] = fid
        return ir.Search(**fields)

    def run(self) -> ir.Spec | None:
        for kind, example in REQUIRED_SECTIONS.items():
            if not self.spec.find(kind):
                self.d.error(
                    "E0404",
                    Span(self.file, 1, 1, 1, 1),
                    f"missing '{kind}' section",
                    f"add e.g. '{example}'",
                )
        design = self.single("design")
        ds_sec, model_sec = self.single("dataset"), self.single("model")
        target_sec, obj_sec = self.single("target"), self.single("objectives")
        train_sec, hls_sec = self.single("train"), self.single("hls")
        con_sec, search_sec = self.single("constraints"), self.single("search")

        dataset = self.dataset(ds_sec) if ds_sec else None
        mdl = self.model(model_sec) if model_sec else None
        train = self.train(train_sec)
        hls = self.hls(hls_sec)
        target = self.target(target_sec) if target_sec else None
        objectives = self.objectives(obj_sec) if obj_sec else ()
        constraints = self.constraints(con_sec, target)
        search = self.search(search_sec)
        if self.d.has_errors:
            return None
        assert design and design.label and dataset and mdl and train and hls and target
        assert search is not None
        return ir.Spec(
            source=self.file,
            design=design.label.text,
            dataset=dataset,
            model=mdl,
            train=train,
            hls=hls,
            target=target,
            objectives=objectives,
            constraints=constraints,
            search=search,
            span=Span(self.file, 1, 1, 1, 1),
        )


_NO_SECTION = ast.Section(
    "", None, None, None, Span("<default>", 0, 0, 0, 0), Span("<default>", 0, 0, 0, 0)
)


def _txt(v: ast.Range) -> str:
    return f"{_bound_txt(v.lo)}..{_bound_txt(v.hi)}"


def _bound_txt(b: ast.Quantity | ast.Power) -> str:
    if isinstance(b, ast.Power):
        return f"{b.base}^{b.exp}"
    return b.text + (f" {b.unit}" if b.unit and b.unit != "%" else (b.unit or ""))


def _or(options: tuple[str, ...] | list[str]) -> str:
    opts = [f"'{o}'" for o in options]
    return opts[0] if len(opts) == 1 else ", ".join(opts[:-1]) + " or " + opts[-1]


def _units_hint(allowed: tuple[str, ...] | Any) -> str:
    allowed = tuple(allowed)
    return "units here: " + ", ".join(allowed) if allowed else "this value takes no unit"


def _expects(key: Key) -> str:
    return {
        "int": "a whole number",
        "float": "a number",
        "enum": "one of " + _or(key.choices) if key.choices else "a name",
        "str": "a quoted string",
        "label": "a column name (quoted) or index",
        "period": "a clock period (e.g. 5 ns)",
        "duration": "a duration (e.g. 30 min)",
        "fraction": "a fraction (e.g. 0.2 or 20%)",
        "precision": "a fixed-point type (e.g. ap_fixed<16, 6>)",
    }[key.type]


def _example(key: Key) -> str:
    if key.type == "enum":
        return f"e.g. {key.name} = {key.choices[0]}"
    if key.type == "precision":
        return "e.g. ap_fixed<16, 6> or ap_fixed<12..16, 4..6>"
    default = key.default if key.default is not None else 1
    unit = {"period": " ns", "duration": " min"}.get(key.type, "")
    return f"e.g. {key.name} = {default}{unit}"


def lower(spec: ast.Spec, diags: Diagnostics) -> ir.Spec | None:
    """Lower a parsed spec to the IR, reporting problems into ``diags``.

    Returns:
        The IR, or None when any error was found.
    """
    return _Lowerer(spec, diags).run()
