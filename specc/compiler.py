"""The public entry points: text or file -> checked IR.

This is the chain the CLI calls: ``parse`` -> ``lower`` -> ``run_checks``. Nothing here imports
tensorflow, hls4ml or smac.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specc.diagnostics import Diagnostic, DiagnosticError, Diagnostics, Severity, Span
from specc.frontend import ast
from specc.frontend.parser import parse
from specc.ir import model as ir
from specc.ir.checks import run_checks
from specc.ir.lower import lower

__all__ = ["CheckResult", "check_file", "check_text", "load", "read_spec"]


@dataclass
class CheckResult:
    """The outcome of checking one spec: the IR (None when it has errors) and every diagnostic."""

    file: str
    text: str
    spec: ir.Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    tree: ast.Spec | None = None

    @property
    def ok(self) -> bool:
        return self.spec is not None and not any(d.severity == "error" for d in self.diagnostics)


def check_text(text: str, file: str = "<spec>", base_dir: Path | None = None) -> CheckResult:
    """Parse, lower and check the text of a spec.

    Args:
        text: the spec.
        file: name used in diagnostics.
        base_dir: folder that relative paths in the spec start from (default: the file's).
    """
    base = base_dir if base_dir is not None else Path(file).parent
    try:
        tree = parse(text, file)
    except DiagnosticError as err:
        return CheckResult(file, text, None, err.diagnostics)
    diags = Diagnostics()
    spec = lower(tree, diags)
    if spec is not None:
        diags.extend(run_checks(spec, base))
        if diags.has_errors:
            spec = None
    return CheckResult(file, text, spec, diags.sorted(), tree)


def read_spec(path: str | Path) -> tuple[str, Diagnostic | None]:
    """The text of a spec file, and an E0102 diagnostic at the first byte that is not UTF-8
    (the text then has that byte replaced). A leading byte-order mark is dropped. An
    unreadable file raises OSError."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError as err:
        start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw.count(b"\n", 0, err.start) + 1
        col = len(raw[start : err.start].decode("utf-8", "replace")) + 1
        diag = Diagnostic(
            Severity.ERROR,
            "E0102",
            Span.point(str(path), line, col),
            f"not UTF-8 text: byte 0x{raw[err.start]:02x} cannot start a character here",
            "save the spec as UTF-8 (specs are plain text)",
        )
        return raw.decode("utf-8", "replace"), diag


def check_file(path: str | Path) -> CheckResult:
    """Read and check a spec file. An unreadable file raises OSError."""
    text, not_utf8 = read_spec(path)
    if not_utf8 is not None:
        return CheckResult(str(path), text, None, [not_utf8])
    return check_text(text, str(path), Path(path).parent)


def load(path: str | Path) -> ir.Spec:
    """The checked IR of a spec file.

    Raises:
        DiagnosticError: when the spec has errors.
    """
    result = check_file(path)
    if result.spec is None:
        raise DiagnosticError([d for d in result.diagnostics if d.severity == "error"])
    return result.spec
