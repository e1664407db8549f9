"""Plot geometry for the reports: scales, ticks and marker positions, computed here and drawn as
inline SVG by ``backends/report/_plots.html.j2`` (no plotting library: the SVG must be the same
bytes for the same results, small, and styled like the tables)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Dot", "Plot", "line_plot", "scatter"]

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


def _place(
    plot: Plot, xs: list[float], ys: list[float]
) -> tuple[Callable[[float], float], Callable[[float], float]]:
    xlo, xhi, xt, xstep = _axis(xs)
    ylo, yhi, yt, ystep = _axis(ys)

    def px(v: float) -> float:
        return round(plot.left + (v - xlo) / (xhi - xlo) * (plot.right - plot.left), 1)

    def py(v: float) -> float:
        return round(plot.bottom - (v - ylo) / (yhi - ylo) * (plot.bottom - plot.top), 1)

    plot.xticks = [(px(t), _label(t, xstep)) for t in xt]
    plot.yticks = [(py(t), _label(t, ystep)) for t in yt]
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
    px, py = _place(
        plot,
        xs + ([xbudget] if xin and xbudget else []),
        ys + ([ybudget] if yin and ybudget else []),
    )
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
