"""gradfall.plot: each function returns a Figure and writes a PNG, with no display."""
import numpy as np
import pytest

import gradfall as gf

Figure = pytest.importorskip("matplotlib.figure").Figure
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained():
    X, y = gf.make_spirals(n_samples=150, n_classes=3, seed=0)
    net = gf.Network([2, 8, 3], activation="tanh", loss="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=3, optimizer=gf.Adam(lr=0.01), record_batches=True,
                      validation_data=(X[:30], y[:30]))
    return net, history, X, y


def _is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == PNG_MAGIC


def test_loss_curve(trained, tmp_path):
    _, history, _, _ = trained
    fig = gf.plot.loss_curve(history, tmp_path / "loss.png")
    assert isinstance(fig, Figure) and _is_png(tmp_path / "loss.png")
    assert isinstance(gf.plot.loss_curve(gf.History(2)), Figure)  # nothing trained yet: no crash


@pytest.mark.parametrize("kind", ["contour", "surface", "both"])
def test_landscape_surface(trained, tmp_path, kind):
    net, _, X, y = trained
    result = gf.landscape.surface(net, X, y, steps=5)
    fig = gf.plot.landscape(result, tmp_path / "surface.png", kind=kind)
    assert isinstance(fig, Figure) and _is_png(tmp_path / "surface.png")
    assert len(fig.axes) >= (2 if kind == "both" else 1)


def test_landscape_line(trained, tmp_path):
    net, _, X, y = trained
    fig = gf.plot.landscape(gf.landscape.line(net, X, y, steps=7), tmp_path / "line.png")
    assert isinstance(fig, Figure) and _is_png(tmp_path / "line.png")


def test_decision_boundary_for_classes_and_for_one_sigmoid_output(trained, tmp_path):
    net, _, X, y = trained
    fig = gf.plot.decision_boundary(net, X, y, tmp_path / "classes.png", resolution=30)
    assert isinstance(fig, Figure) and _is_png(tmp_path / "classes.png")
    X2, y2 = gf.make_xor()
    xor = gf.Network([2, 3, 1], output="sigmoid", loss="binary_cross_entropy")
    fig = gf.plot.decision_boundary(xor, X2, y2, tmp_path / "xor.png", resolution=30)
    assert isinstance(fig, Figure) and _is_png(tmp_path / "xor.png")


def test_decision_boundary_needs_two_features(tmp_path):
    net = gf.Network([3, 2], loss="mse")
    with pytest.raises(ValueError, match="2 features"):
        gf.plot.decision_boundary(net, np.zeros((4, 3)), np.zeros((4, 2)))


def test_nothing_asks_for_a_display(trained, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    net, history, X, y = trained
    gf.plot.loss_curve(history, tmp_path / "a.png")
    gf.plot.decision_boundary(net, X, y, tmp_path / "b.png", resolution=20)
    assert _is_png(tmp_path / "a.png") and _is_png(tmp_path / "b.png")
