"""Figures of learning: loss curves, loss landscapes and decision boundaries.

matplotlib is an optional extra (``pip install gradfall[plot]``). Figures are built with
``matplotlib.figure.Figure`` directly, never through pyplot, so no display or GUI backend is
involved: each function returns the Figure and, given ``path``, saves it as a PNG.
"""
from .boundaries import decision_boundary
from .curves import loss_curve
from .landscapes import landscape, landscape_lines, landscape_pair

__all__ = ["decision_boundary", "landscape", "landscape_lines", "landscape_pair", "loss_curve"]
