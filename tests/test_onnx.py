"""ONNX export and import (gradfall.onnx_io): onnxruntime runs every exported network to the
outputs of ``forward``, the round trip keeps every parameter and field, plain chains from other
exporters are read, and every other graph is refused with a message naming what it cannot take."""
import subprocess
import sys

import numpy as np
import pytest

import gradfall as gf
from gradfall.layers import HIDDEN_ACTIVATIONS
from gradfall.objectives import LOSS_OUTPUTS

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

OUTPUT_LOSSES = [(output, loss) for loss, outputs in LOSS_OUTPUTS.items() for output in outputs]
# Relative to the largest output: float32 GEMMs of another summation order and another libm.
TOLERANCE = {"float32": 1e-5, "float64": 1e-12}


@pytest.fixture(scope="module")
def runtime():
    return pytest.importorskip("onnxruntime")


def run_onnx(runtime, model, X):
    session = runtime.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
    return session.run(None, {"X": X})[0]


def assert_close(actual, expected, dtype):
    tol = TOLERANCE[np.dtype(dtype).name]
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * np.abs(expected).max())


def network(hidden="tanh", output="softmax", loss="cross_entropy", dtype="float32", **kwargs):
    return gf.Network([5, 7, 6, 3], activation=hidden, output=output, loss=loss, dtype=dtype,
                      seed=3, **kwargs)


def features(n, dtype, width=5):
    # Scaled so sigmoid and tanh reach their flat ends and relu its negative side.
    return (3 * np.random.default_rng(n).standard_normal((n, width))).astype(dtype)


# ---------------------------------------------------------------------------- export
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("output,loss", OUTPUT_LOSSES)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_onnxruntime_matches_forward(runtime, hidden, output, loss, dtype):
    net = network(hidden, output, loss, dtype, leaky_slope=0.2)
    model = net.to_onnx()
    for rows in (1, 37):   # the batch dimension is dynamic
        X = features(rows, dtype)
        result = run_onnx(runtime, model, X)
        assert result.dtype == net.dtype and result.shape == (rows, 3)
        assert_close(result, net.forward(X), dtype)


@pytest.mark.parametrize("dtype,slope,op", [("float32", 0.01, "LeakyRelu"),
                                            ("float64", 0.25, "LeakyRelu"),
                                            ("float64", 0.01, "PRelu")])
def test_leaky_slope_is_exact_in_the_graph(runtime, dtype, slope, op):
    """LeakyRelu's alpha is a float32: a float64 slope it cannot hold goes into a PRelu."""
    net = network("leaky_relu", "identity", "mse", dtype, leaky_slope=slope)
    model = net.to_onnx()
    assert [n.op_type for n in model.graph.node] == ["Gemm", op, "Gemm", op, "Gemm"]
    X = features(20, dtype)
    assert_close(run_onnx(runtime, model, X), net.forward(X), dtype)


def test_graph_is_standard_onnx():
    model = network("relu", "softmax", "cross_entropy").to_onnx()
    onnx.checker.check_model(model, full_check=True)
    assert [o.version for o in model.opset_import if o.domain == ""] == [17]
    assert [n.op_type for n in model.graph.node] == ["Gemm", "Relu", "Gemm", "Relu", "Gemm",
                                                     "Softmax"]
    (x,), (y,) = model.graph.input, model.graph.output
    assert (x.name, y.name) == ("X", "Y")
    assert x.type.tensor_type.elem_type == TensorProto.FLOAT
    batch, width = x.type.tensor_type.shape.dim
    assert batch.dim_param and not batch.HasField("dim_value") and width.dim_value == 5
    assert y.type.tensor_type.shape.dim[1].dim_value == 3
    assert network(dtype="float64").to_onnx().graph.input[0].type.tensor_type.elem_type \
        == TensorProto.DOUBLE


