"""scikit-learn compatible estimators on gradfall's C++ core.

    from gradfall.sklearn import MLPClassifier, MLPRegressor   # instead of sklearn.neural_network

Same constructor parameters, defaults, objective and fitted attributes as scikit-learn 1.9's MLPs,
plus ``dtype`` ("float32" default, "float64"), ``n_threads`` and the "leaky_relu" activation.
``from_sklearn(fitted)`` converts a fitted scikit-learn MLP (same weights); ``est.to_sklearn()``
goes back.

scikit-learn (and scipy) are an optional extra: ``pip install "gradfall[sklearn]"``.
"""
try:
    import scipy.optimize  # noqa: F401
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "gradfall.sklearn needs scikit-learn and scipy, which are optional dependencies of "
        'gradfall; install them with: pip install "gradfall[sklearn]"'
    ) from exc

from ._base import expected_failed_checks
from ._classifier import MLPClassifier
from ._from_sklearn import from_sklearn, to_sklearn
from ._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "from_sklearn", "to_sklearn", "expected_failed_checks"]
