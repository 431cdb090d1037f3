"""The inference path: few-row products read the weights in place (and give the batched bits),
batched products use weights packed once, which are rebuilt whenever the parameters change."""
import numpy as np
import pytest

import gradfall as gf
import oracle
from cases import DTYPES, assert_close, oracle_args

SHAPES = [[1, 1], [7, 3], [64, 64, 10], [33, 129, 17, 5], [784, 256, 128, 10], [3000, 33, 7]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_few_rows_give_the_bits_of_the_batched_path(isa, sizes, dtype, restore_threads):
    net = gf.Network(sizes, activation="tanh", loss="cross_entropy" if sizes[-1] > 1 else "mse",
                     dtype=dtype, seed=3)
    X = np.random.default_rng(0).standard_normal((41, sizes[0])).astype(dtype)
    full = net.forward(X)
    assert_close(full, oracle.forward(*oracle_args(net), X)[1][-1], dtype)
    for threads in (1, 2):
        gf.set_num_threads(threads)
        # In place up to 16 rows (every kernel, then groups of 8), packed from 17.
        for rows in (*range(1, 11), 15, 16, 17):
            for start in (0, 17, 41 - rows):
                np.testing.assert_array_equal(net.forward(X[start:start + rows]),
                                              full[start:start + rows])


@pytest.mark.parametrize("dtype", DTYPES)
def test_packed_weights_follow_every_change_of_the_parameters(isa, dtype):
    net = gf.Network([300, 64, 10], loss="cross_entropy", dtype=dtype, seed=1)
    X = np.random.default_rng(1).standard_normal((600, 300)).astype(dtype)
    y = np.arange(600) % 10

    def expected():
        return oracle.forward(*oracle_args(net), X)[1][-1]

    assert net.packed_bytes == 0
    assert_close(net.forward(X), expected(), dtype)
    assert net.packed_bytes >= net.n_params * np.dtype(dtype).itemsize - 64 * 10 * 8
    assert "packed for inference" in str(net)
    changes = [
        lambda: net.fit(X, y, epochs=1, optimizer=gf.SGD(lr=0.1)),
        lambda: net.load_params(net.params * 0.5),
        lambda: net.weights[0].__setitem__((0, 0), 7.0),       # through a NumPy view
        lambda: net.params.__setitem__(slice(None), net.params[::-1].copy()),  # a permutation
        lambda: net.biases[1].__setitem__(slice(None), 3.0),
        # Two sign flips 128 words apart: the same lane of the fingerprint's hash chains.
        lambda: net.params.__setitem__([5, 133], -net.params[[5, 133]]),
    ]
    for change in changes:
        before = net.forward(X)
        change()
        after = net.forward(X)
        assert not np.array_equal(before, after)
        assert_close(after, expected(), dtype)
    net.invalidate()
    assert net.packed_bytes == 0
    assert_close(net.forward(X), expected(), dtype)


@pytest.mark.parametrize("threads", [1, 2])
def test_packed_weights_see_a_write_anywhere_in_a_large_network(isa, threads, restore_threads):
    """Parameters of several fingerprint segments (hashed by the threads): a write to the first
    word, the last, a segment boundary or the partial last block is seen."""
    gf.set_num_threads(threads)
    net = gf.Network([1000, 300, 10], loss="cross_entropy", seed=5)
    X = np.random.default_rng(4).standard_normal((40, 1000)).astype(np.float32)
    segment_words, block_words = (256 << 10) // 4, 512 // 4
    last_weight = net.n_params - 10 - 1  # W_1's last entry, before b_1's 10 values
    assert net.n_params % block_words > 11  # ... so it lies in the partial last block
    for index in (0, segment_words - 1, segment_words, last_weight):
        before = net.forward(X)
        net.params[index] += 1.0
        after = net.forward(X)
        assert not np.array_equal(before, after), index
        assert_close(after, oracle.forward(*oracle_args(net), X)[1][-1], np.float32)


def test_packed_weights_follow_the_isa():
    net = gf.Network([300, 64, 10], loss="cross_entropy")
    X = np.random.default_rng(2).standard_normal((600, 300)).astype(np.float32)
    previous = gf.get_isa()
    try:
        for name in gf.available_isas():
            gf.set_isa(name)
            batched = net.forward(X)
            np.testing.assert_array_equal(batched[:3], net.forward(X[:3]))
    finally:
        gf.set_isa(previous)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("sizes, rows", [([784, 256, 128, 10], 1300), ([64, 64, 10], 3001),
                                         ([33, 129, 17, 5], 257), ([33, 129, 17, 5], 33),
                                         ([33, 129, 17, 5], 34), ([784, 256, 128, 10], 67),
                                         ([64, 64, 10], 130)], ids=str)
def test_batched_results_do_not_depend_on_packing(isa, sizes, rows, threads, restore_threads):
    """A product with the packed weights gives the bits of one that packs as it goes, and the
    threads taking whole blocks of rows through every layer (packed, 2 threads, from 17 rows per
    thread; a short last block runs the few-row path) give the bits of every product shared by
    the threads."""
    gf.set_num_threads(threads)
    net = gf.Network(sizes, loss="cross_entropy", seed=4)
    X = np.random.default_rng(3).standard_normal((rows, sizes[0])).astype(np.float32)
    packed = net.forward(X)
    net.invalidate()
    unpacked = gf._core.forward(net.spec, net.params, X)  # no cache: packs per product
    np.testing.assert_array_equal(packed, unpacked)
    assert_close(packed, oracle.forward(*oracle_args(net), X)[1][-1], np.float32)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_value_in_any_block_of_rows_is_refused(bad, threads, restore_threads):
    """Many rows are checked block by block as the threads take them: a bad value in the first
    row, a block boundary or the last row still refuses the whole call."""
    gf.set_num_threads(threads)
    net = gf.Network([20, 16, 3], loss="cross_entropy", seed=6)
    X = np.random.default_rng(5).standard_normal((3000, 20)).astype(np.float32)
    net.forward(X)
    for row in (0, 511, 512, 2999):
        bad_X = X.copy()
        bad_X[row, 7] = bad
        with pytest.raises(ValueError, match="NaN or infinite"):
            net.forward(bad_X)
