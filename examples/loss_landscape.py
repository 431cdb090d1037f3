"""The terrain learning walks on: the loss landscape (Li et al. 2017) of a network before and after it
learns, the straight path between the two, and a gradient check that backpropagation's slope is
the true one.

The surface is the cost on a plane through the parameters along two random, filter-normalised
directions; the centre is the network itself. Training should carry it from a high, tilted slope
into a basin.
"""
from __future__ import annotations

import gradfall as gf
from _shared import figure_path, options, saved


def main() -> None:
    args = options(__doc__)
    n, steps = (300, 9) if args.quick else (1500, 41)
    X, y = gf.make_spirals(n_samples=n, n_classes=3, noise=0.15, seed=0)
    net = gf.Network([2, 32, 32, 3], activation="tanh", loss="cross_entropy", seed=0)
    start = net.copy()

    check = gf.check_gradients(net, X[:100], y[:100])
    print(f"gradient check before training (float64 finite differences):\n{check}")

    before = gf.landscape.surface(net, X, y, steps=steps, span=1.0, seed=0)
    history = net.fit(X, y, epochs=20 if args.quick else 200, batch_size=32,
                      optimizer=gf.Adam(lr=0.01))
    after = gf.landscape.surface(net, X, y, steps=steps, span=1.0, seed=0)
    path = gf.landscape.line(start, X, y, to=net, steps=steps)
    for name, result in (("before", before), ("after", after)):
        print(f"{name} training: loss at the centre {result.center_loss:.4f}, grid "
              f"{result.losses.min():.4f}..{result.losses.max():.4f} "
              f"({steps}x{steps} points in {result.seconds:.2f} s)")
    print(f"accuracy {net.score(X, y):.3f}; along the straight path from start to end the loss "
          f"goes {path.losses[path.alphas == 0][0]:.4f} -> {path.losses[path.alphas == 1][0]:.4f}")

    out = figure_path(args, "landscape_before_after.png")
    if out:
        # One colour scale for both, so the same colour is the same loss before and after.
        gf.plot.landscape_pair(before, after, out, title="Loss landscape of 2-32-32-3 on spirals")
        saved(out)
    out = figure_path(args, "landscape_path.png")
    if out:
        gf.plot.landscape(path, out, marks={0.0: "initial weights", 1.0: "trained weights"},
                          title="Loss on the straight line from the initial to the trained weights")
        saved(out)
    out = figure_path(args, "landscape_loss_curve.png")
    if out:
        gf.plot.loss_curve(history, out, title="Spirals: training loss")
        saved(out)


if __name__ == "__main__":
    main()
