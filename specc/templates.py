"""The one jinja2 Environment specc renders templates with (``backends/`` is its loader root)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2

from specc._resources import data_path
from specc.files import is_plain_name

__all__ = ["render", "safe_name", "tcl_quote"]

_PLAIN_TCL_WORD = re.compile(r"[A-Za-z0-9_.:/+,=%@-]+")
_TCL_SPECIAL = re.compile(r'([\\"$\[\]{};])')


def tcl_quote(value: object) -> str:
    """``value`` as one Tcl word: plain words stay as they are, anything else is double-quoted
    with every character Tcl would interpret (``$ [ ] { } \\ " ;``) escaped, so text from a
    spec or a file name can never run as Tcl."""
    text = str(value)
    if _PLAIN_TCL_WORD.fullmatch(text):
        return text
    escaped = _TCL_SPECIAL.sub(r"\\\1", text).replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def knob_value(value: Any) -> str:
    """A knob's value as a table shows it: reals to 3 significant digits (a sampled learning
    rate is 0.00456, not 0.0045573571745)."""
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def count(n: int, noun: str) -> str:
    """``1 design``, ``2 designs``: a number and its noun in the right number."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def safe_name(value: str, what: str) -> str:
    """``value`` when it is a plain identifier fit for a file name, a make target and a Tcl word.

    Raises:
        ValueError: naming ``what`` when it is not.
    """
    if not is_plain_name(value):
        raise ValueError(f"{what} {value!r} is not a plain name (letters, digits, _ . -)")
    return value


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(str(data_path("backends"))))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # HTML templates (``*.html.j2``) escape every value: spec text and names can hold "<".
        autoescape=lambda name: bool(name) and str(name).endswith((".html.j2", ".html")),
    )
    env.filters["tcl_quote"] = tcl_quote
    env.filters["count"] = count
    env.filters["knob"] = knob_value
    return env


def render(template: str, **context: Any) -> str:
    """Render ``backends/<template>`` with ``context`` (a missing variable is an error)."""
    return _environment().get_template(template).render(**context)
