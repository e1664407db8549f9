"""Every example is a smoke test: it checks clean and is already in canonical form."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from specc.compiler import check_file
from specc.frontend.format import format_spec
from specc.frontend.parser import parse

EXAMPLES = sorted((ROOT / "examples").rglob("*.cds"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_checks_clean(path: Path) -> None:
    result = check_file(path)
    assert result.ok, [f"{d.span}: {d.message}" for d in result.diagnostics]
    assert not result.diagnostics


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_formatted(path: Path) -> None:
    text = path.read_text()
    assert format_spec(parse(text, str(path))) == text
