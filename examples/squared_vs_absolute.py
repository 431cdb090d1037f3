"""Squared versus absolute error, side by side: why choose one over the other?

The same line y = 2x + 1 is fitted twice to data where one point in ten is an outlier, once with
squared error Σ(ŷ − y)² and once with absolute error Σ|ŷ − y|.

* Squared error's gradient grows with the error, 2(ŷ − y): big misses dominate, so the outliers
  drag the fit towards them (its best constant is the mean). It is smooth, and steps shrink as
  the fit improves.
* Absolute error's gradient is sign(ŷ − y): every point pulls equally hard, so a few far points
  cannot outvote the rest (its best constant is the median). But it has a kink at 0 and the steps
  do not shrink near the optimum.
"""
from __future__ import annotations

import numpy as np

import gradfall as gf
from _shared import figure_path, options, saved


def main() -> None:
    args = options(__doc__)
    rng = np.random.default_rng(0)
    n = 100 if args.quick else 300
    x = rng.uniform(-2, 2, n)
    clean = 2.0 * x + 1.0
    y = clean + rng.normal(0, 0.2, n)
    outliers = rng.random(n) < 0.1
    y[outliers] += rng.uniform(6, 10, outliers.sum())  # all pulled the same way, upwards
    epochs = 20 if args.quick else 300
    fits = {}
    for loss in ("mse", "mae"):
        # One neuron, no hidden layer: the model is a line, so only the objective differs.
        net = gf.Network([1, 1], output="identity", loss=loss, seed=0)
        net.fit(x[:, None], y, epochs=epochs, batch_size=16, optimizer=gf.Adam(lr=0.05))
        slope, intercept = float(net.weights[0][0, 0]), float(net.biases[0][0])
        fits[loss] = net
        error = np.abs(net.predict(x[:, None]) - clean)[~outliers].mean()
        print(f"{loss}: y = {slope:.3f} x + {intercept:.3f}   (truth y = 2x + 1); mean distance "
              f"to the true line {error:.3f}")
    path = figure_path(args, "squared_vs_absolute.png")
    if path:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 4), layout="constrained")
        grid = np.linspace(-2, 2, 50)
        axes = fig.subplots(1, 2, sharey=True)
        axes[0].set_ylabel("y")
        for ax, (loss, name) in zip(axes, [("mse", "fitted with squared error"),
                                           ("mae", "fitted with absolute error")]):
            ax.scatter(x[~outliers], y[~outliers], s=8, color="0.6", label="data")
            ax.scatter(x[outliers], y[outliers], s=14, color="C1", label="outliers")
            ax.plot(grid, 2 * grid + 1, "k--", label="true line")
            ax.plot(grid, fits[loss].predict(grid[:, None]), color="C3", label="fitted line")
            ax.set(title=name, xlabel="x")
        ax.legend()
        fig.savefig(path, dpi=110)
        saved(path)


if __name__ == "__main__":
    main()
