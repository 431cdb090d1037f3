"""Regenerating an image with squared error: a small autoencoder looks at a picture of
a cat, squeezes every 8x8 patch through a narrow hidden layer and draws it back.

The objective is the pixel-wise squared distance between the picture and its regeneration,
    L(x, y; θ) = Σ_p (x_p − y_p)²,
brought down by gradient descent. The picture is drawn here with NumPy, so nothing is downloaded.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

import gradfall as gf
from _shared import figure_path, options, saved

PATCH = 8


def draw_cat(size: int = 48) -> npt.NDArray[np.float64]:
    """A grey-level cat face in [0, 1]: head, ears, eyes, nose and whiskers."""
    v, u = np.mgrid[0:size, 0:size] / (size - 1)  # v down, u across, both in [0, 1]
    img = np.full((size, size), 0.1)
    head = (u - 0.5) ** 2 + ((v - 0.58) / 0.9) ** 2 < 0.33 ** 2
    img[head] = 0.8
    for side in (-1, 1):
        # Ears: triangles above the head, apex outwards.
        tip_u, base_u = 0.5 + side * 0.3, 0.5 + side * 0.12
        t = (v - 0.05) / 0.3  # 0 at the ear's tip, 1 at its base
        centre = tip_u + (base_u - tip_u) * 0.2 * t
        img[(t >= 0) & (t <= 1) & (np.abs(u - centre) < 0.13 * t)] = 0.7
        eye = (u - (0.5 + side * 0.13)) ** 2 / 0.05 ** 2 + (v - 0.52) ** 2 / 0.07 ** 2 < 1
        img[eye] = 0.05
        pupil = (u - (0.5 + side * 0.13)) ** 2 + (v - 0.52) ** 2 < 0.02 ** 2
        img[pupil] = 1.0
        for tilt in (-0.06, 0.0, 0.06):
            # Whiskers: thin lines from the muzzle outwards.
            du = u - (0.5 + side * 0.1)
            line = (np.abs(v - (0.7 + tilt * du / 0.3 * side)) < 0.012) & (du * side > 0) & \
                   (du * side < 0.32)
            img[line] = 0.25
    nose = (np.abs(u - 0.5) < 0.05 - (v - 0.63) * 0.6) & (v > 0.63) & (v < 0.7)
    img[nose] = 0.35
    return img


def patches(img: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    """Every PATCH x PATCH window (stride 1), flattened: the autoencoder's training samples."""
    n = img.shape[0] - PATCH + 1
    return np.array([img[i:i + PATCH, j:j + PATCH].ravel() for i in range(n) for j in range(n)],
                    dtype=np.float32)


def regenerate(net: gf.Network, img: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Average the network's reconstruction of every overlapping window."""
    n = img.shape[0] - PATCH + 1
    out = net.forward(patches(img)).reshape(n, n, PATCH, PATCH)
    total, count = np.zeros_like(img), np.zeros_like(img)
    for i in range(n):
        for j in range(n):
            total[i:i + PATCH, j:j + PATCH] += out[i, j]
            count[i:i + PATCH, j:j + PATCH] += 1
    return total / count


def main() -> None:
    args = options(__doc__)
    img = draw_cat(24 if args.quick else 48)
    X = patches(img)
    # 64 pixels -> 16 numbers -> 64 pixels; sigmoid outputs stay in the pixel range [0, 1].
    net = gf.Network([PATCH * PATCH, 32, 16, 32, PATCH * PATCH], activation="tanh",
                     output="sigmoid", loss="mse", seed=0)
    epochs = 5 if args.quick else 100
    history = net.fit(X, X, epochs=epochs, batch_size=32, optimizer=gf.Adam(lr=0.003))
    rebuilt = regenerate(net, img)
    print(f"{len(X)} patches of {PATCH}x{PATCH}, {net.n_params} parameters, {epochs} epochs")
    print(f"squared error per pixel: {history.loss[0]:.5f} after the first epoch, "
          f"{history.loss[-1]:.5f} after the last; regenerated image {np.mean((rebuilt - img) ** 2):.5f}")
    path = figure_path(args, "regenerate_image.png")
    if path:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 3.6), layout="constrained")
        axes = fig.subplots(1, 3)
        for ax, picture, title in [(axes[0], img, "the picture"), (axes[1], rebuilt, "regenerated")]:
            ax.imshow(picture, cmap="gray", vmin=0, vmax=1)
            ax.set(title=title, xticks=[], yticks=[])
        # The error is small: on the pictures' 0..1 grey scale it would be black everywhere.
        error = np.abs(rebuilt - img)
        shown = axes[2].imshow(error, cmap="magma", vmin=0, vmax=error.max())
        axes[2].set(title="|difference| (own scale)", xticks=[], yticks=[])
        fig.colorbar(shown, ax=axes[2], label="absolute error per pixel", shrink=0.85)
        fig.savefig(path, dpi=110)
        saved(path)
        curve = path.replace(".png", "_loss.png")
        gf.plot.loss_curve(history, curve, title="Autoencoder: squared error")
        saved(curve)


if __name__ == "__main__":
    main()
