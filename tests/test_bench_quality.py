"""The benchmark's learning-quality section (bench/quality.py and its parts): a seconds-long run
of the whole suite, contenders and data packages missing, the paused clock, scikit-learn's
per-epoch training against its fit, and the verdicts. Never the figures themselves."""
import math
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # bench/ lives at the repo root

from bench import cli, learners, optional, outcomes, problems, runner  # noqa: E402
from bench.curves import Curve, Stopwatch, record_epoch  # noqa: E402
from bench.plans import QUICK  # noqa: E402

PROBLEM = {p.name: p for p in problems.SUITE}


def _quality(tmp_path, plan):
    result = runner.run(plan, only=("quality",), out_dir=tmp_path, echo=lambda *_: None)
    assert result.failed == []
    return result.sections[0], result.markdown_path.read_text()


def _column(section, name):
    index = section.columns.index(name)
    return [row.cells[index] for row in section.rows]


def test_quick_run_has_a_row_per_problem_and_a_column_per_contender(tmp_path):
    section, text = _quality(tmp_path, QUICK)
    expected = [p.name for p in problems.SUITE
                if not p.package or optional.load(p.package) is not None]
    assert _column(section, "problem") == expected
    contenders = ["gf.Network", "scikit-learn"]
    if optional.load("torch") is not None:
        contenders.insert(1, "PyTorch")
    for name in contenders:
        for cell in _column(section, name):
            mean, std = (float(part) for part in cell.split(" ± "))
            assert std == 0.0 and mean <= 1.0       # one seed in a quick run
        assert len(_column(section, f"{name} to target")) == len(expected)
    assert all(len(row.cells) == len(section.columns) for row in section.rows)
    assert all(section.status(row) in ("met", "short") for row in section.rows)
    assert "## Learning quality" in text and "| spirals | accuracy | 0.97 |" in text


def test_missing_torch_and_mnist1d_are_skipped_with_notes(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)     # makes `import torch` fail
    monkeypatch.setitem(sys.modules, "mnist1d", None)
    plan = replace(QUICK, quality_problems=("xor", "mnist1d"), quality_init="glorot_he")
    section, _ = _quality(tmp_path, plan)
    assert _column(section, "problem") == ["xor"]
    assert "PyTorch" not in section.columns and "scikit-learn" in section.columns
    assert any("torch==2.13.0" in note for note in section.notes)
    assert any("mnist1d is not installed" in note for note in section.notes)
    assert any("init=glorot_he" in note for note in section.notes)
    assert section.rows[0].target_text == "first to target"


def test_unknown_problem_is_refused():
    with pytest.raises(ValueError, match="unknown problem"):
        problems.available(["xor", "no such problem"])


def test_command_line_takes_the_quality_options():
    args, only, _ = cli.parse(["--only", "quality", "--quality-init", "he_uniform",
                               "--quality-threads", "2"])
    assert only == ["quality"] and args.quality_init == "he_uniform" and args.quality_threads == 2
    with pytest.raises(SystemExit):
        cli.parse(["--quality-init", "no such rule"])
    with pytest.raises(SystemExit):
        cli.parse(["--quality-threads", "0"])


def _fit_and_step(learner, problem, data, **params):
    """(fit with max_iter=epochs, the same estimator after a partial_fit per epoch)."""
    stepped = learner.estimator(problem, seed=4).set_params(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # fit warns that a few epochs did not converge
        fitted = learner.estimator(problem, seed=4).set_params(**params)
        fitted.fit(data.X_train, data.y_train)
        classes = {"classes": np.unique(data.y_train)} if problem.is_classifier else {}
        for _ in range(problem.epochs):
            stepped.partial_fit(data.X_train, data.y_train, **classes)
    return fitted, stepped


def _same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.coefs_ + a.intercepts_,
                                                     b.coefs_ + b.intercepts_))


