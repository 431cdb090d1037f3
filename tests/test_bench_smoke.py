"""Smoke test of the benchmark harness (bench/): a whole run on tiny sizes, checking the report's
rows and files, never its timings."""
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # bench/ lives at the repo root

import gradfall as gf  # noqa: E402
from bench import cli, gemm, machine, optional, runner  # noqa: E402
from bench.plans import Plan, SparseWorkload, Workload  # noqa: E402

TINY = Plan(
    gemm_shapes=((16, 32, 24),),
    workloads=(Workload("small", n=128, d=16, hidden=(8,), classes=10, batch=32),
               Workload("medium", n=128, d=24, hidden=(16, 8), classes=10, batch=64)),
    memory_workloads=("medium",),
    memory_contenders=("gf.Network",),   # a fresh process per contender; torch's import is slow
    repeats=1, train_repeats=1, min_sample_seconds=0.0, train_min_sample_seconds=0.0,
    settle_seconds=0.0, peak_seconds=0.01,
    latency_rows=(1, 3), latency_warmup=2, latency_calls=4, latency_rounds=2,
    latency_round_seconds=0.0,
    quality_problems=("xor",), quality_seeds=(0,), quality_epoch_share=0.05,
    sparse_workload=SparseWorkload("bag-of-words", n=300, d=400, density=0.02, hidden=(16,),
                                   classes=4, batch=50, dense_n=100),
    sparse_solvers=("adam", "sgd"), sparse_repeats=1,
)


def _names(section, column):
    index = section.columns.index(column)
    return [row.cells[index] for row in section.rows]


def _run(tmp_path, plan=TINY, only=tuple(runner.SECTIONS)):
    return runner.run(plan, only=only, out_dir=tmp_path, echo=lambda *_: None)


def test_tiny_run_has_every_row_and_writes_the_report(tmp_path):
    result = _run(tmp_path)
    assert result.failed == []
    sections = {s.key: s for s in result.sections}
    assert list(sections) == ["gemm", "train", "predict", "latency", "memory", "quality",
                              "sparse"]

    gemm = sections["gemm"]
    assert len(gemm.rows) == len(TINY.gemm_dtypes) * len(TINY.threads) * len(gf.available_isas())
    assert all(row.ratio > 0 for row in gemm.rows)

    has_torch = optional.load("torch") is not None
    pairs = {("gf.Network", "scikit-learn"), ("gradfall.sklearn", "scikit-learn"),
             ("gradfall.sklearn", "gf.Network")}
    if has_torch:
        pairs.add(("gf.Network", "PyTorch"))
    has_onnxruntime = all(optional.load(p) is not None for p in ("onnx", "onnxruntime"))
    for key in ("train", "predict"):
        section = sections[key]
        found = set(zip(_names(section, "workload"), _names(section, "gradfall side"),
                        _names(section, "other side")))
        expected = pairs | ({("gf.Network", "onnxruntime")}
                            if key == "predict" and has_onnxruntime else set())
        assert found == {(w.name, *pair) for w in TINY.workloads for pair in expected}
        assert all(row.ratio > 0 for row in section.rows)
        assert not any("differed" in note for note in section.notes)

    latency = sections["latency"]
    others = {"scikit-learn"} | ({"PyTorch"} if has_torch else set()) \
        | ({"onnxruntime"} if has_onnxruntime else set())
    found = set(zip(_names(latency, "workload"), _names(latency, "rows"),
                    _names(latency, "gradfall side"), _names(latency, "other side")))
    assert found == {(w.name, rows, *pair) for w in TINY.workloads for rows in TINY.latency_rows
                     for pair in [("gf.Network", o) for o in others]
                     + [("gf.Network.predict_proba", "gf.Network")]}
    assert all(row.ratio > 0 for row in latency.rows)
    judged = {(row.cells[1], row.cells[3]) for row in latency.rows if latency.status(row)}
    assert judged == {(1, o) for o in others & {"PyTorch", "onnxruntime"}}
    assert any(note.startswith("Fixed cost of a call") and "gf.Network" in note
               for note in latency.notes)
    assert not any("differed" in note for note in latency.notes)

    memory = sections["memory"]
    assert _names(memory, "contender") == ["gf.Network"]
    assert memory.status(memory.rows[0]) in ("met", "short")

    sparse = sections["sparse"]
    found = set(zip(_names(sparse, "solver"), _names(sparse, "gradfall side"),
                    _names(sparse, "other side")))
    assert found == {(solver, *pair) for solver in ("adam", "sgd")
                     for pair in (("gf.Network", "scikit-learn"),
                                  ("gradfall.sklearn", "scikit-learn"),
                                  ("gf.Network", "gf.Network, dense X"))}
    assert all(row.ratio > 0 for row in sparse.rows)
    assert any("MiB above the RSS just before fit" in note for note in sparse.notes)

    text = result.markdown_path.read_text()
    assert (tmp_path / "latest.md").read_text() == text
    assert _names(sections["quality"], "problem") == ["xor"]

    for heading in ("## Machine", "## GEMM", "## Training", "## Predict", "## Latency",
                    "## Peak memory", "## Learning quality", "## Sparse input"):
        assert heading in text
    assert "| small | gf.Network | scikit-learn |" in text
    if optional.load("matplotlib") is not None:
        assert result.chart_path.stat().st_size > 0


