"""scikit-learn's own estimator checks for gradfall.sklearn.MLPClassifier / MLPRegressor."""
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from gradfall.sklearn import MLPClassifier, MLPRegressor, expected_failed_checks  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# max_iter=100 is what scikit-learn uses for its own MLPs in these checks. n_threads=1 keeps the
# many tiny fits fast and steady on a shared machine (threading is covered in test_sklearn_api).
ESTIMATORS = [
    MLPClassifier(max_iter=100, n_threads=1),
    MLPRegressor(max_iter=100, n_threads=1),
    MLPClassifier(solver="lbfgs", dtype="float64", n_threads=1),
    MLPRegressor(solver="lbfgs", dtype="float64", n_threads=1),
    MLPClassifier(solver="sgd", activation="leaky_relu", max_iter=100, n_threads=1),
    MLPRegressor(max_iter=100, dtype="float32", n_threads=1),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
