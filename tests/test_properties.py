"""Property-based tests over gradfall's public entry points.

Every call either refuses its input with a clear ``ValueError``/``TypeError`` (``DivergenceError``
for a fit that diverges) or gives a correct result: outputs of the right shape and dtype, and for
valid inputs the forward pass, the cost and the gradients of the float64 oracle
(``tests/oracle.py``). Budgets come from the hypothesis profile (tests/conftest.py): each test's
examples are scaled by the profile's ``max_examples`` / 100.
"""
from __future__ import annotations

import collections
import math
import os
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gradfall as gf
import oracle
from cases import oracle_args
from gradfall import _core

# Calls of the public API, by entry point (shown in the test run's summary).
COUNT = collections.Counter()
REFUSALS = (ValueError, TypeError)
# Worst relative error (to the largest entry) against the oracle. float32 is looser than
# cases.TOL: drawn data reaches larger values and saturated sigmoids, where float32 rounding of z
# shows in the outputs.
TOL = {"float32": 2e-4, "float64": 1e-9}
HIDDEN = oracle.HIDDEN + ("logistic", "linear")
INITS = ("pytorch", "glorot_uniform", "he_uniform", "lecun_normal", "glorot_he", "sklearn")


def budget(examples):
    """``examples`` scaled by the loaded profile (100 examples = the ci profile)."""
    return max(1, examples * settings.default.max_examples // 100)


def api(name, fn, *args, **kwargs):
    """Call a public entry point, counting the call."""
    COUNT[name] += 1
    return fn(*args, **kwargs)


# ------------------------------------------------------------------ strategies
@st.composite
def networks(draw, max_width=9, dtypes=("float32", "float64")):
    """A valid gf.Network of any shape, activations, loss, dtype, seed, dropout and init; with
    the kind of targets its loss takes."""
    output, loss, kind = draw(st.sampled_from(oracle.OUTPUT_LOSS))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=4))
    if output == "softmax":
        sizes[-1] = max(2, sizes[-1])
    hidden = draw(st.sampled_from(HIDDEN))
    dtype = draw(st.sampled_from(dtypes))
    seed = draw(st.integers(0, 2 ** 64 - 1))
    dropout = draw(st.none() | st.floats(0, 0.9))
    init = draw(st.sampled_from(INITS))
    slope = draw(st.sampled_from((0.0, 0.01, 0.3, 1.0)) | st.floats(1e-3, 1))
    if draw(st.booleans()):
        net = api("Network", gf.Network, sizes, activation=hidden, output=output, loss=loss,
                  dtype=dtype, seed=seed, dropout=dropout, init=init, leaky_slope=slope)
    else:
        acts = [hidden] * (len(sizes) - 2) + [output]
        layers = [gf.Dense(sizes[i], sizes[i + 1], activation=acts[i], leaky_slope=slope,
                           dropout=(dropout or 0.0) if i < len(acts) - 1 else 0.0)
                  for i in range(len(acts))]
        net = api("Network", gf.Network, layers, loss=loss, dtype=dtype, seed=seed, init=init)
    return net, kind


def targets(rng, kind, n, k):
    if kind == "dense":
        return rng.uniform(-2, 2, (n, k))
    if kind == "binary":
        return rng.integers(0, 2, (n, k)).astype(np.float64)
    if kind == "labels":
        return rng.integers(0, k, n)
    if kind == "onehot":
        return oracle.onehot(rng.integers(0, k, n), k)
    if kind == "soft":  # rows of target mass that need not sum to 1
        return rng.uniform(0, 1, (n, k))
    if kind == "counts":  # counts, or rates (the poisson loss takes any y >= 0)
        return rng.poisson(1.5, (n, k)) * rng.choice((1.0, 0.5))
    raise ValueError(kind)


def laid_out(draw, array):
    """The same values as a C or Fortran array, a strided view, a reversed view or a list."""
    layout = draw(st.sampled_from(("C", "F", "strided", "reversed", "list")))
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        wide = np.zeros((array.shape[0] * 2,) + array.shape[1:], array.dtype)
        wide[::2] = array
        return wide[::2]
    if layout == "reversed":
        return np.ascontiguousarray(array[::-1])[::-1]
    if layout == "list":
        return array.tolist()
    return array


