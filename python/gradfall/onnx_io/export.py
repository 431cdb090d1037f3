"""``to_onnx``: a ``gf.Network`` as an ONNX model (the graph described in ``gradfall.onnx_io``)."""
from __future__ import annotations

import json
import numbers
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .. import serialization
from .._version import __version__
from ..typing import PathLike
from . import graph_format as fmt

if TYPE_CHECKING:
    import onnx as onnx_types

    from ..network import Network


def to_onnx(net: Network, path: PathLike | None = None,
            opset: int | None = None) -> onnx_types.ModelProto:
    """The ONNX ``ModelProto`` of ``net`` (written to ``path`` too when given): input "X" of shape
    (N, n_features), output "Y" = ``net.forward(X)``, in the network's dtype. ``opset`` (default
    17) may be any from 13 to the newest the installed onnx knows."""
    onnx = fmt.require_onnx()
    opset = _check_opset(onnx, fmt.DEFAULT_OPSET if opset is None else opset)
    state = net.state()   # one snapshot: the metadata and the parameters agree
    weights, biases = net.split_params(state.pop("params"))
    elem = fmt.element_type(onnx, net.dtype)
    nodes: list[onnx_types.NodeProto] = []
    initializers: list[onnx_types.TensorProto] = []
    current = fmt.INPUT
    for l, (W, b) in enumerate(zip(weights, biases)):
        activation = net.activations[l]
        last = l == net.n_layers - 1
        z = fmt.OUTPUT if last and activation == "identity" else f"z{l}"
        initializers += [onnx.numpy_helper.from_array(np.array(W), f"W{l}"),
                         onnx.numpy_helper.from_array(np.array(b), f"b{l}")]
        nodes.append(onnx.helper.make_node("Gemm", [current, f"W{l}", f"b{l}"], [z],
                                           name=f"dense{l}"))
        current = z
        if activation != "identity":
            a = fmt.OUTPUT if last else f"a{l}"
            node, extra = _activation_node(onnx, activation, net.leaky_slopes[l], net.dtype,
                                           current, a, l)
            nodes.append(node)
            initializers += extra
            current = a
    graph = onnx.helper.make_graph(
        nodes, "gradfall_network",
        [onnx.helper.make_tensor_value_info(fmt.INPUT, elem, [fmt.BATCH, net.n_features])],
        [onnx.helper.make_tensor_value_info(fmt.OUTPUT, elem, [fmt.BATCH, net.n_outputs])],
        initializers)
    opsets = [onnx.helper.make_opsetid("", opset)]
    model: onnx_types.ModelProto = onnx.helper.make_model(
        graph, opset_imports=opsets, producer_name=fmt.PRODUCER, producer_version=__version__)
    # The oldest IR version that carries this opset, so older runtimes can load the file.
    model.ir_version = onnx.helper.find_min_ir_version_for(opsets)
    onnx.helper.set_model_props(model, {fmt.METADATA_KEY: json.dumps(state, sort_keys=True)})
    onnx.checker.check_model(model)
    if path is not None:
        serialization.write_atomically(path, model.SerializeToString())
    return model


def _check_opset(onnx: ModuleType, opset: object) -> int:
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, numbers.Integral):
        raise TypeError(f"opset must be an integer, got {type(opset).__name__}")
    if not fmt.MIN_OPSET <= int(opset) <= newest:
        raise ValueError(f"opset must be in {fmt.MIN_OPSET}..{newest} (the installed onnx's "
                         f"newest), got {opset}")
    return int(opset)


def _activation_node(onnx: ModuleType, activation: str, slope: float, dtype: npt.DTypeLike,
                     z: str, a: str, l: int
                     ) -> tuple[onnx_types.NodeProto, list[onnx_types.TensorProto]]:
    """(node, extra initializers) computing ``a = activation(z)``."""
    op = fmt.ACTIVATION_OPS[activation]
    name = f"{activation}{l}"
    if op == "Softmax":
        return onnx.helper.make_node(op, [z], [a], name=name, axis=-1), []
    if op == "LeakyRelu":
        if float(np.float32(slope)) != slope and np.dtype(dtype) == np.float64:
            # LeakyRelu's alpha is a float32 attribute; PRelu keeps a float64 slope exact.
            slope_name = f"slope{l}"
            return (onnx.helper.make_node("PRelu", [z, slope_name], [a], name=name),
                    [onnx.numpy_helper.from_array(np.array([slope], dtype=dtype), slope_name)])
        return onnx.helper.make_node(op, [z], [a], name=name, alpha=float(slope)), []
    return onnx.helper.make_node(op, [z], [a], name=name), []
