"""Ctrl-C reaches Python within a batch or a row chunk, not a whole call; what was done stays."""
import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

PRELUDE = """
import json, os, signal, threading, time
import numpy as np
import gradfall as gf
gf.set_num_threads(2)
# Python's own Ctrl-C handling, as in a terminal: a shell's background job starts with SIGINT
# ignored, and the child would inherit that.
signal.signal(signal.SIGINT, signal.default_int_handler)
fired = []
def interrupt_in(seconds):
    def send():
        fired.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Timer(seconds, send).start()
"""


def run(body, timeout=120):
    code = PRELUDE + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_fit_stops_after_the_batch_in_progress_and_keeps_what_was_done():
    report = run("""
        rng = np.random.default_rng(0)
        X = rng.standard_normal((60000, 256)).astype(np.float32)
        y = rng.integers(0, 10, 60000)
        net = gf.Network([256, 512, 512, 10], loss="cross_entropy")
        net.fit(X[:256], y[:256], epochs=1, batch_size=128)  # warm: one epoch completed
        before = net.params.copy()
        interrupt_in(0.5)
        try:
            net.fit(X, y, epochs=50, batch_size=256, optimizer=gf.SGD(lr=0.01))
            outcome = "finished"
        except KeyboardInterrupt:
            outcome = "KeyboardInterrupt"
        latency = time.perf_counter() - fired[0]
        h = net.history
        print(json.dumps({"outcome": outcome, "latency": latency, "epochs": net.epochs_trained,
                          "history": h.epochs, "partial": h.interrupted_epoch,
                          "changed": bool((net.params != before).any()),
                          "finite": bool(np.isfinite(net.params).all())}))
    """)
    assert report["outcome"] == "KeyboardInterrupt"
    assert report["latency"] < 0.5, report  # one batch here takes milliseconds
    assert report["epochs"] == report["history"]  # every completed epoch is in the history
    assert report["partial"]["batches"] > 0 and report["partial"]["epoch"] == report["history"]
    assert report["changed"] and report["finite"]  # the completed batches' updates are kept


def test_long_forward_and_landscape_stop_within_a_chunk():
    report = run("""
        rng = np.random.default_rng(1)
        X = rng.standard_normal((400000, 784)).astype(np.float32)
        net = gf.Network([784, 1024, 1024, 10], loss="cross_entropy")
        results = {}
        interrupt_in(0.3)
        start = time.perf_counter()
        try:
            net.forward(X)
            results["forward"] = "finished"
        except KeyboardInterrupt:
            results["forward"] = time.perf_counter() - fired[0]
        y = rng.integers(0, 10, 20000)
        fired.clear()
        interrupt_in(0.3)
        try:
            gf.landscape.surface(net, X[:20000], y, steps=51)
            results["surface"] = "finished"
        except KeyboardInterrupt:
            results["surface"] = time.perf_counter() - fired[0]
        print(json.dumps(results))
    """)
    assert isinstance(report["forward"], float) and report["forward"] < 0.5, report
    assert isinstance(report["surface"], float) and report["surface"] < 1.0, report


def test_scikit_learn_estimators_keep_their_behaviour():
    report = run("""
        import warnings
        from gradfall.sklearn import MLPClassifier
        rng = np.random.default_rng(2)
        X = rng.standard_normal((60000, 256)).astype(np.float32)
        y = rng.integers(0, 10, 60000)
        interrupt_in(1.0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = MLPClassifier(hidden_layer_sizes=(512, 512), max_iter=100).fit(X, y)
        print(json.dumps({"warned": any("interrupted" in str(w.message) for w in caught),
                          "fitted": hasattr(est, "coefs_"), "score": float(est.score(X[:100], y[:100]))}))
    """)
    assert report["warned"] and report["fitted"]


def test_a_user_handler_for_sigint_is_honoured():
    report = run("""
        calls = []
        signal.signal(signal.SIGINT, lambda *a: calls.append(1))
        rng = np.random.default_rng(3)
        X = rng.standard_normal((400000, 784)).astype(np.float32)
        net = gf.Network([784, 1024, 1024, 10], loss="cross_entropy")
        interrupt_in(0.3)
        out = net.forward(X[:100000])
        expected = np.vstack([net.forward(X[i:i + 20000]) for i in range(0, 100000, 20000)])
        y = rng.integers(0, 10, 60000)
        interrupt_in(0.3)
        history = net.fit(X[:60000], y, epochs=50, batch_size=256)
        print(json.dumps({"calls": len(calls), "complete": bool(np.array_equal(out, expected)),
                          "epochs": history.epochs, "partial": history.interrupted_epoch}))
    """)
    # A handler that does not raise means "go on": forward's result is complete, never partial;
    # fit takes the signal as "stop training" and returns with the partial epoch reported.
    assert report["calls"] == 2 and report["complete"]
    assert report["epochs"] < 50 and report["partial"] is not None