@st.composite
def data_for(draw, net, kind, max_rows=17):
    """(X, y, sample_weight or None) valid for ``net``: X of any real dtype and layout."""
    n = draw(st.integers(1, max_rows))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    scale = draw(st.sampled_from((0.01, 1.0, 5.0)))
    X = rng.standard_normal((n, net.n_features)) * scale
    X = X.astype(draw(st.sampled_from((np.float16, np.float32, np.float64, np.int32))))
    y = targets(rng, kind, n, net.n_outputs)
    weights = draw(st.none() | st.just(rng.uniform(0.1, 3.0, n)))
    return laid_out(draw, X), laid_out(draw, y), weights


def expected(net, X, y):
    """The oracle's (outputs, cost, flat gradient, gradient scale) for the network's parameters
    and X as the network sees it (converted to its dtype). The gradient is a mean of per-sample
    gradients that may cancel, each of which rounds to about eps * |x| even when it is tiny (a
    saturated softmax): its error is measured against the mean of their absolute values, at
    least 1e-3 * mean |x|."""
    Xn = np.asarray(X, dtype=net.dtype).astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    weights, biases, acts, slopes = oracle_args(net)
    _, activations = oracle.forward(weights, biases, acts, slopes, Xn)
    cost, dW, db = oracle.loss_and_gradients(weights, biases, acts, slopes, net.loss_name, Xn, y)
    per_sample = [oracle.flatten(*oracle.loss_and_gradients(
        weights, biases, acts, slopes, net.loss_name, Xn[i:i + 1], y[i:i + 1])[1:])
        for i in range(len(Xn))]
    scale = np.maximum(np.abs(per_sample).mean(axis=0), 1e-3 * max(1.0, np.abs(Xn).mean()))
    return activations[-1], cost, oracle.flatten(dW, db), scale


def assert_near(actual, wanted, dtype, what, scale=None):
    """Within TOL of ``wanted``, relative to its largest entry (or to ``scale``'s, or to 1 for
    a small scalar cost)."""
    actual, wanted = np.asarray(actual, np.float64), np.asarray(wanted, np.float64)
    if scale is None:
        scale = np.abs(wanted) if wanted.ndim else max(abs(float(wanted)), 1.0)
    err = np.max(np.abs(actual - wanted), initial=0.0) / (np.max(scale, initial=0.0) or 1.0)
    assert err <= TOL[np.dtype(dtype).name], f"{what}: relative error {err:.3g}"


# ------------------------------------------------------------------ construction
sizes_any = st.lists(st.one_of(st.integers(-2, 6), st.floats(-1, 5), st.booleans(),
                               st.text(max_size=2), st.none()), max_size=4)
names_any = st.one_of(st.sampled_from(HIDDEN + ("softmax", "exp", "swish", "")), st.integers(),
                      st.none())
losses_any = st.one_of(st.sampled_from(tuple(_core.Loss.__members__) + ("hinge", "log_loss")),
                       st.none(), st.integers())
dtypes_any = st.sampled_from(("float32", "float64", np.float32, "float16", "int32", "bogus", None,
                              3, "f8"))
numbers_any = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                        st.integers(-2 ** 70, 2 ** 70), st.booleans(), st.text(max_size=2))


@settings(max_examples=budget(1000))
@given(sizes=sizes_any, activation=names_any, output=names_any, loss=losses_any, dtype=dtypes_any,
       seed=numbers_any, dropout=numbers_any, slope=numbers_any, scale=numbers_any,
       init=st.sampled_from(INITS + ("zeros", 7, None)))
