"""``from_sklearn`` and ``to_sklearn``: the two directions as functions of the estimator."""
from __future__ import annotations

from typing import Any

import numpy.typing as npt

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor


def from_sklearn(estimator: Any, *, dtype: npt.DTypeLike | None = None,
                 n_threads: int | None = None) -> MLPClassifier | MLPRegressor:
    """A gradfall MLPClassifier/MLPRegressor with the weights (and the fitted state: classes,
    loss curve, optimizer moments, ...) of a fitted ``sklearn.neural_network`` MLP.

    dtype: None keeps the dtype of the scikit-learn weights (float64 for float64 training data).
    """
    from sklearn.neural_network import MLPClassifier as SkClassifier
    from sklearn.neural_network import MLPRegressor as SkRegressor

    if isinstance(estimator, SkClassifier):
        return MLPClassifier.from_sklearn(estimator, dtype=dtype, n_threads=n_threads)
    if isinstance(estimator, SkRegressor):
        return MLPRegressor.from_sklearn(estimator, dtype=dtype, n_threads=n_threads)
    raise TypeError(
        "from_sklearn expects a fitted sklearn.neural_network.MLPClassifier or MLPRegressor, "
        f"got {type(estimator).__name__}"
    )


def to_sklearn(estimator: MLPClassifier | MLPRegressor, *,
               dtype: npt.DTypeLike = "float64") -> Any:
    """The ``sklearn.neural_network`` estimator equal to gradfall estimator ``estimator``."""
    return estimator.to_sklearn(dtype=dtype)
