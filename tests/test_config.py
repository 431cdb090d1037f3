"""What users read: print(net), repr(net), gf.show_config() and gf.config()."""
import io
import re

import pytest

import gradfall as gf


def layer_params(sizes):
    return [n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:])]


def test_str_lists_layers_activations_counts_and_dtype():
    layers = [gf.Dense(4, 9, "leaky_relu", 0.3), gf.Dense(9, 1200, "tanh"),
              gf.Dense(1200, 3, "softmax")]
    net = gf.Network(layers, loss="cross_entropy", dtype="float64")
    text = str(net)
    counts = layer_params([4, 9, 1200, 3])
    assert f"{sum(counts):,} parameters" in text and "float64" in text and "cross_entropy" in text
    assert "3 dense layer" in text
    rows = text.splitlines()[2:]
    assert len(rows) == 3
    for row, (n_in, n_out), act, count in zip(rows, [(4, 9), (9, 1200), (1200, 3)],
                                              ["leaky_relu(0.3)", "tanh", "softmax"], counts):
        assert re.search(rf"\b{n_in} x {n_out}\b", row) and act in row, row
        assert row.split()[-1] == f"{count:,}", row


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_repr_names_shape_activations_loss_dtype_and_size(dtype):
    net = gf.Network([5, 7, 2], activation="sigmoid", output="sigmoid",
                     loss="binary_cross_entropy", dtype=dtype)
    text = repr(net)
    assert text.startswith("Network(5 -> 7 -> 2")
    for token in ("hidden=sigmoid", "output=sigmoid", "loss=binary_cross_entropy",
                  f"dtype={dtype}", f"params={sum(layer_params([5, 7, 2])):,}"):
        assert token in text, (token, text)
    assert net.n_params == sum(layer_params([5, 7, 2]))


def test_show_config_prints_the_isa_and_threads_in_use(restore_threads, isa):
    gf.set_num_threads(1)
    out = io.StringIO()
    gf.show_config(file=out)
    lines = dict(line.split(":", 1) for line in out.getvalue().splitlines())
    lines = {key.strip(): value.strip() for key, value in lines.items()}
    assert lines["isa"] == isa
    assert lines["num_threads"] == "1"
    assert lines["available_isas"] == ", ".join(gf.available_isas())
    assert lines["gradfall"] == gf.__version__


def test_show_config_writes_to_stdout_by_default(capsys, restore_threads):
    gf.set_num_threads(2)
    gf.show_config()
    out = capsys.readouterr().out
    assert re.search(rf"isa: {gf.get_isa()}$", out, re.M)
    assert re.search(r"num_threads: 2$", out, re.M)


def test_config_dict_matches_the_getters():
    config = gf.config()
    assert config["isa"] == gf.get_isa()
    assert config["num_threads"] == gf.get_num_threads()
    assert config["available_isas"] == gf.available_isas()
