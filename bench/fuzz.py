"""Fuzz the front end: what `specc check` accepts must build; nothing it reads hangs or crashes.

Specs come from the examples, mutated the way the grammar sees them (tokens replaced by edge
values, keys of the schema added with generated values, tokens and lines deleted, duplicated
or garbled), and from hand-made edge cases (the regressions of issue 15: huge powers, long
integers, fine float steps, bad data file headers, seeds out of range, odd part names). Each
goes through the public API (``specc.compiler.check_text``); an accepted spec then goes
through what ``build`` does before it trains (the search dimensions, the ConfigSpace space and
a sample of it, the trial pipeline's resolution of the default point, the part's project
settings), so "check accepts what build crashes on" is counted too. A share runs through the
CLI (``specc check`` in a subprocess, some as non-UTF-8 files).

Counted: specs tried; uncaught exceptions (API: anything ``check_text`` or the pre-build steps
raise; CLI: a traceback); internal errors (CLI exit 70, or a hang past --hang-s); diagnostics
without a position (a span at line 0, or a CLI error line without ``file:line:col``); and the
slowest ``check`` in seconds.

    python bench/fuzz.py [--n 10000] [--cli 200] [--seed 0] [--json] [--show 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.compiler import CheckResult, check_text  # noqa: E402
from specc.frontend.parser import _parser  # noqa: E402
from specc.ir.schema import SECTION_KEYS  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.cds"))

# Values a number, a word, a string or a part may become.
EDGE_NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "-0",
    "0.5",
    "1e-12",
    "1e308",
    "1e999",
    "-1e999",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "9" * 5000,
    "0." + "0" * 400 + "1",
    "12^1000",
    "7^999999999",
    "2^64",
    "2^1000000",
    "0^0",
    "1.5^2",
    "-2^3",
    "10^-3",
    "3e4",
    ".5",
    "+7",
    "100000000000000000000000000000000",
    "1e-320",
]
EDGE_RANGES = [
    "4..10 step 0.000001 ns",
    "1..1000000000 step 1",
    "0..1e12",
    "1e-300..1e300 log",
    "2^0..2^60",
    "2^1..2^999999",
    "1..2 step 1e-300",
    "0.0..1.0 step 0.0000001",
    "1..4294967296",
    "-5..5",
    "1..1e20 log",
    "1..100000 step 1",
    "{" + ", ".join(str(i) for i in range(3000)) + "}",
    "1..3 step 0",
    "3..1",
]
EDGE_STRINGS = [
    '""',
    '"../../etc/passwd"',
    '"/dev/zero"',
    '"data/breast_cancer.csv"',
    '"' + "a" * 5000 + '"',
    '"data"',
    '"x.npz"',
    '"bad.npz"',
    '"strshape.npz"',
    '"longhead.csv"',
    '"nan.csv"',
    '"notmodel.keras"',
    '"data/digits_mlp.keras"',
    '"bin.csv"',
    '"empty.csv"',
    '"\\"quoted\\""',
    '"dir/"',
    '"🙂.csv"',
]
EDGE_PARTS = [
    "x..y",
    "xc7z020clg400-1",
    "xc7z020",
    "xcvu9p-flga2104-2L-e",
    "x",
    "a.b.c",
    "xc7z020-",
    "A-",
    "xc7z020clg400-1-1-1-1-1",
    "z" * 300,
    "xcku115-flvb2104-2-e",
]
EDGE_WORDS = [
    "design",
    "dataset",
    "model",
    "layer",
    "log",
    "step",
    "minimize",
    "fc1",
    "conv1",
    "none",
    "ap_fixed",
    "relu",
    "keras",
    "npz",
    "csv",
    "mnist",
    "x",
    "_",
    "a" * 300,
    "latency_ns",
    "stream",
    "resource",
    "vitis",
    "random",
    "separate",
    "lut",
    "dsp",
    "fixed_accuracy",
]
GARBAGE = [
    "{",
    "}",
    "=",
    "..",
    "<",
    ">",
    ",",
    "^",
    "\n",
    "#",
    '"',
    "\t",
    "\r",
    "\x00",
    "é",
    "\ufeff",
    "\\",
    "ap_fixed<",
    "step",
    "log",
    "layer x {",
    "}\n}",
    "{\n",
]


@dataclass
class Case:
    """One spec to check: its text (or bytes for the CLI), the files beside it, a label."""

    text: str | bytes
    origin: str


@dataclass
class Outcome:
    specs: int = 0
    exceptions: int = 0
    internal_errors: int = 0
    unpositioned: int = 0
    slowest_s: float = 0.0
    slowest_origin: str = ""
    accepted: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, what: str, show: int) -> None:
        seen = self.examples.setdefault(kind, [])
        if len(seen) < show:
            seen.append(what)


# ---- data files the mutated specs may name ------------------------------------------------------


def _npy(header: str, body: bytes = b"") -> bytes:
    raw = header.encode("latin1")
    pad = 64 - (10 + len(raw) + 1) % 64
    raw += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + body


def _npz(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def write_data_files(folder: Path) -> None:
    """Files with bad headers, beside the fuzzed specs (names in EDGE_STRINGS)."""
    import shutil

    shutil.copytree(ROOT / "examples" / "data", folder / "data", dirs_exist_ok=True)
    good_x = _npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8, 8), }", bytes(4 * 64 * 4)
    )
    good_y = _npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", bytes(4 * 8))
    _npz(folder / "x.npz", {"x.npy": good_x, "y.npy": good_y})
    _npz(folder / "bad.npz", {"x.npy": b"\x93NUMPY\x01\x00\xff\xff{'shape': (", "y.npy": b"junk"})
    _npz(
        folder / "strshape.npz",
        {
            "x.npy": _npy("{'descr': '<f4', 'fortran_order': False, 'shape': ('a', 'b'), }"),
            "y.npy": _npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"),
        },
    )
    (folder / "longhead.csv").write_text("a" * (200 * 1024) + ",label\n1,0\n2,1\n")
    (folder / "nan.csv").write_text("a,b,label\n1,nan,0\ninf,2,1\n3,4,0\n")
    (folder / "bin.csv").write_bytes(os.urandom(2000))
    (folder / "empty.csv").write_bytes(b"")
    (folder / "notmodel.keras").write_bytes(b"this is not a model")
    (folder / "dir").mkdir(exist_ok=True)


# ---- mutations ------------------------------------------------------------------------------


def _tokens(text: str) -> list[Any]:
    try:
        return [t for t in _parser().lex(text, dont_ignore=True) if t.type not in ("_NL",)]
    except Exception:
        return []


def _replace(text: str, tok: Any, new: str) -> str:
    start = tok.start_pos
    return text[:start] + new + text[start + len(str(tok)) :]


def _pick_key(rng: random.Random) -> tuple[str, Any]:
    section = rng.choice(list(SECTION_KEYS))
    keys = SECTION_KEYS[section]
    if not keys:
        section, keys = "train", SECTION_KEYS["train"]
    return section, rng.choice(keys)


def _value_for(rng: random.Random, key: Any) -> str:
    """A generated value of the key's type, often at or past its bounds."""
    unit = {
        "period": rng.choice(["", " ns", " MHz", " ps", " us", " GHz"]),
        "duration": rng.choice([" s", " min", " h", ""]),
        "fraction": rng.choice(["", "%"]),
    }.get(key.type, "")
    if key.type == "enum":
        pick = rng.random()
        if pick < 0.5:
            return rng.choice(key.choices)
        if pick < 0.8:
            return (
                "{" + ", ".join(rng.sample(key.choices, k=rng.randint(1, len(key.choices)))) + "}"
            )
        return rng.choice(EDGE_WORDS)
    if key.type in ("str", "label"):
        return rng.choice([*EDGE_STRINGS, "0", "-1", "99", "label", "a"])
    if key.type == "precision":
        w = rng.choice(["16", "8..16", "2..64", "0", "65", "1^1", "{4, 8}", "8^9", "-1"])
        i = rng.choice(["6", "0..6", "64", "3..9", "-1", "99999999999999999999", "2^70"])
        return f"{rng.choice(['ap_fixed', 'ap_ufixed', 'ap_int', 'fixed'])}<{w}, {i}>"
    lo, hi = key.lo, key.hi
    candidates = [rng.choice(EDGE_NUMBERS)]
    for bound in (lo, hi):
        if bound is not None:
            candidates += [repr(bound), repr(bound + 1), repr(bound - 1), repr(bound * 10)]
    if rng.random() < 0.4:
        return rng.choice(EDGE_RANGES)
    if rng.random() < 0.3:
        a, b = sorted([rng.choice(candidates), rng.choice(candidates)])
        return f"{a}..{b}" + rng.choice(["", " log", " step 1", " step 0.5", " step 1e-9"]) + unit
    return rng.choice(candidates) + unit


