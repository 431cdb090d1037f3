"""A non-linear decision boundary: XOR and three spirals.

No straight line separates XOR's four points, so a network without a hidden layer (logistic
regression) cannot get them all right; one hidden layer of a few tanh neurons bends the boundary
around them. Three interleaved spiral arms need a deeper bend still.
"""
from __future__ import annotations

import gradfall as gf
from _shared import figure_path, options, saved


def main() -> None:
    args = options(__doc__)
    X, y = gf.make_xor()
    epochs = 50 if args.quick else 2000
    for hidden in ([], [4]):
        net = gf.Network([2, *hidden, 1], activation="tanh", output="sigmoid",
                         loss="binary_cross_entropy", seed=1)
        net.fit(X, y, epochs=epochs, batch_size=4, optimizer=gf.Adam(lr=0.05))
        outputs = ", ".join(f"{p:.2f}" for p in net.forward(X)[:, 0])
        print(f"XOR with layers {net.layer_sizes}: outputs [{outputs}] for targets [0, 1, 1, 0], "
              f"accuracy {net.score(X, y):.2f}")
    path = figure_path(args, "xor_boundary.png")
    if path:
        gf.plot.decision_boundary(net, X, y, path, title="XOR: one hidden layer of 4 tanh units")
        saved(path)

    n = 200 if args.quick else 1000
    points, labels = gf.make_spirals(n_samples=n, n_classes=3, noise=0.1, seed=0)
    net = gf.Network([2, 32, 32, 3], activation="tanh", output="softmax", loss="cross_entropy",
                     seed=0)
    history = net.fit(points, labels, epochs=10 if args.quick else 300, batch_size=32,
                      optimizer=gf.Adam(lr=0.01))
    print(f"three spirals, {n} points: loss {history.loss[-1]:.4f}, "
          f"accuracy {net.score(points, labels):.3f}")
    path = figure_path(args, "spirals_boundary.png")
    if path:
        gf.plot.decision_boundary(net, points, labels, path, title="Three spirals: 2-32-32-3 tanh")
        saved(path)


if __name__ == "__main__":
    main()
