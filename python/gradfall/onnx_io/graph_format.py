"""What gradfall's ONNX graphs are made of: the names, the opsets, the op of each activation, the
metadata key, and the one place that imports ``onnx`` (an ImportError naming the extra)."""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

INPUT = "X"
OUTPUT = "Y"
BATCH = "N"                         # the dynamic batch dimension's name
METADATA_KEY = "gradfall.network"   # JSON: Network.state() without the parameters
PRODUCER = "gradfall"
# Softmax over one axis (not the flattened trailing axes) from opset 13 on.
MIN_OPSET = 13
DEFAULT_OPSET = 17

# gradfall activation -> ONNX op; identity is no node at all, leaky_relu is LeakyRelu or PRelu.
ACTIVATION_OPS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
                  "exp": "Exp", "leaky_relu": "LeakyRelu"}
OP_ACTIVATIONS = {**{op: name for name, op in ACTIVATION_OPS.items()}, "PRelu": "leaky_relu"}
LEAKY_RELU_DEFAULT_ALPHA = 0.01     # ONNX's default when LeakyRelu has no alpha
# Loss of a network read without gradfall's metadata, from its output activation.
LOSS_OF_OUTPUT = {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy",
                  "identity": "mse", "exp": "poisson"}


def require_onnx() -> ModuleType:
    """The ``onnx`` module, or an ImportError saying how to install it."""
    try:
        import onnx
    except ImportError as exc:
        raise ImportError('ONNX export and import need the onnx package: '
                          'pip install "gradfall[onnx]"') from exc
    return onnx


def element_type(onnx: ModuleType, dtype: npt.DTypeLike) -> int:
    """The TensorProto element type of a float32/float64 numpy dtype."""
    return int({np.dtype(np.float32): onnx.TensorProto.FLOAT,
                np.dtype(np.float64): onnx.TensorProto.DOUBLE}[np.dtype(dtype)])


def numpy_dtype(onnx: ModuleType, elem_type: int) -> np.dtype[Any] | None:
    """float32/float64 for FLOAT/DOUBLE, None for any other element type."""
    dtypes: dict[int, np.dtype[Any]] = {onnx.TensorProto.FLOAT: np.dtype(np.float32),
                                        onnx.TensorProto.DOUBLE: np.dtype(np.float64)}
    return dtypes.get(elem_type)
