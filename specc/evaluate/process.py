"""Process control of a trial: the child's entry point (own process group, dies with its
parent, address-space limit, output to the trial's log), how failures of the process are
categorised, and how the parent kills the child's whole group (g++ and HLS tools included)."""

from __future__ import annotations

import json
import os
import signal
import traceback
from pathlib import Path
from typing import Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.pipeline import run_phases
from specc.evaluate.point import Scalar, TrialConfig
from specc.ir import model as ir

__all__ = ["child_main", "kill_group"]


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the parent dies (even by kill -9), so no trial runs
    on orphaned. Elsewhere this is a no-op."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


_OOM_SIGNS = (
    "memoryerror",
    "out of memory",
    "cannot allocate memory",
    "failed to map segment",
    "bad_alloc",
    "resourceexhausted",
    "oom",
)


def _looks_like_oom(text: str) -> bool:
    """Whether an error is the address-space limit biting (it surfaces in many disguises)."""
    low = text.lower()
    return any(sign in low for sign in _OOM_SIGNS)


def child_main(
    spec_json: str,
    values: dict[str, Scalar],
    work: str,
    synth: str,
    timeout_s: float | None,
    memory_mb: int | None,
) -> None:
    """Entry point of the trial process: limits, logging, then the phases."""
    # Own process group: a timeout or Ctrl-C in the parent kills g++ and HLS tools with us.
    os.setsid()
    _die_with_parent()
    work_dir = Path(work)
    log = os.open(work_dir / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        spec = ir.Spec.model_validate_json(spec_json)
        out = run_phases(spec, TrialConfig(values), work_dir, synth, timeout_s)
    except TrialFailure as err:
        out = {"status": "failed", "failure": {"category": err.category, "message": err.message}}
    except MemoryError:
        out = {
            "status": "failed",
            "failure": {"category": "memory", "message": f"out of memory (limit {memory_mb} MB)"},
        }
    except BaseException as err:  # any crash of a trial is recorded, never raised
        traceback.print_exc()
        category = "memory" if _looks_like_oom(f"{type(err).__name__}: {err}") else "crash"
        out = {
            "status": "failed",
            "failure": {"category": category, "message": f"{type(err).__name__}: {err}"},
        }
    (work_dir / "child.json").write_text(json.dumps(out))


def kill_group(proc: Any) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.join()
