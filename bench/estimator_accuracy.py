"""How far specc's estimator is from real HLS reports, on designs the fit saw and did not see.

For every report in ../shared/data/synthesis/ that the estimator can model
(bench/_synthesis_cases.py says which and how), compares estimate and report per metric: pairs,
median ratio (estimate / report), share within 1.5x and 2x, Spearman rank correlation. Views:

- ``per_source``: **leave-one-source-out**: the coefficients are fitted on every source but one
  and tested on that one (what counts: accuracy on designs the fit did not see);
- ``leave_one_source_out``: those held-out pairs of all sources together, per metric;
- ``in_sample``: the shipped coefficients (fitted on everything) on every source.

``--fit`` fits on every source and writes specc/evaluate/estimator_coefficients.json (the
provenance hash of every estimate changes with it).

    python bench/estimator_accuracy.py [--json] [--fit] [--cases] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import defaultdict
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _synthesis_cases import METRICS, Case, all_cases  # noqa: E402

from specc.evaluate.estimate import (  # noqa: E402
    COEFFICIENTS_FILE,
    MODEL,
    TOOLS,
    Coefficients,
    coefficients,
    estimate_design,
    estimate_raw,
)

#: How strongly the two tools' coefficients are pulled together, and all of them towards the
#: priors (the defaults of ``Coefficients``), in log units per coefficient.
TOOL_SHRINK = 0.7
PRIOR = 0.15


def estimate(case: Case, coef: Coefficients | None = None) -> dict[str, float]:
    est = estimate_design(case.layers, case.target, coef)
    return {m: float(getattr(est, m)) for m in METRICS}


def _ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(a: list[float], b: list[float]) -> float | None:
    if len(a) < 3:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    den = math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
    return round(num / den, 3) if den else None


def _ratio(e: float, r: float) -> float | None:
    if r == 0 and e == 0:
        return 1.0
    if r == 0 or e == 0:
        return None  # one side zero: outside every band
    return e / r


def stats(pairs: list[tuple[float, float]]) -> dict[str, float | int | None]:
    """Pairs of (estimate, report): count, median ratio, shares within 1.5x / 2x, Spearman."""
    ratios = [_ratio(e, r) for e, r in pairs]
    finite = [v for v in ratios if v is not None]
    n = len(pairs)

    def share(band: float) -> float:
        return round(sum(1 for v in finite if 1 / band <= v <= band) / n, 3) if n else 0.0

    return {
        "pairs": n,
        "median_ratio": round(statistics.median(finite), 3) if finite else None,
        "within_1_5x": share(1.5),
        "within_2x": share(2.0),
        "spearman": spearman([e for e, _ in pairs], [r for _, r in pairs]),
    }


def _names() -> list[str]:
    return [f.name for f in fields(Coefficients)]


def fit(cases: list[Case], quiet: bool = True) -> dict[str, Coefficients]:
    """Coefficients per tool, by least squares on log(estimate / report) of every case and
    metric (each source weighted as one, not by its size), the two tools pulled together and
    every coefficient towards its prior where the reports say little."""
    import numpy as np
    from scipy.optimize import least_squares
    from scipy.sparse import lil_matrix

    names = _names()
    k = len(names)
    prior = np.log(np.array([getattr(Coefficients(), n) for n in names]))
    per_source: dict[str, int] = defaultdict(int)
    for c in cases:
        per_source[c.source] += 1
    weights = [1 / math.sqrt(per_source[c.source]) for c in cases]
    tool_of = [TOOLS.index(c.target.tool) for c in cases]
    n_data = len(cases) * len(METRICS)

    def coef(theta: np.ndarray, t: int) -> Coefficients:
        vals = np.exp(theta[t * k : (t + 1) * k])
        return Coefficients(**dict(zip(names, (float(v) for v in vals), strict=True)))

    def residuals(theta: np.ndarray) -> np.ndarray:
        sets = [coef(theta, t) for t in range(len(TOOLS))]
        out = np.empty(n_data + 3 * k)
        i = 0
        for case, w, t in zip(cases, weights, tool_of, strict=True):
            raw, _ = estimate_raw(case.layers, case.target, sets[t])
            for m, v in zip(
                METRICS, (raw.latency, raw.ii, raw.dsp, raw.lut, raw.ff, raw.bram), strict=True
            ):
                out[i] = w * math.log((max(v, 0.0) + 1) / (case.report[m] + 1))
                i += 1
        out[n_data : n_data + k] = TOOL_SHRINK * (theta[:k] - theta[k:])
        out[n_data + k :] = PRIOR * (theta - np.tile(prior, 2))
        return out

    sparsity = lil_matrix((n_data + 3 * k, 2 * k), dtype=int)
    for j, t in enumerate(tool_of):
        sparsity[j * len(METRICS) : (j + 1) * len(METRICS), t * k : (t + 1) * k] = 1
    for j in range(k):
        sparsity[n_data + j, j] = sparsity[n_data + j, k + j] = 1
    for j in range(2 * k):
        sparsity[n_data + k + j, j] = 1
    x0 = np.tile(prior, 2)
    res = least_squares(
        residuals,
        x0,
        jac_sparsity=sparsity,
        bounds=(x0 - 5, x0 + 5),
        diff_step=1e-3,
        max_nfev=200,
        x_scale=1.0,
    )
    if not quiet:
        print(f"fit: {len(cases)} designs, cost {res.cost:.2f}, {res.nfev} evaluations")
    return {tool: coef(res.x, t) for t, tool in enumerate(TOOLS)}


def evaluate(cases: list[Case], sets: dict[str, Coefficients] | None) -> list[dict[str, float]]:
    return [
        estimate(c, sets[c.target.tool] if sets else coefficients(c.target.tool)) for c in cases
    ]


def by_metric(cases: list[Case], ests: list[dict[str, float]]) -> dict[str, dict[str, object]]:
    return {
        m: stats([(e[m], c.report[m]) for c, e in zip(cases, ests, strict=True)]) for m in METRICS
    }


def leave_one_source_out(cases: list[Case]) -> tuple[list[Case], list[dict[str, float]]]:
    """Every case estimated with coefficients fitted without its own source."""
    out_cases, out_ests = [], []
    for source in sorted({c.source for c in cases}):
        held = [c for c in cases if c.source == source]
        sets = fit([c for c in cases if c.source != source])
        out_cases += held
        out_ests += evaluate(held, sets)
    return out_cases, out_ests


def write_coefficients(sets: dict[str, Coefficients]) -> None:
    payload = {
        "model": MODEL,
        "note": "written by python bench/estimator_accuracy.py --fit; do not edit by hand",
        "tools": {t: {k: round(v, 5) for k, v in c.as_dict().items()} for t, c in sets.items()},
    }
    COEFFICIENTS_FILE.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")


def _table(title: str, rows: dict[str, dict[str, object]]) -> None:
    print(f"\n{title}")
    print(f"{'metric':16s} {'pairs':>5s} {'median':>7s} {'<=1.5x':>7s} {'<=2x':>6s} {'rho':>6s}")
    for m, s in rows.items():
        med = s["median_ratio"]
        rho = s["spearman"]
        print(
            f"{m:16s} {s['pairs']:5d} {med if med is not None else float('nan'):7.2f} "
            f"{s['within_1_5x']:7.0%} {s['within_2x']:6.0%} "
            f"{rho if rho is not None else float('nan'):6.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--fit", action="store_true", help="refit and write the coefficients")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cases", action="store_true", help="every design, estimate / report")
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / "data/synthesis").is_dir():
        print(f"no reports under {shared}/data/synthesis", file=sys.stderr)
        return 1
    cases = all_cases(shared)
    if args.fit:
        write_coefficients(fit(cases, quiet=False))
        print(f"wrote {COEFFICIENTS_FILE.relative_to(ROOT)}")
        return 0
    held_cases, held = leave_one_source_out(cases)
    shipped = evaluate(cases, None)
    result = {
        "leave_one_source_out": by_metric(held_cases, held),
        "per_source": {
            src: by_metric(
                [c for c in held_cases if c.source == src],
                [e for c, e in zip(held_cases, held, strict=True) if c.source == src],
            )
            for src in sorted({c.source for c in cases})
        },
        "in_sample": by_metric(cases, shipped),
    }
    # The pooled figures are two-thirds wa-hls4ml (151 of 231 designs): the mean over sources of
    # each source's held-out share within 1.5x weighs every source as one.
    result["source_balanced_within_1_5x"] = {
        m: round(
            statistics.fmean(float(r[m]["within_1_5x"]) for r in result["per_source"].values()), 3
        )
        for m in METRICS
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    if args.cases:
        print(f"{'design (held out)':52s} " + " ".join(f"{m[:8]:>15s}" for m in METRICS))
        for c, e in zip(held_cases, held, strict=True):
            cells = " ".join(f"{e[m]:>7.0f}/{c.report[m]:<7.0f}" for m in METRICS)
            print(f"{c.name[:52]:52s} {cells}")
    print(f"{len(cases)} designs from {len(result['per_source'])} sources")
    for src, rows in result["per_source"].items():
        _table(f"== {src} (held out)", rows)
    _table("== all sources, each held out", result["leave_one_source_out"])
    balanced = result["source_balanced_within_1_5x"]
    print(
        "\nheld out, mean over sources of the share within 1.5x: "
        + ", ".join(f"{m} {v:.0%}" for m, v in balanced.items())
    )
    _table("== all sources, shipped coefficients (in sample)", result["in_sample"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
