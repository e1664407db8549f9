"""Golden diagnostics: every case under tests/golden/ is a spec and the exact text specc prints.

Cases whose diagnostics contain no error also pin the IR (ir.json). Regenerate with
``SPECC_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json

import pytest

from conftest import GOLDEN, assert_golden
from specc.compiler import check_text
from specc.diagnostics import render

CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.cds").exists())


def _check(case: str):  # type: ignore[no-untyped-def]
    folder = GOLDEN / case
    text = (folder / "input.cds").read_text(encoding="utf-8")
    # Diagnostics name the file "input.cds"; relative paths in the spec start at the case folder.
    return check_text(text, "input.cds", base_dir=folder), text


@pytest.mark.parametrize("case", CASES)
def test_golden_diagnostics(case: str) -> None:
    result, text = _check(case)
    rendered = render(result.diagnostics, {"input.cds": text}) or "ok\n"
    assert_golden(GOLDEN / case / "diagnostics.txt", rendered)


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("ok_")])
def test_golden_ir(case: str) -> None:
    result, _ = _check(case)
    assert result.spec is not None, result.diagnostics
    dumped = json.dumps(result.spec.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    assert_golden(GOLDEN / case / "ir.json", dumped)


def test_enough_distinct_malformed_cases() -> None:
    codes: set[str] = set()
    malformed = 0
    for case in CASES:
        result, _ = _check(case)
        if any(d.severity == "error" for d in result.diagnostics):
            malformed += 1
        codes.update(d.code for d in result.diagnostics)
    assert malformed >= 30
    assert len(codes) >= 20


def test_error_cases_are_named_for_what_they_test() -> None:
    for case in CASES:
        result, _ = _check(case)
        if case.startswith("ok_"):
            assert result.ok, case
        elif case.endswith("_warning"):
            assert result.ok and result.diagnostics, case
        else:
            assert not result.ok, case
