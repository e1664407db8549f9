"""The bit-accurate C simulation, compiled once per firmware and run with each trial's weights.

hls4ml's C simulation reads its weights at run time (``load_weights_from_txt`` under
``#ifndef __SYNTHESIS__``; the weight headers only declare the arrays there). So what the
compiled library computes depends on the firmware's *structure* (layer sizes, types, io type,
strategy), not on the weight values, nor on the reuse factors (they decide how HLS shares
multipliers; the sums are the same): one library serves every trial whose firmware differs only
in those. specc compiles it itself, with the flags of hls4ml's ``build_lib.sh`` but a
relative weights folder, keeps it under ``cache/sim/<firmware key>/``, and runs it with the
trial's ``firmware/weights/`` as the working folder of the first call (when it loads the
weights). Each trial opens its own copy of the library, so the weights loaded once per opened
library are always the trial's own; the copy is closed and removed afterwards.

``tests/evaluate/test_simulate.py`` proves the predictions bit-identical to hls4ml's own
per-project ``compile()`` on random designs of the examples.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.evaluate.errors import TrialFailure
from specc.files import content_hash

if TYPE_CHECKING:
    import numpy as np

__all__ = ["firmware_key", "predict", "simulator"]

PROJECT = "myproject"
LIBRARY = "libsim.so"


# Layer-configuration constants that change how HLS shares multipliers, never a value the C
# simulation computes (the weight-dependent zero counts only size HLS's multiplier pragmas).
_NEUTRAL_CONSTANTS = (b"reuse_factor =", b"multiplier_limit =", b"n_zeros =", b"n_nonzeros =")


def _normalised(path: Path, rel: str) -> bytes:
    """A firmware file as far as the values the compiled C simulation computes depend on it:
    weight headers without their values (only their ``__SYNTHESIS__`` branch holds them) or
    comments, the layer configurations without the constants of :data:`_NEUTRAL_CONSTANTS`."""
    data = path.read_bytes()
    lines = data.splitlines()
    if rel.startswith("firmware/weights/"):
        return b"\n".join(ln for ln in lines if not ln.startswith(b"//") and b"] = {" not in ln)
    if rel == "firmware/parameters.h":
        return b"\n".join(ln for ln in lines if not any(c in ln for c in _NEUTRAL_CONSTANTS))
    return data


def firmware_key(project: Path) -> str | None:
    """What the compiled simulation of a written hls4ml project depends on: every firmware
    source (weight values excluded) and the bridge; None when the project has no firmware."""
    firmware = project / "firmware"
    if not firmware.is_dir():
        return None
    parts: list[bytes] = []
    sources = [*sorted(firmware.rglob("*")), project / f"{PROJECT}_bridge.cpp"]
    for path in sources:
        rel = path.relative_to(project).as_posix()
        if not path.is_file() or rel.endswith((".txt", ".so", ".o")):
            continue
        parts += [rel.encode(), _normalised(path, rel)]
    return content_hash(*parts, length=24)


def _std_flag() -> str:
    """``-std=c++23`` where g++ has it (as hls4ml's build_lib.sh decides), else c++11."""
    probe = subprocess.run(
        ["g++", "-Werror", "-fsyntax-only", "-std=c++23", "-xc++", "-", "-o", os.devnull],
        input=b"",
        capture_output=True,
        check=False,
    )
    return "-std=c++23" if probe.returncode == 0 else "-std=c++11"


def _compile(project: Path, into: Path) -> None:
    """Compile the project's C simulation into ``into/libsim.so`` (two translation units in
    parallel, then the link), with hls4ml's flags and a relative weights folder."""
    flags = ["-O3", "-fPIC", _std_flag(), "-fno-gnu-unique", "-Ifirmware/ap_types/"]
    define = ['-DWEIGHTS_DIR="weights"']
    units = [f"firmware/{PROJECT}.cpp", f"{PROJECT}_bridge.cpp"]
    objects = [str(into / f"{Path(u).stem}.o") for u in units]

    def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, cwd=project, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(
            pool.map(
                run,
                [
                    ["g++", *flags, *define, "-c", u, "-o", o]
                    for u, o in zip(units, objects, strict=True)
                ],
            )
        )
    done.append(run(["g++", *flags, "-shared", *objects, "-o", str(into / LIBRARY)]))
    for proc in done:
        if proc.returncode != 0:
            tail = " | ".join(
                proc.stdout.strip().splitlines()[-6:] + proc.stderr.strip().splitlines()[-6:]
            )
            raise TrialFailure("compile", f"C simulation library did not build: {tail}")
    for o in objects:
        Path(o).unlink(missing_ok=True)


def simulator(project: Path, cache: Path) -> tuple[Path, bool]:
    """The compiled C simulation of a written project: (library, whether it was compiled now).

    Libraries are kept in ``cache/<firmware key>/``; a miss compiles in a temporary folder
    beside it and renames it into place, so concurrent workers never see a half-built one.

    Raises:
        TrialFailure: ``compile`` when g++ fails.
    """
    project, cache = project.resolve(), cache.resolve()  # g++ runs inside the project folder
    key = firmware_key(project)
    if key is None:
        raise TrialFailure("compile", f"{project} has no firmware folder")
    final = cache / key
    if (final / LIBRARY).is_file():
        return final / LIBRARY, False
    tmp = cache / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _compile(project, tmp)
        try:
            os.replace(tmp, final)
        except OSError:  # another worker published the same firmware first
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final / LIBRARY, True


def _dlclose(handle: int) -> None:
    libdl = ctypes.CDLL(None)
    libdl.dlclose.argtypes = [ctypes.c_void_p]
    libdl.dlclose(handle)


def predict(library: Path, weights: Path, x: np.ndarray, n_out: int) -> np.ndarray:
    """Run the compiled simulation on every row of ``x`` with the weights in ``weights/``.

    Returns:
        An array of shape (len(x), n_out): the design's outputs, as hls4ml's ``predict``.
    """
    import numpy as np
    from numpy import ctypeslib

    x = np.ascontiguousarray(x.reshape(len(x), -1), dtype=np.float32)
    out = np.zeros((len(x), n_out), dtype=np.float32)
    with tempfile.TemporaryDirectory(prefix="specc-sim-") as tmp:
        # A fresh copy: the library loads its weights once per opened instance.
        copy = Path(tmp) / LIBRARY
        shutil.copyfile(library, copy)
        lib: Any = ctypes.CDLL(str(copy))
        try:
            top = getattr(lib, f"{PROJECT}_float")
            top.restype = None
            row = ctypeslib.ndpointer(np.float32, flags="C_CONTIGUOUS")
            top.argtypes = [row, row]
            here = os.getcwd()
            os.chdir(weights.resolve().parent)  # WEIGHTS_DIR is "weights", read on first call
            try:
                for i in range(len(x)):
                    top(x[i], out[i])
            finally:
                os.chdir(here)
        finally:
            _dlclose(lib._handle)
    return out
