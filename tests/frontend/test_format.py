"""``specc fmt``: idempotent, meaning-preserving, comment-preserving (property tests).

How many examples each property draws is the Hypothesis profile's (tests/conftest.py: "fast" by
default, HYPOTHESIS_PROFILE=thorough for the full budget)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specc.frontend.format import format_spec
from specc.frontend.parser import SECTION_KEYWORDS, parse

KEYWORDS = {"layer", "step", "log", "minimize", "maximize", *SECTION_KEYWORDS}

names = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
numbers = st.one_of(
    st.integers(0, 5000).map(str),
    st.sampled_from(["1e-7", "1e-2", "0.5", "2.25", "3E4", "-1", "+2", ".5"]),
)
units = st.sampled_from(["", " ns", "%", " MHz", " h", " min", " epochs"])
quantity = st.builds(lambda n, u: n + u, numbers, units)
power = st.builds(lambda a, b: f"{a}^{b}", st.integers(1, 9), st.integers(0, 12))
strings = st.from_regex(r"[A-Za-z0-9_./ #-]{0,12}", fullmatch=True).map(lambda s: f'"{s}"')
scalar = st.one_of(quantity, power, names, strings)
bound = st.one_of(quantity, power)
rng = st.builds(
    lambda lo, hi, tail: f"{lo}..{hi}{tail}",
    bound,
    bound,
    st.sampled_from(["", " log", " step 2", " step 0.5 ns"]),
)
choice = st.lists(scalar, min_size=1, max_size=4).map(lambda xs: "{" + " ,".join(xs) + "}")
fixed = st.builds(
    lambda w, i: f"ap_fixed< {w},{i} >", st.one_of(numbers, rng), st.one_of(numbers, choice)
)
value = st.one_of(scalar, rng, choice, fixed)
space = st.sampled_from([" ", "  ", "\t", ""])
comment = st.from_regex(r"#[^\n\r]{0,15}", fullmatch=True)
trailing = st.one_of(st.just(""), comment.map(lambda c: "  " + c))
gap = st.lists(st.one_of(st.just(""), comment), max_size=2).map(
    lambda xs: "".join(x + "\n" for x in xs)
)
assign = st.builds(
    lambda k, s, v, t, g: f"{g}  {k}{s}={s}{v}{t}\n", names, space, value, trailing, gap
)
layer = st.builds(
    lambda n, body: f"  layer {n} {{\n" + "".join("  " + a for a in body) + "  }\n",
    names,
    st.lists(assign, max_size=2),
)
objective = st.builds(
    lambda s, ms, t: f"  {s} {', '.join(ms)}{t}\n",
    st.sampled_from(["minimize", "maximize"]),
    st.lists(names, min_size=1, max_size=3),
    trailing,
)
constraint = st.builds(
    lambda m, op, v, t: f"  {m} {op} {v}{t}\n",
    names,
    st.sampled_from(["<=", ">=", "<", ">", "=="]),
    quantity,
    trailing,
)


def _block(head: str, stmts: list[str], t: str) -> str:
    return f"{head} {{{t}\n" + "".join(stmts) + "}\n"


section = st.one_of(
    st.builds(lambda n, t: f"design {n}{t}\n", names, trailing),
    st.builds(
        lambda n, p, b: f"dataset {n}{p}" + (_block("", b, "") if b is not None else "\n"),
        names,
        st.sampled_from(["", ' "data/x.csv"']),
        st.one_of(st.none(), st.lists(assign, max_size=3)),
    ),
    st.builds(lambda n, b: "model " + n + _block("", b, ""), names, st.lists(assign, max_size=3)),
    st.builds(lambda b: _block("train", b, ""), st.lists(assign, max_size=3)),
    st.builds(
        lambda b, t: _block("hls", b, t), st.lists(st.one_of(assign, layer), max_size=4), trailing
    ),
    st.builds(
        lambda p: f"target {p}\n", st.sampled_from(["xc7z020clg400-1", "xcu250-figd2104-2L-e"])
    ),
    st.builds(lambda b: _block("objectives", b, ""), st.lists(objective, max_size=3)),
    st.builds(lambda b: _block("constraints", b, ""), st.lists(constraint, max_size=3)),
)
specs = st.builds(
    lambda secs, gaps, tail: "".join(g + s for g, s in zip(gaps, secs, strict=False)) + tail,
    st.lists(section, min_size=1, max_size=6),
    st.lists(
        st.one_of(st.just(""), st.just("\n\n"), comment.map(lambda c: c + "\n")),
        min_size=6,
        max_size=6,
    ),
    st.one_of(st.just(""), comment),
)


@given(specs)
def test_fmt_keeps_meaning(text: str) -> None:
    tree = parse(text)
    assert parse(format_spec(tree)) == tree


@given(specs)
def test_fmt_is_idempotent(text: str) -> None:
    once = format_spec(parse(text))
    assert format_spec(parse(once)) == once


@given(specs)
def test_fmt_keeps_every_comment(text: str) -> None:
    tree = parse(text)
    assert [c.text for c in parse(format_spec(tree)).comments] == [c.text for c in tree.comments]


def test_fmt_canonical_layout() -> None:
    text = (
        "# head\ndesign   d # why\n\n\n\nhls{\n precision=ap_fixed<16,6>\n\n\n"
        "  reuse_factor={1,2 ,4}\n layer fc1 { strategy = resource }\n}\n"
        "objectives {\nminimize fixed_error,latency_ns\n}"
    )
    assert format_spec(parse(text)) == (
        "# head\n"
        "design d  # why\n"
        "\n"
        "hls {\n"
        "  precision = ap_fixed<16, 6>\n"
        "\n"
        "  reuse_factor = {1, 2, 4}\n"
        "  layer fc1 {\n"
        "    strategy = resource\n"
        "  }\n"
        "}\n"
        "\n"
        "objectives {\n"
        "  minimize fixed_error, latency_ns\n"
        "}\n"
    )


# Sections whose labels and keys come from the real vocabulary, so lowering and the checks run
# deep instead of stopping at the first unknown name.
real_keys = st.sampled_from(
    sorted(
        {
            k.name
            for keys in __import__("specc.ir.schema").ir.schema.SECTION_KEYS.values()
            for k in keys
        }
    )
)
real_assign = st.builds(lambda k, v: f"  {k} = {v}\n", real_keys, value)
real_sections = st.lists(
    st.one_of(
        st.sampled_from(
            ["design d\n", "target xc7z020clg400-1\n", "target xc7z020clg400-1 {\n  dsp = 9\n}\n"]
        ),
        st.builds(
            lambda n, b: f"dataset {n} {{\n{''.join(b)}}}\n",
            st.sampled_from(["digits", "mnist", 'csv "x.csv"', 'npz "x.npz"']),
            st.lists(real_assign, max_size=3),
        ),
        st.builds(
            lambda n, b: f"model {n} {{\n{''.join(b)}}}\n",
            st.sampled_from(["mlp", "cnn", 'keras "m.keras"']),
            st.lists(real_assign, max_size=4),
        ),
        st.builds(
            lambda s, b: f"{s} {{\n{''.join(b)}}}\n",
            st.sampled_from(["train", "hls", "search"]),
            st.lists(st.one_of(real_assign, layer), max_size=4),
        ),
        st.builds(lambda b: _block("objectives", b, ""), st.lists(objective, max_size=2)),
        st.builds(lambda b: _block("constraints", b, ""), st.lists(constraint, max_size=2)),
    ),
    min_size=1,
    max_size=8,
).map("".join)


# Two families of inputs, so twice the profile's examples.
@settings(max_examples=2 * settings.default.max_examples)
@given(st.one_of(specs, real_sections))
def test_check_never_raises(text: str) -> None:
    from specc.compiler import check_text

    result = check_text(text, "fuzz.cds")
    assert result.ok or result.diagnostics
