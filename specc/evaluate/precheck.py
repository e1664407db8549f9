"""The a-priori check: a point's hardware estimate without training (milliseconds)."""

from __future__ import annotations

from pathlib import Path

from specc.evaluate.point import Scalar, resolve
from specc.evaluate.results import Metric, hardware_metrics
from specc.ir import model as ir

__all__ = ["precheck"]


def precheck(spec: ir.Spec, point: dict[str, Scalar] | None = None) -> dict[str, Metric]:
    """The estimator's hardware metrics for a point, without training (milliseconds).

    The search uses this to reject points that break a budget before paying for training. For
    ``model keras "FILE"`` the layer sizes come from the file's config (empty when it is not a
    plain MLP: nothing is judged before the trial).
    """
    from specc.evaluate.estimate import PROVENANCE, estimate_design
    from specc.evaluate.shapes import shapes_from_architecture, target_of
    from specc.ir.arch import ArchitectureError, architecture, keras_file_architecture
    from specc.ir.datasets import shape_of

    cfg = resolve(spec, point)
    base = Path(spec.source).parent
    if spec.model.family == "keras":
        assert spec.model.path is not None
        weights = base / spec.model.weights if spec.model.weights else None
        arch = keras_file_architecture(base / spec.model.path, weights)
        if arch is None or spec.task("scale") is not None:
            # Not a plain MLP, or shrunk by a scale task: judged on the trial's own numbers.
            return {}
        shapes = shapes_from_architecture(arch, cfg, cfg.sparsity)
    else:
        try:
            knobs = cfg.arch(compressed=True)
            arch = architecture(spec.model, knobs, shape_of(spec.dataset, base))
        except ArchitectureError:
            return {}  # not buildable (or the data unreadable): the trial will say why
        shapes = shapes_from_architecture(arch, cfg, cfg.sparsity)
    est = estimate_design(shapes, target_of(spec, cfg))
    return hardware_metrics(est, float(cfg.get("hls.clock_period")), PROVENANCE)
