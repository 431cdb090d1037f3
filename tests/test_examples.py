"""Every example runs, at its --quick sizes, and writes its figures."""
import os
import pathlib
import subprocess
import sys

import pytest

import gradfall

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
PACKAGE_PARENT = os.path.dirname(os.path.dirname(gradfall.__file__))
# One thread: the quick sizes are tiny, and a shared CI machine makes thread barriers costly.
CHILD_ENV = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
             "PYTHONPATH": os.pathsep.join([PACKAGE_PARENT, os.environ.get("PYTHONPATH", "")])}
# distributed.py runs under mpiexec: tests/test_distributed.py runs it.
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py")
                 if not p.name.startswith("_") and p.name != "distributed.py")


def test_the_seed_examples_are_all_there():
    for name in ("regenerate_image.py", "sentiment.py", "function_approximation.py",
                 "decision_boundary.py", "squared_vs_absolute.py", "loss_landscape.py"):
        assert name in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_quickly(script, tmp_path):
    pytest.importorskip("matplotlib")
    done = subprocess.run([sys.executable, str(EXAMPLES / script), "--quick", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=CHILD_ENV)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if script != "time_landscape.py":
        assert list(tmp_path.glob("*.png")), done.stdout
