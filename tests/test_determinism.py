"""Same seed, same bits: training, gradients and matmul do not depend on the thread count."""
import numpy as np
import pytest

import gradfall as gf
from cases import make_data

# Wide enough that the GEMM, activations, loss rows and optimizer all take their threaded paths.
SIZES = [64, 256, 256, 128]
N, BATCH = 256, 128


def trained_params(threads, dtype, seed=0):
    gf.set_num_threads(threads)
    X, y = make_data(N, SIZES[0], SIZES[-1], "labels", dtype, seed=1)
    net = gf.Network(SIZES, activation="relu", loss="cross_entropy", dtype=dtype, seed=seed)
    net.fit(X, y, epochs=2, batch_size=BATCH, optimizer=gf.Adam(lr=1e-3))
    return net.params.copy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fit_is_bitwise_identical_for_1_and_2_threads(restore_threads, isa, dtype):
    np.testing.assert_array_equal(trained_params(1, dtype), trained_params(2, dtype))


def test_the_seed_changes_the_trained_weights(restore_threads):
    # So the equalities above are not vacuous.
    assert not np.array_equal(trained_params(2, "float32"), trained_params(2, "float32", seed=1))


def test_gradients_and_matmul_are_bitwise_identical_for_1_and_2_threads(restore_threads):
    X, y = make_data(N, SIZES[0], SIZES[-1], "labels", "float32", seed=2)
    net = gf.Network(SIZES, activation="tanh", loss="cross_entropy", seed=2)
    A = np.random.default_rng(3).standard_normal((300, 700)).astype(np.float32)
    results = []
    for threads in (1, 2):
        gf.set_num_threads(threads)
        assert gf.get_num_threads() == threads
        results.append((net.loss_and_gradient(X, y), gf.matmul(A, A, trans_b=True)))
    (cost1, grad1), C1 = results[0]
    (cost2, grad2), C2 = results[1]
    assert cost1 == cost2
    np.testing.assert_array_equal(grad1, grad2)
    np.testing.assert_array_equal(C1, C2)
