"""gradfall.sklearn against scikit-learn's own MLPs: same scores, same steps, same weights."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn import datasets  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from gradfall.sklearn import MLPClassifier, MLPRegressor, from_sklearn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SEEDS = (0, 1, 2)


def _load(name):
    if name == "digits":
        X, y = datasets.load_digits(return_X_y=True)
        X = X / 16.0
    elif name == "breast_cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
    elif name == "iris":
        X, y = datasets.load_iris(return_X_y=True)
    elif name == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
        y = (y - y.mean()) / y.std()
    else:  # pragma: no cover
        raise ValueError(name)
    stratify = None if name == "diabetes" else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=stratify)
    if name != "digits":
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test, y_train, y_test


SOLVER_PARAMS = {
    "sgd": dict(solver="sgd", learning_rate_init=0.01, max_iter=150),
    "adam": dict(solver="adam", learning_rate_init=0.001, max_iter=150),
}


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("name", ["digits", "breast_cancer", "iris", "diabetes"])
def test_score_parity_with_sklearn(name, solver):
    """Same data, same hyperparameters: mean test score over 3 seeds within 2 accuracy points
    (classification) / 0.05 R^2 (regression) of scikit-learn's."""
    X_train, X_test, y_train, y_test = _load(name)
    ours_cls, sk_cls = ((MLPRegressor, SkMLPRegressor) if name == "diabetes"
                        else (MLPClassifier, SkMLPClassifier))
    params = SOLVER_PARAMS[solver]
    ours, theirs = [], []
    for seed in SEEDS:
        ours.append(ours_cls(random_state=seed, **params).fit(X_train, y_train)
                    .score(X_test, y_test))
        theirs.append(sk_cls(random_state=seed, **params).fit(X_train, y_train)
                      .score(X_test, y_test))
    ours, theirs = float(np.mean(ours)), float(np.mean(theirs))
    print(f"\n{name} {solver}: gradfall {ours:.4f}  scikit-learn {theirs:.4f}")
    tolerance = 0.05 if name == "diabetes" else 0.02
    assert abs(ours - theirs) <= tolerance, (ours, theirs)


