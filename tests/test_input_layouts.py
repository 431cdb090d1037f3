"""Any real dtype, Fortran order or strides in X (and y) give exactly the C-contiguous result."""
import numpy as np
import pytest

import gradfall as gf

N, D = 23, 5


def base_X():
    # Small integers, so that every dtype below holds exactly the same values.
    return np.random.default_rng(0).integers(-4, 5, (N, D))


def layouts(X):
    """The same matrix as other dtypes and memory layouts."""
    padded = np.zeros((N * 2, D * 3), dtype=np.float64)
    padded[::2, ::3] = X
    return {
        "float64": X.astype(np.float64),
        "float32": X.astype(np.float32),
        "int64": X.astype(np.int64),
        "int8": X.astype(np.int8),
        "fortran": np.asfortranarray(X.astype(np.float32)),
        "strided": padded[::2, ::3],
        "negative_strides": X[::-1].astype(np.float32)[::-1],
        "list": X.tolist(),
    }


def results(dtype, X, y, loss):
    net = gf.Network([D, 7, 3], activation="tanh", loss=loss, dtype=dtype, seed=4)
    out, cost, (dW, db) = net.forward(X), net.loss(X, y), net.gradients(X, y)
    net.fit(X, y, epochs=2, batch_size=8, optimizer=gf.SGD(lr=0.1, momentum=0.9))
    return [out, np.array(cost), *dW, *db, net.params]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", list(layouts(base_X())))
def test_X_layout_and_dtype_give_identical_results(dtype, layout):
    X = base_X()
    y = np.random.default_rng(1).standard_normal((N, 3))
    reference = results(dtype, np.ascontiguousarray(X, dtype=dtype), y, "mse")
    for got, want in zip(results(dtype, layouts(X)[layout], y, "mse"), reference):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("y_form", ["int32", "uint8", "float", "column", "strided", "onehot"])
def test_label_forms_give_identical_results(y_form):
    X = base_X().astype(np.float32)
    labels = np.random.default_rng(2).integers(0, 3, N)
    spaced = np.repeat(labels, 2)[::2]
    y = {"int32": labels.astype(np.int32), "uint8": labels.astype(np.uint8),
         "float": labels.astype(np.float64), "column": labels[:, None], "strided": spaced,
         "onehot": np.eye(3)[labels]}[y_form]
    reference = results("float64", X, labels, "cross_entropy")
    got = results("float64", X, y, "cross_entropy")
    # One-hot rows take another code path in the loss: equal to rounding, not bit for bit.
    check = np.testing.assert_allclose if y_form == "onehot" else np.testing.assert_array_equal
    for a, b in zip(got, reference):
        check(a, b, **({"rtol": 1e-12, "atol": 1e-15} if y_form == "onehot" else {}))


def test_fortran_and_strided_targets_are_accepted():
    X = base_X().astype(np.float32)
    y = np.random.default_rng(3).standard_normal((N, 3))
    reference = results("float32", X, y, "mse")
    for form in (np.asfortranarray(y), np.repeat(y, 2, axis=0)[::2]):
        for got, want in zip(results("float32", X, form, "mse"), reference):
            np.testing.assert_array_equal(got, want)
