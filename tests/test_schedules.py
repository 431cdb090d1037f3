"""Learning-rate schedules: the rate of every epoch, and that the core trains at it."""
import math

import numpy as np
import pytest

import gradfall as gf
from gradfall import schedules


def rates_used(schedule, epochs=7, lr=0.1):
    """The rate each epoch ran at, read in the callback (after the rate of the next is set)."""
    X, y = gf.make_spirals(64, 2, seed=1)
    net = gf.Network([2, 8, 2], activation="tanh", loss="cross_entropy")
    opt = gf.SGD(lr=lr, schedule=schedule)
    seen = []
    opt.begin = (lambda begin: lambda: (begin(), seen.append(opt.lr)))(opt.begin)
    net.fit(X, y, epochs=epochs, batch_size=16, optimizer=opt,
            callback=lambda epoch, history: seen.append(opt.lr) and False)
    return seen[:epochs]


@pytest.mark.parametrize("schedule,expected", [
    (schedules.Constant(), [0.1] * 7),
    (schedules.Step(3, gamma=0.5), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]),
    (schedules.Exponential(0.9), [0.1 * 0.9 ** k for k in range(7)]),
    (schedules.Cosine(5, warmup=2, min_lr=0.01),
     [0.05, 0.1, 0.1, 0.01 + 0.09 * (1 + math.cos(math.pi / 3)) / 2,
      0.01 + 0.09 * (1 + math.cos(2 * math.pi / 3)) / 2, 0.01, 0.01]),
    (schedules.InverseScaling(0.5), [0.1] + [0.1 / (64 * k + 1) ** 0.5 for k in range(1, 7)]),
])
def test_rate_of_every_epoch(schedule, expected):
    assert rates_used(schedule) == pytest.approx(expected, rel=1e-12)


def test_reduce_on_plateau_cuts_the_rate_after_patience_epochs():
    schedule = schedules.ReduceOnPlateau(factor=0.5, patience=2, threshold=0.0)
    lr = 1.0
    losses = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9]
    rates = []
    for k, loss in enumerate(losses):
        lr = schedule.next_rate(lr, 1.0, schedules.Progress(k + 1, 0, loss))
        rates.append(lr)
    assert rates == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_the_core_trains_at_the_scheduled_rate():
    """A Step schedule equals fits at the rates it gives, epoch by epoch (plain SGD, no shuffle)."""
    X, y = gf.make_spirals(96, 3, seed=2)
    make = lambda: gf.Network([2, 16, 3], activation="tanh", loss="cross_entropy",  # noqa: E731
                              dtype="float64")
    scheduled, stepwise = make(), make()
    scheduled.fit(X, y, epochs=4, batch_size=32, shuffle=False,
                  optimizer=gf.SGD(lr=0.2, schedule=schedules.Step(2, gamma=0.1)))
    for rate in (0.2, 0.2, 0.2 * 0.1, 0.2 * 0.1):
        stepwise.fit(X, y, epochs=1, batch_size=32, shuffle=False, optimizer=gf.SGD(lr=rate))
    np.testing.assert_array_equal(scheduled.params, stepwise.params)


def test_divide_on_plateau_stops_at_its_floor():
    schedule = schedules.DivideOnPlateau(factor=5, min_lr=1e-3)
    assert schedule.on_plateau(0.1) == pytest.approx(0.02)
    assert schedule.on_plateau(1e-3) is None


@pytest.mark.parametrize("make", [lambda: schedules.Step(0), lambda: schedules.Exponential(-1),
                                  lambda: schedules.Cosine(3, warmup=3),
                                  lambda: schedules.ReduceOnPlateau(factor=2),
                                  lambda: schedules.ReduceOnPlateau(monitor="accuracy"),
                                  lambda: gf.SGD(schedule="cosine")])
def test_bad_schedules_are_refused(make):
    with pytest.raises((ValueError, TypeError)):
        make()
