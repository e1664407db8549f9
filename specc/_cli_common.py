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
    "EXIT_EMPTY",
    "EXIT_ERRORS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_IO",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "UsageError",
    "checked",
    "checked_result",
    "read",
    "report_diagnostics",
]

# The exit statuses, documented in the README ("Exit status"); 70, 74 and 75 are sysexits.h's
# EX_SOFTWARE, EX_IOERR and EX_TEMPFAIL.
EXIT_OK = 0  # done (build: a non-empty Pareto set)
EXIT_CHANGED = 1  # eval: the trial failed; fmt --check: a file would be reformatted
EXIT_ERRORS = 2  # the spec or the command line has errors
EXIT_EMPTY = 3  # build: the search ran, no design met the budgets (reports are written)
EXIT_REFUSED = 4  # build: not searched, no sampled configuration fits by the estimate
EXIT_INTERNAL = 70  # a bug in specc
EXIT_IO = 74  # the output folder cannot be written (disk full, read-only, a symbolic link)
EXIT_LOCKED = 75  # another build is writing the output folder
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM; finished trials are kept


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
