"""Locate the data files that travel with specc (the grammar, backend templates).

In a wheel they live inside the package under ``specc/_data/`` (pyproject.toml force-includes
them); in a source checkout they are the top-level ``grammar/`` and ``backends/`` folders. Both are
found relative to this package, never relative to the current directory.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["data_path"]


def data_path(*parts: str) -> Traversable:
    """The packaged data file or folder ``parts`` (e.g. ``data_path("grammar", "specc.lark")``).

    Raises:
        FileNotFoundError: when neither the wheel nor the checkout has it.
    """
    packaged = resources.files("specc").joinpath("_data", *parts)
    if packaged.is_file() or packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent.joinpath(*parts)
    if checkout.exists():
        return checkout
    raise FileNotFoundError(f"specc data file missing: {'/'.join(parts)} (broken install?)")