@pytest.mark.parametrize("name", ["xor", "sine"])
def test_sklearn_epoch_by_epoch_makes_the_updates_of_fit(name):
    # Same initial weights, shuffle and Adam state; from the second epoch on, fit permutes the
    # previous epoch's order where partial_fit permutes the rows' own: without shuffling the
    # updates are identical, with it the first epoch is.
    learner, problem = learners.SklearnLearner(), replace(PROBLEM[name], epochs=3)
    data = problem.make()
    assert _same_weights(*_fit_and_step(learner, problem, data, shuffle=False))
    assert _same_weights(*_fit_and_step(learner, replace(problem, epochs=1), data))
    assert len(learner.train(problem, data, seed=4).metrics) == problem.epochs


def test_problem_data_is_float32_and_standardised_by_the_train_part():
    for name in ("breast_cancer", "digits", "diabetes", "friedman1"):
        problem = PROBLEM[name]
        data = problem.make()
        assert data.X_train.dtype == data.X_test.dtype == np.float32
        assert np.allclose(data.X_train.mean(axis=0), 0, atol=1e-5)
        if problem.is_classifier:
            assert data.y_train.dtype == np.int64
            assert set(np.unique(data.y_test)) <= set(range(problem.n_outputs(data)))
        else:
            assert abs(data.y_train.mean()) < 1e-5 and abs(data.y_train.std() - 1) < 1e-5


def test_score_is_accuracy_or_r2():
    assert PROBLEM["xor"].score([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    y = np.array([1.0, 2.0, 3.0])
    assert PROBLEM["sine"].score(y, y) == 1.0
    assert PROBLEM["sine"].score(np.full(3, 2.0), y) == 0.0


def test_the_clock_is_paused_while_scoring():
    clock, curve = Stopwatch(), Curve()
    started = time.perf_counter()
    record_epoch(clock, curve, lambda: time.sleep(0.2) or 0.5)
    record_epoch(clock, curve, lambda: time.sleep(0.2) or 0.9)
    assert time.perf_counter() - started >= 0.4
    assert curve.seconds[1] < 0.1 and curve.metrics == [0.5, 0.9]
    assert curve.final == 0.9
    assert curve.time_to(0.8) == curve.seconds[1] and curve.time_to(0.95) == math.inf


def _summaries(ours, torch_side, sklearn_side):
    return {"gf.Network": outcomes.Summary(*ours), "PyTorch": outcomes.Summary(*torch_side),
            "scikit-learn": outcomes.Summary(*sklearn_side)}


def test_verdict_needs_quality_within_the_margin_and_the_first_time():
    problem = PROBLEM["spirals"]
    met = _summaries(([0.95, 0.95, 0.95], [0.1, 0.2, 0.3]),
                     ([0.955, 0.955, 0.955], [1.0, 2.0, 3.0]),
                     ([0.9, 0.9, 0.9], [math.inf, math.inf, 0.5]))
    row = outcomes.row(problem, met)
    assert outcomes.verdict(met) == (True, [])
    assert row.ratio == pytest.approx(10.0)          # scikit-learn never got there in most seeds
    assert row.cells[-1] == "— (1/3)" and row.cells[-2] == "2 s (10×)"

    worse = dict(met, **{"gf.Network": outcomes.Summary([0.94] * 3, [0.1, 0.2, 0.3])})
    ok, reasons = outcomes.verdict(worse)
    assert not ok and "below PyTorch's" in reasons[0]

    slower = dict(met, **{"scikit-learn": outcomes.Summary([0.9] * 3, [0.1] * 3)})
    ok, reasons = outcomes.verdict(slower)
    assert not ok and "scikit-learn got there sooner" in reasons[0]

    never = dict(met, **{"gf.Network": outcomes.Summary([0.95] * 3, [math.inf, math.inf, 0.1])})
    ok, reasons = outcomes.verdict(never)
    assert not ok and "1 of 3 seeds" in reasons[0]
    assert outcomes.row(problem, never).ratio is None