# ----------------------------------------------------------------------------- exact steps
def _problem(kind, n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    if kind == "multiclass":
        y = np.argmax(X[:, :3] + 0.5 * rng.normal(size=(n, 3)), axis=1)
    elif kind == "binary":
        y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    elif kind == "multilabel":
        y = (X[:, :3] + 0.5 * rng.normal(size=(n, 3)) > 0).astype(int)
    elif kind == "regression":
        y = X @ rng.normal(size=6) + 0.1 * rng.normal(size=n)
    elif kind == "multioutput":
        y = X @ rng.normal(size=(6, 3)) + 0.1 * rng.normal(size=(n, 3))
    else:  # pragma: no cover
        raise ValueError(kind)
    return X, y


def _classes(kind):
    if kind in ("regression", "multioutput"):
        return MLPRegressor, SkMLPRegressor
    return MLPClassifier, SkMLPClassifier


def _assert_same_weights(ours, theirs, atol=1e-6):
    assert len(ours.coefs_) == len(theirs.coefs_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)


KINDS = ["multiclass", "binary", "multilabel", "regression", "multioutput"]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("kind", KINDS)
def test_one_full_batch_epoch_from_sklearn_weights(kind, solver):
    """Identical starting weights (from_sklearn), one epoch of full-batch gradient descent in
    float64: the same weights as scikit-learn to 1e-6, and the same loss_."""
    X, y = _problem(kind)
    ours_cls, sk_cls = _classes(kind)
    params = dict(hidden_layer_sizes=(7, 5), activation="tanh", solver=solver, alpha=1e-2,
                  batch_size=X.shape[0], shuffle=False, max_iter=1, warm_start=True,
                  learning_rate_init=0.05, random_state=3)
    sk = sk_cls(**params).fit(X, y)          # some training first: non-trivial weights
    ours = from_sklearn(sk)
    assert ours.dtype == "float64"
    _assert_same_weights(ours, sk, atol=0)
    sk.fit(X, y)                             # warm start: one more full-batch epoch each
    ours.fit(X, y)
    _assert_same_weights(ours, sk)
    assert ours.loss_ == pytest.approx(sk.loss_, rel=1e-9, abs=1e-12)
    assert ours.loss_curve_ == pytest.approx(sk.loss_curve_, rel=1e-9, abs=1e-12)
    assert ours.t_ == sk.t_ and ours.n_iter_ == sk.n_iter_ == 1


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_same_random_state_same_initialisation_and_steps(activation, solver):
    """Our initialisation draws the same numbers as scikit-learn's _init_coef: with the same
    random_state, three full-batch epochs (float64) end at the same weights."""
    X, y = _problem("multiclass")
    params = dict(hidden_layer_sizes=(8,), activation=activation, solver=solver,
                  batch_size=X.shape[0], shuffle=False, max_iter=3, random_state=7,
                  learning_rate_init=0.02, tol=0.0)
    sk = SkMLPClassifier(**params).fit(X, y)
    ours = MLPClassifier(dtype="float64", **params).fit(X, y)
    _assert_same_weights(ours, sk)
    assert ours.loss_curve_ == pytest.approx(sk.loss_curve_, rel=1e-9)


@pytest.mark.parametrize("kind", ["multiclass", "regression", "multioutput"])
def test_sample_weight_matches_sklearn(kind):
    """sample_weight: the minibatch cost is sum_i w_i loss_i / sum_i w_i (+ L2 / sum_i w_i),
    exactly as scikit-learn 1.9 (checked on full batches, where the epoch loss is exact too)."""
    X, y = _problem(kind)
    w = np.random.RandomState(1).uniform(0.2, 3.0, size=X.shape[0])
    ours_cls, sk_cls = _classes(kind)
    params = dict(hidden_layer_sizes=(6,), solver="sgd", alpha=0.1, batch_size=X.shape[0],
                  shuffle=False, max_iter=2, learning_rate_init=0.05, random_state=0, tol=0.0)
    sk = sk_cls(**params).fit(X, y, sample_weight=w)
    ours = ours_cls(dtype="float64", **params).fit(X, y, sample_weight=w)
    _assert_same_weights(ours, sk)
    assert ours.loss_curve_ == pytest.approx(sk.loss_curve_, rel=1e-9)


@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
def test_learning_rate_schedules_match_sklearn(schedule):
    X, y = _problem("regression")
    params = dict(hidden_layer_sizes=(6,), solver="sgd", learning_rate=schedule,
                  learning_rate_init=0.05, power_t=0.3, batch_size=X.shape[0], shuffle=False,
                  max_iter=40, tol=1e-2, n_iter_no_change=2, random_state=0)
    sk = SkMLPRegressor(**params).fit(X, y)
    ours = MLPRegressor(dtype="float64", **params).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_
    assert ours._optimizer.lr == pytest.approx(sk._optimizer.learning_rate, rel=1e-12)
    _assert_same_weights(ours, sk)


def test_partial_fit_steps_match_sklearn():
    """partial_fit keeps the optimizer state (Adam moments and step count) between calls."""
    X, y = _problem("multiclass")
    params = dict(hidden_layer_sizes=(8,), solver="adam", batch_size=40, shuffle=False,
                  random_state=0, learning_rate_init=0.01)
    sk = SkMLPClassifier(**params)
    ours = MLPClassifier(dtype="float64", **params)
    for start in (0, 60, 0):
        batch = slice(start, start + 60)
        sk.partial_fit(X[batch], y[batch], classes=np.unique(y))
        ours.partial_fit(X[batch], y[batch], classes=np.unique(y))
    _assert_same_weights(ours, sk)
    assert ours.t_ == sk.t_


@pytest.mark.parametrize("kind", ["multiclass", "binary", "regression"])
def test_lbfgs_matches_sklearn(kind):
    """lbfgs: same objective and gradient, same start -> same L-BFGS-B iterates (float64)."""
    X, y = _problem(kind)
    ours_cls, sk_cls = _classes(kind)
    params = dict(hidden_layer_sizes=(6,), solver="lbfgs", alpha=1e-3, max_iter=15,
                  random_state=0)
    sk = sk_cls(**params).fit(X, y)
    ours = ours_cls(dtype="float64", **params).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_
    assert ours.loss_ == pytest.approx(sk.loss_, rel=1e-6)
    _assert_same_weights(ours, sk, atol=1e-5)


def test_float32_training_tracks_float64():
    X, y = _problem("multiclass", n=300)
    params = dict(hidden_layer_sizes=(16,), max_iter=30, random_state=0)
    a = MLPClassifier(dtype="float32", **params).fit(X, y)
    b = MLPClassifier(dtype="float64", **params).fit(X, y)
    assert a.coefs_[0].dtype == np.float32 and b.coefs_[0].dtype == np.float64
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-3)


