"""The public entry points: text or file -> checked IR.

This is the chain the CLI calls: ``parse`` -> ``lower`` -> ``run_checks``. Nothing here imports
tensorflow, hls4ml or smac.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specc.diagnostics import Diagnostic, DiagnosticError, Diagnostics
from specc.frontend import ast
from specc.frontend.parser import parse
from specc.ir import model as ir
from specc.ir.checks import run_checks
from specc.ir.lower import lower

__all__ = ["CheckResult", "check_file", "check_text", "load"]


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


def check_file(path: str | Path) -> CheckResult:
    """Read and check a spec file. An unreadable file raises OSError."""
    p = Path(path)
    return check_text(p.read_text(encoding="utf-8"), str(path), p.parent)


def load(path: str | Path) -> ir.Spec:
    """The checked IR of a spec file.

    Raises:
        DiagnosticError: when the spec has errors.
    """
    result = check_file(path)
    if result.spec is None:
        raise DiagnosticError([d for d in result.diagnostics if d.severity == "error"])
    return result.spec
