"""``from_onnx``: a ``gf.Network`` from an ONNX model that is a plain chain of dense layers (the
graph ``to_onnx`` writes, or the same chain from another exporter). Anything else is refused with
a ValueError naming the node or op it cannot take."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Optional, cast

import numpy as np
import numpy.typing as npt

from .. import serialization
from ..layers import OUTPUT_ONLY, Dense
from ..network import Network
from ..typing import PathLike
from . import graph_format as fmt

if TYPE_CHECKING:
    from onnx import GraphProto, ModelProto, NodeProto, ValueInfoProto

ACCEPTED = ("Gemm, MatMul (+ Add of the bias), Relu, LeakyRelu, PRelu (one slope), Sigmoid, "
            "Tanh, Softmax (last axis), Exp and Identity")
_DOMAINS = ("", "ai.onnx")
# The initializers of a graph by name, as arrays.
Initializers = dict[str, npt.NDArray[Any]]
# What a node means to the chain: reader(onnx, node, where, current, constants, layers, n_in).
NodeReader = Callable[[ModuleType, "NodeProto", str, str, list[npt.NDArray[Any]],
                       list["_Layer"], Optional[int]], None]


@dataclass
class _Layer:
    """One dense layer as read from the graph: z = a @ W + b, then its activation."""
    node: str                       # the dense node's description, for messages
    op: str                         # Gemm or MatMul
    W: npt.NDArray[Any]                   # (n_in, n_out)
    b: Optional[npt.NDArray[Any]] = None  # (n_out,); None: no bias node (zeros)
    activation: str = "identity"
    slope: float = fmt.LEAKY_RELU_DEFAULT_ALPHA
    activation_node: str = ""       # the activation node's description once one is read


def from_onnx(model_or_path: ModelProto | PathLike) -> Network:
    """The ``gf.Network`` an ONNX model (a path or an ``onnx.ModelProto``) describes. With
    gradfall's metadata it is the exported network (loss, output_scale, seed, dropout); without
    it the loss follows the output activation (softmax: cross_entropy, sigmoid:
    binary_cross_entropy, none: mse, exp: poisson)."""
    onnx = fmt.require_onnx()
    model = _load(onnx, model_or_path)
    graph = model.graph
    initializers = {init.name: onnx.numpy_helper.to_array(init) for init in graph.initializer}
    source, dtype, width = _single_input(onnx, graph, initializers)
    target, out_width = _single_output(graph)
    layers = _read_chain(onnx, graph, initializers, source, target, dtype, width)
    if out_width is not None and out_width != layers[-1].W.shape[1]:
        raise ValueError(f"output {target!r} is declared with {out_width} columns, but the last "
                         f"layer gives {layers[-1].W.shape[1]}")
    return _network(model, layers, dtype)


def _load(onnx: ModuleType, model_or_path: ModelProto | PathLike) -> ModelProto:
    if isinstance(model_or_path, onnx.ModelProto):
        return cast("ModelProto", model_or_path)  # onnx is passed as a module: its classes are Any
    if not isinstance(model_or_path, (str, os.PathLike)):
        raise TypeError(f"from_onnx takes a path or an onnx.ModelProto, got "
                        f"{type(model_or_path).__name__}")
    try:
        model: ModelProto = onnx.load(model_or_path)
    except OSError:
        raise
    except Exception as exc:   # protobuf's DecodeError and the like: not a model file
        raise ValueError(f"{os.fspath(model_or_path)} is not an ONNX model ({exc})") from None
    return model


def _tensor_dims(value_info: ValueInfoProto) -> list[int | None] | None:
    """The declared dims (None for a dynamic one), or None when no shape is declared."""
    tensor = value_info.type.tensor_type
    if not tensor.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]


def _single_input(onnx: ModuleType, graph: GraphProto, initializers: Initializers
                  ) -> tuple[str, np.dtype[Any], int | None]:
    """(name, dtype, declared feature count or None) of the graph's one real input."""
    inputs = [i for i in graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise ValueError(f"the graph has {len(inputs)} inputs "
                         f"({', '.join(repr(i.name) for i in inputs) or 'none'}); gradfall reads "
                         f"a graph with one input, the features")
    value = inputs[0]
    if not value.type.HasField("tensor_type"):
        raise ValueError(f"input {value.name!r} is not a tensor")
    elem = value.type.tensor_type.elem_type
    dtype = fmt.numpy_dtype(onnx, elem)
    if dtype is None:
        raise ValueError(f"input {value.name!r} holds {onnx.TensorProto.DataType.Name(elem)}; "
                         f"gradfall reads FLOAT (float32) or DOUBLE (float64) models")
    dims = _tensor_dims(value)
    if dims is not None and len(dims) != 2:
        raise ValueError(f"input {value.name!r} has {len(dims)} dimensions; gradfall reads "
                         f"(batch, features) inputs")
    return value.name, dtype, None if dims is None else dims[1]


def _single_output(graph: GraphProto) -> tuple[str, int | None]:
    if len(graph.output) != 1:
        raise ValueError(f"the graph has {len(graph.output)} outputs; gradfall reads a graph "
                         f"with one output")
    dims = _tensor_dims(graph.output[0])
    if dims is not None and len(dims) != 2:
        raise ValueError(f"output {graph.output[0].name!r} has {len(dims)} dimensions; "
                         f"gradfall writes (batch, outputs)")
    return graph.output[0].name, None if dims is None else dims[1]


def _describe(node: NodeProto) -> str:
    return f"node {node.name or '(unnamed)'!r} ({node.op_type})"


def _read_chain(onnx: ModuleType, graph: GraphProto, initializers: Initializers, source: str,
                target: str, dtype: np.dtype[Any], width: int | None) -> list[_Layer]:
    """The layers along the one path from the input to the output, every node on it."""
    consumers: dict[str, list[NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            if name and name not in initializers:
                consumers.setdefault(name, []).append(node)
    layers: list[_Layer] = []
    on_chain: list[NodeProto] = []
    current = source
    while current != target:
        users = consumers.get(current, [])
        if not users:
            raise ValueError(f"no node reads {current!r}, so no chain of layers leads from the "
                             f"input to the output {target!r}")
        if len(users) > 1:
            raise ValueError(f"{current!r} feeds {len(users)} nodes "
                             f"({', '.join(map(_describe, users))}): a branching graph; gradfall "
                             f"reads one chain of layers")
        node = users[0]
        if len(on_chain) == len(graph.node):
            raise ValueError(f"the graph loops back at {_describe(node)}")
        _read_node(onnx, node, current, initializers, layers, dtype,
                   width if not layers else layers[-1].W.shape[1])
        on_chain.append(node)
        current = node.output[0]
    if len(on_chain) != len(graph.node):
        left = [n for n in graph.node if all(n is not c for c in on_chain)]
        raise ValueError(f"{', '.join(map(_describe, left))} lie(s) outside the chain from the "
                         f"input to the output; gradfall reads one chain of layers")
    if not layers:
        raise ValueError("the graph has no dense layer (Gemm or MatMul)")
    for layer in layers[:-1]:
        if layer.activation in OUTPUT_ONLY:
            raise ValueError(f"{layer.activation_node} follows a hidden layer; gradfall allows "
                             f"{layer.activation} only on the output layer")
    return layers


def _attributes(onnx: ModuleType, node: NodeProto) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _read_node(onnx: ModuleType, node: NodeProto, current: str, initializers: Initializers,
               layers: list[_Layer], dtype: np.dtype[Any], n_in: int | None) -> None:
    """Adds what ``node`` (which reads ``current``) means to ``layers``, or refuses it."""
    where = _describe(node)
    if node.domain not in _DOMAINS or node.op_type not in _READERS:
        raise ValueError(f"{where} is not supported: gradfall reads a chain of {ACCEPTED}")
    if len([o for o in node.output if o]) != 1 or not node.output[0]:
        raise ValueError(f"{where} has {len(node.output)} outputs; gradfall reads one per node")
    constants = [_constant(name, initializers, where, dtype)
                 for name in node.input if name and name != current]
    _READERS[node.op_type](onnx, node, where, current, constants, layers, n_in)


def _constant(name: str, initializers: Initializers, where: str,
              dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    if name not in initializers:
        raise ValueError(f"{where} reads {name!r}, which is neither the chain's tensor nor an "
                         f"initializer: a branching graph")
    value = initializers[name]
    if value.dtype != dtype:
        raise ValueError(f"{where}: initializer {name!r} is {value.dtype}, the input is {dtype}")
    if not np.isfinite(value).all():
        raise ValueError(f"{where}: initializer {name!r} holds NaN or infinite values")
    return value


def _dense(layers: list[_Layer], where: str, op: str, W: npt.NDArray[Any],
           n_in: int | None) -> _Layer:
    if W.ndim != 2:
        raise ValueError(f"{where}: weight of shape {W.shape}; a dense layer's is 2-D")
    if n_in is not None and W.shape[0] != n_in:
        raise ValueError(f"{where}: its weight takes {W.shape[0]} inputs, but "
                         f"{'the previous layer gives' if layers else 'the input has'} {n_in}")
    layer = _Layer(where, op, W)
    layers.append(layer)
    return layer


def _bias(where: str, b: npt.NDArray[Any], n_out: int) -> npt.NDArray[Any]:
    if b.shape not in ((), (1,), (n_out,), (1, n_out)):
        raise ValueError(f"{where}: bias of shape {b.shape} does not fit {n_out} outputs")
    return np.broadcast_to(b.reshape(-1), (n_out,)).copy()


def _read_gemm(onnx: ModuleType, node: NodeProto, where: str, current: str,
               constants: list[npt.NDArray[Any]], layers: list[_Layer], n_in: int | None) -> None:
    attrs = _attributes(onnx, node)
    if node.input[0] != current or attrs.get("transA", 0):
        raise ValueError(f"{where} must take the chain's tensor as its first, untransposed input")
    if attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
        raise ValueError(f"{where} has alpha={attrs.get('alpha', 1.0)}, "
                         f"beta={attrs.get('beta', 1.0)}; gradfall reads alpha = beta = 1")
    W = constants[0]
    layer = _dense(layers, where, "Gemm", W.T if attrs.get("transB", 0) else W, n_in)
    if len(constants) > 1:
        layer.b = _bias(where, constants[1], layer.W.shape[1])


def _read_matmul(onnx: ModuleType, node: NodeProto, where: str, current: str,
                 constants: list[npt.NDArray[Any]], layers: list[_Layer],
                 n_in: int | None) -> None:
    if node.input[0] != current:
        raise ValueError(f"{where} must take the chain's tensor as its first input (a @ W)")
    _dense(layers, where, "MatMul", constants[0], n_in)


def _read_add(onnx: ModuleType, node: NodeProto, where: str, current: str,
              constants: list[npt.NDArray[Any]], layers: list[_Layer], n_in: int | None) -> None:
    layer = layers[-1] if layers else None
    if layer is None or layer.op != "MatMul" or layer.b is not None or layer.activation_node:
        raise ValueError(f"{where} is accepted only as the bias right after a MatMul")
    layer.b = _bias(where, constants[0], layer.W.shape[1])


def _read_activation(onnx: ModuleType, node: NodeProto, where: str, current: str,
                     constants: list[npt.NDArray[Any]], layers: list[_Layer],
                     n_in: int | None) -> None:
    if node.op_type == "Identity":
        return
    if not layers or layers[-1].activation_node:
        raise ValueError(f"{where} does not follow a dense layer; gradfall reads one activation "
                         f"after each Gemm or MatMul")
    layer = layers[-1]
    attrs = _attributes(onnx, node)
    if node.op_type == "Softmax" and attrs.get("axis", -1) not in (-1, 1):
        raise ValueError(f"{where} normalises axis {attrs['axis']}; gradfall's softmax is over "
                         f"the last axis")
    if node.op_type == "LeakyRelu":
        layer.slope = float(attrs.get("alpha", fmt.LEAKY_RELU_DEFAULT_ALPHA))
    if node.op_type == "PRelu":
        slopes = constants[0]
        if slopes.size == 0 or not (slopes == slopes.reshape(-1)[0]).all():
            raise ValueError(f"{where} has one slope per unit; gradfall's leaky_relu has one "
                             f"slope per layer")
        layer.slope = float(slopes.reshape(-1)[0])
    layer.activation = fmt.OP_ACTIVATIONS[node.op_type]
    layer.activation_node = where


_READERS: dict[str, NodeReader] = {"Gemm": _read_gemm, "MatMul": _read_matmul, "Add": _read_add,
            "Identity": _read_activation,
            **{op: _read_activation for op in fmt.OP_ACTIVATIONS}}


def _network(model: ModelProto, layers: list[_Layer], dtype: np.dtype[Any]) -> Network:
    """The network of ``layers``, described by gradfall's metadata when the model has it."""
    try:
        template = Network([Dense(l.W.shape[0], l.W.shape[1], activation=l.activation,
                                  leaky_slope=l.slope) for l in layers],
                           loss=fmt.LOSS_OF_OUTPUT[layers[-1].activation], dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the ONNX graph does not describe a gradfall network: {exc}") from None
    state = template.state()
    state.update(_metadata(model, template))
    state["params"] = template.join_params(
        [l.W for l in layers],
        [np.zeros(l.W.shape[1], dtype) if l.b is None else l.b for l in layers])
    try:
        return Network.from_state(state)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the model's gradfall metadata is not valid: {exc}") from None


def _metadata(model: ModelProto, template: Network) -> dict[str, Any]:
    """gradfall's fields stored with the model (none for another exporter's model), checked to
    describe the same layers as the graph."""
    props = {p.key: p.value for p in model.metadata_props}
    if fmt.METADATA_KEY not in props:
        return {}
    try:
        fields = json.loads(props[fmt.METADATA_KEY])
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"the model's {fmt.METADATA_KEY} metadata is not JSON ({exc})") from None
    if not isinstance(fields, dict):
        raise ValueError(f"the model's {fmt.METADATA_KEY} metadata is not a JSON object")
    unknown = sorted(set(fields) - set(serialization.NETWORK_FIELDS))
    if unknown:
        raise ValueError(f"the model's {fmt.METADATA_KEY} metadata has unknown field(s) "
                         f"{', '.join(map(repr, unknown))}")
    slopes = fields.get("leaky_slopes")
    same = (fields.get("layer_sizes") == template.layer_sizes
            and fields.get("activations") == template.activations
            and fields.get("dtype") == template.dtype.name
            and isinstance(slopes, list) and len(slopes) == template.n_layers
            and all(_same_slope(stored, read)
                    for stored, read, activation in zip(slopes, template.leaky_slopes,
                                                        template.activations)
                    if activation == "leaky_relu"))
    if not same:
        raise ValueError(f"the model's {fmt.METADATA_KEY} metadata describes other layers than "
                         f"its graph (changed after export?)")
    return fields


def _same_slope(stored: object, read: float) -> bool:
    """The metadata's exact slope and the graph's, which LeakyRelu holds as a float32."""
    if isinstance(stored, bool) or not isinstance(stored, (int, float)):
        return False
    with np.errstate(over="ignore"):   # a slope beyond float32's range compares as inf
        return bool(np.float32(stored) == np.float32(read))
