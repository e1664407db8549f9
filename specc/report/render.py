"""The reports: per Pareto point (``points/<id>/report.{md,html}``) and overall
(``report.{md,html}``). This module builds plain view objects; the templates in
``backends/report/`` lay them out. Every number carries its provenance, and estimated numbers
are marked (``*`` in Markdown, a dashed italic cell and a hollow marker in HTML)."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field

from specc import __version__
from specc.evaluate.figures import LayerEstimate
from specc.evaluate.results import Metric
from specc.files import content_hash
from specc.ir import model as ir
from specc.ir.space import dimensions, knob_used
from specc.metrics import METRIC_ORDER, METRICS, format_value, provenance_kind
from specc.report.plots import Dot, Plot, line_plot, scatter
from specc.search.records import Record, Records
from specc.templates import knob_value, render

__all__ = ["Cell", "PointView", "overall_reports", "point_reports"]

LABELS = {name: m.label for name, m in METRICS.items()}


@dataclass
class Cell:
    text: str
    kind: str = ""
    provenance: str = ""

    @property
    def md(self) -> str:
        return self.text + ("\\*" if self.kind == "estimate" else "")


def cell(name: str, metric: Metric | None) -> Cell:
    if metric is None:
        return Cell("-")
    return Cell(
        format_value(name, metric.value), provenance_kind(metric.provenance), metric.provenance
    )


@dataclass
class PointView:
    """A Pareto point as the reports show it."""

    id: str
    record: Record
    layers: list[LayerEstimate] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    compression: list[str] = field(default_factory=list)

    def cells(self, names: list[str]) -> list[Cell]:
        return [cell(n, self.record.metrics.get(n)) for n in names]


def searched_knobs(spec: ir.Spec, records: list[Record]) -> list[str]:
    """The knobs worth a column: those the search varies (fixed ones are in the spec), in the
    order ``specc space`` lists them, and only those a design uses."""
    order = [d.name for d in dimensions(spec)]
    if spec.search.fidelity_epochs is not None:
        order.append("train.epochs")
    present = {k for r in records for k in r.point}
    return [k for k in order if k in present and knob_used(spec, k)]


def short(knob: str) -> str:
    """A column heading: ``hls.precision.width`` -> ``precision.width``, ``model.fc1.neurons``
    -> ``fc1.neurons``."""
    return knob.split(".", 1)[1] if "." in knob else knob


def knob_text(record: Record, knobs: list[str]) -> str:
    """The knobs of one design in a line (plot hover texts)."""
    return ", ".join(
        f"{short(k)} {knob_value(record.point[k])}" for k in knobs if k in record.point
    )


def _fence(text: str) -> str:
    """A Markdown code fence longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def spec_hash(text: str) -> str:
    return content_hash(text)


def _metric_names(records: list[Record]) -> list[str]:
    return [m for m in METRIC_ORDER if any(m in r.metrics for r in records)]


def _budget(spec: ir.Spec, metric: str) -> float | None:
    return next((c.value for c in spec.constraints if c.metric == metric), None)


