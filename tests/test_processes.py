"""gradfall in other processes: children started by fork, forkserver and spawn, joblib's
workers, and the bounds on the thread count."""
import multiprocessing as mp
import subprocess
import sys

import numpy as np
import pytest

import gradfall as gf

X = np.random.default_rng(0).standard_normal((4000, 256)).astype(np.float32)
NET = gf.Network([256, 512, 10], loss="cross_entropy")


def forward_sum(_):
    return float(NET.forward(X).sum()), gf.get_num_threads()


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_children_work_after_the_parent_used_threads(method, restore_threads):
    gf.set_num_threads(2)
    expected = float(NET.forward(X).sum())  # the parent's OpenMP team now exists
    with mp.get_context(method).Pool(1) as pool:
        [(total, threads)] = pool.map_async(forward_sum, [0]).get(timeout=60)
    assert total == expected
    # A forked child cannot use OpenMP's threads; a fresh interpreter can.
    assert threads == 1 if method == "fork" else threads >= 1


def test_joblib_workers_run_gradfall():
    joblib = pytest.importorskip("joblib")
    NET.forward(X)
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(forward_sum)(i) for i in range(2))
    assert results[0][0] == results[1][0] == float(NET.forward(X).sum())


def test_a_forked_child_that_asks_for_threads_is_told_why_it_has_one():
    code = """
import os, warnings, numpy as np, gradfall as gf
gf.set_num_threads(2)
gf.matmul(np.ones((300, 300), 'f4'), np.ones((300, 300), 'f4'))
pid = os.fork()
if pid == 0:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        gf.set_num_threads(2)
    ok = gf.get_num_threads() == 1 and any('fork' in str(w.message) for w in caught)
    C = gf.matmul(np.ones((300, 300), 'f4'), np.ones((300, 300), 'f4'))
    os._exit(0 if ok and (C == 300).all() else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "0", result.stderr


@pytest.mark.parametrize("n", [0, -1, 100000, 2 ** 31 - 1, 2 ** 31, 2 ** 70])
def test_thread_counts_outside_the_bound_are_refused(n, restore_threads):
    with pytest.raises(ValueError, match="n_threads"):
        gf.set_num_threads(n)
    with pytest.raises(TypeError, match="n_threads"):
        gf.set_num_threads(2.0)
    assert gf.get_num_threads() <= gf._core.max_threads()


def test_an_huge_omp_num_threads_is_capped():
    code = "import gradfall as gf, numpy as np; gf.matmul(np.ones((300,300),'f4'), np.ones((300,300),'f4')); print(gf.get_num_threads())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env={**__import__("os").environ, "OMP_NUM_THREADS": "100000"})
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == gf._core.max_threads()