def test_initializers_hold_the_weights():
    net = network("sigmoid", "identity", "mse")
    stored = {i.name: numpy_helper.to_array(i) for i in net.to_onnx().graph.initializer}
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        assert np.array_equal(stored[f"W{l}"], W) and np.array_equal(stored[f"b{l}"], b)


def test_dropout_does_not_change_the_graph():
    plain = network("relu", dropout=0.0).to_onnx()
    dropped = network("relu", dropout=0.5).to_onnx()
    assert plain.graph == dropped.graph


def test_opset_choice_is_checked(runtime):
    net = network()
    model = net.to_onnx(opset=13)
    assert [o.version for o in model.opset_import] == [13]
    X = features(4, "float32")
    assert_close(run_onnx(runtime, model, X), net.forward(X), "float32")
    with pytest.raises(ValueError, match="opset must be in 13"):
        net.to_onnx(opset=12)
    with pytest.raises(ValueError, match="opset must be in 13"):
        net.to_onnx(opset=onnx.defs.onnx_opset_version() + 1)
    with pytest.raises(TypeError, match="opset must be an integer"):
        net.to_onnx(opset="17")


def test_to_onnx_writes_the_file(tmp_path):
    net = network()
    path = tmp_path / "net.onnx"
    model = net.to_onnx(path)
    assert onnx.load(path) == model
    assert not list(tmp_path.glob("*.tmp"))
    assert np.array_equal(gf.from_onnx(path).params, net.params)
    assert np.array_equal(gf.from_onnx(str(path)).params, net.params)


# ---------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("output,loss", OUTPUT_LOSSES)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_round_trip_gives_the_same_network(hidden, output, loss, dtype):
    net = network(hidden, output, loss, dtype, leaky_slope=0.3, dropout=0.25)
    back = gf.from_onnx(net.to_onnx())
    before, after = net.state(), back.state()
    assert np.array_equal(before.pop("params"), after.pop("params"))
    assert before == after
    X = features(11, dtype)
    assert np.array_equal(back.forward(X), net.forward(X))


def test_round_trip_keeps_every_field():
    layers = [gf.Dense(4, 6, activation="leaky_relu", leaky_slope=0.07, dropout=0.1),
              gf.Dense(6, 5, activation="tanh", dropout=0.3),
              gf.Dense(5, 2, activation="sigmoid")]
    net = gf.Network(layers, loss="binary_cross_entropy", dtype="float64", seed=12345,
                     output_scale=0.75)
    X = features(40, "float64", width=4)
    net.fit(X, (X[:, :2] > 0).astype(float), epochs=2, batch_size=8, optimizer=gf.SGD(lr=0.1))
    back = gf.from_onnx(net.to_onnx())
    assert (back.seed, back.output_scale, back.dropout, back.leaky_slopes, back.loss_name,
            back.epochs_trained, back.samples_trained) == \
        (12345, 0.75, [0.1, 0.3, 0.0], net.leaky_slopes, "binary_cross_entropy", 2, 80)
    assert np.array_equal(back.params, net.params)


def test_gradfall_does_not_import_onnx():
    code = "import sys, gradfall; gradfall.Network([2, 1]); assert 'onnx' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_onnx_names_the_extra(monkeypatch, tmp_path):
    net = network()
    monkeypatch.setitem(sys.modules, "onnx", None)   # makes `import onnx` fail
    with pytest.raises(ImportError, match=r'pip install "gradfall\[onnx\]"'):
        net.to_onnx()
    with pytest.raises(ImportError, match=r"gradfall\[onnx\]"):
        gf.from_onnx(tmp_path / "net.onnx")


