"""Data-parallel training under MPI: K ranks (K = 1, 2, 3) equal one process on the same global
batches, every rank ends with the same bits, a failing rank makes every rank raise, and the
README's example prints the same final loss on both ranks. The ranks run as ``mpiexec -n K``
children with a time limit; without mpi4py or an MPI launcher these tests skip.

The single-process reference trains on the global batches one at a time: global batch j is the
concatenation, in rank order, of rows [floor(j B n_k / N), floor((j+1) B n_k / N)) of each
rank k's shard in its epoch order (gradfall.distributed), each fed to one single-batch fit.
Bound: the sums across ranks add the same terms in another order, so each step differs by a
few units of float64 rounding (~1e-16 relative); after 5 epochs of 7 Adam steps the measured
difference is at most 7e-16 (parameters, losses, gradient norms), asserted below 1e-6.
"""
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

import gradfall as gf
from test_shuffle_order import MASK64, reference_order

pytest.importorskip("mpi4py", reason="the MPI tests need mpi4py (pip install 'gradfall[mpi]')")
HERE = pathlib.Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "distributed.py"
LAUNCHER = shutil.which("mpiexec", path=os.pathsep.join(
    [os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
if LAUNCHER is None:
    pytest.skip("no MPI launcher (mpiexec) installed: pip install 'gradfall[mpi]'",
                allow_module_level=True)
PACKAGE_PARENT = os.path.dirname(os.path.dirname(gf.__file__))
# One thread per rank: three ranks share two cores, and MPI waits by spinning.
CHILD_ENV = {**os.environ, "OMP_NUM_THREADS": "1",
             "PYTHONPATH": os.pathsep.join([PACKAGE_PARENT, str(HERE),
                                            os.environ.get("PYTHONPATH", "")])}
TIME_LIMIT = 180

sys.path.insert(0, str(HERE))
import mpi_ranks  # noqa: E402  (the scenarios' data and network; MPI starts only in the ranks)


def launch(ranks, *command):
    """``mpiexec -n ranks python command...``: its stdout; fails the test on an error or after
    TIME_LIMIT seconds (the whole process group is then killed, so no rank is left behind)."""
    version = subprocess.run([LAUNCHER, "--version"], capture_output=True, text=True).stdout
    extra = ["--oversubscribe", "--allow-run-as-root"] if "Open MPI" in version else []
    child = subprocess.Popen([LAUNCHER, *extra, "-n", str(ranks), sys.executable, *command],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=CHILD_ENV, start_new_session=True)
    try:
        out, err = child.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"{ranks} ranks did not finish in {TIME_LIMIT} s (a collective hung)")
    assert child.returncode == 0, err
    return out


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def global_batches(shards, shuffle, epoch):
    """Per global batch, the row indices (into the concatenated data) it holds, in rank order."""
    n_all = sum(len(rows) for rows in shards)
    n_batches = -(-n_all // mpi_ranks.BATCH)
    orders = []
    for rank, rows in enumerate(shards):
        seed = mpi_ranks.network(rank).seed ^ mix64(rank)  # each rank's seed, mixed with it
        order = reference_order(seed, epoch, len(rows)) if shuffle else range(len(rows))
        orders.append(np.asarray(rows)[list(order)])

    def start(rank, j):
        n = len(shards[rank])
        return n if j == n_batches else j * mpi_ranks.BATCH * n // n_all

    return [np.concatenate([orders[k][start(k, j):start(k, j + 1)]
                            for k in range(len(shards))]) for j in range(n_batches)]


def single_process(ranks, shuffle):
    """One process, one fit per global batch: what K ranks must reproduce."""
    X, y, weights = mpi_ranks.problem()
    n = X.shape[0]
    shards = [np.arange(n * k // ranks, n * (k + 1) // ranks) for k in range(ranks)]
    net = mpi_ranks.network(rank=0)
    optimizer = gf.Adam(lr=0.01)
    record = {"loss": [], "val_loss": [], "val_score": [], "batch_loss": [], "grad_norms": []}
    for epoch in range(mpi_ranks.EPOCHS):
        losses, norms, batch_weights = [], [], []
        for rows in global_batches(shards, shuffle, epoch):
            history = net.fit(X[rows], y[rows], epochs=1, batch_size=len(rows), shuffle=False,
                              sample_weight=weights[rows], l2=0.01, optimizer=optimizer,
                              reset_history=True)
            losses.append(history.loss[0])
            norms.append(history.grad_norm[0])
            batch_weights.append(weights[rows].sum())
        record["loss"].append(np.dot(losses, batch_weights) / np.sum(batch_weights))
        record["batch_loss"].extend(losses)
        record["grad_norms"].extend(np.mean(norms, axis=0))
        record["val_loss"].append(net.loss(X, y))
        record["val_score"].append(net.score(X, y))
    record["params"] = net.params.copy()
    return {name: np.asarray(value) for name, value in record.items()}


@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_k_ranks_equal_one_process_on_the_same_global_batches(ranks, tmp_path):
    out = tmp_path / "ranks.npz"
    launch(ranks, str(HERE / "mpi_ranks.py"), "equivalence", str(out))
    results = np.load(out)
    assert int(results["size"]) == ranks
    for order in ("ordered", "shuffled"):
        reference = single_process(ranks, shuffle=order == "shuffled")
        for name, expected in reference.items():
            per_rank = results[f"{order}_{name}"]
            # Every rank ends with the same bits ...
            assert (per_rank == per_rank[0]).all(), (order, name)
            # ... those of one process on the same batches, to the order of the sums.
            np.testing.assert_allclose(per_rank[0], expected, rtol=0, atol=1e-6,
                                       err_msg=f"{order} {name}")
        if ranks == 1:  # one rank is single-process training, bit for bit
            X, y, weights = mpi_ranks.problem()
            net = mpi_ranks.network(rank=0)
            net.fit(X, y, epochs=mpi_ranks.EPOCHS, batch_size=mpi_ranks.BATCH,
                    shuffle=order == "shuffled", sample_weight=weights, l2=0.01,
                    optimizer=gf.Adam(lr=0.01))
            assert (results[f"{order}_params"][0] == net.params).all()


def test_a_failing_rank_makes_every_rank_raise(tmp_path):
    out = tmp_path / "failures.npz"
    launch(2, str(HERE / "mpi_ranks.py"), "failures", str(out))
    results = {name: str(value) for name, value in np.load(out).items()}
    for rank in (0, 1):
        assert results[f"bad_shard_{rank}"].startswith("DistributedError: preparing the "
                                                       "training data failed on 1 of 2 ranks; "
                                                       "rank 1: ValueError: X contains")
        assert results[f"callback_{rank}"].startswith("DistributedError: the callback after "
                                                      "epoch 2 failed")
        assert "RuntimeError: callback broke" in results[f"callback_{rank}"]
        assert results[f"callback_calls_{rank}"] == "[0, 1]"  # no rank went on after the check
        assert results[f"epochs_differ_{rank}"].startswith("DistributedError: the ranks "
                                                           "disagree on epochs")
        assert results[f"diverges_{rank}"].startswith("DivergenceError: training diverged in "
                                                      "epoch 1, batch")
        # One rank's callback asking to stop stops every rank after that epoch.
        assert results[f"stop_vote_{rank}"] == "ok"
        assert results[f"stop_vote_epochs_{rank}"] == "1"
    assert results["diverges_0"] == results["diverges_1"]


def test_the_estimators_train_alike_on_every_rank(tmp_path):
    out = tmp_path / "estimators.npz"
    launch(2, str(HERE / "mpi_ranks.py"), "estimators", str(out))
    results = np.load(out)
    for name in results.files:
        assert (results[name] == results[name][0]).all(), name
    assert len(results["classifier_loss"][0]) == 6
    assert results["classifier_loss"][0][-1] < results["classifier_loss"][0][0]
    assert len(results["regressor_loss"][0]) == 3
    assert results["regressor_t"][0][0] == 3 * mpi_ranks.N_ROWS  # rows of every rank


def test_the_readme_example_prints_the_same_final_loss_on_both_ranks():
    lines = sorted(launch(2, str(EXAMPLE)).strip().splitlines())
    assert [line.split(":")[0] for line in lines] == ["rank 0 of 2", "rank 1 of 2"]
    assert "10000 rows" in lines[0] and "10000 rows" in lines[1]
    losses = {line.rsplit("final loss ", 1)[1] for line in lines}
    assert len(losses) == 1
    assert 0 < float(losses.pop()) < 0.5
