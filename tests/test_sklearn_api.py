"""gradfall.sklearn estimators: the scikit-learn API surface (partial_fit, warm_start,
early_stopping, pickling, pandas, multilabel, multi-output, verbose, dtype, threads, errors)."""
import io
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

import gradfall  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402

from gradfall.sklearn import MLPClassifier, MLPRegressor  # noqa: E402
from gradfall import progress as _progress  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _clf_data(n=200, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    y = np.argmax(X[:, :n_classes] + 0.3 * rng.normal(size=(n, n_classes)), axis=1)
    return X, y


def _reg_data(n=200, n_outputs=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    Y = np.c_[np.sin(X[:, 0]) + X[:, 1], X[:, 2] * X[:, 3], X[:, 4] - X[:, 5]][:, :n_outputs]
    return X, (Y.ravel() if n_outputs == 1 else Y)


# ----------------------------------------------------------------------------- packaging
def test_import_gradfall_does_not_import_sklearn():
    code = "import sys, gradfall; assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_clear_import_error_without_sklearn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n"
        "    import gradfall.sklearn\n"
        "except ImportError as e:\n"
        "    assert 'pip install \"gradfall[sklearn]\"' in str(e), str(e)\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------- parameters
def test_default_parameters_match_sklearn():
    from sklearn.neural_network import MLPClassifier as SkC
    from sklearn.neural_network import MLPRegressor as SkR

    for ours, theirs in ((MLPClassifier(), SkC()), (MLPRegressor(), SkR())):
        ours_params = ours.get_params()
        assert ours_params.pop("dtype") == "auto"
        assert ours_params.pop("n_threads") is None
        assert ours_params.pop("comm") is None
        assert ours_params == theirs.get_params()
    # positional parameters in the same order
    assert MLPClassifier((5,), "tanh").activation == "tanh"
    assert MLPRegressor("squared_error", (5,), "tanh").hidden_layer_sizes == (5,)


def test_get_set_params_and_clone():
    est = MLPClassifier(hidden_layer_sizes=(4, 3), dtype="float64", n_threads=1)
    est.set_params(alpha=0.5, activation="leaky_relu")
    assert est.get_params()["alpha"] == 0.5
    X, y = _clf_data()
    est.fit(X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "coefs_")


@pytest.mark.parametrize("params", [
    dict(activation="softsign"), dict(solver="rmsprop"), dict(alpha=-1.0), dict(dtype="float16"),
    dict(n_threads=0), dict(batch_size=0), dict(learning_rate="cyclic"), dict(momentum=1.5),
])
def test_invalid_parameters(params):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = _clf_data(n=30)
    with pytest.raises(InvalidParameterError):
        MLPClassifier(**params).fit(X, y)


def test_hidden_layer_sizes_forms():
    X, y = _clf_data(n=60)
    assert MLPClassifier(hidden_layer_sizes=7, max_iter=2).fit(X, y).coefs_[0].shape == (6, 7)
    est = MLPClassifier(hidden_layer_sizes=np.array([5, 4]), max_iter=2).fit(X, y)
    assert [c.shape for c in est.coefs_] == [(6, 5), (5, 4), (4, 3)]
    assert est.n_layers_ == 4


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_poisson_loss_trains_like_scikit_learn(solver):
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor

    X, y = _reg_data(n=60)
    y = np.random.default_rng(0).poisson(np.exp(0.5 * X[:, 0]))
    kwargs = dict(loss="poisson", solver=solver, hidden_layer_sizes=(7,), activation="tanh",
                  max_iter=15, random_state=0, batch_size=60, tol=0, learning_rate_init=0.01)
    ours = MLPRegressor(**kwargs).fit(X, y)
    theirs = SkMLPRegressor(**kwargs).fit(X, y)
    assert ours.out_activation_ == "exp"
    np.testing.assert_allclose(ours.loss_curve_ if solver != "lbfgs" else [ours.loss_],
                               theirs.loss_curve_ if solver != "lbfgs" else [theirs.loss_],
                               rtol=1e-7)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)
    assert (ours.predict(X) > 0).all()
    with pytest.raises(ValueError, match=">= 0"):
        MLPRegressor(loss="poisson", max_iter=2).fit(X, -y - 1)


def test_not_fitted():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        MLPRegressor().predict(np.zeros((2, 3)))


# ----------------------------------------------------------------------------- fitted state
def test_fitted_attributes_classifier():
    X, y = _clf_data()
    labels = np.array(["cat", "dog", "emu"])[y]
    est = MLPClassifier(hidden_layer_sizes=(10, 5), max_iter=15, random_state=0).fit(X, labels)
    np.testing.assert_array_equal(est.classes_, ["cat", "dog", "emu"])
    assert est.n_features_in_ == 6 and est.n_layers_ == 4 and est.n_outputs_ == 3
    assert est.out_activation_ == "softmax"
    assert [c.shape for c in est.coefs_] == [(6, 10), (10, 5), (5, 3)]
    assert [b.shape for b in est.intercepts_] == [(10,), (5,), (3,)]
    assert est.n_iter_ == 15 and len(est.loss_curve_) == 15 and est.t_ == 15 * len(X)
    assert est.loss_ == est.loss_curve_[-1] and est.best_loss_ == min(est.loss_curve_)
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.coefs_[0].dtype == X.dtype  # dtype="auto": the weights follow X
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-6)
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba), rtol=1e-6)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    assert 0.0 <= est.score(X, labels) <= 1.0


