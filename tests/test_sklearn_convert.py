"""from_sklearn / to_sklearn: fitted scikit-learn MLPs <-> gradfall estimators."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402

from gradfall.sklearn import MLPClassifier, MLPRegressor, from_sklearn, to_sklearn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(kind, n=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    if kind == "multiclass":
        y = np.array(["a", "b", "c"])[np.argmax(X[:, :3] + 0.3 * rng.normal(size=(n, 3)), 1)]
    elif kind == "binary":
        y = (X[:, 0] - X[:, 2] > 0).astype(int) + 4
    elif kind == "multilabel":
        y = (X[:, :4] + 0.3 * rng.normal(size=(n, 4)) > 0).astype(int)
    elif kind == "regression":
        y = np.sin(X[:, 0]) + X[:, 1]
    else:
        y = np.c_[np.sin(X[:, 0]), X[:, 1] * X[:, 2]]
    return X, y


CASES = [
    ("multiclass", SkMLPClassifier, dict(solver="adam")),
    ("binary", SkMLPClassifier, dict(solver="sgd", activation="logistic")),
    ("multilabel", SkMLPClassifier, dict(solver="lbfgs", activation="tanh")),
    ("regression", SkMLPRegressor, dict(solver="adam", activation="relu")),
    ("multioutput", SkMLPRegressor, dict(solver="lbfgs", activation="identity")),
]


@pytest.mark.parametrize("kind,sk_cls,params", CASES, ids=[c[0] for c in CASES])
def test_from_sklearn_same_predictions(kind, sk_cls, params):
    X, y = _data(kind)
    sk = sk_cls(hidden_layer_sizes=(9, 4), max_iter=40, random_state=0, **params).fit(X, y)
    ours = from_sklearn(sk)
    assert isinstance(ours, MLPClassifier if sk_cls is SkMLPClassifier else MLPRegressor)
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_features_in_", "n_iter_", "t_"):
        assert getattr(ours, name) == getattr(sk, name), name
    assert ours.loss_ == sk.loss_
    if sk_cls is SkMLPRegressor:
        np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=0, atol=1e-5)
        assert ours.score(X, y) == pytest.approx(sk.score(X, y), abs=1e-9)
    else:
        np.testing.assert_array_equal(ours.classes_, sk.classes_)
        np.testing.assert_array_equal(ours.predict(X), sk.predict(X))
        np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), rtol=0, atol=1e-5)
        assert ours.score(X, y) == sk.score(X, y)
    # float32 conversion: same predictions to float32 precision
    ours32 = from_sklearn(sk, dtype="float32")
    assert ours32.coefs_[0].dtype == np.float32
    if sk_cls is SkMLPClassifier:
        np.testing.assert_allclose(ours32.predict_proba(X), sk.predict_proba(X), atol=1e-5)
    else:
        np.testing.assert_allclose(ours32.predict(X), sk.predict(X), atol=1e-4)


@pytest.mark.parametrize("kind,sk_cls,params", CASES, ids=[c[0] for c in CASES])
def test_to_sklearn_round_trip(kind, sk_cls, params):
    X, y = _data(kind)
    ours_cls = MLPClassifier if sk_cls is SkMLPClassifier else MLPRegressor
    ours = ours_cls(hidden_layer_sizes=(8,), max_iter=30, random_state=0, **params).fit(X, y)
    sk = ours.to_sklearn()
    assert type(sk) is sk_cls
    assert sk.get_params()["hidden_layer_sizes"] == (8,)
    method = "predict_proba" if sk_cls is SkMLPClassifier else "predict"
    np.testing.assert_allclose(getattr(sk, method)(X), getattr(ours, method)(X), atol=1e-5)
    back = from_sklearn(sk, dtype="float32")
    np.testing.assert_allclose(getattr(back, method)(X), getattr(ours, method)(X), atol=1e-6)
    assert to_sklearn(ours).n_iter_ == ours.n_iter_


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_optimizer_state_survives_conversion(solver):
    """After from_sklearn, partial_fit continues exactly like scikit-learn's partial_fit
    (momentum / Adam moments and step count are carried over), and back with to_sklearn."""
    X, y = _data("multiclass")
    params = dict(hidden_layer_sizes=(6,), solver=solver, batch_size=50, shuffle=False,
                  learning_rate_init=0.01, random_state=0)
    sk = SkMLPClassifier(**params)
    for _ in range(3):
        sk.partial_fit(X, y, classes=np.unique(y))
    ours = from_sklearn(sk)
    sk.partial_fit(X, y)
    ours.partial_fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, sk.coefs_ + sk.intercepts_):
        np.testing.assert_allclose(a, b, atol=1e-6)
    back = ours.to_sklearn()
    back.partial_fit(X, y)
    ours.partial_fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, back.coefs_ + back.intercepts_):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_conversion_errors():
    X, y = _data("regression")
    with pytest.raises(TypeError, match="MLPClassifier or MLPRegressor"):
        from_sklearn(object())
    poisson = SkMLPRegressor(loss="poisson", hidden_layer_sizes=(3,), max_iter=5).fit(X, np.exp(y))
    np.testing.assert_allclose(from_sklearn(poisson).predict(X), poisson.predict(X), rtol=1e-6)
    leaky = MLPRegressor(activation="leaky_relu", hidden_layer_sizes=(3,), max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="leaky_relu"):
        leaky.to_sklearn()
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        from_sklearn(SkMLPRegressor())


def test_from_sklearn_keeps_feature_names_and_early_stopping_state():
    pd = pytest.importorskip("pandas")
    X, y = _data("multiclass", n=200)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    sk = SkMLPClassifier(hidden_layer_sizes=(5,), early_stopping=True, max_iter=20,
                         random_state=0).fit(df, y)
    ours = from_sklearn(sk)
    np.testing.assert_array_equal(ours.feature_names_in_, sk.feature_names_in_)
    assert ours.validation_scores_ == sk.validation_scores_
    assert ours.best_validation_score_ == sk.best_validation_score_
    np.testing.assert_array_equal(ours.predict(df), sk.predict(df))
