"""gradfall: fast multilayer perceptrons on the CPU.

A C++ core (SIMD GEMM, activations, losses, backpropagation, optimizers and the training loop,
with OpenMP threads) behind a small Python API::

    import gradfall as gf
    net = gf.Network([64, 32, 10], activation="relu", output="softmax", loss="cross_entropy")
    history = net.fit(X, y, epochs=20, batch_size=32, optimizer=gf.SGD(lr=0.05, momentum=0.9))
"""
import os as _os

# Idle OpenMP workers spin only briefly (~10k iterations) before sleeping, unless
# OMP_WAIT_POLICY or GOMP_SPINCOUNT says otherwise: long enough to catch the next kernel of the
# same batch step without a futex wake-up, short enough not to steal a core that other work (or
# another library's threads) needs. Must be set before libgomp loads with _core.
if "OMP_WAIT_POLICY" not in _os.environ and "GOMP_SPINCOUNT" not in _os.environ:
    _os.environ["GOMP_SPINCOUNT"] = "10000"

from . import _core  # noqa: F401,E402  (fails early with a clear message if the build is missing)
from .config import (available_isas, config, get_isa, get_num_threads, set_isa, set_num_threads,
                     show_config, threads)
from . import distributed, landscape, plot  # gradfall.landscape.surface(...), gradfall.plot.loss_curve(...)
from .datasets import make_spirals, make_xor
from .gradcheck import check_gradients
from .history import History
from .layers import Dense
from .linalg import matmul
from .network import Network, load
from .onnx_io.reader import from_onnx  # imports onnx only when called
from .optimizers import SGD, Adam
from . import schedules
from .stopping import EarlyStopping
from .training import DivergenceError
from ._version import __version__

__all__ = [
    "Network", "Dense", "SGD", "Adam", "History", "load", "from_onnx", "matmul",
    "set_num_threads", "get_num_threads", "threads", "set_isa", "get_isa", "available_isas",
    "show_config", "config", "make_spirals", "make_xor", "__version__",
    "landscape", "plot", "distributed", "check_gradients", "schedules", "EarlyStopping", "DivergenceError",
]
