"""The command line: train -> predict round trips, the landscape command, the demo, one-line
errors (never a traceback) for bad CSVs and bad flags, and missing values and unwritable output
paths reported before any work starts."""
import csv
import os
import subprocess
import sys
import time

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


# ------------------------------------------------ missing values and output paths, checked first
def _gappy_csv(tmp_path, gaps, rows=60, blank_after=None):
    """Two features and a class target; ``gaps`` maps a row index to (column index, cell).
    ``blank_after`` puts a blank line after that row, to check line numbers skip it."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((rows, 2))
    lines = ["a,b,label"]
    for r, (a, b) in enumerate(X):
        cells = [f"{a:.4f}", f"{b:.4f}", "up" if a + b > 0 else "down"]
        if r in gaps:
            column, cell = gaps[r]
            cells[column] = cell
        lines.append(",".join(cells))
        if r == blank_after:
            lines.append("")
    path = tmp_path / "gappy.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def no_training(monkeypatch):
    """Fails the test if anything trains."""
    def fit(*args, **kwargs):
        pytest.fail("trained before the problem was reported")
    monkeypatch.setattr(gradfall.Network, "fit", fit)


@pytest.mark.parametrize("cell", ["", "   "])
def test_train_refuses_an_empty_target_cell_naming_its_line(cell, tmp_path, capsys, no_training):
    data = _gappy_csv(tmp_path, {2: (2, cell)})  # row 2 is on line 4 (the header is line 1)
    model = tmp_path / "m.gfnet"
    status = main(["train", data, "--target", "label", "-o", str(model)])
    message = _one_line_error(capsys, status)
    assert status == 1
    assert message == (f"gradfall: error: {data}: line 4, column 'label': missing value "
                       f"(--drop-missing drops the row)")
    assert not os.path.exists(model)


def test_an_empty_feature_cell_is_a_missing_value_not_a_bad_number(tmp_path, capsys, no_training):
    data = _gappy_csv(tmp_path, {5: (1, ""), 9: (0, "x")})
    message = _one_line_error(capsys, main(["train", data, "--target", "label", "-o",
                                            str(tmp_path / "m.gfnet")]))
    # 'x' on line 11 is wrong but not missing: only the empty cell counts as a gap.
    assert message.endswith(f"{data}: line 7, column 'b': missing value "
                            f"(--drop-missing drops the row)")
    assert "is not a number" not in message


def test_line_numbers_count_blank_lines(tmp_path, capsys, no_training):
    data = _gappy_csv(tmp_path, {20: (0, "oops")}, blank_after=10)  # row 20: line 22 + 1 blank
    message = _one_line_error(capsys, main(["train", data, "--target", "label"]))
    assert f"{data}: line 23, column 'a': 'oops' is not a number" in message


def test_drop_missing_drops_the_rows_and_says_which(tmp_path, capsys):
    data = _gappy_csv(tmp_path, {2: (2, ""), 7: (0, " "), 10: (1, "NaN")})
    model = tmp_path / "m.gfnet"
    assert main(["train", data, "--target", "label", "--drop-missing", "--epochs", "2",
                 "-o", str(model), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "dropped 3 rows with missing values (lines 4, 9, 12)\n" in out
    assert f"{data}: 57 rows, 2 features" in out
    assert os.path.exists(model)


def test_drop_missing_lists_ten_lines_then_counts(tmp_path, capsys):
    data = _gappy_csv(tmp_path, {r: (1, "") for r in range(12)})
    assert main(["train", data, "--target", "label", "--drop-missing", "--epochs", "1",
                 "-o", str(tmp_path / "m.gfnet"), "--quiet"]) == 0
    assert ("dropped 12 rows with missing values (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 "
            "more)") in capsys.readouterr().out


def test_drop_missing_with_nothing_left_is_an_error(tmp_path, capsys, no_training):
    data = _gappy_csv(tmp_path, {r: (r % 3, "") for r in range(4)}, rows=4)
    status = main(["train", data, "--target", "label", "--drop-missing",
                   "-o", str(tmp_path / "m.gfnet")])
    assert _one_line_error(capsys, status) == (f"gradfall: error: {data}: every row has a "
                                               f"missing value; no rows left")
    assert status == 1


def test_na_is_a_gap_among_numbers_and_a_name_among_names(tmp_path, capsys):
    numbers = _write_csv(tmp_path / "numbers.csv", ["x", "y"],
                         [[str(i), str(i % 2)] for i in range(8)] + [["8", "NA"], ["9", "?"]])
    status = main(["train", numbers, "--target", "y", "-o", str(tmp_path / "n.gfnet")])
    assert f"{numbers}: line 10, column 'y': missing value (2 rows" in \
        _one_line_error(capsys, status)
    names = _write_csv(tmp_path / "names.csv", ["x", "y"],
                       [[str(i), ["yes", "no", "NA"][i % 3]] for i in range(9)])
    assert main(["train", names, "--target", "y", "--epochs", "1", "--quiet",
                 "-o", str(tmp_path / "c.gfnet")]) == 0
    assert "3 classes" in capsys.readouterr().out


def test_output_in_a_missing_directory_fails_before_training(classification_csv, tmp_path,
                                                               capsys, no_training):
    model = str(tmp_path / "missing_dir" / "m.gfnet")
    started = time.perf_counter()
    status = main(["train", classification_csv, "--target", "direction", "--epochs", "100000",
                   "-o", model])
    assert time.perf_counter() - started < 5
    assert _one_line_error(capsys, status) == (f"gradfall: error: cannot write {model}: the "
                                               f"directory {tmp_path / 'missing_dir'} does not "
                                               f"exist")
    assert status == 1 and list(tmp_path.iterdir()) == [tmp_path / "points.csv"]


def test_output_naming_a_directory_fails_before_training(classification_csv, tmp_path, capsys,
                                                         no_training):
    status = main(["train", classification_csv, "--target", "direction", "-o", str(tmp_path)])
    message = _one_line_error(capsys, status)
    assert message == f"gradfall: error: cannot write {tmp_path}: it names a directory, not a file"
    assert ".tmp" not in message


def test_output_under_a_file_fails_before_training(classification_csv, tmp_path, capsys,
                                                   no_training):
    model = os.path.join(classification_csv, "m.gfnet")
    message = _one_line_error(capsys, main(["train", classification_csv, "--target", "direction",
                                            "-o", model]))
    assert message.endswith(f"cannot write {model}: the directory {classification_csv} is a file")


def test_a_failed_save_names_the_model_path_not_a_temporary_file(classification_csv, tmp_path,
                                                                 capsys, monkeypatch):
    model = str(tmp_path / "m.gfnet")

    def save(net, path):
        raise OSError(28, "No space left on device", f"{path}.tmp")
    monkeypatch.setattr(gradfall.Network, "save", save)
    status = main(["train", classification_csv, "--target", "direction", "--epochs", "1",
                   "-o", model, "--quiet"])
    assert _one_line_error(capsys, status) == \
        f"gradfall: error: cannot write {model}: No space left on device"


@pytest.fixture
def trained_model(classification_csv, tmp_path, capsys):
    model = str(tmp_path / "m.gfnet")
    assert main(["train", classification_csv, "--target", "direction", "--epochs", "1",
                 "-o", model, "--quiet"]) == 0
    capsys.readouterr()
    return model


@pytest.fixture
def no_forward(monkeypatch):
    """Fails the test if the network evaluates anything."""
    def forward(*args, **kwargs):
        pytest.fail("evaluated before the problem was reported")
    monkeypatch.setattr(gradfall.Network, "forward", forward)


@pytest.mark.parametrize("where", ["missing_dir/p.csv", "points.csv/p.csv", "."])
def test_predict_checks_its_output_before_predicting(where, trained_model, classification_csv,
                                                     tmp_path, capsys, no_forward):
    output = str(tmp_path / where)
    status = main(["predict", trained_model, classification_csv, "-o", output])
    assert _one_line_error(capsys, status).startswith(f"gradfall: error: cannot write {output}: ")
    assert status == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only directories")
def test_predict_into_a_read_only_directory(trained_model, classification_csv, tmp_path, capsys,
                                            no_forward):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    output = str(locked / "p.csv")
    try:
        message = _one_line_error(capsys, main(["predict", trained_model, classification_csv,
                                                "-o", output]))
    finally:
        locked.chmod(0o700)
    assert message.startswith(f"gradfall: error: cannot write {output}: cannot create files in "
                              f"{locked}")


def test_predict_refuses_a_missing_feature_value(trained_model, tmp_path, capsys, no_forward):
    data = _write_csv(tmp_path / "new.csv", ["a", "b", "noise"],
                      [["0.1", "0.2", "0.3"], ["0.5", "", "0.1"], ["1", "2", "NA"]])
    output = tmp_path / "p.csv"
    message = _one_line_error(capsys, main(["predict", trained_model, data, "-o", str(output)]))
    assert message == (f"gradfall: error: {data}: line 3, column 'b': missing value "
                       f"(2 rows have missing values)")
    assert not output.exists()


def test_landscape_checks_its_output_and_drops_missing_rows(trained_model, tmp_path, capsys,
                                                            monkeypatch):
    pytest.importorskip("matplotlib")
    data = _write_csv(tmp_path / "labelled.csv", ["a", "b", "noise", "direction"],
                      [["0.1", "", "0", "up"], ["-1", "-1", "0", ""]] +
                      [[str(v), str(v), "0", "up" if v > 0 else "down"] for v in (-2, -1, 1, 2)])
    png = tmp_path / "l.png"
    assert "line 2, column 'b': missing value (2 rows have missing values; --drop-missing" in \
        _one_line_error(capsys, main(["landscape", trained_model, data, "-o", str(png)]))
    assert main(["landscape", trained_model, data, "-o", str(png), "--steps", "3",
                 "--drop-missing"]) == 0
    assert "dropped 2 rows with missing values (lines 2, 3)" in capsys.readouterr().out
    assert png.read_bytes()[:4] == b"\x89PNG"

    def surface(*args, **kwargs):
        pytest.fail("evaluated before the problem was reported")
    monkeypatch.setattr(gradfall.landscape, "surface", surface)
    output = str(tmp_path / "missing_dir" / "l.png")
    assert _one_line_error(capsys, main(["landscape", trained_model, data, "-o", output])) == \
        (f"gradfall: error: cannot write {output}: the directory {tmp_path / 'missing_dir'} "
         f"does not exist")
