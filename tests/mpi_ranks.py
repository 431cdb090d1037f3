"""Run under ``mpiexec -n K`` by tests/test_distributed.py: one data-parallel scenario per call,
rank 0 saving what every rank ended with to the .npz file named on the command line.

    python mpi_ranks.py equivalence OUT.npz   K-rank fits (float64, 5 epochs) to compare with one
                                              process on the same global batches
    python mpi_ranks.py failures OUT.npz      a rank that fails makes every rank raise
    python mpi_ranks.py estimators OUT.npz    the scikit-learn estimators with comm=
"""
import sys

import numpy as np

import gradfall as gf

N_ROWS, N_FEATURES, BATCH, EPOCHS = 103, 6, 16, 5  # 103 rows: uneven shards, a short last batch


def problem():
    """The data every rank can read, with sample weights and a validation set."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.int64) + (X[:, 3] > 0.5)
    weights = rng.uniform(0.5, 2.0, size=N_ROWS)
    return X, y, weights


def network(rank):
    # Rank-dependent seeds: the broadcast of rank 0's weights must make them alike.
    return gf.Network([N_FEATURES, 7, 5, 3], activation="tanh", output="softmax",
                      loss="cross_entropy", dtype="float64", seed=11 + rank)


def equivalence(comm, out):
    X, y, weights = problem()
    results = {}
    for shuffle in (False, True):
        X_local, y_local, w_local = gf.distributed.shard(X, y, weights, comm=comm)
        net = network(comm.rank)
        history = net.fit(X_local, y_local, epochs=EPOCHS, batch_size=BATCH, shuffle=shuffle,
                          sample_weight=w_local, l2=0.01, optimizer=gf.Adam(lr=0.01),
                          validation_data=(X_local, y_local), record_batches=True, comm=comm)
        key = "shuffled" if shuffle else "ordered"
        for name, value in (("params", net.params), ("loss", history.loss),
                            ("val_loss", history.val_loss), ("val_score", history.val_score),
                            ("batch_loss", np.concatenate(history.batch_loss)),
                            ("grad_norms", history.grad_norm.ravel())):
            gathered = comm.gather(np.asarray(value, dtype=np.float64))
            if comm.rank == 0:
                results[f"{key}_{name}"] = np.stack(gathered)
    if comm.rank == 0:
        np.savez(out, size=comm.size, **results)


def outcome(work):
    """What ``work()`` raised on this rank: its class name and message, or "ok"."""
    try:
        work()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def failures(comm, out):
    X, y, _ = problem()
    X_local, y_local = gf.distributed.shard(X, y, comm=comm)
    bad_X = X_local.copy()
    if comm.rank == 1:
        bad_X[0, 0] = np.nan
    calls = []

    def raising_callback(epoch, history):
        calls.append(epoch)
        if comm.rank == 1 and epoch == 1:
            raise RuntimeError("callback broke")

    def fit(**options):
        settings = dict(epochs=3, batch_size=BATCH, optimizer=gf.SGD(lr=0.05), comm=comm)
        settings.update(options)
        X_fit = settings.pop("X", X_local)
        return network(comm.rank).fit(X_fit, y_local, **settings)

    cases = {
        "bad_shard": lambda: fit(X=bad_X),
        "callback": lambda: fit(callback=raising_callback),
        "epochs_differ": lambda: fit(epochs=3 + comm.rank),
        "diverges": lambda: gf.Network([N_FEATURES, 7, 1], output="identity", loss="mse").fit(
            X_local, y_local[:, None] * 1.0, epochs=3, batch_size=BATCH,
            optimizer=gf.SGD(lr=1e10), comm=comm),
        "stop_vote": lambda: fit(callback=lambda epoch, history: comm.rank == 1 and epoch == 0),
    }
    results = {name: outcome(work) for name, work in cases.items()}
    stopped = network(comm.rank)
    stopped.fit(X_local, y_local, epochs=3, batch_size=BATCH, comm=comm,
                callback=lambda epoch, history: comm.rank == 1 and epoch == 0)
    results["stop_vote_epochs"] = str(stopped.epochs_trained)
    results["callback_calls"] = str(calls)
    gathered = comm.gather(results)
    if comm.rank == 0:
        np.savez(out, **{f"{name}_{rank}": value for rank, result in enumerate(gathered)
                         for name, value in result.items()})


def estimators(comm, out):
    from gradfall.sklearn import MLPClassifier, MLPRegressor

    X, y, weights = problem()
    X_local, y_local, w_local = gf.distributed.shard(X, y, weights, comm=comm)
    results = {}
    # Rank-dependent random_state: rank 0's initial weights are broadcast.
    classifier = MLPClassifier((8,), max_iter=6, batch_size=20, random_state=comm.rank,
                               comm=comm).fit(X_local, y_local, sample_weight=w_local)
    results["classifier_coef"] = classifier.coefs_[0].ravel()
    results["classifier_loss"] = classifier.loss_curve_
    regressor = MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", max_iter=3, random_state=comm.rank, comm=comm)
    for _ in range(3):
        regressor.partial_fit(X_local, X_local[:, 0] * 2.0)
    results["regressor_coef"] = regressor.coefs_[0].ravel()
    results["regressor_loss"] = regressor.loss_curve_
    results["regressor_t"] = [regressor.t_]
    gathered = {name: comm.gather(np.asarray(value, dtype=np.float64))
                for name, value in results.items()}
    if comm.rank == 0:
        np.savez(out, **{name: np.stack(values) for name, values in gathered.items()})


if __name__ == "__main__":
    from mpi4py import MPI

    scenarios = {"equivalence": equivalence, "failures": failures, "estimators": estimators}
    scenarios[sys.argv[1]](MPI.COMM_WORLD, sys.argv[2])