def mutate(rng: random.Random, text: str) -> str:
    """One grammar-aware mutation of a spec (most often), or up to four."""
    for _ in range(1 if rng.random() < 0.6 else rng.randint(2, 4)):
        toks = _tokens(text)
        kind = rng.random()
        if toks and kind < 0.35:
            tok = rng.choice(toks)
            pool = {
                "NUMBER": EDGE_NUMBERS + EDGE_RANGES,
                "STRING": EDGE_STRINGS,
                "PART": EDGE_PARTS,
                "NAME": EDGE_WORDS + EDGE_PARTS,
            }.get(tok.type)
            new = rng.choice(pool) if pool else rng.choice(GARBAGE + EDGE_WORDS)
            text = _replace(text, tok, new)
        elif kind < 0.6:
            section, key = _pick_key(rng)
            head = section.split(":")[0]
            line = f"  {key.name} = {_value_for(rng, key)}\n"
            if head == "layer":
                name = rng.choice(["fc1", "fc2", "conv1", "output", "x"])
                line = f"  layer {name} {{\n  {line}  }}\n"
                head = "hls"
            m = re.search(rf"^{head}\b[^\n]*\{{\n", text, re.MULTILINE)
            if m:
                text = text[: m.end()] + line + text[m.end() :]
            elif head in ("train", "hls", "search"):
                text += f"\n{head} {{\n{line}}}\n"
        elif toks and kind < 0.7:
            tok = rng.choice(toks)
            text = _replace(text, tok, "")
        elif toks and kind < 0.78:
            tok = rng.choice(toks)
            text = _replace(text, tok, f"{tok} {tok}")
        elif kind < 0.86:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                del lines[i]
            else:
                lines.insert(rng.randrange(len(lines) + 1), lines[i])
            text = "\n".join(lines)
        elif kind < 0.94:
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(GARBAGE) + text[pos:]
        else:
            # A one-line block, a section moved, or everything on one line.
            choice = rng.random()
            if choice < 0.4:
                text = re.sub(r"\{\n\s*", "{ ", text, count=1)
            elif choice < 0.7:
                parts = text.split("\n\n")
                rng.shuffle(parts)
                text = "\n\n".join(parts)
            else:
                text = text.replace("\n", " ")
    return text


