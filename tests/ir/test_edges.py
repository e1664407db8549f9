"""Edge values and bad files: every one ends in a positioned diagnostic, quickly (issue 15's
hand-made cases; bench/fuzz.py tries thousands more)."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from specc.compiler import check_file, check_text
from specc.ir.layers import invalid_sizes, valid_reuse_factor

BASE = (ROOT / "examples" / "digits_mlp.cds").read_text()


def _spec(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def _errors(text: str, base: Path | None = None) -> list[tuple[str, int, str]]:
    result = check_text(text, "t.cds", base or ROOT / "examples")
    return [(d.code, d.span.line, d.message) for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    ("old", "new", "code", "words"),
    [
        ("clock_period = 5 ns", "clock_period = 4..10 step 0.000001 ns", "E0312", "6,000,001"),
        ("hidden_layers = 1..2", "hidden_layers = 7^999999999", "E0311", "too large"),
        ("hidden_layers = 1..2", "hidden_layers = 12^1000", "E0311", "too large"),
        ("hidden_layers = 1..2", "hidden_layers = " + "9" * 5000, "E0311", "5000 characters"),
        ("epochs = 20", "epochs = 1e999", "E0311", "out of range"),
        ("learning_rate = 1e-4..1e-2 log", "learning_rate = 1e-320..1e-2 log", "E0311", "range"),
        ("trials = 20\n  seed = 0", "trials = 20\n  seed = 4294967296", "E0305", "4294967295"),
        ("normalize = minmax\n  seed = 0", "normalize = minmax\n  seed = 4294967296", "E0305", ""),
        (
            "clock_period = 5 ns",
            "clock_period = 5 ns\n  array_partition = 2..1048576 step 2",
            "E0312",
            "524,288",
        ),
        (
            "reuse_factor = {1, 2, 4, 8, 16, 32}",
            "reuse_factor = {" + ", ".join(map(str, range(1, 10_002))) + "}",
            "E0312",
            "10,001",
        ),
        (
            "target xc7z020clg400-1",
            "target x..y {\n  lut = 1000\n  ff = 2000\n  dsp = 10\n  bram_18k = 10\n}",
            "E0204",
            "not a part number",
        ),
    ],
)
def test_edge_values_are_positioned_errors(old: str, new: str, code: str, words: str) -> None:
    errors = _errors(_spec(old, new))
    assert [e[0] for e in errors] == [code], errors
    assert errors[0][1] > 1 and words in errors[0][2]


def test_wide_ranges_are_checked() -> None:
    # 4096 x 4096 layer sizes and 65,536 reuse factors: the check is linear in the ranges, not
    # in their product (bench/fuzz.py times it).
    text = _spec("neurons = 16..64 step 16", "neurons = 1..4096").replace(
        "strategy = latency", "strategy = resource"
    )
    text = text.replace("reuse_factor = {1, 2, 4, 8, 16, 32}", "reuse_factor = 1..65536")
    errors = _errors(text)
    assert [e[0] for e in errors] == ["E0403"]


def test_sets_rule_matches_the_pair_rule() -> None:
    ins, outs = (1, 3, 8, 12, 64), (1, 2, 10, 16)
    for rf in range(1, 200):
        pairs = sorted((i, o) for i in ins for o in outs if not valid_reuse_factor(i, o, rf))
        first, count = invalid_sizes(ins, outs, rf)
        assert count == len(pairs)
        assert first == (pairs[0] if pairs else None)


def test_a_spec_that_is_not_utf8_is_positioned(tmp_path: Path) -> None:
    path = tmp_path / "t.cds"
    path.write_bytes(BASE.encode()[:300] + b"\xe9" + BASE.encode()[300:])
    result = check_file(path)
    assert [d.code for d in result.diagnostics] == ["E0102"]
    assert result.diagnostics[0].span.line == BASE[:300].count("\n") + 1


def _npy(header: str) -> bytes:
    raw = header.encode("latin1") + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw


def _npz(path: Path, **members: bytes) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(f"{name}.npy", data)


def _data_errors(tmp_path: Path, section: str) -> list[tuple[str, int, str]]:
    return _errors(_spec("dataset digits {", section + " {"), tmp_path)


def test_bad_data_files_are_positioned_errors(tmp_path: Path) -> None:
    (tmp_path / "long.csv").write_text("a" * (200 * 1024) + ",label\n1,0\n2,1\n")
    (tmp_path / "nan.csv").write_text("a,b,label\n1,2,0\n1,nan,1\n3,4,0\n")
    (tmp_path / "inf.csv").write_text("a,b,label\n1,2,0\ninf,2,1\n3,4,0\n")
    (tmp_path / "ragged.csv").write_text("a,b,label\n1,2,0\n1,1\n")
    (tmp_path / "one.csv").write_text("a,b,label\n1,2,0\n3,4,0\n")
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty.csv").write_bytes(b"")
    x = _npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }")
    y = _npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }")
    _npz(tmp_path / "strshape.npz", x=_npy("{'descr': '<f4', 'shape': ('a', 'b'), }"), y=y)
    _npz(tmp_path / "cut.npz", x=b"\x93NUMPY\x01\x00\xff\xff{'shape': (", y=y)
    _npz(tmp_path / "obj.npz", x=_npy("{'descr': '|O', 'shape': (4, 8), }"), y=y)
    _npz(tmp_path / "short.npz", x=x, y=_npy("{'descr': '<i8', 'shape': (3,), }"))
    _npz(tmp_path / "nox.npz", inputs=x, y=y)
    (tmp_path / "zip.npz").write_text("not a zip")
    expected = {
        'csv "long.csv"': "field larger than field limit",
        'csv "nan.csv"': "row 3, column 'b': 'nan' is not a finite number",
        'csv "inf.csv"': "row 3, column 'a'",
        'csv "ragged.csv"': "row 3 has 2 fields",
        'csv "one.csv"': "one class",
        'csv "bin.csv"': "not UTF-8",
        'csv "empty.csv"': "is empty",
        'npz "strshape.npz"': "not made of sizes",
        'npz "cut.npz"': "cut short",
        'npz "obj.npz"': "pickles are not loaded",
        'npz "short.npz"': "must match",
        'npz "nox.npz"': "no array 'x' (arrays: inputs, y)",
        'npz "zip.npz"': "not an .npz archive",
    }
    for section, words in expected.items():
        errors = _data_errors(tmp_path, "dataset " + section)
        assert [e[0] for e in errors] == ["E0410"], (section, errors)
        assert words in errors[0][2] and errors[0][1] == 6, (section, errors)
    _npz(tmp_path / "good.npz", x=x, y=y)
    assert _data_errors(tmp_path, 'dataset npz "good.npz"') == []


KERAS = (ROOT / "examples" / "keras_digits.cds").read_text()


def _keras_errors(tmp_path: Path, model: str, dataset: str = "dataset digits") -> list[str]:
    shutil.copytree(ROOT / "examples" / "data", tmp_path / "data", dirs_exist_ok=True)
    text = KERAS.replace('"data/digits_mlp.keras"', f'"{model}"').replace("dataset digits", dataset)
    return [f"{code} {msg}" for code, _, msg in _errors(text, tmp_path)]


def test_bad_model_files_are_positioned_errors(tmp_path: Path) -> None:
    (tmp_path / "text.keras").write_text("this is not a model")
    with zipfile.ZipFile(tmp_path / "noconf.keras", "w") as zf:
        zf.writestr("weights.h5", b"")
    assert _keras_errors(tmp_path, "text.keras") == [
        "E0411 model file 'text.keras' is not a Keras model (.keras archive, .h5 model, or "
        "model.json with weights)"
    ]
    assert "without config.json" in _keras_errors(tmp_path, "noconf.keras")[0]
    mismatch = _keras_errors(
        tmp_path, "data/digits_mlp.keras", 'dataset csv "data/breast_cancer.csv"'
    )
    assert [m.split(" ")[0] for m in mismatch] == ["E0411", "E0411"]
    assert "takes 64 values per sample" in mismatch[0] and "30 features" in mismatch[0]
    assert "10 outputs" in mismatch[1] and "2 classes" in mismatch[1]


def test_layer_blocks_name_the_model_files_layers(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "data", tmp_path / "data")
    with zipfile.ZipFile(tmp_path / "data" / "digits_mlp.keras") as zf:
        names = [layer["name"] for layer in json.loads(zf.read("config.json"))["config"]["layers"]]
    assert "fc1" in names
    text = KERAS.replace("hls {", "hls {\n  layer fc_1 {\n    reuse_factor = 4\n  }")
    errors = _errors(text, tmp_path)
    assert [e[0] for e in errors] == ["E0405"]
    assert "has no layer 'fc_1'" in errors[0][2]
