"""Text -> AST. Wraps the lark grammar in ``grammar/specc.lark``.

Syntax errors become diagnostics (code E0101) with a span and a hint; they never escape as lark
exceptions.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.tree import Meta

from specc import _resources
from specc.diagnostics import Diagnostic, DiagnosticError, Severity, Span, did_you_mean
from specc.frontend import ast

__all__ = ["SECTION_KEYWORDS", "parse", "parse_file"]

SECTION_KEYWORDS = (
    "design",
    "dataset",
    "model",
    "train",
    "compress",
    "hls",
    "target",
    "objectives",
    "constraints",
    "search",
)

# How a terminal is named in an error message.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "PART": "a part number",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "UNIT": "a unit",
    "CMP": "a comparison (<=, >=)",
    "_NL": "end of line (or ';')",
    "LOG": "'log'",
    "$END": "end of file",
}


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = _resources.data_path("grammar", "specc.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def _span(file: str, meta: Meta | Token) -> Span:
    return Span(file, meta.line or 0, meta.column or 0, meta.end_line or 0, meta.end_column or 0)


class _ToAst(Transformer[Token, Any]):
    """Lark tree -> AST nodes. One method per grammar rule."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _s(self, meta: Meta | Token) -> Span:
        return _span(self.file, meta)

    def _name(self, tok: Token) -> ast.Name:
        return ast.Name(str(tok), self._s(tok))

    @v_args(meta=True)
    def start(self, meta: Meta, children: list[ast.Section]) -> tuple[ast.Section, ...]:
        return tuple(children)

    def _section(
        self, kind: str, meta: Meta, label: Token | None, path: Any, body: Any
    ) -> ast.Section:
        span = self._s(meta)
        kw = Span(self.file, span.line, span.col, span.line, span.col + len(kind))
        return ast.Section(
            kind,
            self._name(label) if label is not None else None,
            ast.String(_unquote(path), self._s(path)) if path is not None else None,
            tuple(body) if body is not None else None,
            span,
            kw,
        )

    @v_args(meta=True)
    def design(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("design", meta, c[0], None, None)

    @v_args(meta=True)
    def dataset(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("dataset", meta, c[0], c[1], c[2])

    @v_args(meta=True)
    def model(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("model", meta, c[0], c[1], c[2])

    @v_args(meta=True)
    def train(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("train", meta, None, None, c[0])

    @v_args(meta=True)
    def compress(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("compress", meta, None, None, c[0])

    @v_args(meta=True)
    def hls(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("hls", meta, None, None, c[0])

    @v_args(meta=True)
    def target(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("target", meta, c[0], None, c[1])

    @v_args(meta=True)
    def objectives(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("objectives", meta, None, None, [x for x in c if x is not None])

    @v_args(meta=True)
    def constraints(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("constraints", meta, None, None, [x for x in c if x is not None])

    @v_args(meta=True)
    def search(self, meta: Meta, c: list[Any]) -> ast.Section:
        return self._section("search", meta, None, None, c[0])

    def block(self, c: list[Any]) -> list[Any]:
        return [x for x in c if x is not None]

    @v_args(meta=True)
    def layer(self, meta: Meta, c: list[Any]) -> ast.Layer:
        return ast.Layer(self._name(c[0]), tuple(c[1]), self._s(meta))

    @v_args(meta=True)
    def task(self, meta: Meta, c: list[Any]) -> ast.Task:
        return ast.Task(self._name(c[0]), tuple(c[1]), self._s(meta))

    @v_args(meta=True)
    def assign(self, meta: Meta, c: list[Any]) -> ast.Assign:
        return ast.Assign(self._name(c[0]), c[1], self._s(meta))

    @v_args(meta=True)
    def objective(self, meta: Meta, c: list[Any]) -> ast.Objective:
        return ast.Objective(c[0], tuple(self._name(t) for t in c[1:]), self._s(meta))

    def sense(self, c: list[Token]) -> str:
        return str(c[0])

    @v_args(meta=True)
    def constraint(self, meta: Meta, c: list[Any]) -> ast.Constraint:
        return ast.Constraint(self._name(c[0]), str(c[1]), c[2], self._s(meta))

    @v_args(meta=True)
    def range(self, meta: Meta, c: list[Any]) -> ast.Range:
        lo, hi = c[0], c[1]
        step = c[2] if len(c) > 2 and isinstance(c[2], ast.Quantity) else None
        log = len(c) > 2 and isinstance(c[2], Token) and c[2].type == "LOG"
        return ast.Range(lo, hi, step, log, self._s(meta))

    def step(self, c: list[ast.Quantity]) -> ast.Quantity:
        return c[0]

    @v_args(meta=True)
    def choice(self, meta: Meta, c: list[Any]) -> ast.Choice:
        return ast.Choice(tuple(c), self._s(meta))

    @v_args(meta=True)
    def fixed_type(self, meta: Meta, c: list[Any]) -> ast.FixedType:
        return ast.FixedType(self._name(c[0]), c[1], c[2], self._s(meta))

    @v_args(meta=True)
    def quantity(self, meta: Meta, c: list[Any]) -> ast.Quantity:
        return ast.Quantity(str(c[0]), str(c[1]) if c[1] is not None else None, self._s(meta))

    @v_args(meta=True)
    def power(self, meta: Meta, c: list[Token]) -> ast.Power:
        return ast.Power(str(c[0]), str(c[1]), self._s(meta))

    @v_args(meta=True)
    def word(self, meta: Meta, c: list[Token]) -> ast.Word:
        return ast.Word(str(c[0]), self._s(meta))

    @v_args(meta=True)
    def string(self, meta: Meta, c: list[Token]) -> ast.String:
        return ast.String(_unquote(c[0]), self._s(meta))


def _unquote(tok: Token | str) -> str:
    body = str(tok)[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


def _describe_expected(expected: set[str]) -> str:
    words = []
    for name in sorted(expected):
        if name in _TERMINAL_WORDS:
            words.append(_TERMINAL_WORDS[name])
            continue
        pattern = _parser().get_terminal(name).pattern
        value = getattr(pattern, "value", name)
        words.append(f"'{value}'")
    words = sorted(set(words))
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _unclosed_brace(text: str) -> tuple[int, int] | None:
    """Line and column of the last '{' that is never closed (ignoring strings and comments)."""
    stack: list[tuple[int, int]] = []
    line, col = 1, 0
    in_string = in_comment = False
    prev = ""
    for ch in text:
        col += 1
        if ch == "\n":
            line, col, in_comment = line + 1, 0, False
        elif in_comment:
            pass
        elif in_string:
            if ch == '"' and prev != "\\":
                in_string = False
        elif ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = True
        elif ch == "{":
            stack.append((line, col))
        elif ch == "}" and stack:
            stack.pop()
        prev = ch
    return stack[-1] if stack else None


def _syntax_error(err: UnexpectedInput, text: str, file: str) -> Diagnostic:
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        ch = text[pos] if pos < len(text) else ""
        span = Span(file, err.line, err.column, err.line, err.column + 1)
        if ch == '"':
            return Diagnostic(
                Severity.ERROR, "E0101", span, "unterminated string", "close it with '\"'"
            )
        return Diagnostic(
            Severity.ERROR,
            "E0101",
            span,
            f"unexpected character {ch!r}",
            f"expected {_describe_expected(set(err.allowed or ()))}",
        )
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    expected = set(err.expected)
    if tok.type == "$END":
        lines = text.rstrip("\n").split("\n")
        span = Span.point(file, len(lines), len(lines[-1]) + 1)
        open_brace = _unclosed_brace(text)
        hint = (
            f"the '{{' at line {open_brace[0]} column {open_brace[1]} is never closed"
            if open_brace
            else f"expected {_describe_expected(expected)}"
        )
        return Diagnostic(Severity.ERROR, "E0101", span, "unexpected end of file", hint)
    span = _span(file, tok)
    if str(tok) == "=":
        # `a = 1  b = 2`: the second key was read as the first value's unit (or a word).
        line = text.split("\n")[(tok.line or 1) - 1][: (tok.column or 1) - 1]
        joined = re.search(r"=\s*\S.*?\s([A-Za-z_]\w*)\s*$", line)
        if joined:
            key = joined.group(1)
            start = line.rindex(key) + 1
            return Diagnostic(
                Severity.ERROR,
                "E0101",
                Span(file, tok.line or 0, start, tok.line or 0, start + len(key)),
                f"two statements on one line: '{key} =' follows a value",
                f"end each statement with a newline or ';', e.g. '...; {key} = ...'",
            )
    shown = "end of line" if tok.type == "_NL" else repr(str(tok))
    if tok.type == "_NL":
        span = Span.point(file, tok.line or 0, tok.column or 0)
    message = f"unexpected {shown}"
    keywords = [k for k in SECTION_KEYWORDS if k.upper() in expected]
    if (keywords and tok.type in ("NAME", "PART")) or (keywords and len(keywords) > 3):
        message = f"unexpected {shown}: a spec is made of sections"
        guess = did_you_mean(str(tok), SECTION_KEYWORDS) if tok.type != "_NL" else None
        hint = f"did you mean '{guess}'?" if guess else "start a section: " + ", ".join(keywords)
        return Diagnostic(Severity.ERROR, "E0101", span, message, hint)
    if "LAYER" in expected and "NAME" in expected and tok.type != "NAME":
        hint = "expected 'key = value' or 'layer NAME { ... }'"
    elif "SENSE" in expected or "MINIMIZE" in expected:
        guess = did_you_mean(str(tok), ("minimize", "maximize"))
        hint = (
            f"did you mean '{guess}'?" if guess else "write 'minimize METRIC' or 'maximize METRIC'"
        )
    elif tok.type == "NAME" and "EQUAL" in expected:
        hint = "expected '=' after the key"
    else:
        hint = f"expected {_describe_expected(expected)}"
    return Diagnostic(Severity.ERROR, "E0101", span, message, hint)


def parse(text: str, file: str = "<spec>") -> ast.Spec:
    """Parse the text of a .cds file.

    Args:
        text: the spec.
        file: the name used in spans and diagnostics.

    Returns:
        The syntax tree, comments included.

    Raises:
        DiagnosticError: on a syntax error (code E0101).
    """
    comments: list[ast.Comment] = []
    line_has_code: set[int] = set()

    def on_comment(tok: Token) -> None:
        comments.append(ast.Comment(str(tok), tok.line or 0, tok.column or 0, own_line=False))

    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = _parser().parse(text, on_error=None)
        # Comments are ignored by the grammar; a second pass with the lexer collects them.
        for tok in _parser().lex(text, dont_ignore=True):
            if tok.type == "COMMENT":
                on_comment(tok)
            elif tok.type not in ("_NL",) and not tok.type.startswith("__"):
                line_has_code.add(tok.line or 0)
    except UnexpectedInput as err:
        raise DiagnosticError([_syntax_error(err, text, file)]) from None
    sections = _ToAst(file).transform(tree)
    marked = tuple(
        ast.Comment(c.text, c.line, c.col, own_line=c.line not in line_has_code) for c in comments
    )
    return ast.Spec(sections, marked, file)


def parse_file(path: str) -> tuple[ast.Spec, str]:
    """Read and parse a file; returns the tree and the text (for rendering diagnostics)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    return parse(text, path), text
