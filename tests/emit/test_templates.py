"""Names and values from a spec never escape out/ or run as Tcl."""

from __future__ import annotations

import pytest

from specc.emit.vivado import vivado_files
from specc.templates import render, safe_name, tcl_quote


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("xc7z020clg400-1", "xc7z020clg400-1"),
        ("5.000", "5.000"),
        ("a b", '"a b"'),
        ("x]; exec rm -rf ~; [", '"x\\]\\; exec rm -rf ~\\; \\["'),
        ("$env(HOME)", '"\\$env(HOME)"'),
        ('{"}', '"\\{\\"\\}"'),
        ("line\nbreak", '"line\\nbreak"'),
    ],
)
def test_tcl_quote(value: str, quoted: str) -> None:
    assert tcl_quote(value) == quoted


@pytest.mark.parametrize("bad", ["../escape", "a/b", "x;rm", "$(id)", "", "a b", "..", "-x"])
def test_safe_name_refuses_what_could_escape(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a plain name"):
        safe_name(bad, "design name")


def test_vivado_files_refuse_a_part_that_would_inject_tcl() -> None:
    with pytest.raises(ValueError, match="part 'xc7z020; exec rm' is not a plain name"):
        vivado_files("d", "xc7z020; exec rm", 5.0, "vivado", "myproject")


def test_templates_fail_on_a_missing_variable() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render("vivado/clock.xdc.j2", version="0")
