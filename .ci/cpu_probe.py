"""What one CPU makes of the installed gradfall, for comparing a native run with an emulated one.

    python .ci/cpu_probe.py extension   the compiled extension alone (no NumPy): its ISAs
    python .ci/cpu_probe.py fit         the active ISA, the ISAs, and a fingerprint of seeded fits

The fits use only operations IEEE 754 rounds exactly (+, *, /, sqrt, max): no exp, log or tanh,
whose bits the C library may compute differently on different CPUs. So the fingerprint depends
only on gradfall's own code and the kernel set, and two CPUs running the same kernels agree.
"""
import glob
import hashlib
import importlib.util
import os
import sys


def extension_alone():
    # Loaded from its file, without gradfall/__init__.py and so without NumPy, which needs a
    # newer CPU than the bare x86-64 baseline.
    site = sys.prefix + "/lib/python*/site-packages/gradfall/_core*"
    path = sorted(glob.glob(site))[0]
    spec = importlib.util.spec_from_file_location("gradfall._core", path)
    core = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(core)
    print(core.active_isa(), ",".join(core.available_isas()))


def fit():
    import numpy as np

    import gradfall as gf

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 12))
    y = np.stack([X[:, 0] * X[:, 1], X[:, 2] - X[:, 3]], axis=1)
    digest = hashlib.sha256()
    for dtype in ("float32", "float64"):
        net = gf.Network([12, 64, 32, 2], activation="relu", output="identity", loss="mse",
                         dtype=dtype, seed=3)
        net.fit(X.astype(dtype), y.astype(dtype), epochs=3, batch_size=32,
                optimizer=gf.Adam(lr=1e-2))
        digest.update(net.params.tobytes())
        digest.update(net.forward(X.astype(dtype)).tobytes())
    print(gf.get_isa(), ",".join(gf.available_isas()), digest.hexdigest())


if __name__ == "__main__":
    modes = {"extension": extension_alone, "fit": fit}
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    modes[sys.argv[1]]()
