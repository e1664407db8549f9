"""Readers of the ``key = value`` sections: design, dataset, model, train, compress, hls,
target, search.

Each reader takes one section of the AST and returns its IR node, or None after reporting a
problem. Which keys a section takes, their types, bounds and defaults come from the key table
(:mod:`specc.ir.schema`); the values themselves are converted by :mod:`specc.ir.values`. The
goal sections (objectives, constraints) are read in :mod:`specc.ir.goals`.
"""

from __future__ import annotations

from typing import Any

from specc.diagnostics import Diagnostics, Span, did_you_mean
from specc.files import is_plain_name
from specc.frontend import ast
from specc.ir import model as ir
from specc.ir import parts
from specc.ir.schema import DATASETS, FAMILIES, TASKS, Key, keys_for
from specc.ir.values import ValueReader, either

__all__ = ["NO_SECTION", "SectionReader"]

# Stands in for an optional section the spec leaves out, so that its defaults are read the same way.
NO_SECTION = ast.Section(
    "", None, None, None, Span("<default>", 0, 0, 0, 0), Span("<default>", 0, 0, 0, 0)
)

# Keys whose IR field has another name.
_DATASET_FIELDS = {"x": "x_key", "y": "y_key"}
# Model keys the family does not have keep a neutral value, so every Model has all fields.
_MODEL_NEUTRAL = {
    "hidden_layers": ir.Fixed(value=0),
    "neurons": ir.Fixed(value=0),
    "activation": ir.Fixed(value="relu"),
    "conv_layers": ir.Fixed(value=0),
    "filters": ir.Fixed(value=0),
    "kernel": ir.Fixed(value=0),
    "pooling": ir.Fixed(value="none"),
}


def _plain(keys: tuple[Key, ...], v: dict[str, Any]) -> dict[str, Any]:
    """The read values with those of unsearchable keys unwrapped: the IR stores them as plain
    values (``seed: int``), and a parameter domain only for what may be searched."""
    return {k.name: v[k.name] if k.searchable else v[k.name].value for k in keys if k.name in v}


