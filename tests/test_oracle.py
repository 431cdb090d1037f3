"""The oracle itself against torch (when installed): forward, every loss, backward, optimizers."""
import numpy as np
import pytest

import oracle

torch = pytest.importorskip("torch")
F = torch.nn.functional

SIZES = [5, 7, 6, 3]


def random_net(acts, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((a, b)) * 0.7 for a, b in zip(SIZES, SIZES[1:])]
    biases = [rng.standard_normal(b) * 0.3 for b in SIZES[1:]]
    return weights, biases, acts, [0.2] * len(acts)


def torch_activation(name, z, slope):
    return {"identity": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu, "leaky_relu": lambda t: F.leaky_relu(t, slope),
            "softmax": lambda t: torch.softmax(t, dim=1), "exp": torch.exp}[name](z)


def torch_cost(loss, z, a, y):
    if loss == "mse":
        return F.mse_loss(a, y)
    if loss == "mae":
        return F.l1_loss(a, y)
    if loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(z, y)
    if loss == "poisson":  # the half Poisson deviance: torch's loss plus its constant term
        return (F.poisson_nll_loss(z, y, log_input=True, full=False, reduction="none")
                + torch.xlogy(y, y) - y).mean()
    return F.cross_entropy(z, y)


@pytest.mark.parametrize("output,loss,kind", oracle.OUTPUT_LOSS)
@pytest.mark.parametrize("hidden", oracle.HIDDEN)
def test_oracle_matches_torch_autograd(hidden, output, loss, kind):
    weights, biases, acts, slopes = random_net([hidden, hidden, output])
    rng = np.random.default_rng(1)
    X = rng.standard_normal((9, SIZES[0]))
    y = {"dense": rng.uniform(-1, 1, (9, 3)), "binary": rng.integers(0, 2, (9, 3)).astype(float),
         "labels": rng.integers(0, 3, 9), "onehot": oracle.onehot(rng.integers(0, 3, 9), 3),
         "soft": rng.uniform(0, 1, (9, 3)), "counts": rng.poisson(2.0, (9, 3)).astype(float)}[kind]
    value, dW, db = oracle.loss_and_gradients(weights, biases, acts, slopes, loss, X, y)
    tw = [torch.tensor(W, requires_grad=True) for W in weights]
    tb = [torch.tensor(b, requires_grad=True) for b in biases]
    a = torch.tensor(X)
    for W, b, act, slope in zip(tw, tb, acts, slopes):
        z = a @ W + b
        a = torch_activation(act, z, slope)
    expected = torch_cost(loss, z, a, torch.tensor(y))
    expected.backward()
    _, outs = oracle.forward(weights, biases, acts, slopes, X)
    np.testing.assert_allclose(outs[-1], a.detach().numpy(), rtol=1e-13, atol=1e-14)
    assert value == pytest.approx(expected.item(), rel=1e-13)
    for ours, theirs in zip(dW + db, tw + tb):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-11, atol=1e-14)


OPTIMIZERS = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.1, momentum=0.9)),
    ("sgd", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd", dict(lr=0.1, momentum=0.5, weight_decay=0.01)),
    ("adam", dict(lr=0.01)),
    ("adam", dict(lr=0.01, weight_decay=0.1)),
]


@pytest.mark.parametrize("kind,kwargs", OPTIMIZERS)
def test_oracle_optimizers_match_torch(kind, kwargs):
    rng = np.random.default_rng(2)
    theta = torch.tensor(rng.standard_normal(11), requires_grad=True)
    ours_cls, theirs_cls = (oracle.SGD, torch.optim.SGD) if kind == "sgd" else (oracle.Adam, torch.optim.Adam)
    ours, theirs = ours_cls(**kwargs), theirs_cls([theta], **kwargs)
    flat = theta.detach().numpy().copy()
    for _ in range(4):
        grad = rng.standard_normal(11)
        flat = ours.step(flat, grad)
        theta.grad = torch.tensor(grad)
        theirs.step()
        np.testing.assert_allclose(flat, theta.detach().numpy(), rtol=1e-14, atol=1e-15)
