"""Smoke test of the benchmark harness (bench/): a whole run on tiny sizes, checking the report's
rows and files, never its timings."""
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # bench/ lives at the repo root

import gradfall as gf  # noqa: E402
from bench import optional, runner  # noqa: E402
from bench.plans import Plan, SparseWorkload, Workload  # noqa: E402

TINY = Plan(
    gemm_shapes=((16, 32, 24),),
    workloads=(Workload("small", n=128, d=16, hidden=(8,), classes=10, batch=32),
               Workload("medium", n=128, d=24, hidden=(16, 8), classes=10, batch=64)),
    memory_workloads=("medium",),
    memory_contenders=("gf.Network",),   # a fresh process per contender; torch's import is slow
    repeats=1, train_repeats=1, min_sample_seconds=0.0, train_min_sample_seconds=0.0,
    settle_seconds=0.0, peak_seconds=0.01,
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
    assert list(sections) == ["gemm", "train", "predict", "memory", "quality", "sparse"]

    gemm = sections["gemm"]
    assert len(gemm.rows) == len(TINY.gemm_dtypes) * len(TINY.threads) * len(gf.available_isas())
    assert all(row.ratio > 0 for row in gemm.rows)

    has_torch = optional.load("torch") is not None
    pairs = {("gf.Network", "scikit-learn"), ("gradfall.sklearn", "scikit-learn"),
             ("gradfall.sklearn", "gf.Network")}
    if has_torch:
        pairs.add(("gf.Network", "PyTorch"))
    for key in ("train", "predict"):
        section = sections[key]
        found = set(zip(_names(section, "workload"), _names(section, "gradfall side"),
                        _names(section, "other side")))
        assert found == {(w.name, *pair) for w in TINY.workloads for pair in pairs}
        assert all(row.ratio > 0 for row in section.rows)
        assert not any("differed" in note for note in section.notes)

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

    for heading in ("## Machine", "## GEMM", "## Training", "## Predict", "## Peak memory",
                    "## Learning quality", "## Sparse input"):
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
