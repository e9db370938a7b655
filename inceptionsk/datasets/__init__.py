"""Datasets: the bundled UCR/UEA problems, loaded sklearn-style."""

from ._bundled import load_basic_motions, load_gunpoint

__all__ = ["load_basic_motions", "load_gunpoint"]
