"""Benchmarks run by hand; each prints figures (see its docstring)."""
