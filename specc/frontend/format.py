"""``specc fmt``: print a syntax tree back as canonical .cds text.

Canonical means: two-space indentation, one statement per line, one space around ``=`` and
comparisons, ``{a, b}`` choices, ``ap_fixed<W, I>``, one blank line between sections, at most one
blank line inside a block, and every comment kept where it was (own-line comments above the
statement that follows them, end-of-line comments after theirs). Sections and keys keep the
user's order. Formatting is idempotent and never changes what a spec means.
"""

from __future__ import annotations

from specc.frontend import ast

__all__ = ["format_spec", "format_value"]


def _bound(b: ast.Quantity | ast.Power) -> str:
    if isinstance(b, ast.Power):
        return f"{b.base}^{b.exp}"
    return _quantity(b)


def _quantity(q: ast.Quantity) -> str:
    if q.unit is None:
        return q.text
    return f"{q.text}%" if q.unit == "%" else f"{q.text} {q.unit}"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_value(v: ast.Value) -> str:
    """Canonical text of one value."""
    if isinstance(v, ast.Quantity):
        return _quantity(v)
    if isinstance(v, ast.Power):
        return _bound(v)
    if isinstance(v, ast.Word):
        return v.text
    if isinstance(v, ast.String):
        return _string(v.text)
    if isinstance(v, ast.Range):
        lo = _bound(v.lo)
        # "4..7 ns" stays as written: a unit on the upper bound only is the idiom.
        text = f"{lo}..{_bound(v.hi)}"
        if v.step is not None:
            text += f" step {_quantity(v.step)}"
        if v.log:
            text += " log"
        return text
    if isinstance(v, ast.Choice):
        return "{" + ", ".join(format_value(i) for i in v.items) + "}"
    assert isinstance(v, ast.FixedType)
    return f"{v.name.text}<{format_value(v.width)}, {format_value(v.integer)}>"


def _statement(s: ast.Statement) -> str:
    if isinstance(s, ast.Assign):
        return f"{s.key.text} = {format_value(s.value)}"
    if isinstance(s, ast.Objective):
        return f"{s.sense} " + ", ".join(m.text for m in s.metrics)
    if isinstance(s, ast.Constraint):
        return f"{s.metric.text} {s.op} {format_value(s.value)}"
    raise TypeError(s)


class _Printer:
    def __init__(self, spec: ast.Spec):
        self.out: list[str] = []
        self.pending = sorted(spec.comments, key=lambda c: (c.line, c.col))
        self.last_line = 0  # source line of the last thing printed

    def _blank(self) -> None:
        if self.out and self.out[-1] != "" and not self.out[-1].endswith("{"):
            self.out.append("")

    def comments_before(self, line: int, indent: str, top: bool) -> None:
        while self.pending and self.pending[0].line < line:
            c = self.pending.pop(0)
            if top and self.out and self.out[-1] == "}":
                self._blank()
            elif c.line - self.last_line > 1:
                self._blank()
            self.out.append(indent + c.text)
            self.last_line = c.line

    def trailing(self, line: int) -> str:
        texts = []
        while self.pending and self.pending[0].line <= line and not self.pending[0].own_line:
            texts.append(self.pending.pop(0).text)
        return ("  " + " ".join(texts)) if texts else ""

    def element(self, line: int, text: str, indent: str, top: bool, end_line: int) -> None:
        self.comments_before(line, indent, top)
        if (
            top
            and self.out
            and (
                self.out[-1] == "}" or line - self.last_line > 1 or not self.out[-1].startswith("#")
            )
        ):
            self._blank()
        elif line - self.last_line > 1:
            self._blank()
        self.out.append(indent + text + self.trailing(line))
        self.last_line = end_line

    def block(self, body: tuple[ast.Statement, ...], indent: str, close_line: int) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Layer, ast.Task)):
                head = f"layer {stmt.name.text}" if isinstance(stmt, ast.Layer) else stmt.name.text
                self.element(stmt.span.line, f"{head} {{", indent, False, stmt.span.line)
                self.block(stmt.body, indent + "  ", stmt.span.end_line)
                continue
            self.element(stmt.span.line, _statement(stmt), indent, False, stmt.span.end_line)
        self.comments_before(close_line, indent, False)
        self.out.append(indent[:-2] + "}" + self.trailing(close_line))
        self.last_line = close_line

    def section(self, sec: ast.Section) -> None:
        head = sec.kind
        if sec.label is not None:
            head += f" {sec.label.text}"
        if sec.path is not None:
            head += f" {_string(sec.path.text)}"
        if sec.body is None:
            self.element(sec.span.line, head, "", True, sec.span.end_line)
            return
        if not sec.body:
            self.element(sec.span.line, head + " {}", "", True, sec.span.end_line)
            return
        self.element(sec.span.line, head + " {", "", True, sec.span.line)
        self.block(sec.body, "  ", sec.span.end_line)


def format_spec(spec: ast.Spec) -> str:
    """The canonical text of a parsed spec (ends with one newline)."""
    p = _Printer(spec)
    for sec in spec.sections:
        p.section(sec)
    for c in p.pending:
        if p.out and p.out[-1] == "}":
            p._blank()
        p.out.append(c.text)
    while p.out and p.out[-1] == "":
        p.out.pop()
    return "\n".join(p.out) + "\n"