def test_binary_classification_has_one_logistic_output():
    X, y = _clf_data(n_classes=2)
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=100, random_state=0,
                        learning_rate_init=0.01).fit(X, y == 1)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 1
    assert est.coefs_[-1].shape == (5, 1)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_array_equal(est.predict(X), proba[:, 1] > 0.5)
    assert est.score(X, y == 1) > 0.8


def test_multilabel_classification():
    X, _ = _clf_data(n=300)
    Y = (X[:, :4] + 0.2 * np.random.RandomState(1).normal(size=(300, 4)) > 0).astype(int)
    est = MLPClassifier(hidden_layer_sizes=(20,), max_iter=100, random_state=0,
                        learning_rate_init=0.01).fit(X, Y)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 4
    np.testing.assert_array_equal(est.classes_, [0, 1, 2, 3])
    pred = est.predict(X)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    proba = est.predict_proba(X)
    assert proba.shape == Y.shape
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    assert est.score(X, Y) > 0.7  # subset accuracy
    # the loss is scikit-learn's binary log-loss summed over the outputs
    p = np.clip(proba.astype(np.float64), 1e-12, 1 - 1e-12)
    data_loss = -np.mean(np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1))
    assert data_loss == pytest.approx(est.loss_, rel=0.2)


def test_multioutput_regression():
    X, Y = _reg_data(n=300, n_outputs=3)
    est = MLPRegressor(hidden_layer_sizes=(30,), max_iter=200, random_state=0,
                       learning_rate_init=0.01).fit(X, Y)
    assert est.n_outputs_ == 3 and est.out_activation_ == "identity"
    pred = est.predict(X)
    assert pred.shape == (300, 3) and pred.dtype == np.float64
    assert est.score(X, Y) > 0.8
    # loss_ is scikit-learn's: 0.5 * squared error averaged over samples AND outputs (+ L2)
    sq = np.sum(np.concatenate([c.ravel() for c in est.coefs_]).astype(np.float64) ** 2)
    expected = 0.5 * np.mean((Y - pred) ** 2) + 0.5 * est.alpha * sq / len(X)
    assert est.loss_ == pytest.approx(expected, rel=0.1)
    one = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5).fit(X, Y[:, 0])
    assert one.predict(X).shape == (300,)


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float64])
def test_dtype(dtype):
    X, y = _reg_data(n=80)
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, dtype=dtype).fit(X, y)
    assert est.coefs_[0].dtype == np.dtype(dtype)
    # predictions have the dtype of X (float32 or float64), like scikit-learn
    assert est.predict(X).dtype == np.float64
    assert est.predict(X.astype(np.float32)).dtype == np.float32
    assert est.predict(X.astype(np.int64)).dtype == np.float64


