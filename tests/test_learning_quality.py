"""How well a network learns with the library's defaults: the fast part of the benchmark's
learning-quality suite. Two interleaved spirals defeat Glorot's initialisation (about 0.61 test
accuracy: counting fan-out, it keeps the 2-input first layer's weights small); the default must
separate them from every seed."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # bench/ lives at the repo root

import gradfall as gf  # noqa: E402
from bench.problems import spiral_points  # noqa: E402


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_network_separates_two_spirals(seed):
    X, y = spiral_points(1000, seed=0)
    X_test, y_test = spiral_points(1000, seed=1)
    net = gf.Network([2, 64, 64, 2], activation="tanh", output="softmax", loss="cross_entropy",
                     seed=seed)
    net.fit(X, y, epochs=300, batch_size=32, optimizer=gf.Adam(lr=0.01))
    assert net.score(X_test, y_test) >= 0.97