def test_constructor_builds_a_consistent_network_or_refuses(sizes, activation, output, loss, dtype,
                                                            seed, dropout, slope, scale, init):
    try:
        net = api("Network", gf.Network, sizes, activation=activation, output=output, loss=loss,
                  dtype=dtype, seed=seed, dropout=dropout, leaky_slope=slope, output_scale=scale,
                  init=init)
    except REFUSALS:
        return
    assert net.n_params == sum(a * b + b for a, b in zip(net.layer_sizes, net.layer_sizes[1:]))
    assert net.params.dtype == net.dtype and np.isfinite(net.params).all()
    assert [W.shape for W in net.weights] == list(zip(net.layer_sizes, net.layer_sizes[1:]))
    assert all(0 <= p < 1 for p in net.dropout) and net.dropout[-1] == 0


# ------------------------------------------------------------------ valid inputs
@settings(max_examples=budget(800))
@given(st.data())
def test_valid_inputs_match_the_oracle(data):
    net, kind = data.draw(networks())
    X, y, weights = data.draw(data_for(net, kind))
    outputs, cost, grad, grad_scale = expected(net, X, y)
    n, k = outputs.shape

    out = api("forward", net.forward, X)
    assert out.shape == (n, k) and out.dtype == net.dtype
    assert_near(out, outputs, net.dtype, "forward")
    assert_near(api("loss", net.loss, X, y), cost, net.dtype, "loss")
    dW, db = api("gradients", net.gradients, X, y)
    assert [w.shape for w in dW] == [w.shape for w in net.weights]
    assert_near(oracle.flatten(dW, db), grad, net.dtype, "gradients", grad_scale)

    predicted = api("predict", net.predict, X)
    assert predicted.shape[0] == n
    if net.is_classifier:
        proba = api("predict_proba", net.predict_proba, X)
        assert proba.shape == (n, max(k, 2) if k == 1 else k)
        assert ((proba >= 0) & (proba <= 1)).all()
        if net.loss_name == "cross_entropy":
            np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
        assert 0 <= api("score", net.score, X, y, sample_weight=weights) <= 1
    else:
        with pytest.raises(ValueError, match="predict_proba needs a classification loss"):
            api("predict_proba", net.predict_proba, X)
        assert api("score", net.score, X, y, sample_weight=weights) <= 1 + 1e-9


@settings(max_examples=budget(400))
@given(st.data())
def test_integer_sample_weights_repeat_rows(data):
    """Weight w on a row costs what w copies of it cost; equal weights change nothing."""
    net, kind = data.draw(networks(dtypes=("float64",)))
    X, y, _ = data.draw(data_for(net, kind))
    X, y = np.asarray(X, np.float64), np.asarray(y)
    counts = np.asarray(data.draw(st.lists(st.integers(0, 3), min_size=len(X), max_size=len(X))))
    assume(counts.sum() > 0)
    weighted = api("loss", net.loss, X, y, sample_weight=counts)
    repeated = api("loss", net.loss, np.repeat(X, counts, axis=0), np.repeat(y, counts, axis=0))
    assert math.isclose(weighted, repeated, rel_tol=1e-9, abs_tol=1e-12)
    scaled = api("loss", net.loss, X, y, sample_weight=np.full(len(X), 2.5))
    assert math.isclose(scaled, api("loss", net.loss, X, y), rel_tol=1e-12, abs_tol=1e-15)


# ------------------------------------------------------------------ bad inputs
def corrupt_X(draw, X, rng, dtype):
    how = draw(st.sampled_from(("nan", "inf", "features", "1d", "3d", "empty", "complex",
                                "strings", "ragged", "none", "huge")))
    X = np.array(X, dtype=np.float64)
    if how in ("nan", "inf"):
        X[rng.integers(len(X)), rng.integers(X.shape[1])] = np.nan if how == "nan" else -np.inf
    elif how == "features":
        X = np.ones((len(X), draw(st.integers(0, 12))))
    elif how == "1d":
        X = X[0]
    elif how == "3d":
        X = X[:, :, None]
    elif how == "empty":
        X = X[:0]
    elif how == "complex":
        X = X.astype(complex)
    elif how == "strings":
        X = X.astype(str)
    elif how == "ragged":
        X = [list(row) for row in X] + [[1.0] * (X.shape[1] + 1)]
    elif how == "none":
        X = None
    elif how == "huge":  # finite in float64, past float32's range: bad for a float32 network
        X = np.full_like(X, 1e300 if dtype == np.float32 else np.nan)
    return how, X


