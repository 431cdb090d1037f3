"""gradfall.sklearn as a drop-in: scikit-learn's own MLP test file, dtype="auto", errors that
say what happened, threads that follow the runtime, and the public behaviours behind the
private-attribute tests left out of that file."""
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
pytest.importorskip("scipy")

import gradfall as gf  # noqa: E402
from gradfall.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Tests of scikit-learn's file that read its private attributes (_loss_grad_lbfgs,
# _optimizer.learning_rate): they do not apply to a reimplementation; the behaviours behind
# the last two are tested below.
LEFT_OUT = ("test_gradient", "test_learning_rate_warmstart", "test_adaptive_learning_rate")
SEED_FIXTURE = '''
import pytest


@pytest.fixture(params=[int(__import__("os").environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", 42))])
def global_random_seed(request):
    return request.param
'''


def test_scikit_learns_own_mlp_tests_pass(tmp_path):
    source = pathlib.Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    if not source.exists():
        pytest.skip("this scikit-learn installation ships without its tests")
    text = source.read_text(encoding="utf-8")
    original = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
    assert original in text
    (tmp_path / "test_mlp_on_gradfall.py").write_text(
        text.replace(original, "from gradfall.sklearn import MLPClassifier, MLPRegressor"),
        encoding="utf-8")
    (tmp_path / "conftest.py").write_text(SEED_FIXTURE, encoding="utf-8")
    deselect = " and ".join(f"not {name}" for name in LEFT_OUT)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", deselect,
         "-W", "ignore::DeprecationWarning", "test_mlp_on_gradfall.py"],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": ""})
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed" not in summary and "error" not in summary and " passed" in summary


def test_check_estimator_passes_with_the_defaults():
    from sklearn.utils.estimator_checks import check_estimator

    for estimator in (MLPClassifier(), MLPRegressor()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(estimator, on_fail=None)
        failed = [r["check_name"] for r in results if r["status"] == "failed"]
        assert failed == [], f"{type(estimator).__name__}: {failed}"


# ----------------------------------------------------------------------------- dtype
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_auto_dtype_follows_X(Estimator, dtype):
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(60, 4)) * 3).astype(dtype)
    y = (X[:, 0] > 0).astype(int)
    est = Estimator(hidden_layer_sizes=(5,), max_iter=3).fit(X, y)
    expected = np.dtype(dtype) if dtype != np.int64 else np.dtype(np.float64)
    assert all(c.dtype == expected for c in est.coefs_ + est.intercepts_)
    forced = Estimator(hidden_layer_sizes=(5,), max_iter=3, dtype="float32").fit(X, y)
    assert forced.coefs_[0].dtype == np.float32


def test_finite_values_too_large_for_float32_have_their_own_message():
    X = np.full((20, 3), 1e300)
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="too large for float32"):
        MLPClassifier(dtype="float32", max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="NaN or infinite"):
        MLPClassifier(max_iter=2).fit(np.where(X > 0, np.inf, X), y)


def test_diverging_solver_raises_scikit_learns_message():
    X = np.full((20, 3), np.finfo(np.float64).max / 10)
    y = np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            MLPRegressor(max_iter=5).fit(X, y)


def test_predict_log_proba_stays_finite_for_confident_float64_models():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 5))
    Y = (X[:, :3] > 0).astype(int)
    est = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(30,), max_iter=300,
                        random_state=0).fit(X, Y)
    assert np.isfinite(est.predict_log_proba(X)).all()


# ----------------------------------------------------------------------------- threads
def test_threads_follow_threadpoolctl_after_a_fit_with_n_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    X, y = np.random.default_rng(2).normal(size=(80, 4)), np.arange(80) % 2
    gf.set_num_threads(None)
    before = gf.get_num_threads()
    MLPClassifier(max_iter=2, n_threads=1).fit(X, y)
    assert gf._core.thread_override() == 0  # nothing pinned afterwards
    with threadpoolctl.threadpool_limits(1):
        assert gf.get_num_threads() == 1
        MLPClassifier(max_iter=2, n_threads=2).fit(X, y)
        assert gf.get_num_threads() == 1
    assert gf.get_num_threads() == before


def test_n_threads_applies_to_the_call_only():
    X, y = np.random.default_rng(3).normal(size=(80, 4)), np.arange(80) % 2
    seen = []
    est = MLPClassifier(max_iter=1, n_threads=1)
    original = gf.training.EpochRunner.run

    def spy(self):
        seen.append(gf.get_num_threads())
        return original(self)

    gf.training.EpochRunner.run = spy
    try:
        est.fit(X, y)
    finally:
        gf.training.EpochRunner.run = original
    assert seen == [1]


# ----------------------------------------------------------------------------- left-out tests
def test_learning_rate_after_warm_start_continues_the_schedule():
    X, y = np.random.default_rng(4).normal(size=(100, 4)), np.arange(100) % 3
    for schedule in ("constant", "invscaling"):
        est = MLPClassifier(solver="sgd", learning_rate=schedule, learning_rate_init=0.5,
                            power_t=0.5, max_iter=3, warm_start=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
            est.fit(X, y)
        from sklearn.neural_network import MLPClassifier as Sk

        sk = Sk(**{k: v for k, v in est.get_params().items()
                   if k in Sk().get_params()})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk.fit(X, y)
            sk.fit(X, y)
        expected = 0.5 if schedule == "constant" else 0.5 / (est.t_ + 1) ** 0.5
        assert est.to_sklearn()._optimizer.learning_rate == pytest.approx(expected)
        assert sk._optimizer.learning_rate == pytest.approx(expected)


def test_adaptive_learning_rate_divides_by_five_then_stops():
    X, y = np.random.default_rng(5).normal(size=(100, 4)), np.arange(100) % 3
    est = MLPClassifier(solver="sgd", learning_rate="adaptive", learning_rate_init=0.3,
                        max_iter=500, n_iter_no_change=2, tol=10.0, random_state=0).fit(X, y)
    # Every plateau (here every third epoch) divides the rate by 5 until it is <= 1e-6.
    rate = est.to_sklearn()._optimizer.learning_rate
    assert rate <= 1e-6 and rate == pytest.approx(0.3 / 5 ** round(np.log(0.3 / rate) / np.log(5)))
    assert est.n_iter_ < 500
