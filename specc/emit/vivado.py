"""A point's Vivado project, generated through edalize's Vivado flow.

The EDAM names two sources (``hls_ip.tcl``, sourced while the project is created, and the clock
constraint) and two hooks: ``pre_build`` runs the HLS step (C synthesis and IP export of the
hls4ml project in ``../hls``), ``post_build`` places and routes and writes the reports. edalize
writes the Makefile and the project tcl; ``make -C vivado`` runs the whole chain.

The kernel's data ports are wider than any package's pins, so the top level is synthesised out
of context, and an out-of-context design has no bitstream: the flow ends at the routed design
and its reports rather than at edalize's default ``.bit`` target (:class:`_RoutedVivado`).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from specc import __version__
from specc.templates import render, safe_name

__all__ = ["VIVADO_HLS_OPTIONS", "hls_command", "hls_ip_path", "run_hls_script", "vivado_files"]

# hls4ml's build_prj.tcl options for the Vivado HLS step (C sim was run by specc already).
VIVADO_HLS_OPTIONS = "reset=1 csim=0 synth=1 cosim=0 validation=0 export=1 vsynth=0"
REPORTS = (
    "reports/utilization.rpt",
    "reports/utilization_hierarchical.rpt",
    "reports/timing_summary.rpt",
)


def hls_ip_path(hls_top: str) -> str:
    """Where the HLS tool exports the IP, relative to the hls4ml project folder."""
    return f"{hls_top}_prj/solution1/impl/ip/component.xml"


def hls_command(hls_dir: str) -> list[str]:
    """The HLS step as a hook command: ``hls/run_hls.sh`` (see :func:`run_hls_script`)."""
    return ["sh", f"{hls_dir}/run_hls.sh"]


def run_hls_script(backend: str) -> bytes:
    """``hls/run_hls.sh``: C synthesis and IP export, from any folder."""
    return render(
        "vivado/run_hls.sh.j2",
        version=__version__,
        backend=backend,
        options=VIVADO_HLS_OPTIONS,
    ).encode()


def edam(project: str, part: str, backend: str, hls_top: str) -> dict[str, Any]:
    """The EDAM description of a point's Vivado project."""
    return {
        "name": project,
        "toplevel": f"{project}_bd_wrapper",
        "files": [
            {"name": "hls_ip.tcl", "file_type": "tclSource"},
            {"name": "clock.xdc", "file_type": "xdc"},
        ],
        "flow_options": {"part": part},
        "hooks": {
            "pre_build": [
                {
                    "name": f"../hls/{hls_ip_path(hls_top)}",
                    "cmd": hls_command("../hls"),
                }
            ],
            "post_build": [
                {
                    "name": REPORTS[-1],
                    "cmd": [
                        "vivado",
                        "-notrace",
                        "-mode",
                        "batch",
                        "-source",
                        "impl.tcl",
                        f"{project}.xpr",
                    ],
                }
            ],
        },
    }


# What edalize's Vivado flow offers that cannot work for an out-of-context top level: a bitstream
# (its ports are not pins), programming a board with it, and the run steps that do so.
_UNBUILDABLE_TARGETS = ("pgm", "run", "pre_run", "post_run")


def _routed_flow() -> type:
    from edalize.flows.vivado import Vivado

    class _RoutedVivado(Vivado):  # type: ignore[misc]
        """edalize's Vivado flow with ``synth`` as the step the post_build hooks follow: the
        out-of-context top level is implemented by ``impl.tcl``, not built into a bitstream,
        so the Makefile offers no bitstream, ``pgm`` or ``run`` target."""

        def configure_flow(self, flow_options: dict[str, Any]) -> Any:
            graph = super().configure_flow(flow_options)
            self.commands.set_default_target("synth")
            return graph

        def configure(self) -> None:
            bitstream = self.edam["name"] + ".bit"
            self.commands.commands = [
                c
                for c in self.commands.commands
                if not set(c.targets) & {bitstream, *_UNBUILDABLE_TARGETS}
            ]
            super().configure()

    return _RoutedVivado


def vivado_files(
    project: str, part: str, clock_period: float, backend: str, hls_top: str
) -> dict[str, bytes]:
    """Every file of ``vivado/`` for one point: edalize's Makefile and tcl, specc's templates,
    and the EDAM they came from."""
    safe_name(project, "project name")
    safe_name(part, "part")
    safe_name(hls_top, "HLS top function")
    description = edam(project, part, backend, hls_top)
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="specc-edalize-") as tmp:
        _routed_flow()(description, tmp).configure()
        for path in sorted(Path(tmp).iterdir()):
            # The bitstream and programming scripts belong to the targets left out.
            if path.is_file() and not path.name.endswith(("_run.tcl", "_pgm.tcl")):
                files[path.name] = path.read_bytes()
    context = {
        "version": __version__,
        "project": project,
        "bd_name": f"{project}_bd",
        "hls_project": hls_top,
        "hls_top": hls_top,
        "clock_period": f"{clock_period:.3f}",
        "jobs": "",
    }
    files["hls_ip.tcl"] = render("vivado/hls_ip.tcl.j2", **context).encode()
    files["impl.tcl"] = render("vivado/impl.tcl.j2", **context).encode()
    files["clock.xdc"] = render("vivado/clock.xdc.j2", **context).encode()
    files[f"{project}.edam.json"] = (json.dumps(description, indent=2) + "\n").encode()
    return files
