"""The syntax tree of a .cds file: frozen dataclasses, each with the span it came from.

Spans do not take part in equality, so two trees that say the same thing compare equal however
they were laid out (this is what ``parse(fmt(s)) == parse(s)`` relies on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from specc.diagnostics import Span

__all__ = [
    "Assign",
    "Choice",
    "Comment",
    "Constraint",
    "FixedType",
    "Layer",
    "Name",
    "Objective",
    "Power",
    "Quantity",
    "Range",
    "Scalar",
    "Section",
    "Spec",
    "Statement",
    "String",
    "Task",
    "Value",
    "Word",
]


@dataclass(frozen=True)
class Name:
    """An identifier as written, e.g. a key, a section label or a metric."""

    text: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Quantity:
    """A number with an optional unit: ``5``, ``1e-3``, ``5 ns``, ``80%``."""

    text: str
    unit: str | None
    span: Span = field(compare=False, repr=False)

    @property
    def number(self) -> int | float:
        try:
            return int(self.text)
        except ValueError:
            return float(self.text)


@dataclass(frozen=True)
class Power:
    """``base^exp``, e.g. ``2^8``."""

    base: str
    exp: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Word:
    """A bare identifier used as a value: ``relu``, ``vivado``."""

    text: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class String:
    """A double-quoted string; ``text`` is the content without quotes or escapes."""

    text: str
    span: Span = field(compare=False, repr=False)


Scalar = Union[Quantity, Power, Word, String]


@dataclass(frozen=True)
class Range:
    """``lo..hi``, optionally ``step s`` or ``log``."""

    lo: Quantity | Power
    hi: Quantity | Power
    step: Quantity | None
    log: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Choice:
    """``{a, b, c}``: one of the listed values."""

    items: tuple[Scalar, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class FixedType:
    """``ap_fixed<W, I>``; W and I may themselves be ranges or choices."""

    name: Name
    width: Value
    integer: Value
    span: Span = field(compare=False, repr=False)


Value = Union[Quantity, Power, Word, String, Range, Choice, FixedType]


@dataclass(frozen=True)
class Assign:
    """``key = value``."""

    key: Name
    value: Value
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Layer:
    """``layer NAME { ... }``: knobs for one layer inside ``hls``."""

    name: Name
    body: tuple[Assign, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Task:
    """``prune { ... }``: one compression task inside ``compress``."""

    name: Name
    body: tuple[Assign, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Objective:
    """``minimize a, b`` or ``maximize a``."""

    sense: str
    metrics: tuple[Name, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Constraint:
    """``metric <= value``."""

    metric: Name
    op: str
    value: Value
    span: Span = field(compare=False, repr=False)


Statement = Union[Assign, Layer, Task, Objective, Constraint]


@dataclass(frozen=True)
class Section:
    """A top-level section: ``design``, ``dataset``, ``model``, ``train``, ``hls``, ``target``,
    ``objectives``, ``constraints`` or ``search``.

    ``label`` is the word after the keyword (dataset name, model family, part, design name);
    ``path`` the optional quoted file; ``body`` the statements between braces, or None when the
    section has no braces.
    """

    kind: str
    label: Name | None
    path: String | None
    body: tuple[Statement, ...] | None
    span: Span = field(compare=False, repr=False)
    keyword_span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Comment:
    """A ``#`` comment, kept so that ``specc fmt`` can put it back."""

    text: str
    line: int
    col: int
    own_line: bool


@dataclass(frozen=True)
class Spec:
    """A parsed .cds file."""

    sections: tuple[Section, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)
    file: str = field(default="<spec>", compare=False)

    def find(self, kind: str) -> list[Section]:
        return [s for s in self.sections if s.kind == kind]