@settings(max_examples=budget(1000))
@given(st.data())
def test_bad_inputs_are_refused_by_every_entry_point(data):
    net, kind = data.draw(networks())
    X, y, weights = data.draw(data_for(net, kind))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    where = data.draw(st.sampled_from(("X", "y", "sample_weight")))
    if where == "X":
        how, X = corrupt_X(data.draw, X, rng, net.dtype)
        if how == "features" and np.shape(X)[1] == net.n_features:
            return  # the drawn width happens to be right
    elif where == "y":
        y = data.draw(bad_targets(net, kind, len(np.asarray(X))))
    else:
        weights = data.draw(bad_weights(len(np.asarray(X))))
    before = net.params.copy()
    calls = [("loss", lambda: net.loss(X, y, sample_weight=weights)),
             ("gradients", lambda: net.gradients(X, y, sample_weight=weights)),
             ("score", lambda: net.score(X, y, sample_weight=weights)),
             ("fit", lambda: net.fit(X, y, epochs=1, sample_weight=weights))]
    if where == "X":
        calls += [("forward", lambda: net.forward(X)), ("predict", lambda: net.predict(X))]
        if net.is_classifier:
            calls.append(("predict_proba", lambda: net.predict_proba(X)))
    for name, call in calls:
        with warnings.catch_warnings():
            # Values finite in float64 but not in float32 are refused after NumPy warns on the
            # cast (test_bad_input.py); the refusal is what is tested here.
            warnings.filterwarnings("ignore", "overflow encountered in cast", RuntimeWarning)
            with pytest.raises(REFUSALS):
                api(name, call)
    np.testing.assert_array_equal(net.params, before)


@st.composite
def bad_targets(draw, net, kind, n):
    k = net.n_outputs
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    good = np.asarray(targets(rng, kind, n, k), dtype=np.float64)
    choices = ["short", "long", "nan", "ndim3", "complex", "none"]
    if kind == "labels":
        choices += ["label_high", "label_negative", "label_fraction"]
    if kind in ("binary", "onehot"):
        choices += ["outside_unit"]
    if kind == "counts":
        choices += ["negative_count"]
    how = draw(st.sampled_from(choices))
    if how == "short":
        return good[:n - 1]
    if how == "long":
        return np.concatenate([good, good[:1]])
    if how == "nan":
        bad = good.astype(np.float64)
        bad.flat[rng.integers(bad.size)] = draw(st.sampled_from((np.nan, np.inf, -np.inf)))
        return bad
    if how == "ndim3":
        return good.reshape(good.shape + (1, 1))
    if how == "complex":
        return good.astype(complex)
    if how == "none":
        return None
    if how == "label_high":
        bad = good.astype(np.int64)
        bad[rng.integers(n)] = k + draw(st.integers(0, 2 ** 40))
        return bad
    if how == "label_negative":
        bad = good.astype(np.int64)
        bad[rng.integers(n)] = -draw(st.integers(1, 2 ** 40))
        return bad
    if how == "label_fraction":
        return good + 0.5
    if how == "outside_unit":
        bad = good.copy()
        bad.flat[rng.integers(bad.size)] = draw(st.sampled_from((-0.5, 1.5, 1e9)))
        return bad
    bad = good.copy()  # negative_count
    bad.flat[rng.integers(bad.size)] = -1.0
    return bad


@st.composite
def bad_weights(draw, n):
    how = draw(st.sampled_from(("negative", "nan", "inf", "short", "2d", "strings")))
    w = np.ones(n)
    if how == "negative":
        w[draw(st.integers(0, n - 1))] = -draw(st.floats(1e-6, 1e6))
    elif how in ("nan", "inf"):
        w[draw(st.integers(0, n - 1))] = np.nan if how == "nan" else np.inf
    elif how == "short":
        w = w[:n - 1] if n > 1 else np.ones(2)
    elif how == "2d":
        w = w[:, None] * np.ones((1, 2))
    else:
        w = np.array(["a"] * n)
    return w


