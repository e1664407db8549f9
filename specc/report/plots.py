"""Plot geometry for the reports: scales, ticks and marker positions, computed here and drawn as
inline SVG by ``backends/report/_plots.html.j2`` (no plotting library: the SVG must be the same
bytes for the same results, small, and styled like the tables)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Dot", "Plot", "line_plot", "scatter", "spans_decades"]

WIDTH, HEIGHT = 420, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44


@dataclass
class Dot:
    """One design in a plot. ``kind``: ``pareto``, ``ok``, ``infeasible``; ``estimated``: the
    plotted hardware numbers come from the estimator, not from synthesis."""

    x: float
    y: float
    kind: str
    estimated: bool
    title: str
    href: str | None = None
    px: float = 0.0
    py: float = 0.0


@dataclass
class Plot:
    title: str
    xlabel: str
    ylabel: str
    width: int = WIDTH
    height: int = HEIGHT
    dots: list[Dot] = field(default_factory=list)
    xticks: list[tuple[float, str]] = field(default_factory=list)
    yticks: list[tuple[float, str]] = field(default_factory=list)
    vlines: list[tuple[float, str]] = field(default_factory=list)  # budget on x
    hlines: list[tuple[float, str]] = field(default_factory=list)  # budget on y
    path: str = ""  # a polyline (line plots)
    front: str = ""  # the Pareto staircase (scatter plots)

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def top(self) -> int:
        return TOP

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM


def _nice(span: float) -> float:
    """A 1-2-5 step giving about five ticks over ``span``."""
    raw = span / 5 if span > 0 else 1.0
    mag: float = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw))


def _label(v: float, step: float) -> str:
    if step >= 1 and abs(v) >= 1:
        return f"{v:,.0f}"
    decimals = max(0, -math.floor(math.log10(step)))
    return f"{v:.{decimals}f}"


def _axis(values: list[float]) -> tuple[float, float, list[float], float]:
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - (abs(lo) * 0.1 or 1.0), hi + (abs(hi) * 0.1 or 1.0)
    step = _nice(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = [lo + i * step for i in range(round((hi - lo) / step) + 1)]
    return lo, hi, ticks, step


def spans_decades(values: list[float]) -> bool:
    """Whether an axis over ``values`` is better logarithmic: all positive, over a decade."""
    return bool(values) and min(values) > 0 and max(values) > 10 * min(values)


def _log_axis(values: list[float]) -> tuple[float, float, list[tuple[float, str]]]:
    """Bounds (as log10) and ticks (value, label) of a logarithmic axis: whole decades, with 2
    and 5 in between when the axis spans at most two."""
    lo = math.floor(math.log10(min(values)))
    hi = math.ceil(math.log10(max(values)))
    steps = (1, 2, 5) if hi - lo <= 2 else (1,)
    ticks = []
    for e in range(lo, hi + 1):
        for m in steps:
            v = m * 10.0**e
            if v <= 10.0**hi * 1.0001:
                ticks.append((v, _label(v, v)))
    return float(lo), float(hi), ticks


def _place(
    plot: Plot, xs: list[float], ys: list[float], log: tuple[bool, bool] = (False, False)
) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """Scales from data to pixels; an axis in ``log`` is logarithmic (its label says so)."""

    def scale(
        values: list[float], is_log: bool
    ) -> tuple[Callable[[float], float], list[tuple[float, str]]]:
        if is_log:
            lo, hi, ticks = _log_axis(values)
            return (lambda v: (math.log10(v) - lo) / (hi - lo)), ticks
        lo, hi, at, step = _axis(values)
        return (lambda v: (v - lo) / (hi - lo)), [(t, _label(t, step)) for t in at]

    fx, xt = scale(xs, log[0])
    fy, yt = scale(ys, log[1])

    def px(v: float) -> float:
        return round(plot.left + fx(v) * (plot.right - plot.left), 1)

    def py(v: float) -> float:
        return round(plot.bottom - fy(v) * (plot.bottom - plot.top), 1)

    plot.xticks = [(px(t), label) for t, label in xt]
    plot.yticks = [(py(t), label) for t, label in yt]
    if log[0]:
        plot.xlabel += " (log scale)"
    if log[1]:
        plot.ylabel += " (log scale)"
    return px, py


def scatter(
    title: str,
    xlabel: str,
    ylabel: str,
    dots: list[Dot],
    xbudget: float | None = None,
    ybudget: float | None = None,
) -> Plot:
    """A scatter of ``dots`` with budget lines and the Pareto staircase (lower-left better)."""
    plot = Plot(title, xlabel, ylabel)
    if not dots:
        return plot
    xs, ys = [d.x for d in dots], [d.y for d in dots]
    # A budget far beyond every design would squash the designs into a corner: draw it only
    # when it is within reach, else say where it is in the axis label.
    xin = xbudget is not None and xbudget <= 2 * max(xs)
    yin = ybudget is not None and ybudget <= 2 * max(ys)
    if xbudget is not None and not xin:
        plot.xlabel += f" (budget {xbudget:,g} off the axis)"
    if ybudget is not None and not yin:
        plot.ylabel += f" (budget {ybudget:,g} off the axis)"
    xall = xs + ([xbudget] if xin and xbudget else [])
    yall = ys + ([ybudget] if yin and ybudget else [])
    px, py = _place(plot, xall, yall, (spans_decades(xall), spans_decades(yall)))
    for d in dots:
        d.px, d.py = px(d.x), py(d.y)
    plot.dots = sorted(dots, key=lambda d: d.kind == "pareto")  # front drawn on top
    if xin and xbudget is not None:
        plot.vlines.append((px(xbudget), f"budget {xbudget:,g}"))
    if yin and ybudget is not None:
        plot.hlines.append((py(ybudget), f"budget {ybudget:,g}"))
    front = sorted((d for d in dots if d.kind == "pareto"), key=lambda d: (d.px, d.py))
    if front:
        pts = [f"{front[0].px},{plot.top}"]
        for a, b in itertools.pairwise(front):
            pts += [f"{a.px},{a.py}", f"{b.px},{a.py}"]
        pts += [f"{front[-1].px},{front[-1].py}", f"{plot.right},{front[-1].py}"]
        plot.front = " ".join(pts)
    return plot


def line_plot(title: str, xlabel: str, ylabel: str, xs: list[float], ys: list[float]) -> Plot:
    """A step line (e.g. hypervolume against trials)."""
    plot = Plot(title, xlabel, ylabel)
    if not xs:
        return plot
    px, py = _place(plot, xs, [*ys, 0.0])
    pts: list[str] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i:
            pts.append(f"{px(x)},{py(ys[i - 1])}")
        pts.append(f"{px(x)},{py(y)}")
    plot.path = " ".join(pts)
    return plot
