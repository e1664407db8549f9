"""The ``specc`` command line: ``specc.cli.main`` in-process for what it prints and returns; a real
process only where the process is what is tested (the console script, exit statuses, imports)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT
from specc.cli import main

EXAMPLE = ROOT / "examples" / "digits_mlp.cds"
BAD = (
    "design d\ndataset digit\nmodel mlp\ntarget xc7z020clg400-1\nobjectives {\n  minimize lut\n}\n"
)


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``specc ARGS`` in this process, from the repository root; its exit status and output in a
    CompletedProcess, as if it had been a process (argparse's exits included)."""
    monkeypatch.chdir(ROOT)

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse: --version, usage errors
            code = stop.code if isinstance(stop.code, int) else 2
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["specc", *args], code, out, err)

    return run


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m specc ARGS`` in a real process."""
    return subprocess.run(
        [sys.executable, "-m", "specc", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_check_clean_example_exits_0(run: Run) -> None:
    proc = run("check", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{EXAMPLE}: ok\n"


def test_check_errors_exit_2_with_rendered_diagnostic(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "bad.cds"
    spec.write_text(BAD)
    proc = run("check", str(spec))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        f"{spec}:2:9: error[E0205]: unknown dataset 'digit'\n"
        " 2 | dataset digit\n"
        "   |         ^^^^^ did you mean 'digits'?\n"
        "1 error\n"
    )


def test_check_json_format(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "bad.cds"
    spec.write_text(BAD)
    proc = run("check", "--format", "json", str(spec))
    assert proc.returncode == 2
    (diag,) = json.loads(proc.stdout)
    assert diag == {
        "file": str(spec),
        "line": 2,
        "col": 9,
        "end_line": 2,
        "end_col": 14,
        "severity": "error",
        "code": "E0205",
        "message": "unknown dataset 'digit'",
        "hint": "did you mean 'digits'?",
    }


def test_check_several_files_reports_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.cds", tmp_path / "b.cds"
    a.write_text(BAD)
    b.write_text(BAD.replace("digit\n", "mnist\n").replace("mlp", "mpl"))
    assert main(["check", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert f"{a}:2:9" in err and f"{b}:3:7" in err and err.endswith("2 errors\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "nope.cds"], "specc: error: cannot read 'nope.cds': no such file\n"),
        (
            ["check", "examples"],
            "specc: error: cannot read 'examples': it is a folder; give a .cds file\n",
        ),
    ],
)
def test_bad_paths_are_errors_not_tracebacks(run: Run, args: list[str], message: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stderr == message


def test_internal_error_hides_traceback_unless_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import specc._cli_common as cli

    def boom(path: str) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(cli, "check_file", boom)
    assert main(["check", str(EXAMPLE)]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error: RuntimeError: kaput" in err
    assert main(["--debug", "check", str(EXAMPLE)]) == 70
    assert "Traceback" in capsys.readouterr().err


def test_fmt_rewrites_and_check_mode(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "s.cds"
    spec.write_text("design   d\nmodel mlp{hidden_layers=1..2}\n")
    proc = run("fmt", "--check", str(spec))
    assert (proc.returncode, proc.stdout) == (1, f"would reformat {spec}\n")
    assert spec.read_text() == "design   d\nmodel mlp{hidden_layers=1..2}\n"
    proc = run("fmt", str(spec))
    assert proc.returncode == 0
    assert spec.read_text() == "design d\n\nmodel mlp {\n  hidden_layers = 1..2\n}\n"
    assert run("fmt", "--check", str(spec)).returncode == 0


def test_fmt_stdin_and_syntax_error(run: Run) -> None:
    proc = run("fmt", "-", stdin="design  d")
    assert (proc.returncode, proc.stdout) == (0, "design d\n")
    proc = run("fmt", "-", stdin="design d d\n")
    assert proc.returncode == 2 and "<stdin>:1:10: error[E0101]" in proc.stderr


def test_space_counts_conditional_dimensions(run: Run) -> None:
    proc = run("space", "--format", "json", str(ROOT / "examples" / "mnist_zynq.cds"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # Widths: 8 + 8^2 + 8^3 for 1..3 layers; times precision 5x3, reuse 4, clock 4, partition 8.
    assert out["configurations"] == (8 + 8**2 + 8**3) * 5 * 3 * 4 * 4 * 8
    assert out["continuous"] == ["train.learning_rate", "train.l2"]
    by_name = {d["name"]: d for d in out["dimensions"]}
    assert by_name["model.fc3.neurons"]["active_when"] == "model.hidden_layers >= 3"
    assert by_name["model.fc1.neurons"]["active_when"] is None


def test_space_text_table(run: Run) -> None:
    proc = run("space", str(EXAMPLE))
    assert proc.returncode == 0
    assert "legal configurations: 4,320 discrete x 2 continuous dimensions" in proc.stdout
    assert "model.fc2.neurons" in proc.stdout


def test_parts_and_schema_and_version(run: Run) -> None:
    parts = json.loads(run("parts", "--format", "json").stdout)
    assert {
        "xc7z007s",
        "xc7z010",
        "xc7z020",
        "xczu3eg",
        "xczu9eg",
        "xcku115",
        "xcvu9p",
        "xcu50",
        "xcu250",
    } <= {p["name"] for p in parts}
    assert "xc7z020" in run("parts").stdout
    schema = json.loads(run("schema").stdout)
    assert schema["title"] == "Spec" and "hls" in schema["properties"]
    version = run("--version")
    assert (version.returncode, version.stdout) == (0, "specc 0.1.0\n")


# A real process: what the process itself does.


def test_exit_status_and_stderr_through_a_real_process(tmp_path: Path) -> None:
    spec = tmp_path / "bad.cds"
    spec.write_text(BAD)
    proc = run_process("check", str(spec))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"{spec}:2:9: error[E0205]: unknown dataset 'digit'\n")
    assert "Traceback" not in proc.stderr


def test_check_imports_no_heavy_library() -> None:
    code = (
        "import sys, specc.cli\n"
        f"rc = specc.cli.main(['check', {str(EXAMPLE)!r}, '--format', 'json'])\n"
        "heavy = sorted(m for m in ('tensorflow', 'hls4ml', 'smac', 'keras', 'torch', 'numpy')"
        " if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_console_script_installed() -> None:
    exe = Path(sys.executable).with_name("specc")
    if not exe.exists():
        pytest.skip("specc is not installed into this interpreter's environment")
    proc = subprocess.run(
        [str(exe), "check", str(EXAMPLE)],
        capture_output=True,
        text=True,
        cwd="/",
        env={**os.environ},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


def test_report_without_results_says_to_build_first(run: Run, tmp_path: Path) -> None:
    proc = run("report", str(EXAMPLE), "--out", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == (
        f"specc: error: no results for design 'digits_mlp' in {tmp_path}/digits_mlp/ "
        f"(no run.json); run `specc build {EXAMPLE}` first\n"
    )
