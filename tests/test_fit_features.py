"""What Network.fit offers beyond the epoch loop: early stopping, class weights,
predict_proba, an accumulating history, divergence as an error, a progress display."""
import io
import subprocess
import sys

import numpy as np
import pytest

import gradfall as gf
from gradfall import progress


def spirals(n=240, seed=0):
    X, y = gf.make_spirals(n, 3, seed=seed)
    return X[: n * 3 // 4], y[: n * 3 // 4], X[n * 3 // 4:], y[n * 3 // 4:]


def net(seed=0, dtype="float32", **kw):
    return gf.Network([2, 24, 3], activation="tanh", loss="cross_entropy", seed=seed,
                      dtype=dtype, **kw)


# ----------------------------------------------------------------------------- early stopping
@pytest.mark.parametrize("monitor", ["val_loss", "val_score", "loss"])
def test_early_stopping_restores_the_best_epochs_weights(monitor):
    X, y, Xv, yv = spirals()
    model = net()
    weights_after = []
    stopper = gf.EarlyStopping(monitor=monitor, patience=3)
    # A rate high enough that the monitored figure stops improving within the budget.
    history = model.fit(X, y, epochs=200, batch_size=8, optimizer=gf.Adam(lr=0.05),
                        validation_data=(Xv, yv), early_stopping=stopper,
                        callback=lambda e, h: weights_after.append(model.params.copy()) and False)
    values = np.array({"loss": history.loss, "val_loss": history.val_loss,
                       "val_score": history.val_score}[monitor])
    assert history.epochs < 200, "training should have stopped early"
    best = int(np.argmax(values) if monitor == "val_score" else np.argmin(values))
    assert history.best_epoch == best
    np.testing.assert_array_equal(model.params, weights_after[best])
    # It stopped `patience` epochs after the best one.
    assert history.epochs == best + 1 + stopper.patience


def test_early_stopping_without_restore_keeps_the_last_weights():
    X, y, Xv, yv = spirals()
    model = net()
    history = model.fit(X, y, epochs=200, batch_size=8, optimizer=gf.Adam(lr=0.05),
                        validation_data=(Xv, yv),
                        early_stopping=gf.EarlyStopping(patience=2, restore_best=False))
    assert history.best_epoch is None
    assert model.loss(Xv, yv) == history.val_loss[-1]


def test_early_stopping_on_validation_needs_validation_data():
    X, y, _, _ = spirals()
    with pytest.raises(ValueError, match="needs validation_data"):
        net().fit(X, y, epochs=2, early_stopping=gf.EarlyStopping(monitor="val_loss"))
    with pytest.raises(TypeError):
        net().fit(X, y, epochs=2, early_stopping="yes")


# ----------------------------------------------------------------------------- class weights
@pytest.mark.parametrize("class_weight", ["balanced", {0: 2.0, 2: 0.5}])
def test_class_weight_equals_the_same_sample_weights(class_weight):
    X, y, _, _ = spirals()
    y = np.where(np.arange(len(y)) % 5 == 0, 0, y)  # unbalanced classes
    if class_weight == "balanced":
        counts = np.bincount(y, minlength=3)
        table = len(y) / (3 * counts)
    else:
        table = np.array([2.0, 1.0, 0.5])
    a, b = net(dtype="float64"), net(dtype="float64")
    a.fit(X, y, epochs=3, class_weight=class_weight, optimizer=gf.Adam(lr=0.01))
    b.fit(X, y, epochs=3, sample_weight=table[y], optimizer=gf.Adam(lr=0.01))
    np.testing.assert_array_equal(a.params, b.params)


def test_class_weight_multiplies_sample_weight_and_checks_its_classes():
    X, y, _, _ = spirals()
    sw = np.linspace(0.5, 2.0, len(y))
    a, b = net(dtype="float64"), net(dtype="float64")
    a.fit(X, y, epochs=2, class_weight={1: 3.0}, sample_weight=sw)
    b.fit(X, y, epochs=2, sample_weight=sw * np.where(y == 1, 3.0, 1.0))
    np.testing.assert_array_equal(a.params, b.params)
    with pytest.raises(ValueError, match="outside"):
        net().fit(X, y, epochs=1, class_weight={7: 1.0})
    with pytest.raises(ValueError, match="classification loss"):
        gf.Network([2, 1], loss="mse").fit(X, y.astype(float), epochs=1, class_weight="balanced")


# ----------------------------------------------------------------------------- predict_proba
def test_predict_proba_shapes():
    X, y, _, _ = spirals()
    softmax = net()
    np.testing.assert_array_equal(softmax.predict_proba(X), softmax.forward(X))
    binary = gf.Network([2, 4, 1], loss="binary_cross_entropy")
    p = binary.predict_proba(X)
    assert p.shape == (len(X), 2)
    np.testing.assert_allclose(p[:, 1], binary.forward(X)[:, 0])
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match="classification"):
        gf.Network([2, 1], loss="mse").predict_proba(X)


# ----------------------------------------------------------------------------- history
def test_history_accumulates_across_fits_and_can_be_reset():
    X, y, Xv, yv = spirals()
    model = net()
    first = model.fit(X, y, epochs=2)
    second = model.fit(X, y, epochs=3, validation_data=(Xv, yv))
    assert second is first is model.history
    assert second.epochs == 5 and len(second.val_loss) == 3
    fresh = model.fit(X, y, epochs=1, reset_history=True)
    assert fresh is not first and fresh.epochs == 1


