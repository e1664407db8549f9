"""What every ``specc`` subcommand shares: exit codes, the usage error, reading and checking
a spec file and printing its diagnostics."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from specc.compiler import CheckResult, check_file
from specc.diagnostics import render, render_json
from specc.ir import model as ir

__all__ = [
    "EXIT_CHANGED",
    "EXIT_ERRORS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "UsageError",
    "checked",
    "checked_result",
    "read",
    "report_diagnostics",
]

EXIT_OK, EXIT_CHANGED, EXIT_ERRORS, EXIT_INTERNAL = 0, 1, 2, 70


class UsageError(Exception):
    """A problem with the command line or the files it names (not with a spec's content)."""


def read(path: str) -> CheckResult:
    try:
        return check_file(path)
    except FileNotFoundError:
        raise UsageError(f"cannot read '{path}': no such file") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read '{path}': it is a folder; give a .cds file") from None
    except OSError as err:
        raise UsageError(f"cannot read '{path}': {err.strerror}") from None


def report_diagnostics(results: Sequence[CheckResult], fmt: str) -> None:
    diags = [d for r in results for d in r.diagnostics]
    if fmt == "json":
        print(render_json(diags))
    elif diags:
        sys.stderr.write(render(diags, {r.file: r.text for r in results}))


def checked(path: str) -> ir.Spec | None:
    """The checked IR of a spec, or None after printing its errors (warnings print too)."""
    return checked_result(path).spec


def checked_result(path: str) -> CheckResult:
    result = read(path)
    report_diagnostics([result], "text")
    return result
