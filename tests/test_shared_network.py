"""One network used from several threads: one fit at a time, and readers see whole steps."""
import threading

import numpy as np
import pytest

import gradfall as gf


def data(n=20000, d=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32), rng.integers(0, 10, n)


def test_a_second_concurrent_fit_is_refused():
    X, y = data()
    net = gf.Network([64, 256, 10], loss="cross_entropy")
    errors, started = [], threading.Event()

    def first():
        started.set()
        net.fit(X, y, epochs=20, batch_size=32)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait()
    while not net.param_guard.training:
        pass
    try:
        net.fit(X, y, epochs=1)
    except RuntimeError as error:
        errors.append(str(error))
    thread.join()
    assert errors and "already being trained" in errors[0]
    assert not net.param_guard.training
    net.fit(X[:100], y[:100], epochs=1)  # free again once the first fit is over


def test_forward_during_fit_reads_the_weights_of_one_step():
    """Every forward result made while another thread trains equals the forward of a set of
    weights the training actually held between two updates."""
    X, y = data(4000)
    probe = X[:64]
    net = gf.Network([64, 512, 10], loss="cross_entropy", dtype="float64")
    snapshots, outputs, done = [], [], threading.Event()

    def record(epoch, history):
        return False

    def train():
        optimizer = gf.SGD(lr=0.05)
        for _ in range(15):
            net.fit(X, y, epochs=1, batch_size=4000, optimizer=optimizer, shuffle=False)
            snapshots.append(net.params.copy())
        done.set()

    snapshots.append(net.params.copy())
    thread = threading.Thread(target=train)
    thread.start()
    while not done.is_set():
        outputs.append(net.forward(probe))
    thread.join()
    # One batch per epoch: the weights between updates are exactly the recorded snapshots.
    reference = gf.Network([64, 512, 10], loss="cross_entropy", dtype="float64")
    allowed = []
    for params in snapshots:
        reference.load_params(params)
        allowed.append(reference.forward(probe))
    for out in outputs:
        assert any(np.array_equal(out, a) for a in allowed)


def test_fits_of_different_networks_run_side_by_side():
    X, y = data(4000)
    nets = [gf.Network([64, 32, 10], loss="cross_entropy", seed=s) for s in range(2)]
    alone = [gf.Network([64, 32, 10], loss="cross_entropy", seed=s) for s in range(2)]
    for net in alone:
        net.fit(X, y, epochs=3)
    threads = [threading.Thread(target=net.fit, args=(X, y), kwargs={"epochs": 3}) for net in nets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for net, reference in zip(nets, alone):
        np.testing.assert_array_equal(net.params, reference.params)
