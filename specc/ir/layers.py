"""hls4ml's rule for which reuse factors a layer keeps (the layers themselves and the sizes they
may take are described in :mod:`specc.ir.arch`)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["invalid_sizes", "valid_reuse_factor"]


def valid_reuse_factor(n_in: int, n_out: int, rf: int) -> bool:
    """Whether hls4ml keeps ``rf`` for a layer of this size (resource strategy).

    Mirrors ``FPGABackend._validate_reuse_factor`` of hls4ml 1.3.0; hls4ml replaces any other
    value by the closest valid one with only a printed warning. tests/ir/test_layers.py checks this
    copy against hls4ml's own function when hls4ml is installed.
    """
    if rf < 1 or rf > n_in * n_out:
        return False
    multfactor = min(n_in, rf)
    multiplier_limit = -(-(n_in * n_out) // multfactor)
    ok = (multiplier_limit % n_out == 0) or (rf >= n_in)
    ok = ok and ((rf % n_in == 0) or (rf < n_in))
    return ok and (n_in * n_out) % rf == 0


def invalid_sizes(
    n_ins: Sequence[int], n_outs: Sequence[int], rf: int, count_all: bool = True
) -> tuple[tuple[int, int] | None, int]:
    """The first (n_in, n_out) of ``n_ins x n_outs`` (both ascending) for which hls4ml would
    not keep ``rf``, and how many such pairs there are; ``(None, 0)`` when it keeps it for all.

    :func:`valid_reuse_factor` solved for sets, so that wide ranges cost their length and not
    the product's: below ``n_in``, ``rf`` must divide ``n_in`` (whatever ``n_out``); from
    ``n_in`` on, ``rf`` must be ``n_in * j`` with ``j`` dividing ``n_out``.
    tests/ir/test_layers.py checks it against the pair-by-pair rule.

    Args:
        count_all: False stops at the first invalid pair (the count is then 0 or more).
    """
    outs = n_outs
    first: tuple[int, int] | None = None
    count = 0
    for n_in in n_ins:
        if not outs:
            break
        if rf < 1:
            bad = outs
        elif rf < n_in:
            bad = outs if n_in % rf else ()
        elif rf % n_in:
            bad = outs
        else:
            j = rf // n_in
            bad = tuple(o for o in outs if o % j)
        if bad:
            count += len(bad)
            if first is None:
                first = (n_in, bad[0])
            if not count_all:
                break
    return first, count
