"""Source spans, diagnostics, and their rendering.

Every user-facing error in specc is a :class:`Diagnostic` that cites a :class:`Span` of the spec.
Stages collect diagnostics instead of raising on the first problem; the CLI renders them all,
sorted by position, and exits 2.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "Diagnostic",
    "DiagnosticError",
    "Diagnostics",
    "Severity",
    "Span",
    "did_you_mean",
    "render",
    "render_json",
]


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file. Lines and columns are 1-based; ``end_col`` is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, file: str, line: int, col: int) -> Span:
        """A one-character span at ``line:col``."""
        return cls(file, line, col, line, col + 1)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec.

    Args:
        severity: error (the spec is rejected) or warning (it is accepted).
        code: stable identifier such as ``E0202``; documented in docs/diagnostics.md.
        span: where the problem is.
        message: what is wrong, in one line.
        hint: what to do instead; rendered under the caret.
    """

    severity: Severity
    code: str
    span: Span
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.col, self.code)


@dataclass
class Diagnostics:
    """A collector passed through the stages of the compiler."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.ERROR, code, span, message, hint))

    def warning(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.WARNING, code, span, message, hint))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        # Stable: two diagnostics at one position keep the order the checks found them in.
        return sorted(self.items, key=Diagnostic.sort_key)


class DiagnosticError(Exception):
    """Raised by the public API when a spec has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.span}: {first.message}" if first else "invalid spec")


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt ``word``, or None when nothing is close."""
    options = sorted(set(candidates))
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.6)
    return match[0] if match else None


_WIDEST = 120  # characters of a source line shown under a diagnostic


def _caret_block(diag: Diagnostic, sources: dict[str, str]) -> list[str]:
    text = sources.get(diag.span.file)
    if text is None:
        return [f"   = hint: {diag.hint}"] if diag.hint else []
    lines = text.splitlines()
    line_no = diag.span.line
    if not 1 <= line_no <= len(lines):
        # The end of the file: point after the last line.
        line_no = max(len(lines), 1)
        source_line = lines[-1] if lines else ""
        col = len(source_line) + 1
        width = 1
    else:
        source_line = lines[line_no - 1]
        col = diag.span.col
        end = diag.span.end_col if diag.span.end_line == diag.span.line else len(source_line) + 1
        width = max(end - col, 1)
    gutter = len(str(line_no))
    expanded = source_line.expandtabs(1)
    if len(expanded) > _WIDEST:
        # A very long line: show a window around the caret.
        start = max(col - 1 - _WIDEST // 3, 0)
        expanded = ("..." if start else "") + expanded[start : start + _WIDEST] + "..."
        col -= start - (3 if start else 0)
        width = min(width, _WIDEST - (col - 1))
    out = [f" {line_no:>{gutter}} | {expanded}"]
    caret = " " * (col - 1) + "^" * width
    if diag.hint:
        caret += f" {diag.hint}"
    out.append(f" {' ' * gutter} | {caret}")
    return out


def render(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    """Render diagnostics for a terminal, with the source line and a caret under each span.

    Args:
        diagnostics: what to render; sorted by position here.
        sources: file name -> text, for the source lines.

    Returns:
        The text, ending with a count line such as ``2 errors, 1 warning``.
    """
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    out: list[str] = []
    for diag in ordered:
        out.append(f"{diag.span}: {diag.severity.value}[{diag.code}]: {diag.message}")
        out.extend(_caret_block(diag, sources))
    n_err = sum(d.severity is Severity.ERROR for d in ordered)
    n_warn = len(ordered) - n_err
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    if parts:
        out.append(", ".join(parts))
    return "\n".join(out) + ("\n" if out else "")


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    """The same diagnostics as a JSON list, for editors and CI."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    return json.dumps(
        [
            {
                "file": d.span.file,
                "line": d.span.line,
                "col": d.span.col,
                "end_line": d.span.end_line,
                "end_col": d.span.end_col,
                "severity": d.severity.value,
                "code": d.code,
                "message": d.message,
                "hint": d.hint,
            }
            for d in ordered
        ],
        indent=2,
    )
