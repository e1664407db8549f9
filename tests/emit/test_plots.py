"""Plot geometry: a logarithmic axis where a metric spans decades."""

from __future__ import annotations

from specc.report.plots import Dot, scatter, spans_decades


def test_an_axis_over_decades_is_logarithmic() -> None:
    assert spans_decades([100.0, 50_000.0]) and not spans_decades([100.0, 900.0])
    assert not spans_decades([0.0, 50_000.0])  # a zero has no logarithm
    dots = [Dot(x, 0.1 + i / 100, "ok", True, "") for i, x in enumerate([120, 1_500, 48_000])]
    plot = scatter("lut", "LUT", "error", dots, xbudget=40_000)
    assert plot.xlabel == "LUT (log scale)" and plot.ylabel == "error"
    labels = [label for _, label in plot.xticks]
    assert labels == ["100", "1,000", "10,000", "100,000"]
    # Equal ratios are equal distances: 120 -> 1,500 -> 48,000 are about 1.1 and 1.5 decades.
    a, b, c = (d.px for d in sorted(plot.dots, key=lambda d: d.x))
    assert abs((c - b) / (b - a) - 1.5 / 1.1) < 0.05
    assert plot.vlines and plot.vlines[0][0] < c  # the budget line lies before 48,000