# ----------------------------------------------------------------------------- divergence
@pytest.mark.parametrize("optimizer", [gf.SGD(lr=1e6), gf.Adam(lr=1e6),
                                       gf.SGD(lr=5.0, momentum=0.9)])
def test_divergence_is_an_error_and_keeps_the_last_good_weights(optimizer):
    X, y, _, _ = spirals()
    model = net()
    good = model.fit(X, y, epochs=1, optimizer=gf.SGD(lr=0.01)) and model.params.copy()
    with pytest.raises(gf.DivergenceError, match=r"epoch \d+.*smaller learning rate"):
        model.fit(X, y, epochs=30, optimizer=optimizer)
    assert np.isfinite(model.params).all()
    completed = model.history.epochs - 1  # epochs of the diverging fit that finished well
    if completed == 0:
        np.testing.assert_array_equal(model.params, good)
    assert model.epochs_trained == model.history.epochs
    assert np.isfinite(model.history.loss).all()


def test_divergence_goes_back_to_the_last_good_epoch_not_the_start():
    X, y, _, _ = spirals()
    model = net()
    optimizer = gf.SGD(lr=0.01)
    after = []  # the weights after each completed epoch

    def explode_after_the_third(epoch, history):
        after.append(model.params.copy())
        if epoch == 2:
            optimizer.lr = 1e6

    with pytest.raises(gf.DivergenceError):
        model.fit(X, y, epochs=10, optimizer=optimizer, callback=explode_after_the_third)
    assert model.history.epochs == model.epochs_trained == 3
    np.testing.assert_array_equal(model.params, after[2])


def test_nan_batch_stops_before_its_update():
    X, y, _, _ = spirals()
    model = net()
    # float32 weights overflow to infinity within a few updates: then a batch's loss is NaN.
    with pytest.raises(gf.DivergenceError, match=r"epoch 1, batch \d+: loss nan"):
        model.fit(X, y, epochs=5, batch_size=8, optimizer=gf.SGD(lr=1e38))
    assert np.isfinite(model.params).all() and model.epochs_trained == 0


def test_divergence_check_can_be_turned_off():
    X, y, _, _ = spirals()
    model = net()
    history = model.fit(X, y, epochs=3, optimizer=gf.SGD(lr=1e6), divergence_factor=None)
    # All three epochs ran at losses a thousand times the ~1.1 they started from.
    assert history.epochs == 3 and min(history.loss) > 1e3


def test_cli_with_a_huge_learning_rate_fails_with_one_line(tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "d.csv"
    rows = ["a,b,y"] + [f"{a:.3f},{b:.3f},{a * 3 + b:.3f}" for a, b in rng.normal(size=(200, 2))]
    data.write_text("\n".join(rows) + "\n")
    result = subprocess.run([sys.executable, "-m", "gradfall", "train", str(data), "--target", "y",
                             "--task", "regression", "--lr", "100", "--optimizer", "sgd",
                             "--quiet", "-o", str(tmp_path / "m.gfnet")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "diverged" in lines[0] and "learning rate" in lines[0]


# ----------------------------------------------------------------------------- progress
def test_verbose_fit_shows_loss_and_validation_loss_in_plain_lines(monkeypatch, capsys):
    monkeypatch.setattr(progress, "tqdm_class", lambda: None)
    X, y, Xv, yv = spirals()
    net().fit(X, y, epochs=20, validation_data=(Xv, yv), verbose=True)
    err = capsys.readouterr().err.strip().splitlines()
    # Not a terminal: one line per tenth of the run, each with both losses.
    assert len(err) == 10
    assert err[-1].startswith("epoch 20/20 [") and "loss" in err[-1] and "val_loss" in err[-1]


def test_progress_uses_tqdm_when_allowed():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    bar = progress.Progress(2, desc="fit", file=stream)
    bar.update(1, loss=0.5, val_loss=0.7)
    bar.update(2, loss=0.25, val_loss=None)
    bar.close()
    assert "2/2" in stream.getvalue() and "loss=0.25" in stream.getvalue()


# ----------------------------------------------------------------------------- shuffling
def test_every_epoch_has_its_own_shuffle_keyed_by_the_epochs_trained():
    X, y, _, _ = spirals()
    two_epochs, again, split = net(dtype="float64"), net(dtype="float64"), net(dtype="float64")
    two_epochs.fit(X, y, epochs=2, batch_size=4, optimizer=gf.SGD(lr=0.1))
    split.fit(X, y, epochs=1, batch_size=4, optimizer=gf.SGD(lr=0.1))
    split.fit(X, y, epochs=1, batch_size=4, optimizer=gf.SGD(lr=0.1))
    np.testing.assert_array_equal(two_epochs.params, split.params)  # the order of epoch 1
    again.fit(X, y, epochs=1, batch_size=4, optimizer=gf.SGD(lr=0.1))
    again.epochs_trained = 0  # the second epoch now visits the rows in epoch 0's order
    again.fit(X, y, epochs=1, batch_size=4, optimizer=gf.SGD(lr=0.1))
    assert not np.array_equal(two_epochs.params, again.params)


# ----------------------------------------------------------------------------- sample weights
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_sample_weights_are_refused_everywhere(bad):
    X, y, _, _ = spirals()
    w = np.ones(len(y))
    w[5] = bad
    model = net()
    for call in (lambda: model.loss(X, y, sample_weight=w),
                 lambda: model.fit(X, y, epochs=1, sample_weight=w),
                 lambda: model.score(X, y, sample_weight=w),
                 lambda: model.gradients(X, y, sample_weight=w)):
        with pytest.raises(ValueError, match="sample_weight contains"):
            call()
