"""How each contender trains a problem's network for the learning-quality section: the same
widths, activations, loss, Adam learning rate, batch size and epochs, float32, each library's own
initialisation, minibatches reshuffled every epoch; the test set is scored after every epoch on a
paused clock. The clock runs from building the model to the end of the last epoch."""
from __future__ import annotations

import warnings

import numpy as np

import gradfall as gf

from . import optional
from .curves import Curve, Stopwatch, record_epoch


class GradfallLearner:
    """``gf.Network`` with its default initialisation (or ``init``) and ``gf.Adam``; the test set
    is scored from ``fit``'s per-epoch callback."""
    name = "gf.Network"
    package = "gradfall"

    def __init__(self, init=None):
        self.init = init      # None: the library's default rule

    def train(self, problem, data, seed: int) -> Curve:
        curve, clock = Curve(), Stopwatch()
        net = gf.Network(problem.layers(data), activation=problem.activation,
                         output="softmax" if problem.is_classifier else "identity",
                         loss="cross_entropy" if problem.is_classifier else "mse",
                         dtype="float32", seed=seed, init=self.init)
        net.fit(data.X_train, data.y_train, epochs=problem.epochs, batch_size=problem.batch,
                optimizer=gf.Adam(lr=problem.lr),
                callback=lambda epoch, history: record_epoch(
                    clock, curve, lambda: problem.score(net.predict(data.X_test), data.y_test)))
        return curve


class TorchLearner:
    """``nn.Sequential`` of ``nn.Linear`` and activations (torch's default initialisation),
    ``optim.Adam``, a ``randperm`` of the rows every epoch sliced into minibatches."""
    name = "PyTorch"
    package = "torch"

    def train(self, problem, data, seed: int) -> Curve:
        import torch
        curve, clock = Curve(), Stopwatch()
        torch.manual_seed(seed)
        widths = problem.layers(data)
        layers = []
        for n_in, n_out in zip(widths[:-2], widths[1:-1]):
            layers += [torch.nn.Linear(n_in, n_out),
                       torch.nn.Tanh() if problem.activation == "tanh" else torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-2], widths[-1]))
        optimizer = torch.optim.Adam(model.parameters(), lr=problem.lr)
        if problem.is_classifier:
            loss_fn, y = torch.nn.CrossEntropyLoss(), torch.from_numpy(data.y_train)
        else:
            loss_fn, y = torch.nn.MSELoss(), torch.from_numpy(data.y_train[:, None])
        X, X_test = torch.from_numpy(data.X_train), torch.from_numpy(data.X_test)
        shuffler = torch.Generator().manual_seed(seed)

        def score():
            with torch.inference_mode():
                out = model(X_test)
            return problem.score(out.argmax(dim=1).numpy() if problem.is_classifier
                                 else out[:, 0].numpy(), data.y_test)

        for _ in range(problem.epochs):
            order = torch.randperm(X.shape[0], generator=shuffler)
            for start in range(0, X.shape[0], problem.batch):
                batch = order[start:start + problem.batch]
                optimizer.zero_grad(set_to_none=True)
                loss_fn(model(X[batch]), y[batch]).backward()
                optimizer.step()
            record_epoch(clock, curve, score)
        return curve


class SklearnLearner:
    """``MLPClassifier``/``MLPRegressor(solver="adam", alpha=0)`` trained one ``partial_fit`` (one
    epoch) at a time: the updates of ``fit`` with ``max_iter=epochs`` (see ``estimator``), except
    that each epoch permutes the rows' own order where ``fit`` permutes the previous epoch's,
    which is just as random."""
    name = "scikit-learn"
    package = "sklearn"

    def estimator(self, problem, seed: int):
        """The estimator ``train`` steps through, whose ``fit`` the loop follows: tol=0 and
        n_iter_no_change=epochs so ``fit`` too would run every epoch of the budget."""
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        kind = MLPClassifier if problem.is_classifier else MLPRegressor
        # A RandomState object (not an int) carries on between partial_fit calls, so each
        # epoch gets a new shuffle, as in fit.
        return kind(hidden_layer_sizes=problem.hidden, activation=problem.activation,
                    solver="adam", learning_rate_init=problem.lr, batch_size=problem.batch,
                    max_iter=problem.epochs, alpha=0.0, tol=0.0,
                    n_iter_no_change=problem.epochs, shuffle=True,
                    random_state=np.random.RandomState(seed))

    def train(self, problem, data, seed: int) -> Curve:
        curve, clock = Curve(), Stopwatch()
        model = self.estimator(problem, seed)
        classes = {"classes": np.unique(data.y_train)} if problem.is_classifier else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # batch_size above a tiny set's size is clipped
            for _ in range(problem.epochs):
                model.partial_fit(data.X_train, data.y_train, **classes)
                record_epoch(clock, curve,
                             lambda: problem.score(model.predict(data.X_test), data.y_test))
        return curve


def available(gradfall_init=None) -> tuple:
    """(learners that can run, gradfall's first; notes for the ones skipped)."""
    chosen, notes = [GradfallLearner(gradfall_init)], []
    for learner in (TorchLearner(), SklearnLearner()):
        if optional.load(learner.package) is None:
            notes.append(optional.missing_note(learner.package, f"The {learner.name} column"))
        else:
            chosen.append(learner)
    return chosen, notes
