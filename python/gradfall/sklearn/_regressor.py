"""gradfall.sklearn.MLPRegressor: scikit-learn's MLPRegressor on gradfall's C++ core."""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from gradfall.typing import Communicator, FloatArray

from ._base import (
    SPARSE_FORMATS,
    BaseMLP,
    DTypeChoice,
    HiddenSizes,
    RandomState,
    fit_method,
    partial_fit_method,
)


class MLPRegressor(RegressorMixin, BaseMLP):  # type: ignore[misc]  # sklearn: untyped
    """Multi-layer perceptron regressor, a drop-in for ``sklearn.neural_network.MLPRegressor``.

    Same parameters, defaults, objective (half squared error + L2), initialisation, optimizers,
    stopping rules and fitted attributes as scikit-learn 1.9; training runs in gradfall's C++ core.

    Additional parameters
    ---------------------
    activation : also accepts ``"leaky_relu"`` (slope 0.01).
    dtype : {"auto", "float32", "float64"}, default="auto"
        As for MLPClassifier: "auto" computes in X's dtype (float32 or float64).
    n_threads : int or None, default=None
    comm : mpi4py communicator or None, default=None
        As for MLPClassifier: data-parallel training under MPI.

    Notes
    -----
    ``loss="poisson"`` trains an exponential output on the half Poisson deviance, as
    scikit-learn does (y must be >= 0).
    Sparse X (scipy.sparse; CSR is read in place, CSC and COO are converted to CSR once) is
    never densified.
    ``sample_weight`` must be non-negative.
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: HiddenSizes = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: RandomState = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        dtype: DTypeChoice = "auto",
        n_threads: int | None = None,
        comm: Communicator = None,
    ) -> None:
        self.loss = loss
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
            n_threads=n_threads,
            comm=comm,
        )

    def _out_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[Any, npt.NDArray[Any]]:
        X, y = self._validated_X(X, reset, y=y, accept_sparse=SPARSE_FORMATS, multi_output=True,
                                 y_numeric=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, np.asarray(y, dtype=X.dtype)

    def _output_to_prediction(self, output: FloatArray) -> npt.NDArray[Any]:
        if output.shape[1] == 1:
            return output.ravel()
        return output

    def _score_function(self, y_true: npt.ArrayLike, y_pred: npt.ArrayLike,
                        sample_weight: npt.NDArray[Any] | None) -> float:
        # r2_score(multioutput="uniform_average", force_finite=True) without its ~0.3 ms of
        # input checks, which would be paid after every epoch with early_stopping
        y_true = np.asarray(y_true, dtype=np.float64)
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if y_true.ndim == 1:
            y_true = y_true.reshape(-1, 1)
        y_pred = y_pred.reshape(y_true.shape)
        if y_true.shape[0] < 2:  # pragma: no cover - sklearn warns and returns nan
            return float(r2_score(y_true, y_pred, sample_weight=sample_weight))
        weight = 1.0 if sample_weight is None else np.asarray(sample_weight, np.float64)[:, None]
        numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
        mean = np.average(y_true, axis=0, weights=sample_weight)
        denominator = np.sum(weight * (y_true - mean) ** 2, axis=0)
        scores = np.ones(y_true.shape[1])
        valid = (numerator != 0) & (denominator != 0)
        scores[valid] = 1.0 - numerator[valid] / denominator[valid]
        scores[(numerator != 0) & (denominator == 0)] = 0.0
        return float(np.mean(scores))

    @fit_method
    def fit(self, X: Any, y: Any, sample_weight: npt.ArrayLike | None = None) -> MLPRegressor:
        """Fit the model to data matrix X and target(s) y. Returns self."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @partial_fit_method
    def partial_fit(self, X: Any, y: Any,
                    sample_weight: npt.ArrayLike | None = None) -> MLPRegressor:
        """Update the model with a single epoch over the given data."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """Predicted values, shape (n_samples,) or (n_samples, n_outputs)."""
        check_is_fitted(self)
        return self._predict(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
