"""The reference pages list every key and every diagnostic code the code has."""

from __future__ import annotations

import re

from conftest import ROOT
from specc.ir.schema import SECTION_KEYS


def test_language_reference_lists_every_key() -> None:
    page = (ROOT / "docs" / "language.md").read_text()
    for keys in SECTION_KEYS.values():
        for key in keys:
            assert f"`{key.name}`" in page or f"{key.name} = N" in page, key.name


def test_diagnostics_page_lists_every_code() -> None:
    page = (ROOT / "docs" / "diagnostics.md").read_text()
    source = "".join(p.read_text() for p in (ROOT / "specc").rglob("*.py"))
    codes = set(re.findall(r'"([EW]\d{4})"', source))
    assert codes
    for code in sorted(codes):
        assert f"| {code} |" in page, code
