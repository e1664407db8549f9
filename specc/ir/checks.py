"""Semantic checks on the IR: problems that involve more than one section or the file system.

Each check is a plain function ``(spec, ctx) -> diagnostics``; ``CHECKS`` lists them in the order
they run. A check never stops the others: every problem in a spec is reported in one run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from specc.diagnostics import Diagnostic, Severity, Span, did_you_mean
from specc.ir import model as ir
from specc.ir.arch import QAT_ACTIVATIONS, LayerSizes, layer_sizes
from specc.ir.datasets import (
    DataFileError,
    DataShape,
    csv_header,
    inspect,
    label_index,
)
from specc.ir.layers import invalid_sizes
from specc.ir.modelfile import (
    ModelFile,
    ModelFileError,
    ModelSummary,
    read_model_file,
    summarize,
)

__all__ = ["CHECKS", "CheckContext", "run_checks"]


@dataclass(frozen=True)
class CheckContext:
    """What checks may look at besides the IR, each file read once (:func:`run_checks`).

    Args:
        data: the dataset's shape (unknown parts None when its file could not be read).
        data_error: why the data file cannot be used ("" when it can, or there is none).
        model: a ``model keras`` file as read, and its summary (None when there is no file or
            it could not be read: ``model_error`` says why).
    """

    base_dir: Path
    data: DataShape
    layers: tuple[LayerSizes, ...]
    data_error: str = ""
    model: ModelFile | None = None
    model_summary: ModelSummary | None = None
    model_error: str = ""


def _err(
    code: str,
    span: Span | None,
    fallback: Span,
    msg: str,
    hint: str | None = None,
) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, span or fallback, msg, hint)


def check_precision(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Integer bits may not exceed total bits in any combination the spec allows."""
    places = [("hls", spec.hls.precision)] + [
        (f"layer {lk.name}", lk.precision) for lk in spec.hls.layers if lk.precision
    ]
    for where, p in places:
        assert p is not None
        widths, ints = p.width.values() or [], p.integer.values() or []
        bad = [(w, i) for w in widths for i in ints if int(i) > int(w)]
        if bad:
            w, i = bad[0]
            hint = (
                f"with {min(widths)} total bits use at most {min(widths)} integer bits"
                if len(bad) < len(widths) * len(ints)
                else "the integer bits are part of the total: ap_fixed<total, integer>"
            )
            yield _err(
                "E0306",
                p.span,
                spec.span or p.span,  # type: ignore[arg-type]
                f"{where}: integer bits ({i}) exceed total bits ({w}) in {p.describe()}",
                hint,
            )


