"""The command line: train -> predict round trips, the landscape command, the demo, and one-line
errors (never a traceback) for bad CSVs and bad flags."""
import csv
import os
import subprocess
import sys

import numpy as np
import pytest

import gradfall
from gradfall.cli import main

# Child processes import the same gradfall as this test run (installed or from the source tree),
# on one thread: these problems are tiny, and on a busy CI machine thread barriers dominate.
CHILD_ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(
    [os.path.dirname(os.path.dirname(gradfall.__file__)), os.environ.get("PYTHONPATH", "")])}


@pytest.fixture(autouse=True)
def one_thread():
    before = gradfall.get_num_threads()
    gradfall.set_num_threads(1)
    yield
    gradfall.set_num_threads(before)


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def classification_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((240, 3))
    label = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")
    return _write_csv(tmp_path / "points.csv", ["a", "b", "noise", "direction"],
                      [[f"{v:.5f}" for v in row] + [lab] for row, lab in zip(X, label)])


@pytest.fixture
def regression_csv(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, (200, 2))
    y = 50 + 10 * x[:, 0] - 5 * x[:, 1] ** 2
    return _write_csv(tmp_path / "curve.csv", ["x1", "x2", "y"],
                      [[f"{a:.5f}", f"{b:.5f}", f"{t:.5f}"] for (a, b), t in zip(x, y)])


def _one_line_error(capsys, status):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status != 0
    assert len(lines) == 1 and lines[0].startswith("gradfall: error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def test_train_then_predict_classification(classification_csv, tmp_path, capsys):
    model = str(tmp_path / "m.gfnet")
    status = main(["train", classification_csv, "--target", "direction", "--epochs", "30",
                   "--hidden", "16", "--lr", "0.01", "-o", model, "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    assert "2 classes" in out and "accuracy" in out and os.path.exists(model)
    predictions = str(tmp_path / "pred.csv")
    assert main(["predict", model, classification_csv, "-o", predictions]) == 0
    with open(predictions) as f:
        rows = list(csv.reader(f))
    with open(classification_csv) as f:
        truth = [row[-1] for row in list(csv.reader(f))[1:]]
    assert rows[0] == ["direction_predicted"] and len(rows) == 241
    assert np.mean([p[0] == t for p, t in zip(rows[1:], truth)]) > 0.9


def test_train_then_predict_regression_in_target_units(regression_csv, tmp_path, capsys):
    model = str(tmp_path / "r.gfnet")
    assert main(["train", regression_csv, "--target", "y", "--epochs", "60", "--lr", "0.01",
                 "--optimizer", "adam", "--batch-size", "16", "-o", model, "--quiet"]) == 0
    assert "regression" in capsys.readouterr().out
    assert main(["predict", model, regression_csv]) == 0  # to stdout
    rows = capsys.readouterr().out.strip().splitlines()
    predicted = np.array([float(v) for v in rows[1:]])
    with open(regression_csv) as f:
        truth = np.array([float(row[-1]) for row in list(csv.reader(f))[1:]])
    assert np.sqrt(np.mean((predicted - truth) ** 2)) < 0.3 * truth.std()


def test_sgd_and_explicit_task(regression_csv, tmp_path, capsys):
    model = str(tmp_path / "s.gfnet")
    assert main(["train", regression_csv, "--target", "y", "--task", "regression",
                 "--optimizer", "sgd", "--epochs", "2", "--activation", "tanh", "-o", model]) == 0
    assert "regression" in capsys.readouterr().out


def test_landscape_command(classification_csv, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    model = str(tmp_path / "m.gfnet")
    assert main(["train", classification_csv, "--target", "direction", "--epochs", "3",
                 "-o", model, "--quiet"]) == 0
    png = tmp_path / "landscape.png"
    assert main(["landscape", model, classification_csv, "--target", "direction", "-o", str(png),
                 "--steps", "7"]) == 0
    assert "7x7 grid" in capsys.readouterr().out
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_python_dash_m_with_no_arguments_runs_the_main_job(tmp_path):
    pytest.importorskip("matplotlib")
    done = subprocess.run([sys.executable, "-m", "gradfall"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, env=CHILD_ENV)
    assert done.returncode == 0, done.stderr
    assert "epoch  150/150" in done.stdout and "training accuracy" in done.stdout
    for name in ("gradfall_loss_curve.png", "gradfall_decision_boundary.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
        assert str(tmp_path / name) in done.stdout


def test_demo_without_figures(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--epochs", "1", "--no-plots"]) == 0
    assert "accuracy" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.png"))


def test_train_shows_progress_with_the_loss(regression_csv, tmp_path, capsys):
    assert main(["train", regression_csv, "--target", "y", "--epochs", "5",
                 "-o", str(tmp_path / "m.gfnet")]) == 0
    err = capsys.readouterr().err
    assert "epoch 5/5 [" in err and "loss" in err and "val_loss" in err


BAD_CSVS = {
    "missing_target": (["a", "b"], [["1", "2"], ["3", "4"]], "no column 'label'"),
    "non_numeric": (["a", "label"], [["1", "0"], ["oops", "1"]], "'oops' is not a number"),
    "ragged": (["a", "label"], [["1", "0"], ["2"]], "line 3 has 1 cells"),
    "empty": (None, None, "empty"),
    "header_only": (["a", "label"], [], "no data rows"),
    "one_class": (["a", "label"], [["1", "0"], ["2", "0"]], "single class"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSVS))
def test_bad_csv_is_one_line_and_non_zero(case, tmp_path, capsys):
    header, rows, message = BAD_CSVS[case]
    path = tmp_path / f"{case}.csv"
    if header is None:
        path.write_text("")
    else:
        _write_csv(path, header, rows)
    status = main(["train", str(path), "--target", "label", "-o", str(tmp_path / "m.gfnet")])
    assert message in _one_line_error(capsys, status)


@pytest.mark.parametrize("argv", [
    ["train", "x.csv"], ["train", "x.csv", "--target", "y", "--epochs", "0"],
    ["train", "x.csv", "--target", "y", "--hidden", "8,zero"],
    ["train", "x.csv", "--target", "y", "--optimizer", "rmsprop"],
    ["train", "x.csv", "--target", "y", "--lr", "-1"], ["--bogus"], ["fly"],
    ["train", "missing.csv", "--target", "y"], ["predict", "missing.gfnet", "x.csv"]])
def test_bad_flags_are_one_line_and_non_zero(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _one_line_error(capsys, main(argv))


def test_predict_needs_the_feature_columns(classification_csv, tmp_path, capsys):
    model = str(tmp_path / "m.gfnet")
    assert main(["train", classification_csv, "--target", "direction", "--epochs", "1",
                 "-o", model, "--quiet"]) == 0
    capsys.readouterr()
    other = _write_csv(tmp_path / "other.csv", ["a", "b"], [["1", "2"]])
    assert "no column 'noise'" in _one_line_error(capsys, main(["predict", model, other]))