def hand_made() -> Iterator[Case]:
    """The edge cases of issue 15 (and their neighbours), on the default example."""
    base = (ROOT / "examples" / "digits_mlp.cds").read_text()

    def sub(old: str, new: str) -> str:
        assert old in base, old
        return base.replace(old, new, 1)

    yield Case(sub("clock_period = 5 ns", "clock_period = 4..10 step 0.000001 ns"), "fine step")
    yield Case(sub("hidden_layers = 1..2", "hidden_layers = 7^999999999"), "huge power")
    yield Case(sub("hidden_layers = 1..2", "hidden_layers = 12^1000"), "12^1000")
    yield Case(sub("hidden_layers = 1..2", "hidden_layers = " + "9" * 5000), "5000 digits")
    yield Case(sub("seed = 0\n}\n\n#", "seed = 4294967296\n}\n\n#"), "split seed 2^32")
    yield Case(sub("trials = 20\n  seed = 0", "trials = 20\n  seed = 4294967296"), "seed 2^32")
    yield Case(
        sub(
            "target xc7z020clg400-1",
            "target x..y { lut = 1000  ff = 2000  dsp = 10  bram_18k = 10 }",
        ),
        "part x..y",
    )
    yield Case(
        sub(
            "target xc7z020clg400-1",
            "target x..y {\n lut = 1000\n ff = 2000\n dsp = 10\n bram_18k = 10\n}",
        ),
        "part x..y multiline",
    )
    for name in ("x.npz", "bad.npz", "strshape.npz"):
        yield Case(sub("dataset digits {", f'dataset npz "{name}" {{'), f"npz {name}")
    for name in ("longhead.csv", "nan.csv", "bin.csv", "empty.csv"):
        yield Case(sub("dataset digits {", f'dataset csv "{name}" {{'), f"csv {name}")
    keras = (ROOT / "examples" / "keras_digits.cds").read_text()
    yield Case(keras.replace('"data/digits_mlp.keras"', '"notmodel.keras"'), "not a model")
    yield Case(keras.replace('"data/digits_mlp.keras"', '"data/breast_cancer.csv"'), "csv as model")
    yield Case(
        keras.replace("dataset digits", 'dataset csv "data/breast_cancer.csv"'), "model vs data"
    )
    yield Case(
        sub("learning_rate = 1e-4..1e-2 log", "learning_rate = 1e-320..1e-2 log"), "denormal"
    )
    yield Case(sub("epochs = 20", "epochs = 1e999"), "inf epochs")
    yield Case(sub("neurons = 16..64 step 16", "neurons = 1..4096 step 1"), "wide int range")
    yield Case(sub("reuse_factor = {1, 2, 4, 8, 16, 32}", "reuse_factor = 2^0..2^16"), "pow2 rf")
    yield Case(b"\xff\xfe design x\n\x80\x81", "non-UTF-8")
    yield Case(base.encode("utf-8")[:300] + b"\xe9\n" + base.encode("utf-8")[300:], "latin1 byte")


