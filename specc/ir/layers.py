"""hls4ml's rule for which reuse factors a layer keeps (the layers themselves and the sizes they
may take are described in :mod:`specc.ir.arch`)."""

from __future__ import annotations

__all__ = ["valid_reuse_factor"]


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
