"""Sparse X (scipy.sparse, read by the core as CSR without densifying): forward, loss, gradients,
training, landscapes and the estimators give the same bits as the dense X, on every ISA path and
for any thread count; bad sparse input is refused with a clear error.

Why bitwise: the sparse kernels sum like the dense GEMM (an FMA chain from zero within each K
panel, panels added in order), and a zero of X adds nothing to such a chain. Only duplicate
entries (summed as separate terms) and unsorted indices (summed in stored order) differ, within
rounding."""
import subprocess
import sys

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import gradfall as gf  # noqa: E402
from gradfall import _core  # noqa: E402
import oracle  # noqa: E402
from cases import DTYPES, assert_close, make_net, oracle_args  # noqa: E402

# (rows, columns): odd widths for every SIMD remainder; 3000 columns span several K panels of
# the forward product, 2100 rows several K panels of the weight gradient (one chunk of 2048).
SHAPES = [(1, 7), (3, 1), (7, 33), (17, 3), (33, 17), (40, 3000), (2100, 50)]
# (hidden, output, loss, target kind); the last has no hidden layer: X meets the output layer.
PAIRINGS = [("tanh", "softmax", "cross_entropy", "labels"),
            ("relu", "identity", "mse", "dense"),
            ("sigmoid", "sigmoid", "binary_cross_entropy", "binary"),
            (None, "softmax", "cross_entropy", "labels")]