# ---- running --------------------------------------------------------------------------------


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def after_check(result: CheckResult, base: Path) -> None:
    """What build does with an accepted spec before it trains: any exception is a crash."""
    from specc.evaluate.precheck import precheck
    from specc.ir.space import count, dimensions
    from specc.search.space import configspace, to_point
    from specc.templates import safe_name

    spec = result.spec
    assert spec is not None
    dims = dimensions(spec)
    count(dims)
    cs = configspace(spec, spec.search.seed)
    precheck(spec)
    for config in cs.sample_configuration(2):
        precheck(spec, to_point(config))
    # What emit writes into file names, make targets and Tcl.
    safe_name(spec.design, "design")
    safe_name(spec.target.part, "part")


def run_api(case: Case, base: Path, out: Outcome, hang_s: float, show: int, deep: bool) -> None:
    text = case.text if isinstance(case.text, str) else case.text.decode("utf-8", "replace")
    out.specs += 1
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, hang_s)
    start = time.perf_counter()
    took = None
    try:
        result = check_text(text, str(base / "fuzz.cds"), base)
        took = time.perf_counter() - start
        for d in result.diagnostics:
            if d.span.line < 1 or d.span.col < 1:
                out.unpositioned += 1
                out.note("unpositioned", f"{case.origin}: {d.code} {d.message}", show)
                break
        if result.ok:
            out.accepted += 1
            if deep:
                after_check(result, base)
    except _Hang:
        out.internal_errors += 1
        out.note("hang", f"{case.origin}: over {hang_s} s\n{_excerpt(text)}", show)
    except BaseException as err:
        if isinstance(err, KeyboardInterrupt):
            raise
        out.exceptions += 1
        where = traceback.extract_tb(err.__traceback__)[-1]
        out.note(
            "exception",
            f"{case.origin}: {type(err).__name__}: {str(err)[:160]} "
            f"({Path(where.filename).name}:{where.lineno})\n{_excerpt(text)}",
            show,
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    took = took if took is not None else time.perf_counter() - start
    if took > out.slowest_s:
        out.slowest_s, out.slowest_origin = took, case.origin


_POSITIONED = re.compile(r":\d+:\d+: (error|warning)\[")


def run_cli(case: Case, base: Path, out: Outcome, hang_s: float, show: int, i: int) -> None:
    path = base / f"cli_{i}.cds"
    data = case.text.encode("utf-8") if isinstance(case.text, str) else case.text
    path.write_bytes(data)
    out.specs += 1
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "specc", "check", str(path)],
            capture_output=True,
            text=True,
            timeout=hang_s + 5,
            cwd=base,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        out.internal_errors += 1
        out.note("hang", f"cli {case.origin}", show)
        return
    finally:
        path_took = time.perf_counter() - start
    del path_took
    if "Traceback" in proc.stderr:
        out.exceptions += 1
        out.note("exception", f"cli {case.origin}: {proc.stderr[-300:]}", show)
    if proc.returncode == 70:
        out.internal_errors += 1
        out.note("internal", f"cli {case.origin}: {proc.stderr[-300:]}", show)
    elif proc.returncode == 2 and not _POSITIONED.search(proc.stderr):
        out.unpositioned += 1
        out.note("unpositioned", f"cli {case.origin}: {proc.stderr.strip()[:200]}", show)
    elif proc.returncode not in (0, 2):
        out.exceptions += 1
        out.note("exception", f"cli {case.origin}: exit {proc.returncode}", show)


