"""gf.matmul against NumPy: every transpose combination, both dtypes, every ISA, edge shapes."""
import numpy as np
import pytest

import gradfall as gf

# Register tiles: scalar 4x4, AVX2 6x16 (f32) / 6x8 (f64), AVX-512 12x32 (f32) / 12x16 (f64);
# cache blocks KC=256 (depth) and MC=144 (rows). Shapes sit on and one off each of them.
SHAPES = [
    (1, 1, 1), (1, 17, 1), (17, 1, 3), (1, 1, 300),
    (3, 3, 3), (4, 4, 4), (5, 5, 5),
    (5, 15, 7), (6, 16, 9), (7, 17, 2),
    (5, 7, 8), (7, 9, 8),
    (11, 31, 6), (12, 32, 6), (13, 33, 6), (11, 15, 4), (13, 17, 4),
    (9, 10, 255), (9, 10, 256), (9, 10, 257), (3, 5, 513),
    (143, 20, 7), (144, 20, 7), (145, 20, 7), (289, 33, 257),
]
TRANSPOSES = [(False, False), (True, False), (False, True), (True, True)]
EPS = {"float32": np.finfo(np.float32).eps, "float64": np.finfo(np.float64).eps}


def operands(M, N, K, trans_a, trans_b, dtype, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((K, M) if trans_a else (M, K)).astype(dtype)
    B = rng.standard_normal((N, K) if trans_b else (K, N)).astype(dtype)
    return A, B


def check_product(C, A, B, trans_a, trans_b):
    opA = np.asarray(A, np.float64).T if trans_a else np.asarray(A, np.float64)
    opB = np.asarray(B, np.float64).T if trans_b else np.asarray(B, np.float64)
    # Any summation order is within K*eps of |A||B| (the classic dot-product error bound).
    bound = opA.shape[1] * EPS[C.dtype.name] * (np.abs(opA) @ np.abs(opB))
    error = np.abs(C - opA @ opB)
    assert (error <= bound).all(), f"worst error {np.max(error / bound):.3g} x the bound"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("trans_a,trans_b", TRANSPOSES)
@pytest.mark.parametrize("M,N,K", SHAPES)
def test_matmul_matches_numpy(isa, M, N, K, trans_a, trans_b, dtype):
    A, B = operands(M, N, K, trans_a, trans_b, dtype, seed=M * 7 + N * 3 + K)
    C = gf.matmul(A, B, trans_a, trans_b)
    assert C.dtype == np.dtype(dtype) and C.shape == (M, N)
    check_product(C, A, B, trans_a, trans_b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_reads_strided_and_fortran_operands(isa, dtype):
    A, B = operands(30, 20, 40, False, False, dtype)
    strided_A = np.repeat(A, 2, axis=1)[:, ::2]
    fortran_B = np.asfortranarray(B)
    check_product(gf.matmul(strided_A, fortran_B), A, B, False, False)


def test_matmul_refuses_bad_operands():
    A32, B32 = np.ones((3, 4), np.float32), np.ones((4, 2), np.float32)
    with pytest.raises(ValueError, match="inner dimensions"):
        gf.matmul(A32, B32, trans_a=True)
    with pytest.raises(TypeError, match="same dtype"):
        gf.matmul(A32, B32.astype(np.float64))
    with pytest.raises(TypeError, match="float32 or float64"):
        gf.matmul(A32.astype(np.int64), B32)
    with pytest.raises(ValueError, match="2-D"):
        gf.matmul(A32[0], B32)