def sparse_X(n, d, dtype, seed=0, density=0.3):
    """CSR rows of standard-normal values: the middle row empty and the last one full."""
    rng = np.random.default_rng(seed)
    dense = rng.standard_normal((n, d)) * (rng.random((n, d)) < density)
    if n >= 3:
        dense[n // 2] = 0.0
    if n >= 2:
        dense[-1] = rng.standard_normal(d)
    return sp.csr_array(dense.astype(dtype))


def targets(kind, n, k, dtype, seed=0):
    rng = np.random.default_rng(seed + 1)
    if kind == "labels":
        return rng.integers(0, k, n)
    if kind == "binary":
        return rng.integers(0, 2, (n, k)).astype(dtype)
    return rng.uniform(-1, 1, (n, k)).astype(dtype)


def network(d, pairing, dtype, seed=0):
    hidden, output, loss, _ = pairing
    k = 3 if output == "softmax" else 2
    sizes = [d, k] if hidden is None else [d, 5, 4, k]
    return make_net(sizes, hidden or "relu", output, loss, dtype, seed=seed)


def assert_same(sparse_result, dense_result):
    assert np.array_equal(sparse_result, dense_result), \
        np.max(np.abs(np.asarray(sparse_result) - np.asarray(dense_result)))


# ----------------------------------------------------------------- the core's results
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_dense_and_oracle(isa, shape, dtype):
    n, d = shape
    X = sparse_X(n, d, dtype, seed=d)
    for index, pairing in enumerate(PAIRINGS):
        net = network(d, pairing, dtype, seed=index)
        out = net.forward(X)
        assert_same(out, net.forward(X.toarray()))
        _, activations = oracle.forward(*oracle_args(net), X.toarray())
        assert_close(out, activations[-1], dtype, f"{pairing} {shape}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_loss_and_gradients_equal_dense_and_oracle(isa, shape, dtype):
    n, d = shape
    X = sparse_X(n, d, dtype, seed=d + 1)
    for index, pairing in enumerate(PAIRINGS):
        net = network(d, pairing, dtype, seed=index)
        y = targets(pairing[3], n, net.n_outputs, dtype, seed=index)
        loss, grad = net.loss_and_gradient(X, y, l2=0.1)
        dense_loss, dense_grad = net.loss_and_gradient(X.toarray(), y, l2=0.1)
        assert loss == dense_loss
        assert_same(grad, dense_grad)
        expected, eW, eb = oracle.loss_and_gradients(*oracle_args(net), pairing[2],
                                                     X.toarray(), y)
        assert abs(net.loss(X, y) - expected) <= 2e-5 * max(abs(expected), 1.0)
        dW, db = net.gradients(X, y)
        for l in range(net.n_layers):
            assert_close(dW[l], eW[l], dtype, f"dW[{l}] {pairing} {shape}")
            assert_close(db[l], eb[l], dtype, f"db[{l}] {pairing} {shape}")


@pytest.mark.parametrize("l2", [0.0, 1e-3])
@pytest.mark.parametrize("dtype", DTYPES)
def test_epochs_of_fit_equal_dense(isa, dtype, l2):
    # Without L2 the first layer's gradient is zero outside the rows each batch reaches, and the
    # trainer only clears and measures those: the norms must still be the dense ones.
    n, d = 70, 3000
    X = sparse_X(n, d, dtype, seed=3, density=0.01)
    y = targets("labels", n, 3, dtype)
    sparse_net = gf.Network([d, 9, 3], loss="cross_entropy", dtype=dtype, seed=4, dropout=0.2)
    dense_net = sparse_net.copy()
    for net, data in ((sparse_net, X), (dense_net, X.toarray())):
        net.fit(data, y, epochs=3, batch_size=16, optimizer=gf.Adam(lr=0.01), l2=l2)
    assert_same(sparse_net.params, dense_net.params)
    assert sparse_net.history.loss == dense_net.history.loss
    assert_same(sparse_net.history.grad_norm, dense_net.history.grad_norm)
    assert sparse_net.score(X, y) == dense_net.score(X.toarray(), y)


def test_results_do_not_depend_on_the_thread_count(restore_threads):
    # Large enough that both sparse products (and the GEMMs after them) run on two threads.
    X = sparse_X(2000, 5000, "float32", seed=5, density=0.01)
    y = targets("labels", 2000, 4, "float32")
    results = []
    for threads in (1, 2):
        gf.set_num_threads(threads)
        net = gf.Network([5000, 64, 4], loss="cross_entropy", seed=6)
        dense_net = net.copy()
        _, grad = net.loss_and_gradient(X, y)
        for model, data in ((net, X), (dense_net, X.toarray())):
            model.fit(data, y, epochs=1, batch_size=256, optimizer=gf.SGD(lr=0.1, momentum=0.9))
        assert_same(net.history.grad_norm, dense_net.history.grad_norm)
        results.append((grad, net.forward(X), net.params.copy(), net.history.grad_norm))
    for one, two in zip(*results):
        assert_same(one, two)


def test_duplicates_and_unsorted_indices_sum_like_toarray(isa):
    # Row 0 stores column 2 twice and its columns out of order; row 1 is empty.
    X = sp.csr_matrix((np.array([1.5, -2.0, 0.25, 3.0], np.float64), np.array([2, 0, 2, 1]),
                       np.array([0, 3, 3, 4])), shape=(3, 3))
    assert not X.has_canonical_format
    net = make_net([3, 4, 2], "tanh", "identity", "mse", "float64")
    y = targets("dense", 3, 2, "float64")
    np.testing.assert_allclose(net.forward(X), net.forward(X.toarray()), rtol=1e-12)
    np.testing.assert_allclose(net.loss_and_gradient(X, y)[1],
                               net.loss_and_gradient(X.toarray(), y)[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("convert", [
    lambda X: X.tocsc(), lambda X: X.tocoo(), lambda X: X.tolil(), lambda X: X.todok(),
    lambda X: sp.csr_matrix(X), lambda X: sp.coo_matrix(X),
    lambda X: X.astype(np.float64),
    lambda X: sp.csr_array((X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64)),
                           shape=X.shape),
], ids=["csc", "coo", "lil", "dok", "csr_matrix", "coo_matrix", "float64 data", "int64 indices"])
def test_other_formats_and_dtypes_give_the_csr_results(convert):
    X = sparse_X(30, 20, "float32", seed=7)
    net = make_net([20, 6, 3], "relu", "softmax", "cross_entropy", "float32")
    y = targets("labels", 30, 3, "float32")
    assert_same(net.forward(convert(X)), net.forward(X))
    assert_same(net.loss_and_gradient(convert(X), y)[1], net.loss_and_gradient(X, y)[1])


def test_integer_and_bool_data_are_converted():
    X = sp.csr_array(np.array([[0, 2, 0], [1, 0, 3]], dtype=np.int64))
    net = gf.Network([3, 2])
    assert_same(net.forward(X), net.forward(X.toarray().astype(np.float32)))
    assert_same(net.forward(X.astype(bool)), net.forward((X.toarray() > 0).astype(np.float32)))


def test_csr_of_the_right_dtypes_is_read_in_place():
    X = sparse_X(10, 8, "float32")
    prepared = gf.Network([8, 2]).prepare(X).X
    assert isinstance(prepared, _core.CsrMatrix)
    assert prepared.shape == (10, 8) and prepared.nnz == X.nnz
    assert np.shares_memory(prepared.data, X.data)
    assert np.shares_memory(prepared.indices, X.indices)


def test_landscape_and_gradient_check_take_sparse_X():
    X = sparse_X(50, 40, "float32", seed=8)
    y = targets("labels", 50, 3, "float32")
    net = make_net([40, 7, 3], "tanh", "softmax", "cross_entropy", "float32")
    sparse_surface = gf.landscape.surface(net, X, y, steps=5)
    dense_surface = gf.landscape.surface(net, X.toarray(), y, steps=5)
    assert_same(sparse_surface.losses, dense_surface.losses)
    assert sparse_surface.losses[2, 2] == net.loss(X, y)
    assert gf.check_gradients(net, X, y).ok()


def test_importing_gradfall_does_not_import_scipy():
    code = "import sys, gradfall; assert 'scipy' not in sys.modules, 'scipy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------- bad sparse input
def _built(data, indices, indptr, shape=(2, 3)):
    """A CSR scipy builds without checking the index values."""
    return sp.csr_matrix((np.asarray(data, np.float32), np.asarray(indices), np.asarray(indptr)),
                         shape=shape)


def _calls(net, X, y):
    return [lambda: net.forward(X), lambda: net.predict(X), lambda: net.loss(X, y),
            lambda: net.gradients(X, y), lambda: net.fit(X, y, epochs=1),
            lambda: net.score(X, y), lambda: gf.landscape.line(net, X, y, steps=3)]


@pytest.mark.parametrize("bad_X,error,match", [
    (_built([1.0, np.nan], [0, 1], [0, 1, 2]), ValueError, "X contains 1 NaN or infinite"),
    (_built([np.inf, -np.inf], [0, 1], [0, 1, 2]), ValueError, "X contains 2 NaN or infinite"),
    (sp.csr_array(np.ones((2, 4))), ValueError, "X has 4 features, but the network expects 3"),
    (sp.csr_array((0, 3)), ValueError, "X is empty"),
    (sp.coo_array(np.ones(3)), ValueError, "must be 2-D .* got 1-D"),
    (_built([1.0, 2.0], np.array([0, -1], np.int32), [0, 1, 2]), ValueError,
     r"X \(sparse\): column index -1 .*is outside 0..2"),
    (_built([1.0, 2.0], np.array([0, 3], np.int32), [0, 1, 2]), ValueError,
     r"X \(sparse\): column index 3 .*is outside 0..2"),
    (_built([1.0, 2.0], np.array([0, 2 ** 40]), [0, 1, 2]), ValueError,
     r"X \(sparse\): column index 1099511627776 is outside 0..2"),
    (_built([1.0, 2.0], np.array([0, 1], np.int32), [0, 2, 1]), ValueError,
     "indptr must be non-decreasing"),
    (sp.csr_array(np.ones((2, 3), dtype=complex)), TypeError,
     "X must hold real numbers, got dtype complex128"),
])
def test_bad_sparse_X_is_refused(bad_X, error, match):
    net = gf.Network([3, 4, 2], loss="cross_entropy")
    y = np.array([0, 1])
    for call in _calls(net, bad_X, y):
        with pytest.raises(error, match=match):
            call()


@pytest.mark.parametrize("arrays,error,match", [
    ((np.array([0, 1], np.int32), np.array([0], np.int32), np.ones(1)), TypeError,
     "X.indptr must have dtype int64"),
    ((np.array([0, 1]), np.array([0]), np.ones(1)), TypeError, "X.indices must have dtype int32"),
    ((np.array([0, 1]), np.array([0], np.int32), np.ones(1, int)), TypeError,
     "data must be a float32 or float64 array"),
    ((np.array([1, 1]), np.array([0], np.int32), np.ones(1)), ValueError,
     "indptr must start at 0"),
    ((np.array([0, 2]), np.array([0], np.int32), np.ones(1)), ValueError,
     "indptr ends at 2 but there are 1 stored values"),
    ((np.array([0, 1]), np.array([0, 1], np.int32), np.ones(1)), ValueError,
     "indices and data must have the same length"),
    ((np.array([], np.int64), np.array([], np.int32), np.ones(0)), ValueError,
     "indptr needs at least one entry"),
])
def test_core_csr_matrix_checks_its_arrays(arrays, error, match):
    with pytest.raises(error, match=match):
        _core.CsrMatrix(*arrays, 3)


def test_core_refuses_a_csr_matrix_of_the_wrong_dtype():
    net = gf.Network([3, 2])
    X = _core.CsrMatrix(np.array([0, 1]), np.array([2], np.int32), np.ones(1), 3)
    with pytest.raises(TypeError, match="X must have dtype float32, got float64"):
        _core.forward(net.spec, net.params, X)
    assert net.forward(X).shape == (1, 2)   # through prepare, which converts the values


# ----------------------------------------------------------------- the estimators
sklearn = pytest.importorskip("sklearn")
from gradfall.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_sklearn_own_test_sparse_matrices(monkeypatch, container):
    """scikit-learn's test_sparse_matrices, run on gradfall's MLPClassifier."""
    sklearn_tests = pytest.importorskip("sklearn.neural_network.tests.test_mlp")
    monkeypatch.setattr(sklearn_tests, "MLPClassifier", MLPClassifier)
    sklearn_tests.test_sparse_matrices(container)


def _coefs_equal(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a.coefs_ + a.intercepts_,
                                                     b.coefs_ + b.intercepts_))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("params", [
    dict(solver="adam", early_stopping=True, max_iter=5),
    dict(solver="sgd", max_iter=5, batch_size=7),
    dict(solver="lbfgs", max_iter=20),
], ids=["adam-early-stopping", "sgd", "lbfgs"])
def test_estimators_on_sparse_X_equal_dense(params):
    X = sparse_X(120, 300, "float64", seed=9, density=0.05)
    y = np.argmax(X[:, :3].toarray(), axis=1)
    sparse_fit = MLPClassifier(hidden_layer_sizes=(11,), random_state=0, **params).fit(X, y)
    dense_fit = MLPClassifier(hidden_layer_sizes=(11,), random_state=0, **params).fit(
        X.toarray(), y)
    assert _coefs_equal(sparse_fit, dense_fit)
    assert_same(sparse_fit.predict_proba(X.tocsc()), dense_fit.predict_proba(X.toarray()))
    assert sparse_fit.score(X.tocoo(), y) == dense_fit.score(X.toarray(), y)
    regressor = MLPRegressor(hidden_layer_sizes=(5,), random_state=0, **params)
    dense_regressor = MLPRegressor(hidden_layer_sizes=(5,), random_state=0, **params)
    target = X[:, 0].toarray().ravel()
    assert _coefs_equal(regressor.fit(X, target), dense_regressor.fit(X.toarray(), target))
    assert_same(regressor.predict(X), dense_regressor.predict(X.toarray()))


def test_partial_fit_on_sparse_X_equals_dense():
    X = sparse_X(60, 40, "float32", seed=10)
    y = np.arange(60) % 3
    sparse_model, dense_model = MLPClassifier(random_state=0), MLPClassifier(random_state=0)
    for _ in range(3):
        sparse_model.partial_fit(X, y, classes=[0, 1, 2])
        dense_model.partial_fit(X.toarray(), y, classes=[0, 1, 2])
    assert _coefs_equal(sparse_model, dense_model)
    assert sparse_model.loss_curve_ == dense_model.loss_curve_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sample_weight_and_float64_estimators_on_sparse_X_equal_dense():
    X = sparse_X(50, 30, "float32", seed=11)
    y = np.arange(50) % 2
    weights = np.linspace(0.5, 2.0, 50)
    fits = [MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
                          dtype="float64").fit(data, y, sample_weight=weights)
            for data in (X, X.toarray())]
    assert _coefs_equal(*fits)
    assert fits[0].coefs_[0].dtype == np.float64


def test_estimator_tags_say_sparse_is_supported():
    assert MLPClassifier().__sklearn_tags__().input_tags.sparse
    assert MLPRegressor().__sklearn_tags__().input_tags.sparse
