"""Warm workers: long-lived processes that run trials one after another.

A worker imports TensorFlow and hls4ml once and keeps the loaded data and recent models between
trials (:class:`~specc.evaluate.pipeline.Warm`), so a trial pays for its own work only. The
isolation of a process per trial stays:

- the worker is its own process group (``setsid``): g++ and HLS tools it starts belong to it,
  and the parent kills the whole group on a timeout, Ctrl-C or a crash;
- it asks Linux for SIGTERM when its parent dies (even by ``kill -9``) and answers it by killing
  its group, so no worker, g++ or HLS process outlives specc;
- a tiny reaper process in the group does the same when the worker itself dies (``kill -9`` of
  the worker, or of specc and its worker at once): g++, its compiler passes and HLS tools are
  in the group and die with it;
- an address-space limit bounds its memory; a trial that runs out of memory or crashes is
  recorded with its category and its worker replaced (the next trial starts a fresh one);
- each trial's stdout and stderr go to the trial's own ``log.txt``.

The parent side (:class:`Worker`) never imports TensorFlow or hls4ml.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import Scalar, TrialConfig
from specc.ir import model as ir
from specc.options import Synth

__all__ = ["Job", "Worker"]

# Categories after which a worker is not trusted with another trial.
_REPLACE_AFTER = ("memory", "crash")

_OOM_SIGNS = (
    "memoryerror",
    "out of memory",
    "cannot allocate memory",
    "failed to map segment",
    "bad_alloc",
    "resourceexhausted",
    "oom",
)


@dataclass(frozen=True)
class Job:
    """One trial for a worker (plain, picklable values)."""

    spec_json: str
    values: dict[str, Scalar]
    work: str  # the trial's temporary folder
    cache: str  # out/<design>/cache
    data: str  # the data's fingerprint (see specc.evaluate.keys.data_fingerprint)
    synth: Synth
    timeout_s: float | None


def _failed(category: str, message: str) -> dict[str, Any]:
    return {"status": "failed", "failure": {"category": category, "message": message}}


def _looks_like_oom(text: str) -> bool:
    """Whether an error is the address-space limit biting (it surfaces in many disguises)."""
    low = text.lower()
    return any(sign in low for sign in _OOM_SIGNS)


# ---- the worker process ------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM when the parent dies (even by kill -9); SIGTERM kills this
    worker's whole process group, g++ and HLS tools included."""
    signal.signal(signal.SIGTERM, lambda signum, frame: os.killpg(0, signal.SIGKILL))
    parent = os.getppid()
    if not _set_pdeathsig(signal.SIGTERM):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.killpg(0, signal.SIGKILL)


