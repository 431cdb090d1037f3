"""GEMM kernels against a float64 NumPy oracle: every ISA, both dtypes, all transposes, edge
shapes (1, one off the register tiles and cache blocks), and bitwise determinism over threads."""
import itertools

import numpy as np
import pytest

import gradfall as gf
from gradfall import _core

DTYPES = [np.float32, np.float64]
TRANSPOSES = list(itertools.product([False, True], repeat=2))

# Register tiles are 4x4 (scalar), 6x16 / 6x8 (AVX2), 12x32 / 12x16 (AVX-512); with a 1 MiB L2,
# KC is 1024 and MC 60-128 rows (threads split M into smaller blocks), by ISA and dtype.
EDGE_SHAPES = [
    (1, 1, 1), (1, 17, 1), (17, 1, 3), (1, 1, 300),
    (3, 5, 7), (4, 4, 4), (5, 3, 2), (6, 16, 8), (7, 17, 9), (11, 31, 5), (12, 32, 1),
    (13, 33, 3), (23, 63, 10), (25, 65, 12), (12, 8, 16), (36, 96, 3),
    (5, 7, 223), (9, 13, 225), (7, 33, 1023), (13, 40, 1024), (5, 6, 1025),  # K near KC
    (61, 9, 3), (121, 17, 5), (127, 8, 4), (129, 5, 6), (577, 21, 30), (290, 35, 20),  # M near MC
    (40, 40, 40), (300, 70, 80), (64, 3100, 9),              # in place vs packed, past NC
]


def _operands(rng, M, N, K, ta, tb, dtype):
    A = rng.standard_normal((K, M) if ta else (M, K)).astype(dtype)
    B = rng.standard_normal((N, K) if tb else (K, N)).astype(dtype)
    ref = (A.T if ta else A).astype(np.float64) @ (B.T if tb else B).astype(np.float64)
    return A, B, ref


def _check(C, ref, K, dtype):
    eps = np.finfo(dtype).eps
    scale = np.sqrt(K) * (1.0 + np.abs(ref).max())
    assert C.dtype == dtype and C.shape == ref.shape
    np.testing.assert_allclose(C, ref, rtol=0, atol=8 * eps * scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_edge_shapes_all_transposes(isa, dtype):
    rng = np.random.default_rng(7)
    for (M, N, K), (ta, tb) in itertools.product(EDGE_SHAPES, TRANSPOSES):
        if isa == "scalar" and M * N * K > 2_000_000:
            continue
        A, B, ref = _operands(rng, M, N, K, ta, tb, dtype)
        _check(gf.matmul(A, B, trans_a=ta, trans_b=tb), ref, K, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("packed", [False, True], ids=["A in place", "A packed"])
def test_short_last_row_sliver_gives_the_bits_of_a_full_tile(isa, dtype, packed):
    """The last few rows of a product run a shorter tile (up to 4 or 8 rows on AVX-512); each
    element is the same FMA chain, so a row gets the same bits as inside a taller product. Rows
    of 2 KiB alias L1 sets, which makes the driver pack A (past 64 KiB of it)."""
    rng = np.random.default_rng(11)
    K = 2048 // np.dtype(dtype).itemsize if packed else 40
    A = rng.standard_normal((72, K)).astype(dtype)
    B = rng.standard_normal((K, 37)).astype(dtype)
    tall = gf.matmul(A, B)
    _check(tall, A.astype(np.float64) @ B.astype(np.float64), K, dtype)
    for M in range(33, 72):
        np.testing.assert_array_equal(gf.matmul(A[:M], B), tall[:M])
        if not packed:
            np.testing.assert_array_equal(gf.matmul(A[:M].T.copy(), B, trans_a=True), tall[:M])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta, tb", TRANSPOSES)
def test_narrow_products_give_the_bits_of_wide_ones(isa, dtype, ta, tb):
    """A product A^T B with at most NR/2 columns (a 10-class output layer's weight gradient) is
    computed as its transpose, so its vectors are full; every element is the same FMA chain as
    in a product with more columns, whose first columns it must match bit for bit."""
    rng = np.random.default_rng(12)
    for M, K, N in [(32, 7, 1), (33, 1100, 10), (64, 129, 3), (200, 64, 16), (47, 2049, 5)]:
        A = rng.standard_normal((K, M) if ta else (M, K)).astype(dtype)
        wide = rng.standard_normal((K, 40)).astype(dtype)
        B = wide[:, :N].T.copy() if tb else wide[:, :N].copy()
        narrow = gf.matmul(A, B, trans_a=ta, trans_b=tb)
        np.testing.assert_array_equal(narrow, gf.matmul(A, wide, trans_a=ta)[:, :N])
        _check(narrow, (A.T if ta else A).astype(np.float64) @ wide[:, :N], K, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_k_zero_gives_zeros(isa, dtype):
    A = np.zeros((3, 0), dtype)
    B = np.zeros((0, 5), dtype)
    C = gf.matmul(A, B)
    assert C.shape == (3, 5) and not C.any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_bitwise_identical_for_one_and_two_threads(isa, dtype):
    rng = np.random.default_rng(3)
    # Each threaded path: columns with A in place or packed once for the team, rows with a
    # private B, rows with one B panel each thread packs, rows sharing a team-packed B panel
    # (one and several KC panels), a small mix.
    shapes = [(200, 300, 257), (37, 700, 450), (200, 600, 512), (200, 600, 700), (600, 41, 230),
              (700, 300, 500), (700, 600, 600), (300, 200, 1100), (129, 129, 129)]
    if isa == "scalar":
        shapes = shapes[-1:]
    for (M, N, K), (ta, tb) in itertools.product(shapes, TRANSPOSES):
        A, B, ref = _operands(rng, M, N, K, ta, tb, dtype)
        out = []
        for threads in (1, 2):
            gf.set_num_threads(threads)
            out.append(gf.matmul(A, B, trans_a=ta, trans_b=tb))
        assert np.array_equal(out[0], out[1]), (M, N, K, ta, tb)
        _check(out[0], ref, K, dtype)


def test_large_product_matches_numpy(isa):
    if isa == "scalar":
        pytest.skip("the scalar path is covered on the smaller shapes")
    rng = np.random.default_rng(11)
    A, B, ref = _operands(rng, 513, 1031, 700, False, False, np.float32)
    _check(gf.matmul(A, B), ref, 700, np.float32)


def test_transposed_views_are_read_correctly():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((30, 20)).astype(np.float32)
    B = rng.standard_normal((30, 40)).astype(np.float32)
    ref = A.T.astype(np.float64) @ B.astype(np.float64)
    np.testing.assert_allclose(gf.matmul(A, B, trans_a=True), ref, atol=1e-4)
    np.testing.assert_allclose(gf.matmul(A.T, B), ref, atol=1e-4)  # a non-contiguous view


# The probe's value is a timing, so only its sanity is tested here; whether two threads reach
# twice one thread's figure depends on the machine (two SMT siblings share one core's FMA
# units), and the bench flags peaks that do not scale (bench/machine.py: suspect_peaks).
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("threads", [1, 2, 5])
def test_fma_peak_is_positive_and_finite(dtype, threads):
    peak = _core.fma_peak_gflops(dtype, 0.005, threads)
    assert np.isfinite(peak) and peak > 0


def test_fma_peak_refuses_bad_arguments():
    with pytest.raises(ValueError, match="threads"):
        _core.fma_peak_gflops("float32", 0.005, 0)
    with pytest.raises(ValueError, match="dtype"):
        _core.fma_peak_gflops("int8", 0.005, 1)
