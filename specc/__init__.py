"""specc: a declarative spec compiler from one .cds file to FPGA projects.

The public API is the chain the CLI uses: :func:`check_file` / :func:`check_text` (text ->
checked IR and diagnostics) and :func:`load` (file -> IR, raising on errors).
"""

__version__ = "0.1.0"

from specc.compiler import CheckResult, check_file, check_text, load
from specc.diagnostics import Diagnostic, DiagnosticError, Span

__all__ = [
    "CheckResult",
    "Diagnostic",
    "DiagnosticError",
    "Span",
    "__version__",
    "check_file",
    "check_text",
    "load",
]