def _set_pdeathsig(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where it cannot."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        return int(libc.prctl(pr_set_pdeathsig, sig, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def start_reaper(close: Connection | None = None) -> int:
    """Fork a reaper: an idle process in this process's group that kills the whole group when
    this process dies, however it dies. Call it as a group leader (after ``setsid``), before
    threads start. Returns the reaper's pid.

    Args:
        close: a connection the reaper must not hold open (the worker's pipe: its parent sees
            the worker die by the pipe's end).
    """
    leader = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    # The reaper: nothing imported beyond what the worker had, no threads, asleep in pause().
    try:
        if close is not None:
            close.close()
        signal.signal(signal.SIGTERM, lambda signum, frame: os.killpg(0, signal.SIGKILL))
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if not _set_pdeathsig(signal.SIGTERM) or os.getppid() != leader:
            os.killpg(0, signal.SIGKILL)  # no death signal here, or the worker is gone already
        while True:
            signal.pause()
    finally:
        os._exit(0)


def _run_job(job: Job, warm: Any, memory_mb: int | None) -> dict[str, Any]:
    from specc.evaluate.pipeline import run_phases

    work = Path(job.work)
    log = os.open(work / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    try:
        spec = ir.Spec.model_validate_json(job.spec_json)
        cfg = TrialConfig(job.values)
        return run_phases(
            spec, cfg, work, job.synth, job.timeout_s, Path(job.cache), job.data, warm
        )
    except TrialFailure as err:
        return _failed(err.category, err.message)
    except MemoryError:
        return _failed("memory", f"out of memory (limit {memory_mb} MB)")
    except Exception as err:  # any crash of a trial is recorded, never raised
        traceback.print_exc()
        text = f"{type(err).__name__}: {err}"
        return _failed("memory" if _looks_like_oom(text) else "crash", text)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)


def _thread_lock_for_tqdm() -> None:
    """tqdm (HGQ2 draws progress bars with it) guards its bars with a multiprocessing lock by
    default; a worker is killed, never shut down, so the parent's resource tracker would
    report that semaphore as leaked at exit. A thread lock does the job within one worker."""
    import threading

    try:
        import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with hgq2
        return
    tqdm.tqdm.set_lock(threading.RLock())


def _worker_main(conn: Connection, memory_mb: int | None) -> None:
    """Entry point of a worker process: limits, then trials until the pipe closes."""
    os.setsid()
    _die_with_parent()
    start_reaper(close=conn)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _thread_lock_for_tqdm()
    from specc.evaluate.pipeline import Warm

    warm = Warm()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(job, warm, memory_mb))


# ---- the parent side ----------------------------------------------------------------------------


class Worker:
    """One warm worker process, seen from the parent. Started on first use, replaced after a
    trial that timed out, ran out of memory or crashed."""

    def __init__(self, memory_mb: int | None):
        self.memory_mb = memory_mb
        self.proc: Any = None
        self.conn: Connection | None = None
        self.deadline: float | None = None
        self.timeout_s: float | None = None

    @property
    def busy(self) -> bool:
        return self.deadline is not None

    def start(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, self.memory_mb), daemon=False)
        self.proc.start()
        child.close()
        self.conn = parent

    def send(self, job: Job) -> None:
        """Start a trial (the worker is started first when there is none)."""
        if self.proc is None or not self.proc.is_alive():
            self.stop()
            self.start()
        assert self.conn is not None
        self.timeout_s = job.timeout_s
        self.deadline = time.monotonic() + job.timeout_s if job.timeout_s else float("inf")
        self.conn.send(job)

    def collect(self, wait_s: float | None = None) -> dict[str, Any] | None:
        """The running trial's outcome, waiting at most ``wait_s`` (None: until it is due);
        None while it is still running within its limit. A trial past its wall-time limit is
        killed and reported as ``timeout``; a worker that died as ``memory`` or ``crash``."""
        assert self.conn is not None and self.deadline is not None
        due = self.deadline - time.monotonic()
        wait = max(due, 0.0) if wait_s is None else min(max(due, 0.0), wait_s)
        try:
            ready = self.conn.poll(None if wait == float("inf") else wait)
        except (EOFError, OSError):
            ready = True
        if not ready:
            if time.monotonic() < self.deadline:
                return None
            self.stop()
            return _failed("timeout", f"ran past {self.timeout_s:g} s")
        self.deadline = None
        try:
            out: dict[str, Any] = self.conn.recv()
        except (EOFError, OSError):
            code = self._exit_code()
            self.stop()
            category = "memory" if code in (-9, 137) else "crash"
            return _failed(category, f"trial process died (exit code {code})")
        if out.get("failure", {}).get("category") in _REPLACE_AFTER:
            self.stop()
        return out

    def _exit_code(self) -> int | None:
        self.proc.join(2)
        return int(self.proc.exitcode) if self.proc.exitcode is not None else None

    def stop(self) -> None:
        """Kill the worker's whole process group (the trial's g++ or HLS tool with it)."""
        self.deadline = None
        if self.proc is None:
            return
        if self.proc.pid is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
            self.proc.join()
        if self.conn is not None:
            self.conn.close()
        self.proc, self.conn = None, None
