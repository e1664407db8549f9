"""AST -> IR: check that the required sections are there, read each one, assemble the Spec.

The readers live by job: :mod:`specc.ir.sections` (the ``key = value`` sections, driven by the
key table in :mod:`specc.ir.schema`), :mod:`specc.ir.goals` (objectives and constraints, driven
by the metric table in :mod:`specc.metrics`) and :mod:`specc.ir.values` (value and unit
conversion, which the section readers call).

Problems are collected, not raised: lowering goes on after an error so that one run reports every
problem in the spec. Cross-section checks (budgets against the part, reuse factors against layer
sizes, files on disk) run afterwards on the IR, in specc/ir/checks.py.
"""

from __future__ import annotations

from specc.diagnostics import Diagnostics, Span
from specc.frontend import ast
from specc.ir import goals
from specc.ir import model as ir
from specc.ir.sections import SectionReader

__all__ = ["REQUIRED_SECTIONS", "lower"]

# Section -> the example the "missing section" hint shows.
REQUIRED_SECTIONS = {
    "design": "design my_design",
    "dataset": "dataset digits",
    "model": "model mlp { hidden_layers = 1..3 }",
    "target": "target xc7z020clg400-1",
    "objectives": "objectives { minimize fixed_error, latency_ns }",
}


def lower(spec: ast.Spec, diags: Diagnostics) -> ir.Spec | None:
    """Lower a parsed spec to the IR, reporting problems into ``diags``.

    Returns:
        The IR, or None when any error was found.
    """
    top = Span(spec.file, 1, 1, 1, 1)
    for kind, example in REQUIRED_SECTIONS.items():
        if not spec.find(kind):
            diags.error("E0404", top, f"missing '{kind}' section", f"add e.g. '{example}'")
    r = SectionReader(spec, diags)
    # Every section is looked up (and its duplicates reported) before any is read.
    design_sec = r.single("design")
    ds_sec, model_sec = r.single("dataset"), r.single("model")
    target_sec, obj_sec = r.single("target"), r.single("objectives")
    train_sec, hls_sec = r.single("train"), r.single("hls")
    compress_sec = r.single("compress")
    con_sec, search_sec = r.single("constraints"), r.single("search")

    dataset = r.dataset(ds_sec) if ds_sec else None
    mdl = r.model(model_sec) if model_sec else None
    train = r.train(train_sec)
    compress = r.compress(compress_sec)
    hls = r.hls(hls_sec)
    target = r.target(target_sec) if target_sec else None
    objectives = goals.objectives(obj_sec, diags) if obj_sec else ()
    # Budgets in % of the part need the part's capacities.
    constraints = goals.constraints(con_sec, target, diags)
    search = r.search(search_sec)
    if diags.has_errors:
        return None
    assert design_sec and dataset and mdl and train and hls and target and search
    return ir.Spec(
        source=spec.file,
        design=r.design(design_sec),
        dataset=dataset,
        model=mdl,
        train=train,
        compress=compress,
        hls=hls,
        target=target,
        objectives=objectives,
        constraints=constraints,
        search=search,
        span=top,
    )
