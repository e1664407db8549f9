"""The build's own failures: one build per output folder (a lock), never through a symbolic
link, a clear message and a documented exit status when the output cannot be written, retried
failures retried, bad data and model files named at trial time."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from specc.cli import main
from specc.files import Locked, UnsafeOutput, exclusive, refuse_symlinks
from specc.ir import model as ir

EXAMPLE = ROOT / "examples" / "digits_mlp.cds"


def _build(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specc", "build", str(EXAMPLE), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_second_holder_of_the_lock_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "d" / ".lock"
    with exclusive(lock):
        with pytest.raises(Locked, match="does not wait"), exclusive(lock):
            pass
    with exclusive(lock):  # released when the block ended
        pass


def test_a_build_while_another_holds_the_folder_exits_75(tmp_path: Path) -> None:
    from specc.build import lock_path

    with exclusive(lock_path(tmp_path / "digits_mlp")):
        proc = _build(tmp_path)
    assert proc.returncode == 75, proc.stderr
    assert "another specc build" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "digits_mlp" / "run.json").exists()


def test_a_symbolic_link_in_the_output_folder_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    (victim / "keep.txt").write_text("not specc's")
    design = tmp_path / "out" / "digits_mlp"
    design.mkdir(parents=True)
    (design / "points").symlink_to(victim)
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        refuse_symlinks(design)
    proc = _build(tmp_path / "out")
    assert proc.returncode == 74, proc.stderr
    assert "points is a symbolic link" in proc.stderr
    assert (victim / "keep.txt").read_text() == "not specc's"
    assert list(victim.iterdir()) == [victim / "keep.txt"]


def test_an_output_folder_that_cannot_be_made_is_one_line_and_exit_74(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder goes")
    code = main(["build", str(EXAMPLE), "--out", str(blocker), "--quiet"])
    err = capsys.readouterr().err
    assert code == 74
    assert err.startswith(f"specc: {blocker}") and "build stopped" in err
    assert "Traceback" not in err and "internal error" not in err


def test_retried_failures_make_a_finished_search_run_again(tmp_path: Path) -> None:
    from specc.compiler import load
    from specc.search.records import Record, Records

    spec = load(EXAMPLE)
    records = Records(spec, tmp_path)
    for i, reason in enumerate(("timeout: ran past 600 s", "invalid: rf", "crash: killed")):
        records.items.append(
            Record(index=i, key=str(i), status="failed", stage="evaluated", point={}, reason=reason)
        )
    # build.py re-uses a finished search only when this is 0 (a timeout or crash is retried).
    assert records.retryable() == 2


def _dataset(name: str, path: str, **kw: object) -> ir.Dataset:
    return ir.Dataset(name=name, path=path, **kw)  # type: ignore[arg-type]


def test_non_finite_data_is_a_data_error_naming_where(tmp_path: Path) -> None:
    import numpy as np

    from specc.evaluate.data import DataError, load_data

    (tmp_path / "d.csv").write_text("a,b,label\n1,2,0\n3,4,1\n\n5,inf,0\n7,8,1\n")
    with pytest.raises(DataError, match=r"row 5, column 'b': inf is not finite"):
        load_data(_dataset("csv", "d.csv"), tmp_path)
    x = np.ones((6, 4), dtype=np.float32)
    x[3, 2] = np.nan
    np.savez(tmp_path / "d.npz", x=x, y=np.array([0, 1, 0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"x\[3, 2\] \(sample 3\) is nan"):
        load_data(_dataset("npz", "d.npz"), tmp_path)


@pytest.mark.slow
def test_a_file_keras_cannot_load_is_a_model_failure(tmp_path: Path) -> None:
    from specc.compiler import load
    from specc.evaluate.errors import RETRIED, TrialFailure
    from specc.evaluate.keras_files import load_spec_model

    shutil.copytree(ROOT / "examples" / "data", tmp_path / "data")
    shutil.copy(ROOT / "examples" / "keras_digits.cds", tmp_path)
    spec = load(tmp_path / "keras_digits.cds")
    (tmp_path / "data" / "digits_mlp.keras").write_bytes(b"PK\x03\x04 not a zip after all")
    with pytest.raises(TrialFailure) as failure:
        load_spec_model(spec, tmp_path / "cache")
    assert failure.value.category == "model" and "model" not in RETRIED


def test_a_model_at_chance_or_with_a_flat_loss_is_flagged() -> None:
    import numpy as np

    from specc.evaluate.data import Data
    from specc.evaluate.train import Trained, training_warnings

    y = np.array([0] * 60 + [1] * 20 + [2] * 20)
    x = np.zeros((100, 4), dtype=np.float32)
    data = Data(x, y, x, y, 3, None, "f")
    entropy = float(-(np.array([0.6, 0.2, 0.2]) * np.log([0.6, 0.2, 0.2])).sum())
    flat = training_warnings(Trained(None, 0.61, 20, entropy), data)
    assert len(flat) == 2
    assert flat[0].startswith("chance accuracy: 0.610") and "scores 0.600" in flat[0]
    assert flat[1].startswith("loss did not fall") and "after 20 epochs" in flat[1]
    assert training_warnings(Trained(None, 0.9, 20, 0.3), data) == []
    # A model file is not trained here: its loss is unknown, only its accuracy is judged.
    assert len(training_warnings(Trained(None, 0.6, 0, float("nan")), data)) == 1


_GROUP_LEADER = """
import os, subprocess, sys, time
from specc.evaluate.worker import start_reaper
os.setsid()
start_reaper()
tool = subprocess.Popen(["sleep", "60"])  # stands for g++ or an HLS tool
print(tool.pid, flush=True)
time.sleep(60)
"""


def test_a_worker_killed_with_sigkill_takes_its_tools_with_it() -> None:
    import os
    import signal
    import time

    leader = subprocess.Popen(
        [sys.executable, "-c", _GROUP_LEADER], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert leader.stdout is not None
    tool = int(leader.stdout.readline())
    os.kill(leader.pid, signal.SIGKILL)  # nothing of the worker runs after this
    leader.wait()
    for _ in range(50):
        try:
            os.kill(tool, 0)
        except ProcessLookupError:
            break
        # A dead child of the killed worker is reparented and reaped; until then it is a zombie.
        with open(f"/proc/{tool}/stat") as fh:
            if fh.read().split(") ")[1].startswith("Z"):
                break
        time.sleep(0.1)
    else:
        os.kill(tool, signal.SIGKILL)
        raise AssertionError("the tool outlived its worker")
