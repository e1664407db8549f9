"""C synthesis with a real Xilinx HLS tool, when one is on PATH, read by hls4ml's own parser.

- backend ``vivado``: ``vivado_hls``, through hls4ml's ``build()``;
- backend ``vitis``: ``vitis-run`` through hls4ml's ``build()`` (Vitis 2023.2+), or, for older
  Vitis HLS that only has ``vitis_hls``, the same ``build_prj.tcl`` run as
  ``vitis_hls -f build_prj.tcl`` (hls4ml 1.3.0's build only knows ``vitis-run``).

The reports are parsed by ``hls4ml.report.parse_vivado_report``; the tool version comes from the
csynth report itself, so the provenance reads e.g. ``synth:vitis_hls 2021.1``.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.figures import HardwareFigures

__all__ = ["SynthResult", "build_opt_tcl", "find_tool", "synthesize"]

TOOLS = {"vivado": ("vivado_hls",), "vitis": ("vitis-run", "vitis_hls")}


@dataclass(frozen=True)
class SynthResult:
    """What C synthesis reported: the figures, the clock it estimates, and which tool said so."""

    tool: str
    version: str
    figures: HardwareFigures
    clock_ns: float

    @property
    def provenance(self) -> str:
        return f"synth:{self.tool} {self.version}"


def build_opt_tcl(export: bool) -> str:
    """``build_opt.tcl``, the options hls4ml's Vitis ``build_prj.tcl`` reads: C synthesis, and
    IP export when ``export`` (a Pareto point's project; a trial only needs the report)."""
    from specc import __version__
    from specc.templates import render

    return render("vivado/build_opt.tcl.j2", version=__version__, export=export)


def find_tool(backend: str) -> str | None:
    """The HLS executable for a backend, or None when none is on PATH."""
    for name in TOOLS.get(backend, ()):
        if shutil.which(name):
            return name
    return None


def _report_version(project_dir: Path) -> str:
    for xml in sorted(project_dir.glob("*_prj/solution*/syn/report/*_csynth.xml")):
        version = ET.parse(xml).getroot().findtext("ReportVersion/Version")
        if version:
            return version.strip()
    return "unknown"


def _run(hm: Any, tool: str, project_dir: Path, timeout_s: float | None) -> None:
    if tool == "vitis_hls":
        # hls4ml's Vitis build_prj.tcl reads its options from build_opt.tcl.
        (project_dir / "build_opt.tcl").write_text(build_opt_tcl(export=False))
        cmd = ["vitis_hls", "-f", "build_prj.tcl"]
        with open(project_dir / "build_stdout.log", "w") as log:
            proc = subprocess.run(
                cmd,
                cwd=project_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout_s,
                check=False,
            )
        if proc.returncode != 0:
            raise TrialFailure(
                "synthesis",
                f"vitis_hls exited with {proc.returncode}"
                f"{_log_tail(project_dir / 'build_stdout.log')}",
            )
        return
    try:
        if tool == "vitis-run":
            hm.build(reset=True, csim=False, synth=True, log_to_stdout=False)
        else:
            hm.build(reset=True, csim=False, synth=True)
    except Exception as err:
        raise TrialFailure("synthesis", f"{tool}: {err}") from None


def _log_tail(path: Path, lines: int = 8) -> str:
    try:
        tail = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return (": " + " | ".join(t.strip() for t in tail if t.strip())) if tail else ""


def synthesize(
    hm: Any,
    backend: str,
    project_dir: Path,
    timeout_s: float | None = None,
) -> SynthResult:
    """Run C synthesis of a written hls4ml project and parse its report.

    Raises:
        TrialFailure: ``synthesis`` when no tool is found, the tool fails, or no report appears.
    """
    from hls4ml.report import parse_vivado_report

    tool = find_tool(backend)
    if tool is None:
        raise TrialFailure("synthesis", f"no HLS tool for backend {backend} on PATH")
    _run(hm, tool, project_dir, timeout_s)
    report = parse_vivado_report(str(project_dir)) or {}
    csynth = report.get("CSynthesisReport")
    if not csynth:
        raise TrialFailure(
            "synthesis",
            f"{tool} wrote no C synthesis report{_log_tail(project_dir / 'build_stdout.log')}",
        )
    try:
        return SynthResult(
            tool=tool.replace("vitis-run", "vitis"),
            version=_report_version(project_dir),
            figures=HardwareFigures(
                latency_cycles=int(csynth["WorstLatency"]),
                ii=int(csynth["IntervalMax"]),
                dsp=int(csynth["DSP"]),
                lut=int(csynth["LUT"]),
                ff=int(csynth["FF"]),
                bram=float(csynth["BRAM_18K"]),
            ),
            clock_ns=float(csynth["EstimatedClockPeriod"]),
        )
    except (KeyError, ValueError) as err:
        raise TrialFailure("synthesis", f"unreadable C synthesis report: {err}") from None