def _plots(spec: ir.Spec, records: Records, points: dict[str, PointView]) -> list[Plot]:
    """One scatter per pair of objectives (budget lines drawn), and hypervolume per trial."""
    by_key = {p.record.key: p for p in points.values()}
    knobs = searched_knobs(spec, records.items)
    evaluated = [r for r in records.items if r.stage == "evaluated" and r.status != "failed"]
    plots = []
    for a, b in itertools.combinations([o.metric for o in spec.objectives], 2):
        dots = []
        for r in evaluated:
            if a not in r.metrics or b not in r.metrics:
                continue
            view = by_key.get(r.key) if r.status == "ok" else None
            kind = "pareto" if view else r.status
            estimated = any(
                provenance_kind(r.metrics[m].provenance) == "estimate"
                for m in (a, b)
                if METRICS[m].hardware
            )
            title = f"trial {r.index}: {LABELS[a]} {format_value(a, r.metrics[a].value)}, " + (
                f"{LABELS[b]} {format_value(b, r.metrics[b].value)}"
                + (" (estimated)" if estimated else "")
            )
            if knobs:
                title += "\n" + knob_text(r, knobs)
            href = f"points/{view.id}/report.html" if view else None
            dots.append(Dot(r.metrics[a].value, r.metrics[b].value, kind, estimated, title, href))
        if not dots:  # an empty frame says less than the sentence the template writes instead
            continue
        plots.append(
            scatter(
                f"{LABELS[b]} against {LABELS[a]}",
                LABELS[a],
                LABELS[b],
                dots,
                _budget(spec, a),
                _budget(spec, b),
            )
        )
    if records.items:
        plots.append(
            line_plot(
                "hypervolume against trials",
                "trial",
                "hypervolume",
                [float(r.index) for r in records.items],
                [r.hypervolume for r in records.items],
            )
        )
    return plots


def point_reports(spec: ir.Spec, view: PointView, project: str) -> tuple[str, str]:
    """``report.md`` and ``report.html`` of one Pareto point."""
    names = _metric_names([view.record])
    context = {
        "version": __version__,
        "spec": spec,
        "view": view,
        "project": project,
        "metrics": [(LABELS[n], cell(n, view.record.metrics.get(n))) for n in names],
        "knobs": sorted((k, v) for k, v in view.record.point.items() if knob_used(spec, k)),
        "estimated": any(
            provenance_kind(m.provenance) == "estimate" for m in view.record.metrics.values()
        ),
    }
    return render("report/point.md.j2", **context), render("report/point.html.j2", **context)


def overall_reports(
    spec: ir.Spec,
    spec_text: str,
    spec_name: str,
    records: Records,
    points: list[PointView],
    versions: dict[str, str],
    live: str = "",
    total: int = 0,
) -> tuple[str, str]:
    """``report.md`` and ``report.html`` of the whole run.

    Args:
        live: ``running`` or ``stopped`` for the report a build rewrites while it runs (see
            :class:`specc.emit.project.LiveReport`); empty for the final one.
        total: the designs the running build will evaluate.
    """
    names = _metric_names(records.items)
    objectives = [o.metric for o in spec.objectives]
    shown = objectives + [m for m in names if m not in objectives]
    tools = sorted(
        {
            m.provenance.split(":", 1)[1]
            for r in records.items
            for m in r.metrics.values()
            if provenance_kind(m.provenance) == "synth"
        }
    )
    knobs = sorted({k for r in records.items for k in r.point if knob_used(spec, k)})
    context = {
        "version": __version__,
        "spec": spec,
        "spec_text": spec_text,
        "spec_name": spec_name,
        "spec_sha256": spec_hash(spec_text),
        "fence": _fence(spec_text),
        "records": records,
        "counts": records.counts(),
        "hypervolume": records.hypervolume(),
        "points": points,
        "point_of": {p.record.key: p for p in points},
        "shown": shown,
        "objectives": objectives,
        "others": [m for m in shown if m not in objectives],
        "labels": LABELS,
        "names": names,
        "knobs": knobs,
        "searched": searched_knobs(spec, [p.record for p in points]),
        "short": short,
        "cell": cell,
        "plots": _plots(spec, records, {p.id: p for p in points}),
        "versions": sorted(versions.items()),
        "live": live,
        "total": total,
        "updated": time.strftime("%H:%M:%S"),
        "tools": tools,
        # The estimators' provenances (empty when every number was synthesised or simulated).
        "estimated": ", ".join(
            sorted(
                {
                    m.provenance
                    for r in records.items
                    for m in r.metrics.values()
                    if provenance_kind(m.provenance) == "estimate"
                }
            )
        ),
    }
    return render("report/report.md.j2", **context), render("report/report.html.j2", **context)