def test_missing_torch_is_skipped_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)     # makes `import torch` fail
    plan = replace(TINY, workloads=TINY.workloads[:1])
    section = _run(tmp_path, plan, only=("train",)).sections[0]
    assert "PyTorch" not in _names(section, "other side")
    assert any("torch==2.13.0" in note for note in section.notes)


def test_missing_onnxruntime_is_skipped_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    plan = replace(TINY, workloads=TINY.workloads[:1])
    for section in _run(tmp_path, plan, only=("predict", "latency")).sections:
        assert "onnxruntime" not in _names(section, "other side")
        assert any("onnxruntime skipped" in note for note in section.notes)


def test_quick_plan_runs_the_new_sections():
    args, only, threads = cli.parse(["--quick", "--only", "predict,latency"])
    assert args.quick and only == ["predict", "latency"] and threads == (1, 2)


def test_peaks_that_do_not_scale_are_flagged(monkeypatch):
    monkeypatch.setattr(machine, "usable_cores", lambda: 2)
    peaks = {("avx2", "float32", 1): 100.0, ("avx2", "float32", 2): 119.0,
             ("avx2", "float64", 1): 50.0, ("avx2", "float64", 2): 99.0}
    (warning,) = machine.suspect_peaks(peaks)
    assert warning.startswith("avx2 float32 2T is 1.19×")
    assert any("Warning: suspect FMA peaks" in line for line in machine.describe(peaks))
    monkeypatch.setattr(machine, "usable_cores", lambda: 1)   # one core: no speed-up expected
    assert machine.suspect_peaks(peaks) == []


def test_share_of_peak_never_exceeds_100_percent():
    assert gemm.share_of_peak(75.0, 100.0, "avx2") == ("75%", False)
    assert gemm.share_of_peak(220.0, 119.0, "avx2") == ("above peak (suspect)", True)
    assert gemm.share_of_peak(20.0, 3.0, "scalar") == ("—", False)
    assert gemm.share_of_peak(20.0, None, "avx2") == ("—", False)


def test_per_call_times_every_call_after_the_warm_up():
    from bench.timing import MIN_CALLS, Timed, per_call
    counts = {"a": 0, "b": 0}

    def counter(name):
        def run():
            counts[name] += 1
        return run

    result = per_call([Timed("a", counter("a")), Timed("b", counter("b"))], rounds=2, warmup=3,
                      calls=10, round_seconds=1.0)
    assert counts == {"a": 13, "b": 13}
    assert [len(result[n].calls) for n in "ab"] == [10, 10]
    assert 0 < result["a"].median <= result["a"].p99
    # A round's time budget cuts the calls, but never below MIN_CALLS per round.
    result = per_call([Timed("a", counter("a"))], rounds=2, warmup=1, calls=4 * MIN_CALLS,
                      round_seconds=1e-9)
    assert len(result["a"].calls) == 2 * MIN_CALLS
