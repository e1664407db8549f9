"""Emit a run: a folder per Pareto point (hls4ml project, Vivado project, FuseSoC core, model,
metrics, reports) and the overall reports, all through one :class:`~specc.emit.plan.Plan`.

Nothing here evaluates anything: the inputs are the records and the trial folders the search
left in ``out/<design>/trials/``; ``specc report`` calls :func:`emit` alone.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from specc import __version__
from specc.emit.plan import Applied, Plan
from specc.emit.vivado import hls_command, run_hls_script, vivado_files
from specc.evaluate.compress import describe
from specc.evaluate.estimate import PROVENANCE
from specc.evaluate.results import TrialResult
from specc.evaluate.synth import build_opt_tcl
from specc.files import write_atomic
from specc.ir import model as ir
from specc.report.render import PointView, overall_reports, point_reports
from specc.search.records import Record, Records
from specc.templates import render, safe_name

__all__ = ["EmitResult", "LiveReport", "emit"]

# The C-simulation library g++ built for the trial: not a source of the project.
BUILD_ARTEFACTS = (".so", ".o")
LISTED = (
    "vivado/Makefile",
    "vivado/{design}.edam.json",
    "vivado/hls_ip.tcl",
    "vivado/impl.tcl",
    "vivado/clock.xdc",
    "hls/run_hls.sh",
    "hls/build_prj.tcl",
    "hls/firmware/{top}.cpp",
    "hls/firmware/parameters.h",
    "{design}.core",
    "model.keras",
    "metrics.json",
    "report.md",
)


@dataclass
class EmitResult:
    applied: Applied
    points: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # Pareto trials whose folder is gone


def _hls_top(project_tcl: bytes) -> str:
    found = re.search(rb'set project_name "([^"]+)"', project_tcl)
    return safe_name(found.group(1).decode() if found else "myproject", "HLS project name")


def _point(spec: ir.Spec, record: Record, trial_dir: Path) -> tuple[PointView, dict[str, bytes]]:
    design = safe_name(spec.design, "design name")
    pid = record.point_id
    result = TrialResult.model_validate_json((trial_dir / "metrics.json").read_text())
    files: dict[str, bytes] = {}
    hls_dir = trial_dir / "hls"
    for path in sorted(hls_dir.rglob("*")):
        if path.is_file() and path.suffix not in BUILD_ARTEFACTS:
            files[f"hls/{path.relative_to(hls_dir).as_posix()}"] = path.read_bytes()
    top = _hls_top(files.get("hls/project.tcl", b""))
    backend = str(record.point.get("hls.backend", "vivado"))
    clock = float(record.point.get("hls.clock_period", 5.0))  # type: ignore[arg-type]
    files["hls/run_hls.sh"] = run_hls_script(backend)
    if backend == "vitis":
        files["hls/build_opt.tcl"] = build_opt_tcl(export=True).encode()
    for name, content in vivado_files(design, spec.target.part, clock, backend, top).items():
        files[f"vivado/{name}"] = content
    vlnv = f"specc:{design}:{pid}:{__version__}"
    sanitized = vlnv.replace(":", "_")
    files[f"{design}.core"] = render(
        "fusesoc/point.core.j2",
        version=__version__,
        design=design,
        point_id=pid,
        vlnv=vlnv,
        description_json=json.dumps(f"{design} Pareto point {pid} (specc trial {record.index})"),
        hls_files=sorted(f for f in files if f.startswith("hls/")),
        hls_cmd_json=json.dumps(hls_command(f"src/{sanitized}/hls")),
        part=spec.target.part,
        toplevel=f"{design}_bd_wrapper",
    ).encode()
    files["model.keras"] = (trial_dir / "model.keras").read_bytes()
    files["metrics.json"] = (
        json.dumps(
            {
                "point": pid,
                "trial": record.index,
                "key": record.key,
                "status": record.status,
                "knobs": record.point,
                "metrics": {k: m.model_dump() for k, m in record.metrics.items()},
                "layers": [layer.row() for layer in result.layers],
                "layers_provenance": PROVENANCE,
                "compression": result.compression,
                "versions": result.versions,
            },
            indent=2,
        )
        + "\n"
    ).encode()
    listed = [f.format(design=design, top=top) for f in LISTED]
    view = PointView(
        pid,
        record,
        list(result.layers),
        [f for f in listed if f in files],
        describe(result.compression),
    )
    view.files.append("report.md")
    md, html = point_reports(spec, view, design)
    files["report.md"] = md.encode()
    files["report.html"] = html.encode()
    return view, files


def _versions(records: Records, trials: Path) -> dict[str, str]:
    """The versions the results were produced with (from each evaluated trial's record)."""
    seen: dict[str, set[str]] = {}
    for r in records.items:
        if r.stage != "evaluated" or not r.key:
            continue
        try:
            data = json.loads((trials / r.key / "metrics.json").read_text())
        except (OSError, ValueError):
            continue
        for name, v in data.get("versions", {}).items():
            seen.setdefault(name, set()).add(str(v))
    return {name: ", ".join(sorted(vs)) for name, vs in sorted(seen.items())}


def emit(spec: ir.Spec, spec_text: str, spec_name: str, records: Records) -> EmitResult:
    """Write every Pareto point's folder and the overall reports under ``records.out_dir``."""
    out = records.out_dir
    plan = Plan(out, managed=("points",))
    views: list[PointView] = []
    missing: list[str] = []
    for r in records.pareto():
        trial_dir = out / "trials" / r.key
        if not (trial_dir / "hls").is_dir() or not (trial_dir / "metrics.json").is_file():
            missing.append(r.key)
            continue
        view, files = _point(spec, r, trial_dir)
        views.append(view)
        plan.add_folder(f"points/{view.id}", files)
    plan.add_file("trials.csv", records.trials_csv())
    plan.add_file("pareto.json", records.pareto_json())
    plan.add_file("spec.cds", spec_text)
    md, html = overall_reports(
        spec, spec_text, spec_name, records, views, _versions(records, out / "trials")
    )
    plan.add_file("report.md", md)
    plan.add_file("report.html", html)
    return EmitResult(plan.apply(), [v.id for v in views], missing)


class LiveReport:
    """``report.html`` rewritten while a build runs (after a record, at most every
    ``interval_s``), so a user can watch the search in a browser: the trials so far, the plots,
    a note that the build is running, and a reload every few seconds. Pareto points get their
    folders (and links) when the build ends and :func:`emit` writes the final report."""

    def __init__(
        self, spec: ir.Spec, spec_text: str, spec_name: str, total: int, interval_s: float = 5.0
    ) -> None:
        self.spec, self.spec_text, self.spec_name = spec, spec_text, spec_name
        self.total = total
        self.interval_s = interval_s
        self.written = -float("inf")

    def update(self, records: Records, force: bool = False, state: str = "running") -> None:
        """Rewrite the report if ``interval_s`` has passed (or ``force``); ``state`` is
        ``running`` or ``stopped`` (the build was interrupted)."""
        now = time.monotonic()
        if not force and now - self.written < self.interval_s:
            return
        _, html = overall_reports(
            self.spec, self.spec_text, self.spec_name, records, [], {}, state, self.total
        )
        write_atomic(records.out_dir / "report.html", html)
        self.written = now
