"""Post-training quantisation against quantisation-aware training at 4, 6 and 8 bits.

The default example's model (examples/digits_mlp.cds at its default point: one hidden layer of
32, its training settings) is trained once in float; at each total width W every integer width
I in 1..min(W-1, 4) is tried:

- ``ptq``: the float model rounded to ``ap_fixed<W, I>`` by hls4ml, accuracy by C simulation;
- ``qat``: the float model rebuilt with HGQ2 quantisers fixed at ``ap_fixed<W, I>`` and trained
  on (``compress { quantize { method = qat } }``, its default 10 epochs), accuracy by C
  simulation (which equals the quantised Keras model's: that is checked here too).

Each method reports its best integer width, as a search over I would find it. ``float`` is the
float model's test accuracy. Everything runs through specc's own trial evaluator.

    python bench/qat_vs_ptq.py [--json] [--widths 4 6 8]

``--json`` prints ``{"4": {"float": x, "ptq": x, "qat": x}, "6": {...}, "8": {...}}``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.compiler import load  # noqa: E402
from specc.evaluate.trial import run_trial  # noqa: E402
from specc.evaluate.worker import Worker  # noqa: E402
from specc.options import Limits  # noqa: E402

MAX_INTEGER = 4  # digits' inputs are in [0, 1]; its weights and logits need few integer bits


def bench_spec(folder: Path, widths: list[int]) -> Path:
    """The default example with the method and the precision's W and I as knobs."""
    text = (ROOT / "examples" / "digits_mlp.cds").read_text()
    lo = min(widths)
    text = re.sub(
        r"precision = ap_fixed<[^>]*>",
        f"precision = ap_fixed<{{{', '.join(map(str, widths))}}}, 1..{min(lo, MAX_INTEGER)}>",
        text,
    )
    text += "\ncompress {\n  quantize { method = {ptq, qat} }\n}\n"
    path = folder / "digits_mlp.cds"
    path.write_text(text)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--widths", type=int, nargs="+", default=[4, 6, 8])
    args = parser.parse_args()
    worker = Worker(Limits().memory_mb)
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="specc-qat-") as tmp:
        spec = load(bench_spec(Path(tmp), args.widths))
        for width in args.widths:
            best: dict[str, float] = {"float": 0.0, "ptq": 0.0, "qat": 0.0}
            for integer in range(1, min(width - 1, MAX_INTEGER) + 1):
                for method in ("ptq", "qat"):
                    point = {
                        "hls.precision.width": width,
                        "hls.precision.integer": integer,
                        "compress.quantize.method": method,
                    }
                    r = run_trial(spec, point, Path(tmp) / "out", Limits(), "never", worker)
                    if r.status != "ok":
                        raise SystemExit(f"{point}: {r.failure}")
                    fixed = r.metrics["fixed_accuracy"].value
                    keras = r.metrics["float_accuracy"].value
                    if method == "ptq":
                        best["float"] = keras
                    elif abs(keras - fixed) > 1e-6:  # Keras reports a float32
                        raise SystemExit(
                            f"{point}: C simulation {fixed:.4f} differs from the quantised "
                            f"Keras model's {keras:.4f}"
                        )
                    best[method] = max(best[method], fixed)
                    if not args.json:
                        print(
                            f"ap_fixed<{width},{integer}> {method}: C-sim {fixed:.4f} "
                            f"(Keras {keras:.4f})",
                            flush=True,
                        )
            out[str(width)] = {k: round(v, 4) for k, v in best.items()}
    worker.stop()
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{'W':>3} {'float':>7} {'ptq':>7} {'qat':>7}")
        for w, row in out.items():
            print(f"{w:>3} {row['float']:7.4f} {row['ptq']:7.4f} {row['qat']:7.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
