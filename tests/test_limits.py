"""Sizes, counts and scalars at and past their limits: a ValueError/TypeError naming the
parameter, never an overflow, a crash or a silent default; memory bounded by design."""
import json
import subprocess
import sys

import numpy as np
import pytest

import gradfall as gf

X = np.ones((4, 3), np.float32)
y = np.array([0, 1, 0, 1])


@pytest.mark.parametrize("make,error,match", [
    (lambda: gf.Network([2 ** 62, 3]), ValueError, "too large"),
    (lambda: gf.Network([2 ** 63, 2]), ValueError, "layer size must be <="),
    (lambda: gf.Network([3, 2], output_scale="x"), TypeError, "output_scale must be a number"),
    (lambda: gf.Network([3, 2], dtype=None), TypeError, "dtype"),
    (lambda: gf.Network([3, 2], output_scale=1e-320), ValueError, "outside what float32"),
    (lambda: gf.Network([3, 2], leaky_slope=1e300, activation="leaky_relu"), ValueError,
     "outside what float32"),
    (lambda: gf.Network([3, 2], loss="cross_entropy").fit(X, y, epochs=1, batch_size=2 ** 63),
     ValueError, "batch_size must be <="),
    (lambda: gf.Network([3, 2], loss="cross_entropy").fit(X, y, epochs=2 ** 64), ValueError,
     "epochs must be <="),
    (lambda: gf.landscape.line(gf.Network([3, 2], loss="cross_entropy"), X, y, steps=2 ** 31),
     ValueError, "steps must be <="),
    (lambda: gf.landscape.surface(gf.Network([3, 2], loss="cross_entropy"), X, y, steps=2001),
     ValueError, "steps must be <="),
])
def test_out_of_range_values_name_their_parameter(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_large_batch_is_trained_in_blocks_with_bounded_memory():
    """fit(batch_size=n) on 300 000 rows: the workspace is a few row blocks, not n rows."""
    code = """
import json, resource, numpy as np, gradfall as gf
rng = np.random.default_rng(0)
X = rng.standard_normal((300000, 32)).astype(np.float32)
y = rng.integers(0, 10, 300000)
net = gf.Network([32, 512, 512, 10], loss="cross_entropy")
net.fit(X[:100], y[:100], epochs=1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
net.fit(X, y, epochs=1, batch_size=len(X), optimizer=gf.SGD(lr=0.1))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"grown_mib": grown / 1024, "x_mib": X.nbytes / 2**20}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # One pass over all rows at once would hold 300 000 x (512 + 512 + 10) x 4 bytes x 3
    # (activations and two delta buffers): about 3.5 GiB. Blocks of 4096 rows need ~50 MiB.
    assert report["grown_mib"] < 200, report


def test_a_batch_of_several_blocks_matches_one_pass_to_rounding():
    rng = np.random.default_rng(1)
    Xb = rng.standard_normal((10000, 8))
    yb = rng.integers(0, 3, 10000)
    blocked = gf.Network([8, 16, 3], loss="cross_entropy", dtype="float64")
    reference = blocked.copy()
    blocked.fit(Xb, yb, epochs=1, batch_size=10000, shuffle=False, optimizer=gf.SGD(lr=0.5))
    # The same single step from the full-batch gradient (loss_and_gradient runs its own chunks).
    _, grad = reference.loss_and_gradient(Xb, yb)
    np.testing.assert_allclose(blocked.params, reference.params - 0.5 * grad, rtol=1e-12,
                               atol=1e-14)
