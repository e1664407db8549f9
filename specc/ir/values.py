"""Value conversion: one written value of a key -> its IR form, checked against the key table.

Holds :class:`ValueReader` (units, numbers, bounds, scalars, ranges and choices, fixed-point
types) and the small text helpers its messages are built from. The section readers
(:mod:`specc.ir.sections`) call it once per ``key = value``; problems are reported into the
diagnostics and the value comes back as None, so reading goes on.
"""

from __future__ import annotations

import math
from typing import Any

from specc.diagnostics import Diagnostics, Span, did_you_mean
from specc.frontend import ast
from specc.ir import model as ir
from specc.ir.schema import UNITS, Key

__all__ = ["MAX_MAGNITUDE", "MAX_VALUES", "ValueReader", "either", "read_number"]

# The numbers a spec may hold: 0, or a magnitude in [1/MAX_MAGNITUDE, MAX_MAGNITUDE]. Every key's
# own bounds lie inside; this limit keeps arithmetic on what was written cheap and exact
# (``7^999999999`` is refused before it is computed).
MAX_MAGNITUDE = 1e15
_MAX_LITERAL = 40  # characters of one number as written
# The most values one enumerated domain (a choice, a stepped range) may list: the search
# space, the checks and the reports list them one by one. A wider range without a step is
# searched as an interval instead.
MAX_VALUES = 10_000

_PRECISION_TYPES = ("ap_fixed", "ap_ufixed")
# W and I of ap_fixed<W, I> are read as keys of their own, so they get bounds and may be searched.
_WIDTH = Key("width", "int", None, "total bits", lo=2, hi=64)
_INTEGER = Key("integer", "int", None, "integer bits", lo=0, hi=64)
# The units a key type accepts, in the order hints list them (most usual first).
_DIMENSION_UNITS = {
    "period": ("ns", "us", "ps", "MHz", "GHz"),
    "duration": ("s", "min", "h"),
    "fraction": ("%",),
}


class ValueReader:
    """Converts the values of keys, reporting problems into ``diags``."""

    def __init__(self, diags: Diagnostics):
        self.d = diags

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
            if len(v.items) > MAX_VALUES:
                self.d.error(
                    "E0312",
                    v.span,
                    f"a choice of {len(v.items):,} values; the most a domain may list is "
                    f"{MAX_VALUES:,}",
                    "write a range instead",
                )
                return None
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

    def precision(self, key: Key, v: ast.Value) -> ir.Precision | None:
        """A fixed-point type ``ap_fixed<W, I>``; W and I may each be a range or choice."""
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

    # ---- numbers ----------------------------------------------------------------------------

    def _unit_factor(self, key: Key, q: ast.Quantity) -> tuple[str, float] | None:
        """(dimension, factor) of q's unit for this key, or None after reporting a bad unit."""
        allowed = _DIMENSION_UNITS.get(key.type, ())
        if key.name == "fidelity":
            # An int key like any other, but its range counts epochs: "2..20 epochs".
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
        """A number in the key's canonical unit (ns, s, a fraction), typed as the key wants."""
        if isinstance(v, ast.Power):
            power = read_number(v, self.d)
            if power is None:
                return None
            num: int | float = power
        else:
            unit = self._unit_factor(key, v)
            if unit is None:
                return None
            dim, factor = unit
            written = read_number(v, self.d)
            if written is None:
                return None
            num = written
            if dim == "frequency":
                # A clock written as a frequency is stored as its period in ns.
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
            # Whole-ns periods stay ints so that a period range can be discrete (see _range).
            num = int(num)
        elif key.type in ("float", "fraction"):
            num = float(num)
        return num

    def _check_bounds(self, key: Key, num: float, span: Span) -> bool:
        """Whether ``num`` lies in the key's bounds; reports it when not."""
        lo_bad = key.lo is not None and (num <= key.lo if key.lo_open else num < key.lo)
        hi_bad = key.hi is not None and num > key.hi
        if lo_bad or hi_bad:
            if key.lo is not None and key.hi is not None:
                rel = ">" if key.lo_open else ">="
                want = f"{rel} {_num(key.lo)} and <= {_num(key.hi)}"
            elif key.lo is not None:
                want = f"{'>' if key.lo_open else '>='} {_num(key.lo)}"
            else:
                want = f"<= {_num(key.hi)}"
            self.d.error(
                "E0305", span, f"'{key.name}' is {_num(num)}; it must be {want}", f"{key.doc}"
            )
            return False
        return True

    # ---- scalars, ranges --------------------------------------------------------------------

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
                    hint = f"did you mean '{guess}'?" if guess else "choose " + either(key.choices)
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

    def _range(self, key: Key, v: ast.Range) -> ir.Param | None:
        """``lo..hi`` (optionally ``step s`` or ``log``, or of powers of two) as a domain."""
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
                # Frequencies become periods, which turns 100..300 MHz around.
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
                n = (hi - lo) // step + 1
                if n > MAX_VALUES and step > 1:
                    self.d.error(
                        "E0312",
                        v.span,
                        f"range {_txt(v)} step {step:g} lists {n:,} values; "
                        f"the most a domain may list is {MAX_VALUES:,}",
                        "use a coarser step, or drop the step to search every whole number "
                        "in the interval",
                    )
                    return None
                return ir.IntRange(lo=int(lo), hi=int(hi), step=step, span=v.span)
            # A real range with a step is a finite set: list it (rounded against float drift).
            n = math.floor((hi - lo) / step + 1e-9) + 1
            if n > MAX_VALUES:
                self.d.error(
                    "E0312",
                    v.span,
                    f"range {_txt(v)} step {_bound_txt(v.step)} lists {n:,} values; "
                    f"the most a domain may list is {MAX_VALUES:,}",
                    "use a coarser step, or drop the step to search the interval continuously",
                )
                return None
            options = tuple(round(lo + i * step, 12) for i in range(n))
            return ir.Choice(options=options, span=v.span)
        if is_int:
            return ir.IntRange(lo=int(lo), hi=int(hi), log=v.log, span=v.span)
        return ir.FloatRange(lo=float(lo), hi=float(hi), log=v.log, span=v.span)


