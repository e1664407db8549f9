"""The ``specc`` subcommands that run things: ``eval`` (one trial), ``build`` (search and emit)
and ``report`` (re-emit). Heavy libraries are imported only when a command runs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from specc._cli_common import (
    EXIT_CHANGED,
    EXIT_EMPTY,
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REFUSED,
    UsageError,
    checked,
    checked_result,
)
from specc.files import refuse_symlinks
from specc.metrics import provenance_kind
from specc.options import BuildOptions, Limits

if TYPE_CHECKING:
    from specc.build import BuildOutcome
    from specc.ir import model as ir
    from specc.search.records import Record, Records

__all__ = ["cmd_build", "cmd_eval", "cmd_report"]


def cmd_eval(args: argparse.Namespace) -> int:
    from specc.evaluate.point import PointError, parse_assignment
    from specc.evaluate.trial import run_trial

    spec = checked(args.file)
    if spec is None:
        return EXIT_ERRORS
    point = {}
    for text in args.set:
        try:
            name, value = parse_assignment(spec, text)
        except PointError as err:
            raise UsageError(f"--set {text}: {err}") from None
        point[name] = value
    refuse_symlinks(Path(args.out) / spec.design)
    trial = run_trial(spec, point, Path(args.out) / spec.design, _limits(args), synth=args.synth)
    if args.format == "json":
        print(trial.model_dump_json(indent=2))
        return EXIT_OK if trial.status == "ok" else EXIT_CHANGED
    where = Path(args.out) / spec.design / "trials" / trial.key
    took = trial.timings.get("total")
    state = "cached" if trial.cached else (f"{took:.1f} s" if took is not None else "")
    print(f"{args.file}: trial {trial.key} {trial.status} ({state}) -> {where}")
    width = max(len(k) for k in trial.point)
    for name, value in trial.point.items():
        print(f"  {name.ljust(width)}  {value}")
    if trial.failure is not None:
        print(f"failed [{trial.failure.category}]: {trial.failure.message}")
        print(f"  log: {where / 'log.txt'}")
        return EXIT_CHANGED
    print()
    print(f"  {'metric':16s} {'value':>12s}  provenance")
    for name, m in trial.metrics.items():
        shown = (
            f"{m.value:.4f}"
            if abs(m.value) < 10 and not m.value.is_integer()
            else f"{m.value:,.0f}"
        )
        note = (
            "  (estimated, not synthesised)" if provenance_kind(m.provenance) == "estimate" else ""
        )
        print(f"  {name:16s} {shown:>12s}  {m.provenance}{note}")
    from specc.evaluate.compress import describe

    lines = describe(trial.compression) + [f"warning: {w}" for w in trial.warnings]
    if lines:
        print()
    for line in lines:
        print(f"  {line}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from specc.build import build
    from specc.search.progress import Progress, mode_for, summary

    checked = checked_result(args.file)
    spec = checked.spec
    if spec is None:
        return EXIT_ERRORS
    total = args.trials if args.trials is not None else spec.search.trials
    progress = Progress(total, mode_for(args.quiet, args.log_format))
    options = _build_options(args, progress.update)
    out_dir = Path(args.out) / spec.design
    _say_conversion(spec, out_dir)
    try:
        outcome = build(
            spec, checked.text, args.file, options, search_again=args.search or args.force
        )
    except KeyboardInterrupt:
        progress.stop()
        sys.stderr.write(
            f"specc: interrupted; finished trials are kept in {out_dir}/ "
            "(run the same command to resume)\n"
        )
        return EXIT_INTERRUPTED
    progress.stop()
    records = outcome.records
    if args.log_format == "json":
        print(
            json.dumps(
                {
                    "event": "done",
                    "reused": outcome.reused,
                    "records": len(records.items),
                    **records.counts(),
                    "pareto": len(records.pareto()),
                    "hypervolume": round(records.hypervolume(), 6),
                    "note": records.note,
                    "points": outcome.emitted.points,
                    "written": len(outcome.emitted.applied.written),
                    "report": str(out_dir / "report.html"),
                }
            )
        )
    else:
        if outcome.reused:
            print(
                "specc: nothing the search depends on changed since its finished run: "
                "no trial evaluated (--search runs it again)"
            )
        print(summary(records, out_dir))
        print(_emitted(outcome, out_dir))
    return _status(records)


def _say_conversion(spec: ir.Spec, out_dir: Path) -> None:
    """A Keras 2 model file is converted once, by the first trial that needs it: say so."""
    from specc.evaluate.keras_files import converted_path

    target = converted_path(spec, out_dir / "cache")
    if target is not None and not target.is_file():
        sys.stderr.write(
            f"specc: {spec.model.path} is a Keras 2 model; it is converted to Keras 3 once, "
            f"into {target}\n"
        )


def _status(records: Records) -> int:
    """The exit status of a build: CI must be able to tell an empty result from a good one."""
    if records.refused:
        sys.stderr.write("specc: the search was refused (exit status 4); --force searches\n")
        return EXIT_REFUSED
    if not records.pareto():
        sys.stderr.write("specc: no design met the budgets (exit status 3)\n")
        return EXIT_EMPTY
    return EXIT_OK


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(timeout_s=args.timeout, memory_mb=args.memory or None)


def _build_options(
    args: argparse.Namespace, on_record: Callable[[Record, Records], None]
) -> BuildOptions:
    return BuildOptions(
        out_root=Path(args.out),
        trials=args.trials,
        seed=args.seed,
        workers=args.workers,
        scheduler=args.scheduler,
        synth=args.synth,
        limits=_limits(args),
        on_record=on_record,
        force=args.force,
    )


def _emitted(outcome: BuildOutcome, out_dir: Path) -> str:
    from specc.templates import count

    applied = outcome.emitted.applied
    folders = count(len(outcome.emitted.points), "point folder")
    lines = [
        f"report: {out_dir / 'report.html'} ({folders} in "
        f"{out_dir / 'points'}/; {len(applied.written)} files written, {applied.unchanged} "
        f"unchanged, {len(applied.removed)} removed)"
    ]
    for key in outcome.emitted.missing:
        lines.append(
            f"warning: trial {key} is on the Pareto front but its folder "
            f"{out_dir / 'trials' / key} is gone; run with --search to evaluate it again"
        )
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    from specc.build import report

    checked = checked_result(args.file)
    if checked.spec is None:
        return EXIT_ERRORS
    out_dir = Path(args.out) / checked.spec.design
    try:
        outcome = report(checked.spec, checked.text, args.file, Path(args.out))
    except FileNotFoundError:
        raise UsageError(
            f"no results for design {checked.spec.design!r} in {out_dir}/ "
            f"(no run.json); run `specc build {args.file}` first"
        ) from None
    print(_emitted(outcome, out_dir))
    return EXIT_OK
