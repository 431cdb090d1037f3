"""Function approximation: a network is a function approximator. Given noisy
samples of an unknown curve f*(x), learn f ≈ f* by regression with squared error, then compare
the learned curve with the truth between and beyond the samples.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

import gradfall as gf
from _shared import figure_path, options, saved


def truth(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.sin(2.0 * x) + 0.3 * x


def main() -> None:
    args = options(__doc__)
    rng = np.random.default_rng(0)
    n = 100 if args.quick else 400
    x = rng.uniform(-3, 3, n)
    y = truth(x) + rng.normal(0, 0.1, n)
    net = gf.Network([1, 32, 32, 1], activation="tanh", output="identity", loss="mse", seed=0)
    epochs = 20 if args.quick else 400
    history = net.fit(x[:, None], y, epochs=epochs, batch_size=32, optimizer=gf.Adam(lr=0.01))
    grid = np.linspace(-3.5, 3.5, 300)
    fitted = net.predict(grid[:, None])
    inside = np.abs(grid) <= 3
    print(f"{n} noisy samples of sin(2x) + 0.3x, {epochs} epochs: squared error "
          f"{history.loss[0]:.4f} -> {history.loss[-1]:.4f} (noise alone: 0.01)")
    print(f"largest gap to the true curve: {np.abs(fitted - truth(grid))[inside].max():.3f} "
          f"inside [-3, 3], {np.abs(fitted - truth(grid))[~inside].max():.3f} outside it")
    path = figure_path(args, "function_approximation.png")
    if path:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4), layout="constrained")
        ax = fig.subplots()
        ax.scatter(x, y, s=6, color="0.6", label="samples")
        ax.plot(grid, truth(grid), "k--", label="f*(x)")
        ax.plot(grid, fitted, color="C3", label="network")
        ax.axvspan(-3.5, -3, color="0.93", label="no samples here")
        ax.axvspan(3, 3.5, color="0.93")
        ax.set(xlabel="x", ylabel="y", title="A network learns sin(2x) + 0.3x from noisy samples")
        ax.legend()
        fig.savefig(path, dpi=110)
        saved(path)


if __name__ == "__main__":
    main()