def read_number(v: ast.Quantity | ast.Power, d: Diagnostics) -> int | float | None:
    """The number written (before units), or None after reporting one specc will not read:
    a literal over 40 characters, a power whose value is past the limit, a magnitude outside
    ``[1/MAX_MAGNITUDE, MAX_MAGNITUDE]`` other than 0."""
    limit = f"numbers are 0 or between {1 / MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g} in magnitude"
    if isinstance(v, ast.Power):
        if not (v.base.isdigit() and v.exp.isdigit()):
            d.error("E0301", v.span, "a power needs whole numbers", "write e.g. 2^4")
            return None
        if len(v.base) + len(v.exp) > _MAX_LITERAL:
            d.error("E0311", v.span, "a power of over 40 digits", limit)
            return None
        base, exp = int(v.base), int(v.exp)
        if base > 1 and exp * math.log10(base) > math.log10(MAX_MAGNITUDE):
            d.error("E0311", v.span, f"{v.base}^{v.exp} is too large", limit)
            return None
        return int(base**exp)
    if len(v.text) > _MAX_LITERAL:
        d.error(
            "E0311",
            v.span,
            f"a number of {len(v.text)} characters",
            f"write it in e notation (e.g. 1.5e9); {limit}",
        )
        return None
    num = v.number
    if not math.isfinite(num) or abs(num) > MAX_MAGNITUDE or 0 < abs(num) < 1 / MAX_MAGNITUDE:
        d.error("E0311", v.span, f"{v.text} is out of range", limit)
        return None
    return num


# ---- text of messages ---------------------------------------------------------------------------


def _num(x: float | None) -> str:
    """A bound or value as written: whole numbers in full (2^32 - 1 is 4294967295), others %g."""
    assert x is not None
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def either(options: tuple[str, ...] | list[str]) -> str:
    """``'a', 'b' or 'c'``: the options of a hint."""
    opts = [f"'{o}'" for o in options]
    return opts[0] if len(opts) == 1 else ", ".join(opts[:-1]) + " or " + opts[-1]


def _txt(v: ast.Range) -> str:
    return f"{_bound_txt(v.lo)}..{_bound_txt(v.hi)}"


def _bound_txt(b: ast.Quantity | ast.Power) -> str:
    if isinstance(b, ast.Power):
        return f"{b.base}^{b.exp}"
    return b.text + (f" {b.unit}" if b.unit and b.unit != "%" else (b.unit or ""))


def _units_hint(allowed: tuple[str, ...] | Any) -> str:
    allowed = tuple(allowed)
    return "units here: " + ", ".join(allowed) if allowed else "this value takes no unit"


def _expects(key: Key) -> str:
    """What a value of ``key`` looks like, for 'takes ..., not ...' messages."""
    return {
        "int": "a whole number",
        "float": "a number",
        "enum": "one of " + either(key.choices) if key.choices else "a name",
        "str": "a quoted string",
        "label": "a column name (quoted) or index",
        "period": "a clock period (e.g. 5 ns)",
        "duration": "a duration (e.g. 30 min)",
        "fraction": "a fraction (e.g. 0.2 or 20%)",
        "precision": "a fixed-point type (e.g. ap_fixed<16, 6>)",
    }[key.type]


def _example(key: Key) -> str:
    """A line the user may copy: the key with its default (or a first choice)."""
    if key.type == "enum":
        return f"e.g. {key.name} = {key.choices[0]}"
    if key.type == "precision":
        return "e.g. ap_fixed<16, 6> or ap_fixed<12..16, 4..6>"
    default = key.default if key.default is not None else 1
    unit = {"period": " ns", "duration": " min"}.get(key.type, "")
    return f"e.g. {key.name} = {default}{unit}"
