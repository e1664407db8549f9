"""Pareto points -> build plan -> files on disk: per-point projects (hls4ml, Vivado through
edalize, FuseSoC) and reports, written through a deterministic plan that rewrites only changed
files."""