class SectionReader:
    """Reads the sections of one spec, reporting problems into ``diags``."""

    def __init__(self, spec: ast.Spec, diags: Diagnostics):
        self.spec = spec
        self.d = diags
        self.values = ValueReader(diags)

    # ---- shared ------------------------------------------------------------------------------

    def single(self, kind: str) -> ast.Section | None:
        """The section of this kind (the first, after reporting any duplicate), or None."""
        found = self.spec.find(kind)
        for dup in found[1:]:
            self.d.error(
                "E0209",
                dup.keyword_span,
                f"duplicate '{kind}' section",
                f"first at line {found[0].span.line}; a spec has one '{kind}'",
            )
        return found[0] if found else None

    def body(
        self,
        where: str,
        keys: tuple[Key, ...],
        sec: ast.Section,
        body: tuple[ast.Statement, ...] | None,
        other_keys: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Read ``key = value`` statements against ``keys``; returns name -> converted value.

        Absent keys get their defaults (``ir.Fixed`` without a span). A key that was written but
        could not be read is left out, so the caller can tell it failed.

        Args:
            other_keys: keys of sibling sections (key -> section), named in the hint when one
                turns up in the wrong place.
        """
        table = {k.name: k for k in keys}
        seen: dict[str, ast.Assign] = {}
        out: dict[str, Any] = {}
        for stmt in body or ():
            if isinstance(stmt, ast.Layer):
                if where != "hls":
                    self.d.error("E0202", stmt.span, f"'layer' blocks belong in 'hls', not {where}")
                continue
            if isinstance(stmt, ast.Task):
                if where != "compress":
                    self.d.error(
                        "E0202",
                        stmt.name.span,
                        f"'{stmt.name.text} {{ ... }}' is a block; {where} takes 'key = value'",
                        "compression tasks (prune, scale, quantize) go in a 'compress' section",
                    )
                continue
            assert isinstance(stmt, ast.Assign)
            name = stmt.key.text
            if name in seen:
                self.d.error(
                    "E0209",
                    stmt.key.span,
                    f"duplicate key '{name}' in {where}",
                    f"first set at line {seen[name].span.line}; keep one",
                )
                continue
            seen[name] = stmt
            key = table.get(name)
            if key is None:
                self._unknown_key(where, name, stmt.key.span, keys, other_keys or {})
                continue
            value = (
                self.values.precision(key, stmt.value)
                if key.type == "precision"
                else self.values.param(key, stmt.value)
            )
            if value is not None:
                out[name] = value
        for key in keys:
            if key.name not in out and key.name not in seen and key.default is not None:
                if key.type == "precision":
                    w, i = key.default
                    out[key.name] = ir.Precision(width=ir.Fixed(value=w), integer=ir.Fixed(value=i))
                else:
                    out[key.name] = ir.Fixed(value=key.default)
        return out

    def _unknown_key(
        self, where: str, name: str, span: Span, keys: tuple[Key, ...], other_keys: dict[str, str]
    ) -> None:
        names = [k.name for k in keys]
        if name in other_keys:
            hint = f"'{name}' belongs to {other_keys[name]}"
            if names:
                hint += f"; {where} takes: {', '.join(names)}"
        else:
            guess = did_you_mean(name, names)
            if guess:
                hint = f"did you mean '{guess}'?"
            elif names:
                hint = f"{where} takes: {', '.join(names)}"
            else:
                hint = f"{where} takes no keys"
        self.d.error("E0202", span, f"unknown key '{name}' in {where}", hint)

    def label(self, sec: ast.Section, options: tuple[str, ...], what: str, code: str) -> str | None:
        """The section's label (``dataset digits``) if it is one of ``options``."""
        assert sec.label is not None
        if sec.label.text in options:
            return sec.label.text
        guess = did_you_mean(sec.label.text, options)
        self.d.error(
            code,
            sec.label.span,
            f"unknown {what} '{sec.label.text}'",
            f"did you mean '{guess}'?" if guess else "choose " + either(options),
        )
        return None

    def file_arg(self, sec: ast.Section, needs: bool, kind: str, example: str) -> str | None:
        """The section's file (``dataset csv "x.csv"``), checked against whether it needs one."""
        assert sec.label is not None
        if needs and sec.path is None:
            self.d.error(
                "E0407",
                sec.label.span,
                f"{sec.kind} {kind} needs a file",
                f'write {sec.kind} {kind} "{example}"',
            )
        if not needs and sec.path is not None:
            self.d.error(
                "E0407",
                sec.path.span,
                f"{sec.kind} {kind} takes no file",
                f"a file goes with {sec.kind} "
                + ("csv or npz" if sec.kind == "dataset" else "keras"),
            )
        return sec.path.text if sec.path is not None else None

    # ---- sections ----------------------------------------------------------------------------

    def design(self, sec: ast.Section) -> str:
        """The design's name (the grammar requires one)."""
        assert sec.label is not None
        name = sec.label.text
        if not is_plain_name(name):
            self.d.error(
                "E0305",
                sec.label.span,
                f"a design name of {len(name)} characters",
                "it names folders and files: at most 200 characters",
            )
        return name

    def dataset(self, sec: ast.Section) -> ir.Dataset | None:
        name = self.label(sec, DATASETS, "dataset", "E0205")
        if name is None:
            return None
        path = self.file_arg(sec, name in ("csv", "npz"), name, f"data/train.{name}")
        others = {k.name: f"dataset {n}" for n in DATASETS for k in keys_for("dataset", n)}
        keys = keys_for("dataset", name)
        v = self.body(f"dataset {name}", keys, sec, sec.body, others)
        fields: dict[str, Any] = {"name": name, "path": path, "span": sec.span}
        for k, value in _plain(keys, v).items():
            fields[_DATASET_FIELDS.get(k, k)] = value
        return ir.Dataset(**fields)

    def model(self, sec: ast.Section) -> ir.Model | None:
        family = self.label(sec, FAMILIES, "model family", "E0206")
        if family is None:
            return None
        path = self.file_arg(sec, family == "keras", family, "models/trained.keras")
        others = {k.name: f"model {f}" for f in FAMILIES for k in keys_for("model", f)}
        keys = keys_for("model", family)
        v = self.body(f"model {family}", keys, sec, sec.body, others)
        # A key left out of v failed to read (and was reported); optional ones may be absent.
        if any(k.name not in v and k.default is not None for k in keys):
            return None
        fields = {**_MODEL_NEUTRAL, **_plain(keys, v)}
        return ir.Model(**fields, family=family, path=path, span=sec.span)

    def train(self, sec: ast.Section | None) -> ir.Train | None:
        keys = keys_for("train")
        moved = {"pruning_sparsity": "the prune task: compress { prune { sparsity = ... } }"}
        v = self.body("train", keys, sec or NO_SECTION, sec.body if sec else (), moved)
        if any(k.name not in v for k in keys):
            return None
        return ir.Train(**_plain(keys, v), span=sec.span if sec else None)

    def compress(self, sec: ast.Section | None) -> tuple[ir.Task, ...]:
        """The compression tasks in the order written; each kind at most once, ``quantize``
        last (the tasks before it work on a float model)."""
        tasks: list[ir.Task] = []
        seen: dict[str, ast.Task] = {}
        for stmt in (sec.body if sec else None) or ():
            if not isinstance(stmt, ast.Task):
                self.d.error(
                    "E0202",
                    stmt.span,
                    "compress holds task blocks, not 'key = value'",
                    "write e.g. compress { prune { sparsity = 0.5..0.9 } }",
                )
                continue
            kind = stmt.name.text
            if kind not in TASKS:
                guess = did_you_mean(kind, TASKS)
                self.d.error(
                    "E0202",
                    stmt.name.span,
                    f"unknown compression task '{kind}'",
                    f"did you mean '{guess}'?" if guess else "choose " + either(TASKS),
                )
                continue
            if kind in seen:
                self.d.error(
                    "E0209",
                    stmt.name.span,
                    f"duplicate task '{kind}'",
                    f"first at line {seen[kind].span.line}; a spec applies each task once",
                )
                continue
            if "quantize" in seen:
                self.d.error(
                    "E0202",
                    stmt.name.span,
                    f"'{kind}' after 'quantize'",
                    "quantize comes last: the tasks before it change the float model",
                )
                continue
            seen[kind] = stmt
            keys = keys_for("compress", kind)
            assert sec is not None
            v = self.body(kind, keys, sec, stmt.body)
            if any(k.name not in v for k in keys):
                continue
            knobs = {k.name: v[k.name] for k in keys}  # in the key table's order
            tasks.append(ir.Task(kind=kind, knobs=knobs, span=stmt.name.span))
        return tuple(tasks)

    def hls(self, sec: ast.Section | None) -> ir.Hls | None:
        body = sec.body if sec else ()
        keys = keys_for("hls")
        v = self.body("hls", keys, sec or NO_SECTION, body)
        layers: list[ir.LayerKnobs] = []
        seen: dict[str, ast.Layer] = {}
        for stmt in body or ():
            if not isinstance(stmt, ast.Layer):
                continue
            name = stmt.name.text
            if name in seen:
                self.d.error(
                    "E0209",
                    stmt.name.span,
                    f"duplicate layer '{name}'",
                    f"first at line {seen[name].span.line}; merge the two blocks",
                )
                continue
            seen[name] = stmt
            lv = self.body(f"layer {name}", keys_for("layer"), sec or NO_SECTION, stmt.body)
            layers.append(ir.LayerKnobs(name=name, span=stmt.name.span, **lv))
        if any(k.name not in v for k in keys):
            return None
        return ir.Hls(**v, layers=tuple(layers), span=sec.span if sec else None)

    def target(self, sec: ast.Section) -> ir.Target | None:
        """The part; its capacities come from the part table unless the section gives them."""
        assert sec.label is not None
        part = sec.label.text
        if not is_plain_name(part):
            self.d.error(
                "E0204",
                sec.label.span,
                f"part '{part[:60]}' is not a part number",
                "part numbers are letters, digits, '_', '.' and '-' (no '..'), "
                "e.g. xc7z020clg400-1; `specc parts` lists the table",
            )
            return None
        keys = keys_for("target")
        given = _plain(keys, self.body("target", keys, sec, sec.body))
        dev = parts.lookup(part)
        if dev is None:
            missing = [k.name for k in keys if k.name not in given]
            if missing and sec.body is not None:
                self.d.error(
                    "E0204",
                    sec.label.span,
                    f"part '{part}' is not in the table and its capacities are incomplete",
                    "add " + ", ".join(f"{m} = N" for m in missing) + " (from its data sheet)",
                )
                return None
            if missing:
                names = [d.name for d in parts.DEVICES]
                guess = did_you_mean(part, names + [d.example_part for d in parts.DEVICES])
                hint = (
                    f"did you mean '{guess}'? (`specc parts` lists the table)"
                    if guess
                    else f"give its capacities: target {part} {{ "
                    + " ".join(f"{m} = N" for m in missing)
                    + " }, or see `specc parts`"
                )
                self.d.error("E0204", sec.label.span, f"unknown part '{part}'", hint)
                return None
            return ir.Target(part=part, family=parts.family_of(part), span=sec.span, **given)
        # The target keys are named as the part table's columns; what the section says wins.
        caps = {**{k.name: getattr(dev, k.name) for k in keys}, **given}
        return ir.Target(part=part, device=dev.name, family=dev.family, span=sec.span, **caps)

    def search(self, sec: ast.Section | None) -> ir.Search | None:
        keys = keys_for("search")
        v = self.body("search", keys, sec or NO_SECTION, sec.body if sec else ())
        fields: dict[str, Any] = {"span": sec.span if sec else None, **_plain(keys, v)}
        # Two keys are stored under their unit's name, one after a further check.
        if "time_budget" in fields:
            fields["time_budget_s"] = float(fields.pop("time_budget"))
        fid = fields.pop("fidelity", None)
        if fid is not None:
            if not isinstance(fid, ir.IntRange) or fid.step != 1 or fid.log:
                self.d.error(
                    "E0301",
                    fid.span or NO_SECTION.span,
                    "'fidelity' takes a range of epochs",
                    "write e.g. 'fidelity = 2..20 epochs'",
                )
            else:
                fields["fidelity_epochs"] = fid
        return ir.Search(**fields)
