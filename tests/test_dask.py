"""The estimators on a Python cluster: dask-ml's Incremental and ParallelPostFit, GridSearchCV
with joblib's loky and dask backends on a 2-worker distributed.LocalCluster, the thread count
gradfall takes inside a worker, and networks and estimators that ship small and predict the same
bits where they land. Without dask, distributed, dask-ml or joblib these tests skip."""
import os
import pickle
import pickletools

import numpy as np
import pytest

import gradfall as gf

da = pytest.importorskip("dask.array", reason="needs dask (pip install 'gradfall[dask]')")
distributed = pytest.importorskip("distributed", reason="needs distributed ('gradfall[dask]')")
wrappers = pytest.importorskip("dask_ml.wrappers", reason="needs dask-ml ('gradfall[dask]')")
joblib = pytest.importorskip("joblib")
pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from gradfall.sklearn import MLPClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def problem(n=600):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 10))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    return X, y


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def core_objects(data: bytes) -> set:
    """Names of gradfall core classes a pickle would rebuild."""
    names = {"ParamGuard", "InferenceCache", "Trainer", "ModelSpec"}
    return {str(arg) for _, arg, _ in pickletools.genops(data) if str(arg) in names}


def test_networks_and_estimators_pickle_small_without_core_objects():
    net = gf.Network([784, 1024, 1024, 10], output="softmax", loss="cross_entropy")
    data = pickle.dumps(net)
    assert len(data) < net.params.nbytes + 4096  # the parameters as one array, and a header
    assert not core_objects(data)
    assert (pickle.loads(data).params == net.params).all()
    X, y = problem()
    estimator = MLPClassifier((64, 32), max_iter=3, random_state=0).fit(X, y)
    data = pickle.dumps(estimator)
    n_params = sum(c.size for c in estimator.coefs_) + sum(b.size for b in estimator.intercepts_)
    # The weights once, and Adam's two moments (for partial_fit and warm_start to go on).
    assert len(data) < 3 * 8 * n_params + 16384
    assert not core_objects(data)
    again = pickle.loads(data)
    assert (again.predict_proba(X) == estimator.predict_proba(X)).all()
    again.partial_fit(X, y)
    assert again.n_iter_ == 1


def test_a_fitted_estimator_on_a_worker_predicts_the_same_bits(client):
    X, y = problem()
    estimator = MLPClassifier((16,), max_iter=5, random_state=0).fit(X, y)
    remote = client.submit(lambda model, rows: model.predict_proba(rows), estimator, X).result()
    assert (remote == estimator.predict_proba(X)).all()
    # ParallelPostFit: predict over the chunks of a dask array, on the workers.
    chunks = da.from_array(X, chunks=150)
    wrapped = wrappers.ParallelPostFit(estimator)
    assert (wrapped.predict_proba(chunks).compute() == estimator.predict_proba(X)).all()
    assert (wrapped.predict(chunks).compute() == estimator.predict(X)).all()


def test_incremental_trains_over_the_chunks_of_a_dask_array(client):
    X, y = problem()
    incremental = wrappers.Incremental(MLPClassifier((16,), random_state=0,
                                                     learning_rate_init=0.01),
                                       shuffle_blocks=False)
    incremental.fit(da.from_array(X, chunks=150), da.from_array(y, chunks=150),
                    classes=[0, 1, 2])
    fitted = incremental.estimator_
    assert len(fitted.loss_curve_) == 4 and fitted.t_ == X.shape[0]  # one partial_fit a chunk
    # The same chunks fed one by one, here: the same weights.
    local = MLPClassifier((16,), random_state=0, learning_rate_init=0.01)
    for start in range(0, X.shape[0], 150):
        local.partial_fit(X[start:start + 150], y[start:start + 150], classes=[0, 1, 2])
    assert all((a == b).all() for a, b in zip(fitted.coefs_, local.coefs_))


def grid_search(backend):
    X, y = problem(300)
    search = GridSearchCV(MLPClassifier((8,), max_iter=20, random_state=0),
                          {"alpha": [1e-4, 1.0], "learning_rate_init": [1e-3, 1e-2]}, cv=2,
                          n_jobs=2)
    with joblib.parallel_backend(backend):
        search.fit(X, y)
    return search.cv_results_["mean_test_score"], search.best_params_


def test_grid_search_with_the_loky_and_the_dask_backends(client):
    serial = GridSearchCV(MLPClassifier((8,), max_iter=20, random_state=0),
                          {"alpha": [1e-4, 1.0], "learning_rate_init": [1e-3, 1e-2]}, cv=2)
    serial.fit(*problem(300))
    for backend in ("loky", "dask"):
        scores, best = grid_search(backend)
        assert (scores == serial.cv_results_["mean_test_score"]).all(), backend
        assert best == serial.best_params_


def test_workers_use_their_thread_share(client, restore_threads):
    """No oversubscription: a dask worker (its nanny sets OMP_NUM_THREADS to 1 thread per task
    slot) and a loky worker (cores / n_jobs) run gradfall on their share of the cores."""
    gf.set_num_threads(None)  # here too, follow the runtime (threadpoolctl's limit below)
    on_dask = client.run(gf.get_num_threads)
    assert sorted(on_dask.values()) == [1, 1], on_dask
    estimator_threads = client.submit(lambda: gf.get_num_threads()).result()
    assert estimator_threads == 1
    on_loky = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(gf.get_num_threads)() for _ in range(2))
    share = max((os.cpu_count() or 1) // 2, 1)
    assert on_loky == [min(share, gf.config()["max_threads"])] * 2, on_loky
    # threadpoolctl's limit inside a task is followed too.
    def limited():
        from threadpoolctl import threadpool_limits
        with threadpool_limits(1, user_api="openmp"):
            return gf.get_num_threads()
    assert joblib.Parallel(n_jobs=1)(joblib.delayed(limited)() for _ in range(1)) == [1]
