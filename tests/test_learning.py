"""End-to-end learning: XOR with a 2-4-1 sigmoid network, and two interleaved spirals."""
import numpy as np
import pytest

import gradfall as gf


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_xor_is_learned(loss, dtype):
    X, y = gf.make_xor(dtype=dtype)
    net = gf.Network([2, 4, 1], activation="sigmoid", output="sigmoid", loss=loss, dtype=dtype,
                     seed=1)
    history = net.fit(X, y, epochs=1500, batch_size=4, optimizer=gf.Adam(lr=0.05))
    assert history.loss[-1] < 0.1 * history.loss[0]
    np.testing.assert_array_equal(net.forward(X)[:, 0] > 0.5, y[:, 0] > 0.5)


def test_two_spirals_are_separated():
    X, y = gf.make_spirals(n_samples=600, n_classes=2, seed=0)
    net = gf.Network([2, 64, 64, 2], activation="relu", loss="cross_entropy", seed=0)
    net.fit(X, y, epochs=60, batch_size=32, optimizer=gf.Adam(lr=0.01))
    accuracy = np.mean(net.predict(X) == y)
    assert accuracy > 0.95, accuracy
    assert net.score(X, y) == pytest.approx(accuracy)