# ------------------------------------------------------------------ training
schedules = st.sampled_from((None, gf.schedules.Step(2, 0.5), gf.schedules.Exponential(0.9),
                             gf.schedules.Cosine(4, warmup=1), gf.schedules.ReduceOnPlateau()))


@st.composite
def optimizers(draw):
    lr = draw(st.sampled_from((1e-4, 0.01, 0.5, 10.0, 1e6)))
    wd = draw(st.sampled_from((0.0, 1e-3, 0.5)))
    if draw(st.booleans()):
        momentum = draw(st.sampled_from((0.0, 0.5, 0.95)))
        return gf.SGD(lr=lr, momentum=momentum, nesterov=momentum > 0 and draw(st.booleans()),
                      weight_decay=wd, momentum_form=draw(st.sampled_from(("gradient_sum",
                                                                           "velocity"))),
                      schedule=draw(schedules))
    return gf.Adam(lr=lr, weight_decay=wd, correction=draw(st.sampled_from(("moments",
                                                                           "step_size"))),
                   schedule=draw(schedules))


@settings(max_examples=budget(500))
@given(st.data())
def test_fit_trains_diverges_cleanly_or_refuses(data):
    net, kind = data.draw(networks())
    X, y, weights = data.draw(data_for(net, kind, max_rows=40))
    epochs = data.draw(st.integers(0, 4))
    kwargs = dict(epochs=epochs, batch_size=data.draw(st.integers(1, 50)),
                  optimizer=data.draw(optimizers()), shuffle=data.draw(st.booleans()),
                  sample_weight=weights, l2=data.draw(st.sampled_from((0.0, 1e-3, 1.0))),
                  class_weight=data.draw(st.sampled_from((None, "balanced", {0: 2.0}))),
                  early_stopping=data.draw(st.sampled_from((None, True, gf.EarlyStopping(
                      monitor="loss", patience=1)))),
                  validation_data=data.draw(st.sampled_from((None, (X, y)))),
                  record_batches=data.draw(st.booleans()))
    before, trained = net.params.copy(), net.epochs_trained
    try:
        history = api("fit", net.fit, X, y, **kwargs)
    except gf.DivergenceError:
        assert np.isfinite(net.params).all()
        return
    except REFUSALS:
        np.testing.assert_array_equal(net.params, before)
        assert net.epochs_trained == trained
        return
    assert 0 <= len(history.loss) <= epochs and net.epochs_trained == trained + len(history.loss)
    assert np.isfinite(history.loss).all() and np.isfinite(net.params).all()
    assert history.grad_norm.shape == (len(history.loss), net.n_layers)
    if kwargs["record_batches"]:
        assert len(history.batch_loss) == len(history.loss)
    assert api("forward", net.forward, X).shape == (len(np.asarray(X)), net.n_outputs)


# ------------------------------------------------------------------ matmul
@settings(max_examples=budget(800))
@given(st.data())
def test_matmul_matches_numpy_or_refuses(data):
    m, k, n = (data.draw(st.integers(0, 40)) for _ in range(3))
    dtype = data.draw(st.sampled_from((np.float32, np.float64)))
    trans_a, trans_b = data.draw(st.booleans()), data.draw(st.booleans())
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    A = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    B = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    A, B = laid_out(data.draw, A), laid_out(data.draw, B)
    # A list is read as float64 (and an empty row list as 1-D): refused unless it fits.
    A_read, B_read = np.asarray(A), np.asarray(B)
    if A_read.dtype != B_read.dtype or A_read.ndim != 2 or B_read.ndim != 2:
        with pytest.raises(REFUSALS):
            api("matmul", gf.matmul, A, B, trans_a, trans_b)
        return
    A, B = A_read, B_read
    C = api("matmul", gf.matmul, A, B, trans_a, trans_b)
    wanted = (A.T if trans_a else A).astype(np.float64) @ (B.T if trans_b else B).astype(np.float64)
    assert C.shape == (m, n) and C.dtype == A.dtype
    eps = np.finfo(dtype).eps
    scale = np.abs(A).max(initial=0) * np.abs(B).max(initial=0) * max(k, 1)
    assert np.abs(C - wanted).max(initial=0) <= 4 * eps * scale + 1e-30