def test_coefs_are_live_views():
    X, y = _reg_data(n=50)
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    est.intercepts_[-1][...] += 10.0  # in-place edit, as with scikit-learn
    shifted = est.predict(X)
    est.intercepts_ = [b.copy() for b in est.intercepts_]  # replaced list: also honoured
    est.intercepts_[-1] -= 10.0
    np.testing.assert_allclose(shifted - est.predict(X), 10.0, rtol=1e-5)


# ----------------------------------------------------------------------------- training modes
def test_partial_fit_classifier():
    X, y = _clf_data(n=300)
    est = MLPClassifier(hidden_layer_sizes=(10,), random_state=0, learning_rate_init=0.01)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X[:50], y[:50])
    est.partial_fit(X[:50], np.zeros(50, dtype=int), classes=[0, 1, 2])  # y: a subset
    assert est.n_outputs_ == 3 and est.n_iter_ == 1 and est.t_ == 50
    for _ in range(30):
        for start in range(0, 300, 100):
            est.partial_fit(X[start:start + 100], y[start:start + 100])
    assert est.t_ == 50 + 30 * 300 and len(est.loss_curve_) == 1 + 90
    assert est.score(X, y) > 0.85
    with pytest.raises(ValueError, match="classes not in"):
        est.partial_fit(X[:5], np.array([0, 1, 2, 3, 3]))


def test_partial_fit_regressor_and_lbfgs_has_no_partial_fit():
    X, y = _reg_data()
    est = MLPRegressor(hidden_layer_sizes=(10,), random_state=0, learning_rate_init=0.01)
    for _ in range(40):
        est.partial_fit(X, y)
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 40
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert not hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    with pytest.raises(ValueError, match="early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y)


def test_warm_start_continues():
    X, y = _clf_data()
    est = MLPClassifier(hidden_layer_sizes=(10,), max_iter=10, warm_start=True, random_state=0,
                        tol=0.0)
    est.fit(X, y)
    first = [c.copy() for c in est.coefs_]
    loss_after_first = est.loss_
    est.fit(X, y)
    assert len(est.loss_curve_) == 20 and est.n_iter_ == 10 and est.t_ == 20 * len(X)
    assert est.loss_ < loss_after_first
    assert not np.allclose(first[0], est.coefs_[0])
    with pytest.raises(ValueError, match="warm_start can only be used"):
        est.fit(X, np.where(y == 2, 1, y))
    cold = MLPClassifier(hidden_layer_sizes=(10,), max_iter=10, random_state=0, tol=0.0)
    cold.fit(X, y)
    cold.fit(X, y)  # without warm_start: starts again from the same initialisation
    np.testing.assert_allclose(cold.coefs_[0], first[0], rtol=1e-5, atol=1e-6)


def test_early_stopping():
    X, y = _clf_data(n=400)
    est = MLPClassifier(hidden_layer_sizes=(20,), early_stopping=True, validation_fraction=0.2,
                        n_iter_no_change=3, max_iter=300, random_state=0,
                        learning_rate_init=0.05).fit(X, y)
    assert est.best_loss_ is None
    assert len(est.validation_scores_) == est.n_iter_ < 300
    assert est.best_validation_score_ == max(est.validation_scores_)
    # the returned weights are the best ones, not the last ones
    np.testing.assert_array_equal(est._best_params, est._net.params)
    reg = MLPRegressor(hidden_layer_sizes=(10,), early_stopping=True, max_iter=50,
                       random_state=0).fit(*_reg_data())
    assert -10 < reg.best_validation_score_ <= 1  # R^2


def test_early_stopping_too_small_validation_set():
    X, y = _clf_data(n=10)
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPClassifier(early_stopping=True, validation_fraction=0.1).fit(X, y)


def test_lbfgs():
    X, y = _clf_data()
    est = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), max_iter=50,
                        random_state=0).fit(X, y)
    assert est.n_iter_ <= 50 and est.score(X, y) > 0.9
    for name in ("loss_curve_", "best_loss_", "validation_scores_"):
        assert not hasattr(est, name)
    with pytest.warns(ConvergenceWarning):
        MLPClassifier(solver="lbfgs", max_iter=2).fit(X, y)


