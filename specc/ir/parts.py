"""The built-in FPGA part table.

Capacities are the device totals from the Xilinx/AMD product tables (DS190 Zynq-7000, DS891
Zynq UltraScale+ MPSoC, DS890 UltraScale, DS180 7 series, DS962 Alveo U50, DS962/DS1000 Alveo
U250). BRAM is counted in 18 Kb blocks, as HLS reports count ``BRAM_18K`` (one 36 Kb block = two).
A part that is not listed may give its capacities in the spec (``target NAME { lut = ... }``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEVICES", "FAMILIES", "Device", "lookup"]

FAMILIES = ("7series", "ultrascale", "ultrascale+")


@dataclass(frozen=True)
class Device:
    """One device of the table: the prefix of its part numbers and its capacities."""

    name: str
    family: str
    lut: int
    ff: int
    dsp: int
    bram_18k: int
    example_part: str
    description: str


DEVICES: tuple[Device, ...] = (
    Device("xc7a35t", "7series", 20_800, 41_600, 90, 100, "xc7a35tcpg236-1", "Artix-7 35T"),
    Device("xc7a100t", "7series", 63_400, 126_800, 240, 270, "xc7a100tcsg324-1", "Artix-7 100T"),
    Device("xc7z007s", "7series", 14_400, 28_800, 66, 100, "xc7z007sclg225-2", "Zynq-7000 7007S"),
    Device("xc7z010", "7series", 17_600, 35_200, 80, 120, "xc7z010clg400-1", "Zynq-7000 7010"),
    Device("xc7z020", "7series", 53_200, 106_400, 220, 280, "xc7z020clg400-1", "Zynq-7000 7020"),
    Device("xc7z030", "7series", 78_600, 157_200, 400, 530, "xc7z030sbg485-1", "Zynq-7000 7030"),
    Device("xc7z045", "7series", 218_600, 437_200, 900, 1_090, "xc7z045ffg900-2", "Zynq-7000 7045"),
    Device("xczu3eg", "ultrascale+", 70_560, 141_120, 360, 432, "xczu3eg-sbva484-1-e", "ZU3EG"),
    Device("xczu7ev", "ultrascale+", 230_400, 460_800, 1_728, 624, "xczu7ev-ffvc1156-2-e", "ZU7EV"),
    Device(
        "xczu9eg", "ultrascale+", 274_080, 548_160, 2_520, 1_824, "xczu9eg-ffvb1156-2-e", "ZU9EG"
    ),
    Device(
        "xcku115", "ultrascale", 663_360, 1_326_720, 5_520, 4_320, "xcku115-flvb2104-2-e", "KU115"
    ),
    Device(
        "xcvu9p", "ultrascale+", 1_182_240, 2_364_480, 6_840, 4_320, "xcvu9p-flga2104-2L-e", "VU9P"
    ),
    Device(
        "xcu50", "ultrascale+", 871_680, 1_743_360, 5_952, 2_688, "xcu50-fsvh2104-2-e", "Alveo U50"
    ),
    Device(
        "xcu250",
        "ultrascale+",
        1_728_000,
        3_456_000,
        12_288,
        5_376,
        "xcu250-figd2104-2L-e",
        "Alveo U250",
    ),
)

# What may follow the device name in a full part number: package and pin count, speed grade,
# optional temperature grade ("clg400-1", "-ffvb1156-2-e", "-figd2104-2L-e").
_SUFFIX = re.compile(r"^-?[a-z]{2,5}\d{3,4}(-\d[a-z]*)?(-[a-z])?$", re.IGNORECASE)


def lookup(part: str) -> Device | None:
    """The table entry for a full part number (``xc7z020clg400-1``) or a bare device name."""
    lowered = part.lower()
    # Longest name first, so that xc7z007s is not taken for a shorter device.
    for dev in sorted(DEVICES, key=lambda d: -len(d.name)):
        if lowered == dev.name:
            return dev
        if lowered.startswith(dev.name) and _SUFFIX.match(lowered[len(dev.name) :]):
            return dev
    return None


def family_of(part: str) -> str:
    """The device family of a part not in the table, from its prefix."""
    p = part.lower()
    if p.startswith("xc7"):
        return "7series"
    if p.startswith(("xczu", "xcu")) or re.match(r"^xc(ku|vu)\d+p", p):
        return "ultrascale+"
    return "ultrascale"