KEEP: list[Path] = []


def _excerpt(text: str) -> str:
    """Where the failing spec was kept (``--keep DIR``), for a reader to rerun it."""
    if not KEEP:
        return "    (rerun with --keep DIR to keep the failing specs)"
    path = KEEP[0] / f"fail_{len(list(KEEP[0].iterdir())):04d}.cds"
    path.write_text(text)
    return f"    kept: {path}"


def cases(rng: random.Random, n: int) -> Iterator[Case]:
    fixed = list(hand_made())
    yield from fixed
    seeds = [(p.name, p.read_text()) for p in EXAMPLES]
    for i in range(n - len(fixed)):
        name, text = seeds[i % len(seeds)]
        yield Case(mutate(rng, text), f"mutation {i} of {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="specs through the API")
    parser.add_argument("--cli", type=int, default=200, help="specs through the CLI")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang-s", type=float, default=10.0, help="a check past this is a hang")
    parser.add_argument("--shallow", action="store_true", help="only check (no pre-build steps)")
    parser.add_argument("--show", type=int, default=5, help="examples of each problem to print")
    parser.add_argument("--keep", type=Path, help="write every failing spec into this folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        KEEP.append(args.keep)
    rng = random.Random(args.seed)
    out = Outcome()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="specc-fuzz-") as tmp:
        base = Path(tmp)
        write_data_files(base)
        all_cases = list(cases(rng, args.n))
        # Warm the parser so the first check is not charged for building it.
        check_text(EXAMPLES[0].read_text(), str(base / "warm.cds"), base)
        for case in all_cases:
            run_api(case, base, out, args.hang_s, args.show, not args.shallow)
        made = list(hand_made())
        cli_cases = made + rng.sample(all_cases, k=max(args.cli - len(made), 0))
        for i, case in enumerate(cli_cases[: args.cli]):
            if isinstance(case.text, str) and rng.random() < 0.1:
                case = Case(
                    case.text.encode("utf-8") + bytes([rng.randrange(128, 256)]), case.origin
                )
            run_cli(case, base, out, args.hang_s, args.show, i)
    figures = {
        "specs": out.specs,
        "exceptions": out.exceptions,
        "internal_errors": out.internal_errors,
        "unpositioned": out.unpositioned,
        "slowest_s": round(out.slowest_s, 3),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"fuzz: {out.specs} specs ({args.n} API, {min(args.cli, len(cli_cases))} CLI) "
            f"in {time.perf_counter() - started:.0f} s; {out.accepted} accepted by check"
        )
        for k, v in figures.items():
            print(f"  {k:16s} {v}")
        print(f"  slowest: {out.slowest_origin}")
        for kind, seen in out.examples.items():
            print(f"\n{kind}:")
            for s in seen:
                print("  " + s)
    bad = out.exceptions + out.internal_errors + out.unpositioned
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