# ---------------------------------------------------------------------------- estimators
def _fitted(kind, y_of):
    sklearn_api = pytest.importorskip("gradfall.sklearn")
    X = features(60, "float64", width=4)
    estimator = getattr(sklearn_api, kind)(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    with pytest.warns(Warning):   # five iterations do not converge
        estimator.fit(X, y_of(X))
    return estimator, X


@pytest.mark.parametrize("kind,y_of,expected", [
    ("MLPClassifier", lambda X: np.argmax(X[:, :3], axis=1), lambda e, X: e.predict_proba(X)),
    ("MLPClassifier", lambda X: X[:, 0] > 0, lambda e, X: e.predict_proba(X)[:, 1:]),
    ("MLPRegressor", lambda X: X[:, :2].sum(axis=1), lambda e, X: e.predict(X)[:, None]),
])
def test_estimator_to_onnx(runtime, kind, y_of, expected, tmp_path):
    estimator, X = _fitted(kind, y_of)
    model = estimator.to_onnx(tmp_path / "estimator.onnx")
    assert (tmp_path / "estimator.onnx").exists()
    assert_close(run_onnx(runtime, model, X), expected(estimator, X), "float64")
    back = gf.from_onnx(model)
    assert np.array_equal(back.forward(X).reshape(-1), expected(estimator, X).reshape(-1))


def test_unfitted_estimator_refuses_to_export():
    sklearn_api = pytest.importorskip("gradfall.sklearn")
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        sklearn_api.MLPClassifier().to_onnx()


# ---------------------------------------------------------------------------- other exporters
def chain_model(nodes, initializers, width=4, out_width=None, elem=TensorProto.FLOAT,
                metadata=None, inputs=None):
    """A model of hand-made ``nodes`` from input "x" to output "y"."""
    graph = helper.make_graph(
        nodes, "chain",
        inputs or [helper.make_tensor_value_info("x", elem, ["batch", width])],
        [helper.make_tensor_value_info("y", elem, ["batch", out_width])],
        [numpy_helper.from_array(value, name) for name, value in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if metadata:
        helper.set_model_props(model, metadata)
    return model


def linear_weights(n_in, n_out, seed, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n_in, n_out)).astype(dtype),
            rng.standard_normal(n_out).astype(dtype))


@pytest.mark.parametrize("op,activation,loss", [("Softmax", "softmax", "cross_entropy"),
                                                ("Sigmoid", "sigmoid", "binary_cross_entropy"),
                                                (None, "identity", "mse"),
                                                ("Exp", "exp", "poisson")])
def test_plain_chain_without_metadata(op, activation, loss):
    """nn.Linear's export (Gemm with a transposed weight), MatMul + Add, and the loss inferred
    from the output activation."""
    W0, b0 = linear_weights(4, 6, 0)
    W1, b1 = linear_weights(6, 3, 1)
    nodes = [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"], transB=1),
             helper.make_node("LeakyRelu", ["z0"], ["a0"], alpha=0.125),
             helper.make_node("MatMul", ["a0", "w1"], ["m1"]),
             helper.make_node("Add", ["b1", "m1"], ["z1" if op else "y"])]
    if op:
        nodes.append(helper.make_node(op, ["z1"], ["y"]))
    net = gf.from_onnx(chain_model(nodes, {"w0": W0.T.copy(), "b0": b0, "w1": W1, "b1": b1}))
    assert (net.layer_sizes, net.activations, net.leaky_slopes[0], net.loss_name) == \
        ([4, 6, 3], ["leaky_relu", activation], 0.125, loss)
    X = features(9, "float32", width=4)
    z = X @ W0 + b0
    z = np.where(z > 0, z, 0.125 * z) @ W1 + b1
    expected = {"softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
                "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "identity": lambda z: z,
                "exp": np.exp}[activation](z.astype(np.float64))
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-5, atol=1e-5)


def test_layers_without_bias_and_identity_nodes():
    W0, _ = linear_weights(4, 2, 0, np.float64)
    nodes = [helper.make_node("Identity", ["x"], ["i"]), helper.make_node("MatMul", ["i", "w"], ["m"]),
             helper.make_node("Gemm", ["m", "v"], ["y"])]
    V = np.eye(2)
    net = gf.from_onnx(chain_model(nodes, {"w": W0, "v": V}, elem=TensorProto.DOUBLE))
    assert net.dtype == np.float64 and net.layer_sizes == [4, 2, 2]
    assert not np.any(net.biases[0]) and not np.any(net.biases[1])
    X = features(3, "float64", width=4)
    np.testing.assert_allclose(net.forward(X), X @ W0, rtol=1e-12)