def test_sample_weight_zero_equals_removal_full_batch():
    X, y = _reg_data(n=60)
    w = np.ones(60)
    w[40:] = 0.0
    params = dict(hidden_layer_sizes=(5,), solver="sgd", shuffle=False, max_iter=5,
                  random_state=0, dtype="float64", tol=0.0)
    a = MLPRegressor(batch_size=60, **params).fit(X, y, sample_weight=w)
    b = MLPRegressor(batch_size=40, **params).fit(X[:40], y[:40])
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], atol=1e-10)
    with pytest.raises(ValueError, match="(?i)negative"):
        MLPRegressor(max_iter=2).fit(X, y, sample_weight=-w)


def test_convergence_warning_and_tol_stopping():
    X, y = _reg_data()
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPRegressor(max_iter=3, hidden_layer_sizes=(4,)).fit(X, y)
    est = MLPRegressor(max_iter=500, tol=10.0, n_iter_no_change=2, hidden_layer_sizes=(4,))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    # the loss never improves by tol: like scikit-learn, stop once the no-improvement count
    # (0 after the first epoch) exceeds n_iter_no_change
    assert est.n_iter_ == 4


# ----------------------------------------------------------------------------- persistence
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_pickle_round_trip(solver):
    X, y = _clf_data()
    est = MLPClassifier(hidden_layer_sizes=(8,), solver=solver, max_iter=10,
                        random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))
    assert restored.loss_ == est.loss_ and restored.get_params() == est.get_params()
    if solver != "lbfgs":
        # the optimizer state travels too: continuing gives the same model
        restored.partial_fit(X, y)
        est.partial_fit(X, y)
        np.testing.assert_allclose(restored.coefs_[0], est.coefs_[0], rtol=1e-6, atol=1e-7)


def test_unpickled_input_arrays():
    """Arrays that went through pickle carry a non-canonical (equal) dtype object."""
    X, y = _clf_data()
    X32 = pickle.loads(pickle.dumps(X.astype(np.float32)))
    w = pickle.loads(pickle.dumps(np.ones(len(X), dtype=np.float32)))
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X32, y, sample_weight=w)
    assert est.predict(X32).shape == (len(X),)
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, solver="lbfgs").fit(X32, y)


def test_deepcopy():
    import copy

    X, y = _reg_data()
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    dup = copy.deepcopy(est)
    dup.intercepts_[-1][...] += 1.0
    np.testing.assert_allclose(dup.predict(X) - est.predict(X), 1.0, rtol=1e-5)


# ----------------------------------------------------------------------------- pandas
def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _clf_data()
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5).fit(df, pd.Series(y))
    np.testing.assert_array_equal(est.feature_names_in_, df.columns)
    est.predict(df)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df.rename(columns={"x0": "other"}))
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5).fit(df, pd.DataFrame({"a": y, "b": -y}))
    assert reg.predict(df).shape == (len(df), 2)