@settings(max_examples=budget(300))
@given(a=st.sampled_from(("f4", "f8", "i4", "c8", "f2", "O")),
       b=st.sampled_from(("f4", "f8", "i4", "f2")), a_ndim=st.integers(0, 3),
       b_ndim=st.integers(0, 3), m=st.integers(1, 4), k=st.integers(1, 4), k2=st.integers(1, 4))
def test_matmul_refuses_what_it_cannot_multiply(a, b, a_ndim, b_ndim, m, k, k2):
    A = np.ones((m, k, 2)[:a_ndim], dtype=a)
    B = np.ones((k2, m, 2)[:b_ndim], dtype=b)
    valid = a == b and a in ("f4", "f8") and a_ndim == b_ndim == 2 and k == k2
    assume(not valid)
    with pytest.raises(REFUSALS):
        api("matmul", gf.matmul, A, B)


# ------------------------------------------------------------------ landscapes, gradient check
@settings(max_examples=budget(300))
@given(st.data())
def test_landscapes_have_their_shape_and_centre(data):
    net, kind = data.draw(networks(max_width=6))
    X, y, weights = data.draw(data_for(net, kind, max_rows=10))
    steps = data.draw(st.integers(1, 6))
    span = data.draw(st.sampled_from((0.0, 0.3, 1.0, -1.0, math.nan)))
    biases = data.draw(st.sampled_from(("fixed", "filter", "wrong")))
    which = data.draw(st.sampled_from(("line", "line_to", "surface")))
    try:
        if which == "surface":
            result = api("landscape.surface", gf.landscape.surface, net, X, y, steps=steps,
                         span=span, biases=biases, sample_weight=weights)
        elif which == "line":
            result = api("landscape.line", gf.landscape.line, net, X, y, steps=steps, span=span,
                         biases=biases, sample_weight=weights)
        else:
            other = net.copy()
            other.params[...] = other.params * 0.5
            result = api("landscape.line", gf.landscape.line, net, X, y, to=other, steps=steps,
                         span=span, sample_weight=weights)
    except REFUSALS:
        return
    centre = net.loss(X, y, sample_weight=weights)
    assert result.center_loss == centre
    if which == "surface":
        assert steps % 2 == 1 and result.losses.shape == (steps, steps)
        assert result.losses[steps // 2, steps // 2] == centre
    else:
        assert result.losses.shape == result.alphas.shape
        at_zero = np.flatnonzero(result.alphas == 0)
        assert at_zero.size <= 1
        if at_zero.size:
            assert result.losses[at_zero[0]] == centre


@settings(max_examples=budget(250))
@given(st.data())
def test_check_gradients_agrees_or_refuses(data):
    net, kind = data.draw(networks(max_width=5))
    X, y, weights = data.draw(data_for(net, kind, max_rows=6))
    eps = data.draw(st.sampled_from((1e-6, 0.0, -1.0, math.inf)))
    per_layer = data.draw(st.sampled_from((3, 64, 0, 2.5)))
    try:
        result = api("check_gradients", gf.check_gradients, net, X, y, sample_weight=weights,
                     eps=eps, max_per_layer=per_layer)
    except REFUSALS:
        assert not (eps == 1e-6 and per_layer in (3, 64))
        return
    assert result.max_error.shape == (net.n_layers,) and (result.checked >= 1).all()
    # Kinks (relu, leaky_relu, mae) can sit inside the finite-difference step.
    smooth = all(a in ("identity", "sigmoid", "tanh", "softmax", "exp")
                 for a in net.activations) and net.loss_name != "mae"
    if smooth:
        # A difference of two float64 costs over 2h = 2e-6 rounds to ~1e-10 * cost per ulp,
        # compared with gradients of at least the check's floor of 1e-7: 1e-3 * cost per ulp.
        cost = net.astype("float64").loss(X, y, sample_weight=weights)
        assert result.worst <= 1e-2 * max(1.0, abs(cost)), str(result)


# ------------------------------------------------------------------ persistence
@settings(max_examples=budget(300))
@given(data=st.data())
def test_save_load_copy_and_pickle_give_the_same_network(data, tmp_path_factory):
    net, kind = data.draw(networks())
    net.params[...] = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(
        net.n_params)
    net.epochs_trained = data.draw(st.integers(0, 2 ** 40))
    net.samples_trained = data.draw(st.integers(0, 2 ** 50))
    path = tmp_path_factory.mktemp("net") / "model.gfnet"
    api("save", net.save, path)
    for twin in (api("load", gf.load, path), api("copy", net.copy),
                 pickle.loads(pickle.dumps(net))):
        assert twin.state().keys() == net.state().keys()
        for key, value in net.state().items():
            if key == "params":
                assert value.dtype == twin.params.dtype
                np.testing.assert_array_equal(twin.params, value)
            else:
                assert twin.state()[key] == value, key
    other = api("astype", net.astype, "float64" if net.dtype == np.float32 else "float32")
    assert other.dtype != net.dtype and other.layer_sizes == net.layer_sizes


# ------------------------------------------------------------------ scikit-learn estimators
@settings(max_examples=budget(150))
@given(st.data())
def test_sklearn_estimators_fit_and_predict(data):
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    from sklearn.exceptions import ConvergenceWarning

    from gradfall import sklearn as sklearn_mlp
    n = data.draw(st.integers(2, 30))
    d = data.draw(st.integers(1, 5))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    X = rng.standard_normal((n, d))
    params = dict(hidden_layer_sizes=tuple(data.draw(st.lists(st.integers(1, 6), max_size=2))),
                  activation=data.draw(st.sampled_from(("relu", "tanh", "logistic", "identity",
                                                        "leaky_relu"))),
                  solver=data.draw(st.sampled_from(("sgd", "adam", "lbfgs"))),
                  max_iter=data.draw(st.integers(1, 5)), random_state=0,
                  batch_size=data.draw(st.sampled_from(("auto", 1, 7))),
                  dtype=data.draw(st.sampled_from(("float32", "float64"))))
    classify = data.draw(st.booleans())
    if classify:
        y = rng.integers(0, data.draw(st.integers(1, 4)), n)
        estimator = sklearn_mlp.MLPClassifier(**params)
    else:
        y = rng.standard_normal((n, data.draw(st.integers(1, 2)))).squeeze()
        estimator = sklearn_mlp.MLPRegressor(**params)
    with warnings.catch_warnings():
        # A few iterations do not converge, and a batch larger than the data is clipped: both
        # are warned about, as scikit-learn does.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Got `batch_size` less than 1 or larger")
        api("estimator.fit", estimator.fit, X, y)
    predicted = api("estimator.predict", estimator.predict, X)
    assert predicted.shape == np.shape(y)
    if classify:
        assert set(np.unique(predicted)) <= set(np.unique(y))
        proba = api("estimator.predict_proba", estimator.predict_proba, X)
        assert proba.shape == (n, max(2, np.unique(y).size))  # one class: two columns, as in
        # scikit-learn
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    else:
        assert np.isfinite(predicted).all()


# ------------------------------------------------------------------ threads
@settings(max_examples=budget(300))
@given(n=st.one_of(st.integers(-3, 16), st.none(), st.booleans(), st.floats(0, 4),
                   st.text(max_size=2)), data=st.data())
def test_thread_settings_never_change_results(n, data):
    net, kind = data.draw(networks())
    X, y, _ = data.draw(data_for(net, kind, max_rows=60))
    with gf.threads(1):
        alone_out, alone_loss = net.forward(X), net.loss(X, y)
    previous = _core.thread_override()
    try:
        api("set_num_threads", gf.set_num_threads, n)
    except REFUSALS:
        # A count of threads the machine has is never refused; more may be (a bound).
        assert not (type(n) is int and 1 <= n <= os.cpu_count())
        return
    try:
        assert api("get_num_threads", gf.get_num_threads) >= 1
        np.testing.assert_array_equal(net.forward(X), alone_out)
        assert net.loss(X, y) == alone_loss
    finally:
        _core.set_thread_override(previous)