def test_pytorch_export_is_read():
    torch = pytest.importorskip("torch")
    import io
    import warnings
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3),
                                torch.nn.Softmax(dim=1)).eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the TorchScript exporter announces its deprecation
        try:
            torch.onnx.export(model, (torch.zeros(2, 4),), buffer, input_names=["input"],
                              output_names=["probabilities"],
                              dynamic_axes={"input": {0: "batch"}}, dynamo=False)
        except Exception as exc:   # an exporter this torch lacks
            pytest.skip(f"torch.onnx.export failed: {exc}")
    net = gf.from_onnx(onnx.load_from_string(buffer.getvalue()))
    assert (net.activations, net.loss_name) == (["tanh", "softmax"], "cross_entropy")
    X = features(10, "float32", width=4)
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------- refusals
def _dense_pair():
    W0, b0 = linear_weights(4, 6, 0)
    W1, b1 = linear_weights(6, 3, 1)
    return {"w0": W0, "b0": b0, "w1": W1, "b1": b1}


REFUSED = {
    "unsupported op": (
        [helper.make_node("Conv", ["x", "w0"], ["c"], name="conv1"),
         helper.make_node("Gemm", ["c", "w1", "b1"], ["y"])],
        r"node 'conv1' \(Conv\) is not supported"),
    "branching": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"], name="left"),
         helper.make_node("Relu", ["x"], ["r"], name="right"),
         helper.make_node("Gemm", ["z0", "w1", "b1"], ["y"])],
        r"'x' feeds 2 nodes .*'left' \(Gemm\).*'right' \(Relu\).*branching"),
    "two tensors joined": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Relu", ["z0"], ["a0"]),
         helper.make_node("Add", ["a0", "z0"], ["s"], name="join"),
         helper.make_node("Gemm", ["s", "w1", "b1"], ["y"])],
        r"feeds 2 nodes"),
    "node off the chain": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Gemm", ["z0", "w1", "b1"], ["y"]),
         helper.make_node("Relu", ["b1"], ["unused"], name="stray")],
        r"'stray' \(Relu\) lie\(s\) outside the chain"),
    "shapes do not chain": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Gemm", ["z0", "w0", "b0"], ["y"], name="second")],
        r"'second' \(Gemm\): its weight takes 4 inputs, but the previous layer gives 6"),
    "input width": (
        [helper.make_node("Gemm", ["x", "w1", "b1"], ["y"], name="first")],
        r"'first' \(Gemm\): its weight takes 6 inputs, but the input has 4"),
    "bias size": (
        [helper.make_node("Gemm", ["x", "w0", "b1"], ["y"], name="first")],
        r"bias of shape \(3,\) does not fit 6 outputs"),
    "hidden softmax": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Softmax", ["z0"], ["a0"], name="sm", axis=-1),
         helper.make_node("Gemm", ["a0", "w1", "b1"], ["y"])],
        r"'sm' \(Softmax\) follows a hidden layer"),
    "softmax axis": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Gemm", ["z0", "w1", "b1"], ["z1"]),
         helper.make_node("Softmax", ["z1"], ["y"], axis=0)],
        r"normalises axis 0"),
    "scaled gemm": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"], alpha=2.0),
         helper.make_node("Gemm", ["z0", "w1", "b1"], ["y"])],
        r"alpha=2.0.*alpha = beta = 1"),
    "weights first": (
        [helper.make_node("MatMul", ["w0", "x"], ["y"], name="mm")],
        r"'mm' \(MatMul\) must take the chain's tensor as its first input"),
    "two activations": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Relu", ["z0"], ["a0"]),
         helper.make_node("Tanh", ["a0"], ["t"], name="again"),
         helper.make_node("Gemm", ["t", "w1", "b1"], ["y"])],
        r"'again' \(Tanh\) does not follow a dense layer"),
    "stray add": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("Add", ["z0", "b0"], ["s"], name="extra"),
         helper.make_node("Gemm", ["s", "w1", "b1"], ["y"])],
        r"'extra' \(Add\) is accepted only as the bias right after a MatMul"),
    "per-unit prelu": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"]),
         helper.make_node("PRelu", ["z0", "b0"], ["a0"], name="pr"),
         helper.make_node("Gemm", ["a0", "w1", "b1"], ["y"])],
        r"'pr' \(PRelu\) has one slope per unit"),
    "no dense layer": (
        [helper.make_node("Relu", ["x"], ["y"], name="only")],
        r"'only' \(Relu\) does not follow a dense layer"),
    "output not reached": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"])],
        r"no node reads 'z0'"),
    "custom domain": (
        [helper.make_node("Gemm", ["x", "w0", "b0"], ["y"], domain="com.example", name="g")],
        r"'g' \(Gemm\) is not supported"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_other_graphs_are_refused(case):
    nodes, message = REFUSED[case]
    model = chain_model(nodes, _dense_pair())
    if case == "custom domain":
        model.opset_import.append(helper.make_opsetid("com.example", 1))
    with pytest.raises(ValueError, match=message):
        gf.from_onnx(model)


def test_inputs_outputs_and_types_are_checked():
    gemm = [helper.make_node("Gemm", ["x", "w0", "b0"], ["y"])]
    two_inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["b", 4]) for n in "xu"]
    with pytest.raises(ValueError, match=r"2 inputs \('x', 'u'\)"):
        gf.from_onnx(chain_model(gemm, _dense_pair(), inputs=two_inputs))
    int_input = [helper.make_tensor_value_info("x", TensorProto.INT64, ["b", 4])]
    with pytest.raises(ValueError, match="'x' holds INT64"):
        gf.from_onnx(chain_model(gemm, _dense_pair(), inputs=int_input))
    rank3 = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", 2, 4])]
    with pytest.raises(ValueError, match="'x' has 3 dimensions"):
        gf.from_onnx(chain_model(gemm, _dense_pair(), inputs=rank3))
    with pytest.raises(ValueError, match="declared with 5 columns, but the last layer gives 6"):
        gf.from_onnx(chain_model(gemm, _dense_pair(), out_width=5))
    doubles = {k: v.astype(np.float64) for k, v in _dense_pair().items()}
    with pytest.raises(ValueError, match="initializer 'w0' is float64, the input is float32"):
        gf.from_onnx(chain_model(gemm, doubles))
    bad = {**_dense_pair(), "w0": np.full((4, 6), np.nan, np.float32)}
    with pytest.raises(ValueError, match="'w0' holds NaN"):
        gf.from_onnx(chain_model(gemm, bad))


def test_metadata_must_describe_the_graph():
    model = network("relu").to_onnx()
    other = network("tanh").to_onnx()
    model.metadata_props[0].value = other.metadata_props[0].value
    with pytest.raises(ValueError, match="describes other layers than its graph"):
        gf.from_onnx(model)
    model.metadata_props[0].value = "{not json"
    with pytest.raises(ValueError, match="metadata is not JSON"):
        gf.from_onnx(model)
    model.metadata_props[0].value = '{"layer_sizes": [5, 7, 6, 3], "colour": "red"}'
    with pytest.raises(ValueError, match="unknown field.*'colour'"):
        gf.from_onnx(model)


def test_not_a_model_file(tmp_path):
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"\xff\x00 definitely not a protobuf \x13\x37" * 10)
    with pytest.raises(ValueError, match="junk.onnx"):
        gf.from_onnx(path)
    with pytest.raises(TypeError, match="a path or an onnx.ModelProto"):
        gf.from_onnx(42)
    with pytest.raises(FileNotFoundError):
        gf.from_onnx(tmp_path / "missing.onnx")