# ----------------------------------------------------------------------------- verbose
def test_verbose_plain_lines(monkeypatch, capsys):
    monkeypatch.setattr(_progress, "tqdm_class", lambda: None)
    X, y = _clf_data()
    MLPClassifier(hidden_layer_sizes=(5,), max_iter=3, verbose=True, early_stopping=True,
                  random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 3, loss = " in out
    assert "validation score = " in out


def test_verbose_tqdm_bar():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    bar = _progress.Progress(3, desc="MLPRegressor", file=stream)
    for i in range(3):
        bar.update(i + 1, loss=0.5 / (i + 1), val_score=0.9)
    bar.close()
    text = stream.getvalue()
    assert "MLPRegressor" in text and "loss=" in text and "val_score=0.9000" in text and "3/3" in text


def test_verbose_fit_uses_tqdm(capsys):
    pytest.importorskip("tqdm")
    X, y = _reg_data()
    MLPRegressor(hidden_layer_sizes=(5,), max_iter=4, verbose=True).fit(X, y)
    err = capsys.readouterr().err
    assert "MLPRegressor" in err and "loss=" in err


def test_verbose_lbfgs(monkeypatch, capsys):
    monkeypatch.setattr(_progress, "tqdm_class", lambda: None)
    X, y = _reg_data()
    MLPRegressor(solver="lbfgs", hidden_layer_sizes=(5,), max_iter=3, verbose=True).fit(X, y)
    assert "Iteration 1, loss = " in capsys.readouterr().out


# ----------------------------------------------------------------------------- threads
def test_n_threads_is_scoped_to_the_call():
    X, y = _clf_data()
    before = gradfall.get_num_threads()
    a = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0, n_threads=1,
                      dtype="float64").fit(X, y)
    assert gradfall.get_num_threads() == before
    b = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0, n_threads=2,
                      dtype="float64").fit(X, y)
    assert gradfall.get_num_threads() == before
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-9, atol=1e-12)


def test_leaky_relu():
    X, y = _reg_data()
    est = MLPRegressor(activation="leaky_relu", hidden_layer_sizes=(20,), max_iter=100,
                       learning_rate_init=0.01, random_state=0).fit(X, y)
    assert est.score(X, y) > 0.8


def test_fast_validation_scores_equal_sklearn_metrics():
    from sklearn.metrics import accuracy_score, r2_score

    rng = np.random.RandomState(0)
    w = rng.uniform(0, 2, size=50)
    clf, reg = MLPClassifier(), MLPRegressor()
    a, b = rng.randint(0, 3, 50), rng.randint(0, 3, 50)
    A, B = rng.randint(0, 2, (50, 3)), rng.randint(0, 2, (50, 3))
    for sw in (None, w):
        assert clf._score_function(a, b, sw) == pytest.approx(accuracy_score(a, b, sample_weight=sw))
        assert clf._score_function(A, B, sw) == pytest.approx(accuracy_score(A, B, sample_weight=sw))
        y, p = rng.normal(size=(50, 1)), rng.normal(size=50)
        assert reg._score_function(y, p, sw) == pytest.approx(r2_score(y, p, sample_weight=sw))
        Y, P = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
        Y[:, 1] = 2.0  # constant output: sklearn's force_finite rules
        assert reg._score_function(Y, P, sw) == pytest.approx(r2_score(Y, P, sample_weight=sw))
        P[:, 1] = 2.0
        assert reg._score_function(Y, P, sw) == pytest.approx(r2_score(Y, P, sample_weight=sw))


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X_is_refused_by_fit_and_predict(Estimator, solver, bad):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int)
    X_bad = X.copy()
    X_bad[5, 1] = bad
    est = Estimator(hidden_layer_sizes=(4,), solver=solver, max_iter=3)
    with pytest.raises(ValueError, match="NaN or infinite"):
        est.fit(X_bad, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    with pytest.raises(ValueError, match="NaN or infinite"):
        est.predict(X_bad)
    for early in ([True] if solver != "lbfgs" else []):
        with pytest.raises(ValueError, match="NaN or infinite"):
            Estimator(hidden_layer_sizes=(4,), solver=solver, early_stopping=early,
                      max_iter=3).fit(X_bad, y)