def test_early_stopping_validation_split_matches_sklearn():
    """The validation split is drawn from random_state after the initial weights, as in
    scikit-learn: with full batches and no shuffling the whole run is identical."""
    X, y = _problem("multiclass", n=200)
    params = dict(hidden_layer_sizes=(8,), solver="adam", early_stopping=True,
                  validation_fraction=0.2, batch_size=160, shuffle=False, max_iter=60,
                  n_iter_no_change=3, tol=1e-3, random_state=0, learning_rate_init=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkMLPClassifier(**params).fit(X, y)
        ours = MLPClassifier(dtype="float64", **params).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_
    assert ours.validation_scores_ == pytest.approx(sk.validation_scores_)
    assert ours.best_validation_score_ == pytest.approx(sk.best_validation_score_)
    assert ours.best_loss_ is None and sk.best_loss_ is None
    _assert_same_weights(ours, sk)


@pytest.mark.parametrize("kind", ["multiclass", "multilabel", "regression"])
def test_minibatches_without_shuffle_match_sklearn(kind):
    """Minibatches in order (shuffle=False) with sample weights: same weights and the same loss_
    (sklearn averages the minibatch losses by sample count)."""
    X, y = _problem(kind, n=130)
    w = np.random.RandomState(2).uniform(0.0, 2.0, size=X.shape[0])
    ours_cls, sk_cls = _classes(kind)
    params = dict(hidden_layer_sizes=(6,), solver="adam", alpha=1e-3, batch_size=50,
                  shuffle=False, max_iter=3, learning_rate_init=0.02, random_state=0, tol=0.0)
    sk = sk_cls(**params).fit(X, y, sample_weight=w)
    ours = ours_cls(dtype="float64", **params).fit(X, y, sample_weight=w)
    _assert_same_weights(ours, sk)
    assert ours.loss_curve_ == pytest.approx(sk.loss_curve_, rel=1e-9)


def test_multioutput_minibatch_loss_close_to_sklearn():
    """Multi-output regression with L2 and minibatches: loss_ (sklearn's mean over outputs) is
    recovered from the core's loss up to the L2 term's in-epoch drift (tiny)."""
    X, y = _problem("multioutput", n=130)
    params = dict(hidden_layer_sizes=(6,), solver="sgd", alpha=0.5, batch_size=40,
                  shuffle=False, max_iter=5, learning_rate_init=0.01, random_state=0, tol=0.0)
    sk = SkMLPRegressor(**params).fit(X, y)
    ours = MLPRegressor(dtype="float64", **params).fit(X, y)
    _assert_same_weights(ours, sk)
    assert ours.loss_curve_ == pytest.approx(sk.loss_curve_, rel=1e-3)
