"""How each contender trains one epoch and predicts, with the same settings: minibatch SGD,
lr 0.01, plain momentum 0.9, no L2, ReLU hidden layers, softmax cross-entropy, float32."""
from __future__ import annotations

import warnings

import numpy as np

import gradfall as gf

from . import optional

LEARNING_RATE = 0.01
MOMENTUM = 0.9
ADAM_LEARNING_RATE = 0.001


class GradfallNetwork:
    name = "gf.Network"
    package = "gradfall"

    def new(self, workload):
        """A network with gradfall's seeded initial weights (which the predict section shares)."""
        return gf.Network(workload.layers, activation="relu", output="softmax",
                          loss="cross_entropy", dtype="float32", seed=0)

    def train_epoch(self, workload, X, y):
        net = self.new(workload)
        net.fit(X, y, epochs=1, batch_size=workload.batch,
                optimizer=gf.SGD(lr=LEARNING_RATE, momentum=MOMENTUM))
        return net

    def with_weights(self, workload, weights, biases, X, y):
        net = self.new(workload)
        for W, b, W_new, b_new in zip(net.weights, net.biases, weights, biases):
            W[...], b[...] = W_new, b_new
        return net

    def predict(self, model, X):
        return model.forward(X)


def sklearn_params(workload, solver="sgd"):
    """The MLPClassifier settings of one epoch; adam keeps scikit-learn's default rate."""
    # Nesterov off so every contender runs the same plain-momentum update.
    return dict(hidden_layer_sizes=workload.hidden, activation="relu", solver=solver, alpha=0.0,
                learning_rate_init=LEARNING_RATE if solver == "sgd" else ADAM_LEARNING_RATE,
                momentum=MOMENTUM, nesterovs_momentum=False, batch_size=workload.batch,
                max_iter=1, shuffle=True, random_state=0)


def fit_one_epoch(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # max_iter=1 always warns that it did not converge
        return estimator.fit(X, y)


class SklearnMLP:
    name = "scikit-learn"
    package = "sklearn"

    def train_epoch(self, workload, X, y):
        from sklearn.neural_network import MLPClassifier
        return fit_one_epoch(MLPClassifier(**sklearn_params(workload)), X, y)

    def with_weights(self, workload, weights, biases, X, y):
        # A fit on a few rows sets up classes and float32 layers; then the weights are replaced.
        from sklearn.neural_network import MLPClassifier
        rows = 4 * workload.classes
        model = fit_one_epoch(MLPClassifier(**sklearn_params(workload)), X[:rows],
                               np.arange(rows) % workload.classes)
        model.coefs_ = [np.array(W, dtype=np.float32) for W in weights]
        model.intercepts_ = [np.array(b, dtype=np.float32) for b in biases]
        return model

    def predict(self, model, X):
        return model.predict_proba(X)


class GradfallEstimator:
    name = "gradfall.sklearn"
    package = "gradfall.sklearn"

    def train_epoch(self, workload, X, y):
        from gradfall.sklearn import MLPClassifier
        return fit_one_epoch(MLPClassifier(**sklearn_params(workload), dtype="float32"), X, y)

    def with_weights(self, workload, weights, biases, X, y):
        from gradfall.sklearn import from_sklearn
        fitted = SklearnMLP().with_weights(workload, weights, biases, X, y)
        return from_sklearn(fitted, dtype="float32")

    def predict(self, model, X):
        return model.predict_proba(X)


class TorchMLP:
    name = "PyTorch"
    package = "torch"

    def _model(self, workload):
        import torch
        torch.manual_seed(0)
        layers = []
        for n_in, n_out in zip(workload.layers[:-2], workload.layers[1:-1]):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
        layers.append(torch.nn.Linear(workload.layers[-2], workload.layers[-1]))
        return torch.nn.Sequential(*layers)

    def train_epoch(self, workload, X, y):
        import torch
        model = self._model(workload)
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        loss_fn = torch.nn.CrossEntropyLoss()
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
        order = torch.randperm(X.shape[0], generator=torch.Generator().manual_seed(0))
        for start in range(0, X.shape[0], workload.batch):
            batch = order[start:start + workload.batch]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X_t[batch]), y_t[batch]).backward()
            optimizer.step()
        return model

    def with_weights(self, workload, weights, biases, X, y):
        import torch
        model = self._model(workload)
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for linear, W, b in zip(linears, weights, biases):
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                linear.bias.copy_(torch.from_numpy(np.asarray(b)))
        return model.eval()

    def predict(self, model, X):
        import torch
        with torch.inference_mode():
            return torch.softmax(model(torch.from_numpy(X)), dim=1).numpy()


class OnnxRuntime:
    """Predicts only: an onnxruntime session on gf.Network's exported model (gradfall.onnx_io)."""
    name = "onnxruntime"
    package = "onnxruntime"
    also_needs = ("onnx",)   # the export

    def with_weights(self, workload, weights, biases, X, y):
        import onnxruntime
        net = GradfallNetwork().with_weights(workload, weights, biases, X, y)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = gf.get_num_threads()   # the count every contender has
        options.inter_op_num_threads = 1
        return onnxruntime.InferenceSession(net.to_onnx().SerializeToString(), options,
                                            providers=["CPUExecutionProvider"])

    def predict(self, session, X):
        return session.run(None, {"X": X})[0]


ALL = (GradfallNetwork(), GradfallEstimator(), SklearnMLP(), TorchMLP())   # they train too
PREDICTORS = ALL + (OnnxRuntime(),)


def available(names=None, pool=ALL):
    """(contenders of ``pool`` that can run, notes for the ones skipped)."""
    chosen, notes = [], []
    for c in pool:
        if names is not None and c.name not in names:
            continue
        missing = [p for p in (c.package, *getattr(c, "also_needs", ()))
                   if optional.load(p) is None]
        if missing:
            notes.append(optional.missing_note(missing[0], c.name))
        else:
            chosen.append(c)
    return chosen, notes
