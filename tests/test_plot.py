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


# What a reader sees: checked on the Figure's artists, not on pixels.

def _landscape(losses, span=1.0):
    """A surface landscape with given losses, rows following beta."""
    losses = np.asarray(losses, dtype=np.float64)
    axis = np.linspace(-span, span, losses.shape[0])
    return gf.landscape.Landscape(axis, axis.copy(), losses, float(losses[len(axis) // 2,
                                  len(axis) // 2]), np.zeros((2, 1)), "surface")


def _bowl(low, high, steps=21):
    """A round basin from ``low`` at the centre to ``high`` at the corners, log-evenly."""
    axis = np.linspace(-1, 1, steps)
    radius = np.hypot(*np.meshgrid(axis, axis)) / np.sqrt(2)
    return _landscape(low * (high / low) ** radius)


def _filled_contours(fig):
    from matplotlib.contour import ContourSet

    return [c for ax in fig.axes for c in ax.collections
            if isinstance(c, ContourSet) and c.filled]


def _colorbars(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def _axes_3d(fig):
    return [ax for ax in fig.axes if ax.name == "3d"]


def test_landscape_colours_are_log_spaced_so_a_deep_basin_keeps_its_shape():
    from matplotlib.colors import LogNorm

    fig = gf.plot.landscape(_bowl(1e-3, 20.0), kind="contour", levels=12)
    (filled,) = _filled_contours(fig)
    assert isinstance(filled.norm, LogNorm)
    ratios = filled.levels[1:] / filled.levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # equal ratios, not equal steps
    assert filled.levels[0] == pytest.approx(1e-3) and filled.levels[-1] == pytest.approx(20.0)
    (bar,) = _colorbars(fig)
    labels = [t.get_text() for t in bar.yaxis.get_ticklabels()]
    assert labels == ["0.001", "0.01", "0.1", "1", "10"]
    assert "log" in bar.get_ylabel()


def test_a_landscape_within_one_decade_still_gets_several_readable_ticks():
    fig = gf.plot.landscape(_bowl(1.08, 1.47), kind="contour")
    (bar,) = _colorbars(fig)
    ticks = bar.get_yticks()
    assert len(ticks) >= 3 and ((ticks >= 1.08) & (ticks <= 1.47)).all()


def test_a_landscape_with_a_zero_loss_falls_back_to_a_linear_scale():
    from matplotlib.colors import LogNorm

    losses = _bowl(1e-3, 5.0).losses
    losses[0, 0] = 0.0
    fig = gf.plot.landscape(_landscape(losses), kind="contour")
    (filled,) = _filled_contours(fig)
    assert not isinstance(filled.norm, LogNorm) and filled.norm.vmin == 0.0
    with pytest.raises(ValueError, match="log scale"):
        gf.plot.landscape(_landscape(losses), log=True)


def test_fixed_colour_range_is_honoured_and_values_beyond_it_are_marked():
    fig = gf.plot.landscape(_bowl(1e-3, 20.0), kind="contour", vmin=1e-2, vmax=10.0)
    (filled,) = _filled_contours(fig)
    assert (filled.norm.vmin, filled.norm.vmax) == (1e-2, 10.0)
    assert filled.extend == "both"
    with pytest.raises(ValueError, match="vmin"):
        gf.plot.landscape(_bowl(1e-3, 20.0), vmin=5.0, vmax=1.0)


def _overlapping_text(fig):
    """Pairs of tick labels or axis labels of the 3-D axes whose drawn boxes intersect."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    clashes = []
    for ax in _axes_3d(fig):
        texts = [t for axis in (ax.xaxis, ax.yaxis, ax.zaxis)
                 for t in [*axis.get_ticklabels(), axis.label] if t.get_visible() and t.get_text()]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        clashes += [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
                    if box_a.overlaps(box_b)]
    return clashes


def test_3d_tick_labels_do_not_run_into_each_other():
    fig = gf.plot.landscape(_bowl(1e-3, 20.0, steps=41), kind="both")
    assert _axes_3d(fig)
    assert _overlapping_text(fig) == []


def test_3d_height_is_the_log_of_the_loss_labelled_in_loss_units():
    fig = gf.plot.landscape(_bowl(1e-3, 20.0), kind="surface")
    (ax,) = _axes_3d(fig)
    assert ax.get_zlim() == pytest.approx((-3.0, np.log10(20.0)))
    assert [t.get_text() for t in ax.zaxis.get_ticklabels()] == ["0.001", "0.01", "0.1", "1",
                                                                 "10"]
    assert _colorbars(fig) == []  # the height axis reads the loss; no bar over its label


def test_a_before_after_pair_shares_one_colour_scale_and_one_colour_bar(tmp_path):
    before, after = _bowl(1.08, 1.47), _bowl(7e-4, 18.0)
    fig = gf.plot.landscape_pair(before, after, tmp_path / "pair.png")
    assert _is_png(tmp_path / "pair.png")
    contours = _filled_contours(fig)
    assert len(contours) == 2
    for filled in contours:
        assert (filled.norm.vmin, filled.norm.vmax) == pytest.approx((7e-4, 18.0))
        np.testing.assert_array_equal(filled.levels, contours[0].levels)
    assert len(_colorbars(fig)) == 1
    heights = {ax.get_zlim() for ax in _axes_3d(fig)}
    assert len(_axes_3d(fig)) == 2 and len(heights) == 1
    flat = [ax for ax in fig.axes if ax.name != "3d" and ax not in _colorbars(fig)]
    assert [ax.get_title() for ax in flat] == ["before training", "after training"]


def test_a_pair_of_real_landscapes_and_of_lines(trained):
    net, _, X, y = trained
    start = gf.Network([2, 8, 3], activation="tanh", loss="cross_entropy", seed=1)
    fig = gf.plot.landscape_pair(gf.landscape.surface(start, X, y, steps=5),
                                 gf.landscape.surface(net, X, y, steps=5), kind="contour")
    assert len(_filled_contours(fig)) == 2 and len(_colorbars(fig)) == 1
    lines = gf.plot.landscape_pair(gf.landscape.line(start, X, y, steps=5),
                                   gf.landscape.line(net, X, y, steps=5), titles=("a", "b"))
    assert [t.get_text() for t in lines.axes[0].get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match="two surfaces or two lines"):
        gf.plot.landscape_pair(gf.landscape.line(net, X, y, steps=5),
                               gf.landscape.surface(net, X, y, steps=5))
    with pytest.raises(ValueError, match="kind"):
        gf.plot.landscape_pair(gf.landscape.surface(net, X, y, steps=5),
                               gf.landscape.surface(net, X, y, steps=5), kind="mesh")


def test_a_line_falling_by_decades_gets_a_log_axis_and_its_marks():
    axis = np.linspace(-0.5, 1.5, 9)
    line = gf.landscape.Landscape(axis, None, 1e-3 + (axis - 1.0) ** 4 * 10, 10.0,
                                  np.zeros((1, 1)), "line")
    fig = gf.plot.landscape(line, marks={0.0: "initial weights", 1.0: "trained weights"})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert {t.get_text() for t in ax.texts} == {"initial weights", "trained weights"}


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_decision_boundary_names_every_class_and_outlines_its_points(trained):
    net, _, X, y = trained
    fig = gf.plot.decision_boundary(net, X, y, resolution=30)
    ax = fig.axes[0]
    assert _legend_texts(ax) == ["class 0", "class 1", "class 2"]
    points = [c for c in ax.collections if c.get_label().startswith("class")]
    assert len(points) == 3
    for scatter in points:
        assert np.allclose(scatter.get_edgecolor()[:, :3], 0.0)  # dark outlines on any fill
        assert scatter.get_linewidths()[0] > 0
    assert len({tuple(s.get_facecolor()[0]) for s in points}) == 3
    (fill,) = _filled_contours(fig)
    assert fill.get_alpha() < 0.5  # light regions, so the points stand out
    named = gf.plot.decision_boundary(net, X, y, resolution=20, class_names=["a", "b", "c"])
    assert _legend_texts(named.axes[0]) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="class_names"):
        gf.plot.decision_boundary(net, X, y, class_names=["a"])


def test_decision_boundary_of_one_sigmoid_output_shows_the_half_line_and_both_classes():
    X, y = gf.make_xor()
    net = gf.Network([2, 3, 1], output="sigmoid", loss="binary_cross_entropy", seed=0)
    fig = gf.plot.decision_boundary(net, X, y, resolution=20)
    ax = fig.axes[0]
    assert _legend_texts(ax) == ["output = 0.5", "class 0", "class 1"]
    assert len(_colorbars(fig)) == 1 and "probability" in _colorbars(fig)[0].get_xlabel()
    sizes = [c.get_sizes()[0] for c in ax.collections if c.get_label().startswith("class")]
    assert min(sizes) >= 50  # four points must be easy to find


def test_loss_curve_axes_follow_the_loss():
    history = gf.History(2)
    for epoch in range(40):
        history.add_epoch(2.0 * 0.8 ** epoch, [0.1, 0.2], None)
    fig = gf.plot.loss_curve(history)
    ax_loss, ax_grad = fig.axes
    assert ax_loss.get_yscale() == "log"  # 2.0 -> 0.0003: four decades
    assert ax_loss.get_xlabel() == ax_grad.get_xlabel() == "epoch"
    ticks = ax_loss.get_xticks()
    assert np.allclose(ticks, np.round(ticks))
    assert _legend_texts(ax_grad) == ["layer 0 (input)", "layer 1 (output)"]
    flat = gf.History(1)
    for epoch in range(5):
        flat.add_epoch(1.0 - 0.1 * epoch, [0.1], None)
    assert gf.plot.loss_curve(flat).axes[0].get_yscale() == "linear"


def test_plots_never_load_pyplot(tmp_path):
    import subprocess
    import sys

    code = ("import sys, gradfall as gf\n"
            "X, y = gf.make_xor()\n"
            "net = gf.Network([2, 3, 1], output='sigmoid', loss='binary_cross_entropy')\n"
            "gf.plot.decision_boundary(net, X, y, resolution=10)\n"
            "gf.plot.landscape(gf.landscape.surface(net, X, y, steps=3))\n"
            "gf.plot.loss_curve(net.fit(X, y, epochs=2))\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_a_diverged_corner_is_a_gap_and_levels_may_be_given_explicitly():
    losses = _bowl(1e-2, 5.0).losses
    losses[0, 0], losses[0, 1] = np.inf, np.nan
    fig = gf.plot.landscape(_landscape(losses), levels=[0.01, 0.1, 1.0, 5.0])
    (filled,) = _filled_contours(fig)
    np.testing.assert_array_equal(filled.levels, [0.01, 0.1, 1.0, 5.0])
    assert filled.norm.vmax == pytest.approx(5.0)  # the inf corner does not stretch the scale
    with pytest.raises(ValueError, match="levels"):
        gf.plot.landscape(_landscape(losses), levels=0)
    with pytest.raises(ValueError, match="no finite loss"):
        gf.plot.landscape(_landscape(np.full((3, 3), np.nan)))
