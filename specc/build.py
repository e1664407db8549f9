"""``specc build`` as one chain: spec -> (finished search re-used, or search) -> emit.

A build re-uses a finished search when nothing the search depends on has changed (the
*fingerprint*: the spec without its objectives and budgets, the data's and model file's
contents, package versions, which HLS tools are on PATH, the trial count and seed). Then no
trial is evaluated, and SMAC and TensorFlow are not even imported: the records in ``run.json``
are judged again under the spec's current objectives and budgets and the outputs re-emitted,
which rewrites nothing when nothing changed. Any other change runs the search, which replays
cached trials instantly and evaluates only new ones.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from specc.emit.project import EmitResult, LiveReport, emit
from specc.evaluate.keys import data_fingerprint, model_file_hash, versions
from specc.evaluate.synth import find_tool
from specc.files import exclusive, json_hash, refuse_symlinks
from specc.ir import model as ir
from specc.options import BuildOptions
from specc.search.records import Record, Records

__all__ = ["BuildOutcome", "build", "fingerprint", "lock_path", "report"]


def lock_path(out_dir: Path) -> Path:
    """The lock of an output folder: one build (or report) at a time writes it. It lies beside
    the folder (``out/.<design>.lock``), so that the folder holds only what a build emits."""
    return out_dir.parent / f".{out_dir.name}.lock"


@dataclass
class BuildOutcome:
    records: Records
    emitted: EmitResult
    reused: bool  # True: a finished search was re-used, nothing evaluated


def _strip_spans(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_spans(v) for k, v in value.items() if k != "span"}
    if isinstance(value, list):
        return [_strip_spans(v) for v in value]
    return value


def fingerprint(spec: ir.Spec, trials: int, seed: int, synth: str) -> str:
    """What a search's results depend on (objectives and budgets excluded on purpose)."""
    base = Path(spec.source).parent
    body = _strip_spans(
        spec.model_dump(mode="json", exclude={"objectives", "constraints", "source"})
    )
    backends = spec.hls.backend.values() or []
    payload = {
        "spec": body,
        "data": data_fingerprint(spec.dataset, base),
        "model_file": model_file_hash(spec),
        "versions": versions(),
        "tools": {str(b): find_tool(str(b)) for b in backends} if synth != "never" else {},
        "synth": synth,
        "trials": trials,
        "seed": seed,
    }
    return json_hash(payload)


def _rejudged(records: Records) -> Records:
    """The records judged under the current spec; run.json rewritten only when that changed."""
    before = records.trials_csv() + records.pareto_json()
    records.rejudge()
    if records.trials_csv() + records.pareto_json() != before:
        records.write()
    return records


def build(
    spec: ir.Spec,
    spec_text: str,
    spec_name: str,
    options: BuildOptions,
    search_again: bool = False,
) -> BuildOutcome:
    """Search (or re-use a finished search) and emit every output.

    Args:
        search_again: run the search even when a finished one could be re-used.

    Raises:
        Locked: when another build holds the output folder.
        UnsafeOutput: when the output folder holds a symbolic link.
    """
    out_dir = Path(options.out_root) / spec.design
    with exclusive(lock_path(out_dir)):
        refuse_symlinks(out_dir)
        return _build(spec, spec_text, spec_name, options, search_again, out_dir)


def _build(
    spec: ir.Spec,
    spec_text: str,
    spec_name: str,
    options: BuildOptions,
    search_again: bool,
    out_dir: Path,
) -> BuildOutcome:
    trials = options.trials_for(spec.search.trials)
    seed = options.seed_for(spec.search.seed)
    fp = fingerprint(spec, trials, seed, options.synth)
    prior = None if search_again else Records.load(spec, out_dir)
    # A finished run without records stopped because no design fit the budgets; budgets are
    # outside the fingerprint, so after a change to them only a new search can tell. A run
    # whose trials timed out or crashed is searched again: those designs are evaluated again
    # (every other trial replays from the cache).
    reusable = prior is not None and prior.finished and prior.items and not prior.retryable()
    if prior is not None and reusable and prior.fingerprint == fp:
        records = _rejudged(prior)
        reused = True
    else:
        from specc.search.driver import search

        live = LiveReport(spec, spec_text, spec_name, trials)
        shown = options.on_record

        def on_record(record: Record, records: Records) -> None:
            if shown is not None:
                shown(record, records)
            live.update(records)

        try:
            records = search(spec, replace(options, on_record=on_record), fp)
        except BaseException:
            # Interrupted (or failed): the report says so instead of "running".
            stopped = Records.load(spec, out_dir)
            if stopped is not None:
                with contextlib.suppress(OSError):
                    live.update(stopped, force=True, state="stopped")
            raise
        reused = False
    return BuildOutcome(records, emit(spec, spec_text, spec_name, records), reused)


def report(spec: ir.Spec, spec_text: str, spec_name: str, out_root: Path) -> BuildOutcome:
    """Re-render every output from the results in ``out_root/<design>/`` (no evaluation).

    Raises:
        FileNotFoundError: when there are no results to render.
    """
    out_dir = out_root / spec.design
    records = Records.load(spec, out_dir)
    if records is None:
        raise FileNotFoundError(str(out_dir / "run.json"))
    with exclusive(lock_path(out_dir)):
        refuse_symlinks(out_dir)
        records = _rejudged(records)
        return BuildOutcome(records, emit(spec, spec_text, spec_name, records), True)
