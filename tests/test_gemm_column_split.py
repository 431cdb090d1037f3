"""Two threads splitting the columns of a short C while K spans several KC panels: each tile's
partial sums must accumulate on one thread, in the same order as with one thread."""
import itertools

import numpy as np
import pytest

import gradfall as gf

# 8 rows is under two register tiles per thread on every ISA, so two threads split columns;
# K = 2000 is past KC (at most 1024), so every tile accumulates over two K panels.
M, K, N = 8, 2000, 3000


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_split_accumulates_k_panels_like_one_thread(isa, dtype):
    rng = np.random.default_rng(17)
    for trans_a, trans_b in itertools.product([False, True], repeat=2):
        A = rng.standard_normal((K, M) if trans_a else (M, K)).astype(dtype)
        B = rng.standard_normal((N, K) if trans_b else (K, N)).astype(dtype)
        products = []
        for threads in (1, 2):
            gf.set_num_threads(threads)
            products.append(gf.matmul(A, B, trans_a, trans_b))
        assert np.array_equal(products[0], products[1]), (trans_a, trans_b)
        opA = A.T.astype(np.float64) if trans_a else A.astype(np.float64)
        opB = B.T.astype(np.float64) if trans_b else B.astype(np.float64)
        # Any summation order is within K*eps of |A||B|; a panel summed twice or lost is not.
        bound = K * np.finfo(dtype).eps * (np.abs(opA) @ np.abs(opB))
        assert (np.abs(products[1] - opA @ opB) <= bound).all(), (trans_a, trans_b)