def check_backend_knobs(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A knob the chosen backend ignores would make distinct points the same design."""
    ap = spec.hls.array_partition
    backends = spec.hls.backend.values() or []
    if ap.span is not None and "vitis" in backends:
        yield _err(
            "E0401",
            ap.span,
            ap.span,
            "backend vitis has no 'array_partition': Vitis HLS dropped "
            "config_array_partition -maximum_size and hls4ml ignores the knob there",
            "use backend = vivado, or remove array_partition",
        )


def check_files(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Files named by the spec exist (paths are relative to the spec's folder)."""
    for what, path, span in (  # type: ignore[assignment]
        ("data file", spec.dataset.path, spec.dataset.span),
        ("model file", spec.model.path, spec.model.span),
        ("weights file", spec.model.weights, spec.model.span),
    ):
        if path is None:
            continue
        full = ctx.base_dir / path
        if not full.is_file():
            assert span is not None
            yield _err(
                "E0402",
                span,
                span,
                f"{what} '{path}' not found",
                f"looked for {Path(spec.source).parent / path}; paths are relative to the spec",
            )


def check_data_file(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A csv or npz file can hold what the dataset section says: its header (and a csv's rows:
    equal lengths, finite numbers, two classes), an npz's arrays, dtypes and shapes."""
    ds = spec.dataset
    if ctx.data_error and ds.span is not None:
        yield _err("E0410", ds.span, ds.span, ctx.data_error, _DATA_HINT.get(ds.name))


_DATA_HINT = {
    "csv": "a csv is a header line, then one row of numbers per sample with its label",
    "npz": "write it with numpy.savez(path, x=inputs, y=labels)",
}


def check_csv_label(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    ds = spec.dataset
    if ds.name != "csv" or ds.path is None or not (ctx.base_dir / ds.path).is_file():
        return
    try:
        header = csv_header(ctx.base_dir / ds.path)
    except (OSError, DataFileError):
        return  # reported by check_data_file
    if not header:
        return  # an empty file: reported by check_data_file
    if label_index(header, ds.label) is None:
        guess = did_you_mean(str(ds.label), header)
        assert ds.span is not None
        yield _err(
            "E0408",
            ds.span,
            ds.span,
            f"label column {ds.label!r} is not in {ds.path}",
            f"did you mean '{guess}'?" if guess else "columns: " + ", ".join(header[:12]),
        )


def check_model_file(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A ``model keras`` file is a Keras model whose input takes the data's features and whose
    last Dense layer has one output per class."""
    m = spec.model
    if m.span is None:
        return
    if ctx.model_error:
        yield _err(
            "E0411",
            m.span,
            m.span,
            ctx.model_error,
            "specc reads Keras 3 .keras files, TF2-era .keras and .h5 models, and Keras 2 "
            "model.json with its weights",
        )
    if ctx.model is None or ctx.model_summary is None:
        return
    if m.weights is not None and ctx.model.format != "keras2-json":
        yield _err(
            "E0407",
            m.span,
            m.span,
            f"'weights' belongs to a Keras 2 model.json; '{m.path}' holds its own weights",
            "remove weights = ...",
        )
    shape = ctx.model_summary.input_shape
    takes, has = (math.prod(shape) if shape else None), ctx.data.features
    if takes is not None and has is not None and takes != has:
        yield _err(
            "E0411",
            m.span,
            m.span,
            f"model input takes {takes} values per sample (shape {shape}), "
            f"dataset {spec.dataset.name} has {has} features",
            "give the data the model was trained on, or a model for this data",
        )
    classes, units = ctx.data.classes, ctx.model_summary.output_units
    if classes is not None and units is not None and units != classes:
        yield _err(
            "E0411",
            m.span,
            m.span,
            f"model ends in {units} output{'s' if units != 1 else ''}, dataset "
            f"{spec.dataset.name} has {classes} classes",
            "specc trains and scores classifiers: one output per class",
        )


def check_layer_names(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Per-layer knobs name a layer the model family (or the model file) has."""
    if spec.model.family != "keras":
        names = [ls.name for ls in ctx.layers]
        owner = f"model {spec.model.family}"
    elif ctx.model_summary is not None:
        names = list(ctx.model_summary.layer_names)
        owner = f"model file '{spec.model.path}'"
    else:
        return  # no model file, or one check_model_file reports
    for lk in spec.hls.layers:
        if lk.name not in names and lk.span is not None:
            guess = did_you_mean(lk.name, names)
            yield _err(
                "E0405",
                lk.span,
                lk.span,
                f"{owner} has no layer '{lk.name}'",
                f"did you mean '{guess}'?" if guess else "its layers: " + ", ".join(names),
            )


def check_reuse_factors(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Reject reuse factors that hls4ml would silently replace under the resource strategy."""
    overrides = {lk.name: lk for lk in spec.hls.layers}
    # Group layers by the reuse-factor parameter that governs them.
    groups: dict[int, tuple[ir.Param, list[LayerSizes]]] = {}
    for ls in ctx.layers:
        lk = overrides.get(ls.name)
        strategy = lk.strategy if lk and lk.strategy else spec.hls.strategy
        if "resource" not in (strategy.values() or []):
            continue
        governing = lk.reuse_factor if lk and lk.reuse_factor else spec.hls.reuse_factor
        groups.setdefault(id(governing), (governing, []))[1].append(ls)
    for rf_param, group in groups.values():
        layers = [ls for ls in group if ls.n_in and ls.n_out]
        if not layers:
            continue
        values = [int(v) for v in rf_param.values() or []]
        bad_values = [rf for rf in values if not _keeps(layers, rf)]
        if not bad_values:
            continue
        first = bad_values[0]
        found = [(ls, *invalid_sizes(ls.n_in, ls.n_out, first)) for ls in layers]
        bad = [(ls, size, n) for ls, size, n in found if size is not None]
        ls, (n_in, n_out), _ = bad[0]
        others = sum(n for _, _, n in bad) - 1
        good = _common_reuse_factors(layers)
        hint = f"valid for every layer size this spec allows: {_listing(good)}"
        if len(layers) > 1 and len(good) <= 2:
            alone = _common_reuse_factors([ls])
            hint += f"; layer {ls.name} alone allows {_listing(alone)} (layer {ls.name} {{ ... }})"
        more = f" (and {others} other layer size{'s' if others != 1 else ''})" if others else ""
        yield _err(
            "E0403",
            rf_param.span,
            spec.hls.span or rf_param.span,  # type: ignore[arg-type]
            f"reuse factor {first} is invalid for layer {ls.name} ({n_in}x{n_out}){more} under "
            f"strategy resource; hls4ml would silently change it (invalid here: "
            f"{_listing(bad_values)})",
            hint + "; or use strategy = latency",
        )


def _keeps(layers: list[LayerSizes], rf: int) -> bool:
    """Whether hls4ml keeps ``rf`` for every size of these layers."""
    return all(invalid_sizes(ls.n_in, ls.n_out, rf, False)[0] is None for ls in layers)


def _common_reuse_factors(layers: list[LayerSizes], most: int = 9) -> list[int]:
    """The first ``most`` reuse factors hls4ml keeps for every size of these layers."""
    limit = min(min(ls.n_in) * min(ls.n_out) for ls in layers)
    found: list[int] = []
    for r in range(1, limit + 1):
        if _keeps(layers, r):
            found.append(r)
            if len(found) >= most:
                break
    return found


def _listing(values: list[int], most: int = 8) -> str:
    return ", ".join(map(str, values[:most])) + (", ..." if len(values) > most else "")


def check_fidelity(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    fid, epochs = spec.search.fidelity_epochs, spec.train.epochs
    if fid is not None and epochs.span is not None:
        yield _err(
            "E0406",
            epochs.span,
            epochs.span,
            "epochs are set in train and as the search fidelity",
            "keep one: 'search { fidelity = 2..20 epochs }' decides the epochs of each trial",
        )


def check_budgets(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """A resource budget above what the part has is a mistake (wrong part or typo)."""
    for c in spec.constraints:
        cap = spec.target.capacity(c.metric)
        if cap is None or c.op not in ("<=", "<") or c.value <= cap:
            continue
        shown = f"{c.percent:g}%" if c.percent is not None else f"{c.value:g}"
        assert c.span is not None
        yield _err(
            "E0307",
            c.span,
            c.span,
            f"budget {c.metric} {c.op} {shown} exceeds the part: {spec.target.part} has "
            f"{cap:,} {c.metric.upper()}",
            f"use at most {cap} (or 100%), or choose a larger part",
        )


def check_conv_data(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    m = spec.model
    if m.family != "cnn":
        return
    assert m.span is not None
    if m.conv == "conv2d" and ctx.data.features is not None and ctx.data.image is None:
        yield _err(
            "E0409",
            m.span,
            m.span,
            f"conv2d needs images, and dataset {spec.dataset.name} is a flat table",
            "use conv = conv1d, or an image dataset (digits, mnist, npz with (N, H, W) inputs)",
        )
        return
    side = ctx.data.image[0] if (m.conv == "conv2d" and ctx.data.image) else ctx.data.features
    kernels = [int(k) for k in m.kernel.values() or []]
    if side is not None and kernels and max(kernels) > side:
        yield _err(
            "E0305",
            m.kernel.span,
            m.span,
            f"kernel {max(kernels)} is larger than the input ({side})",
            f"use kernels up to {side}",
        )


def check_workers(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    s = spec.search
    if s.workers > s.trials and s.span is not None:
        yield Diagnostic(
            Severity.WARNING,
            "W0502",
            s.span,
            f"{s.workers} workers for {s.trials} trials",
            "workers beyond the number of trials stay idle",
        )


def check_quantization(spec: ir.Spec, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Quantisation-aware training rebuilds the model from HGQ2's layers, which take the
    ``relu`` (or no) hidden activation bit-exactly, and signed types."""
    task = spec.task("quantize")
    if task is None:
        return
    method = task.knobs["method"]
    if not {"qat", "hgq"} & set(method.values() or []):
        return
    acts = [str(a) for a in spec.model.activation.values() or []]
    other = [a for a in acts if a not in QAT_ACTIVATIONS]
    if other:  # (a model file's own activations are checked when QAT rebuilds it)
        yield _err(
            "E0412",
            method.span,
            task.span or spec.span,  # type: ignore[arg-type]
            f"quantisation-aware training takes relu hidden layers, not {', '.join(other)}",
            "use activation = relu, or method = ptq",
        )
    if not spec.hls.precision.signed:
        yield _err(
            "E0412",
            method.span,
            task.span or spec.span,  # type: ignore[arg-type]
            "quantisation-aware training uses signed types",
            "write precision = ap_fixed<W, I>, or method = ptq",
        )


CHECKS: tuple[Callable[[ir.Spec, CheckContext], Iterator[Diagnostic]], ...] = (
    check_files,
    check_data_file,
    check_csv_label,
    check_model_file,
    check_precision,
    check_backend_knobs,
    check_layer_names,
    check_reuse_factors,
    check_fidelity,
    check_budgets,
    check_conv_data,
    check_workers,
    check_quantization,
)


def _read_data(spec: ir.Spec, base_dir: Path) -> tuple[DataShape, str]:
    """The dataset's shape, and why its file cannot be used ("" when it can)."""
    ds = spec.dataset
    if ds.path is not None and not (base_dir / ds.path).is_file():
        return DataShape(None, None, None), ""  # reported by check_files
    try:
        return inspect(ds, base_dir), ""
    except DataFileError as err:
        return DataShape(None, None, None), f"data file '{ds.path}' {err}"
    except OSError as err:
        return DataShape(None, None, None), f"cannot read data file '{ds.path}': {err.strerror}"


def _read_model(spec: ir.Spec, base_dir: Path) -> tuple[ModelFile | None, ModelSummary | None, str]:
    """A ``model keras`` file as read, its summary, and why it cannot be used ("" when it
    can, or when there is no file: missing files are reported by check_files)."""
    m = spec.model
    path = base_dir / m.path if m.path else None
    weights = base_dir / m.weights if m.weights else None
    if path is None or not path.is_file() or (weights is not None and not weights.is_file()):
        return None, None, ""
    try:
        model = read_model_file(path, weights)
        return model, summarize(model), ""
    except ModelFileError as err:
        return None, None, f"model file '{m.path}' {err}"
    except OSError as err:
        return None, None, f"cannot read model file '{m.path}': {err.strerror}"


def run_checks(spec: ir.Spec, base_dir: Path) -> list[Diagnostic]:
    """Read the data and model files once, run every check in ``CHECKS``, return what they
    found."""
    data, data_error = _read_data(spec, base_dir)
    model, summary, model_error = _read_model(spec, base_dir)
    ctx = CheckContext(
        base_dir,
        data,
        tuple(layer_sizes(spec.model, data)),
        data_error,
        model,
        summary,
        model_error,
    )
    out: list[Diagnostic] = []
    for check in CHECKS:
        out.extend(check(spec, ctx))
    return out
