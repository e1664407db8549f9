"""The ``specc`` command line: parse arguments, call the public API, render errors.

Every failure a user can cause ends in a rendered diagnostic and exit status 2, never a traceback
(``--debug`` shows one). Heavy libraries are imported only by the subcommands that need them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from specc import __version__
from specc._cli_common import (
    EXIT_CHANGED,
    EXIT_ERRORS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_IO,
    EXIT_LOCKED,
    EXIT_OK,
    UsageError,
    checked,
    read,
    report_diagnostics,
)
from specc._cli_run import cmd_build, cmd_eval, cmd_report
from specc.diagnostics import DiagnosticError, render
from specc.files import Locked, UnsafeOutput
from specc.ir.schema import MAX_SEED
from specc.options import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S

__all__ = ["main"]


def cmd_check(args: argparse.Namespace) -> int:
    results = [read(f) for f in args.files]
    report_diagnostics(results, args.format)
    if args.format == "text" and all(r.ok for r in results):
        for r in results:
            print(f"{r.file}: ok")
    return EXIT_OK if all(r.ok for r in results) else EXIT_ERRORS


def cmd_fmt(args: argparse.Namespace) -> int:
    from specc.compiler import read_spec
    from specc.frontend.format import format_spec
    from specc.frontend.parser import parse

    status = EXIT_OK
    for name in args.files:
        if name == "-":
            text, file = sys.stdin.read(), "<stdin>"
        else:
            try:
                text, not_utf8 = read_spec(name)
            except OSError as err:
                raise UsageError(f"cannot read '{name}': {err.strerror}") from None
            file = name
            if not_utf8 is not None:
                sys.stderr.write(render([not_utf8], {file: text}))
                status = EXIT_ERRORS
                continue
        try:
            new = format_spec(parse(text, file))
        except DiagnosticError as err:
            sys.stderr.write(render(err.diagnostics, {file: text}))
            status = EXIT_ERRORS
            continue
        if name == "-":
            sys.stdout.write(new)
        elif new != text:
            if args.check:
                print(f"would reformat {file}")
                status = max(status, EXIT_CHANGED)
            else:
                Path(name).write_text(new, encoding="utf-8")
                print(f"reformatted {file}")
    return status


def cmd_space(args: argparse.Namespace) -> int:
    from specc.ir.space import count, dimensions

    spec = checked(args.file)
    if spec is None:
        return EXIT_ERRORS
    dims = dimensions(spec)
    total, continuous = count(dims)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "dimensions": [
                        {
                            "name": d.name,
                            "kind": d.kind,
                            "domain": d.param.describe(),
                            "size": None if math.isinf(d.size) else int(d.size),
                            "active_when": d.condition or None,
                        }
                        for d in dims
                    ],
                    "configurations": total,
                    "continuous": continuous,
                    "fidelity_epochs": spec.search.fidelity_epochs.describe()
                    if spec.search.fidelity_epochs
                    else None,
                },
                indent=2,
            )
        )
        return EXIT_OK
    rows = [("dimension", "kind", "domain", "size", "active when")]
    rows += [
        (
            d.name,
            d.kind,
            d.param.describe(),
            "continuous" if math.isinf(d.size) else str(int(d.size)),
            d.condition,
        )
        for d in dims
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    print(f"{args.file}: {len(dims)} search dimension{'s' if len(dims) != 1 else ''}")
    for i, r in enumerate(rows):
        cells = [
            r[0].ljust(widths[0]),
            r[1].ljust(widths[1]),
            r[2].ljust(widths[2]),
            r[3].rjust(widths[3]),
            r[4],
        ]
        print("  " + "  ".join(cells).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths).rstrip())
    fid = spec.search.fidelity_epochs
    if fid is not None:
        print(f"fidelity: {fid.describe()} epochs")
    line = f"legal configurations: {total:,}"
    if continuous:
        line += f" discrete x {len(continuous)} continuous dimension"
        line += "s" if len(continuous) != 1 else ""
        line += f" ({', '.join(continuous)})"
    print(line)
    return EXIT_OK


def cmd_parts(args: argparse.Namespace) -> int:
    from specc.ir.parts import DEVICES

    if args.format == "json":
        print(json.dumps([d.__dict__ for d in DEVICES], indent=2))
        return EXIT_OK
    head = ("device", "family", "LUT", "FF", "DSP", "BRAM_18K", "example part", "")
    rows = [head] + [
        (
            d.name,
            d.family,
            f"{d.lut:,}",
            f"{d.ff:,}",
            f"{d.dsp:,}",
            f"{d.bram_18k:,}",
            d.example_part,
            d.description,
        )
        for d in DEVICES
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        pairs = enumerate(zip(r, widths, strict=True))
        cells = [c.rjust(w) if 2 <= i <= 5 else c.ljust(w) for i, (c, w) in pairs]
        print("  ".join(cells).rstrip())
    print(
        "\nA part not listed may give its capacities: target NAME { lut = N; ff = N; dsp = N; "
        "bram_18k = N }"
    )
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from specc.ir.model import Spec

    print(json.dumps(Spec.model_json_schema(), indent=2))
    return EXIT_OK


def _number_argument(
    kind: type[int] | type[float], what: str, ok: Callable[[float], bool], rule: str
) -> Callable[[str], float]:
    """An argparse type: ``text`` read as ``kind``, refused unless ``ok(value)``."""

    def read(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value

    return read


_positive = _number_argument(int, "a whole number", lambda v: v >= 1, "at least 1")
_seed = _number_argument(
    int, "a whole number", lambda v: 0 <= v <= MAX_SEED, f"between 0 and {MAX_SEED}"
)
_seconds = _number_argument(
    float,
    "a number of seconds",
    lambda v: math.isfinite(v) and v > 0,
    "a positive number of seconds",
)
_megabytes = _number_argument(int, "a whole number of MB", lambda v: v >= 0, "0 (no limit) or more")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="specc",
        description="specc: compile a .cds design-space spec into FPGA projects.",
    )
    p.add_argument("--version", action="version", version=f"specc {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    c = sub.add_parser("check", help="check specs; exit 0 when clean, 2 on errors")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(func=cmd_check)

    f = sub.add_parser("fmt", help="rewrite specs in canonical form ('-' reads stdin)")
    f.add_argument("files", nargs="+", metavar="FILE")
    f.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 when a file is not formatted"
    )
    f.set_defaults(func=cmd_fmt)

    s = sub.add_parser("space", help="list the search dimensions and count configurations")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=cmd_space)

    ev = sub.add_parser("eval", help="run one trial (train, hls4ml, C sim, hardware metrics)")
    ev.add_argument("file", metavar="FILE")
    ev.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a knob's value (see `specc space`); unset knobs take their defaults",
    )
    ev.add_argument("--format", choices=("text", "json"), default="text")
    ev.add_argument("--out", default="out", help="output root (default: out/)")
    ev.add_argument(
        "--timeout", type=_seconds, default=DEFAULT_TIMEOUT_S, help="wall-time limit in s"
    )
    ev.add_argument(
        "--memory", type=_megabytes, default=DEFAULT_MEMORY_MB, help="memory limit in MB (0: none)"
    )
    ev.add_argument(
        "--synth",
        choices=("auto", "never", "always"),
        default="auto",
        help="auto: run C synthesis when the backend's HLS tool is on PATH",
    )
    ev.set_defaults(func=cmd_eval)

    b = sub.add_parser(
        "build", help="search the design space; write a project and report per Pareto point"
    )
    b.add_argument("file", metavar="FILE")
    b.add_argument("--trials", type=_positive, help="number of trials (overrides the spec)")
    b.add_argument("--seed", type=_seed, help="search seed (overrides the spec)")
    b.add_argument("--out", default="out", help="output root (default: out/)")
    b.add_argument(
        "--workers", type=_positive, default=1, help="trials in parallel (local warm workers)"
    )
    b.add_argument("--scheduler", metavar="ADDRESS", help="use an existing Dask scheduler")
    b.add_argument("--quiet", action="store_true", help="no progress display")
    b.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="json: one line per trial on stdout, for CI",
    )
    b.add_argument(
        "--timeout", type=_seconds, default=DEFAULT_TIMEOUT_S, help="per-trial wall-time limit (s)"
    )
    b.add_argument(
        "--memory",
        type=_megabytes,
        default=DEFAULT_MEMORY_MB,
        help="per-trial memory limit (MB, 0: none)",
    )
    b.add_argument("--synth", choices=("auto", "never", "always"), default="auto")
    b.add_argument(
        "--search",
        action="store_true",
        help="run the search even when a finished one can be re-used (cached trials still are)",
    )
    b.add_argument(
        "--force",
        action="store_true",
        help="search even when no sampled configuration fits the budgets by the estimate "
        "(implies --search)",
    )
    b.set_defaults(func=cmd_build)

    rp = sub.add_parser(
        "report", help="re-render the reports and point folders from existing results"
    )
    rp.add_argument("file", metavar="FILE")
    rp.add_argument("--out", default="out", help="output root (default: out/)")
    rp.set_defaults(func=cmd_report)

    pa = sub.add_parser("parts", help="list the built-in FPGA part table")
    pa.add_argument("--format", choices=("text", "json"), default="text")
    pa.set_defaults(func=cmd_parts)

    sc = sub.add_parser("schema", help="print the JSON schema of the IR")
    sc.set_defaults(func=cmd_schema)
    return p


def _interrupt_on_signals() -> None:
    """Ctrl-C and SIGTERM both end a run the same orderly way (KeyboardInterrupt): the trial in
    flight is stopped and its temporary folder removed; everything finished stays."""

    def raise_interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, raise_interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "build" and argv is None and os.environ.get("PYTHONHASHSEED") != "0":
        # SMAC's proposals depend on set iteration order, i.e. on Python's hash seed: pin it so
        # that the same spec and seed give the same trials in every process (and on resume).
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", "specc", *sys.argv[1:]])
    if args.command in ("build", "eval"):
        _interrupt_on_signals()
    try:
        return int(args.func(args))
    except UsageError as err:
        sys.stderr.write(f"specc: error: {err}\n")
        return EXIT_ERRORS
    except DiagnosticError as err:
        sys.stderr.write(render(err.diagnostics, {}))
        return EXIT_ERRORS
    except KeyboardInterrupt:
        sys.stderr.write("specc: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Locked as err:
        sys.stderr.write(f"specc: {err}\n")
        return EXIT_LOCKED
    except UnsafeOutput as err:
        sys.stderr.write(f"specc: {err}\n")
        return EXIT_IO
    except OSError as err:
        # The build itself cannot go on (a trial's own failures are recorded, not raised).
        where = err.filename or "the output folder"
        sys.stderr.write(
            f"specc: {where}: {err.strerror or err}; {args.command} stopped "
            "(finished trials are kept; run the same command again once it is fixed)\n"
        )
        if args.debug:
            traceback.print_exc()
        return EXIT_IO
    except Exception as err:
        if args.debug:
            traceback.print_exc()
        else:
            sys.stderr.write(
                f"specc: internal error: {type(err).__name__}: {err}\n"
                "This is a bug in specc. Rerun with --debug for a traceback and report it.\n"
            )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
