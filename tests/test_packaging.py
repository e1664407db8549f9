"""``pip install .`` into a fresh virtualenv works from any directory: the grammar and the backend
templates travel inside the wheel and are found through importlib.resources, not the current
directory."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_wheel_carries_grammar_and_works_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("specc-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "specc/_data/grammar/specc.lark" in names
        assert "specc/_data/backends/vivado/hls_ip.tcl.j2" in names
        assert "specc/_data/backends/report/report.html.j2" in names

    env_dir = tmp_path / "venv"
    # Reuse this environment's lark and pydantic: the test checks specc's packaging, not PyPI.
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = [
        str(Path(m.__file__).parent.parent)
        for m in (__import__("lark"), __import__("pydantic"), __import__("jinja2"))
    ]
    Path(site, "deps.pth").write_text("\n".join(sorted(set(deps))) + "\n")
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )

    where = subprocess.run(
        [
            str(py),
            "-c",
            "from specc import _resources as r; print(r.data_path('grammar', 'specc.lark'))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert where.startswith(str(env_dir)) and where.endswith("specc/_data/grammar/specc.lark")
    # The backend templates render from inside the installed package.
    xdc = subprocess.run(
        [
            str(py),
            "-c",
            "from specc.templates import render; "
            "print(render('vivado/clock.xdc.j2', version='w', clock_period='4.000'))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout
    assert "create_clock -period 4.000" in xdc

    spec = tmp_path / "elsewhere" / "s.cds"
    spec.parent.mkdir()
    spec.write_text((ROOT / "examples" / "digits_mlp.cds").read_text())
    proc = subprocess.run(
        [str(env_dir / "bin" / "specc"), "check", "s.cds"],
        cwd=spec.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "s.cds: ok\n"
