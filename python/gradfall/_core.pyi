"""
gradfall's C++ core: SIMD GEMM, layers, losses, optimizers and the training loop
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Activation', 'AdamCorrection', 'CsrMatrix', 'EpochOptions', 'EpochResult', 'InferenceCache', 'Loss', 'MathFn', 'ModelSpec', 'MomentumForm', 'OptimizerConfig', 'OptimizerKind', 'OptimizerState', 'ParamGuard', 'StopReason', 'Trainer', 'active_isa', 'all_finite', 'available_isas', 'dropout_keep', 'fma_peak_gflops', 'forward', 'get_num_threads', 'loss_and_gradient', 'losses_at', 'matmul', 'max_threads', 'set_isa', 'set_num_threads', 'set_thread_override', 'thread_override', 'threads_lost_to_fork', 'vector_math']
class Activation:
    """
    Activation function of a layer.
    
    Members:
    
      identity
    
      sigmoid
    
      tanh
    
      relu
    
      leaky_relu
    
      softmax
    
      exp
    """
    __members__: typing.ClassVar[dict[str, Activation]]
    exp: typing.ClassVar[Activation]
    identity: typing.ClassVar[Activation]
    leaky_relu: typing.ClassVar[Activation]
    relu: typing.ClassVar[Activation]
    sigmoid: typing.ClassVar[Activation]
    softmax: typing.ClassVar[Activation]
    tanh: typing.ClassVar[Activation]
    @typing.overload
    def __eq__(self, other: Activation) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Activation) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Loss:
    """
    Per-sample objective, computed from the output layer.
    
    Members:
    
      mse
    
      mae
    
      binary_cross_entropy
    
      cross_entropy
    
      poisson
    """
    __members__: typing.ClassVar[dict[str, Loss]]
    binary_cross_entropy: typing.ClassVar[Loss]
    cross_entropy: typing.ClassVar[Loss]
    mae: typing.ClassVar[Loss]
    mse: typing.ClassVar[Loss]
    poisson: typing.ClassVar[Loss]
    @typing.overload
    def __eq__(self, other: Loss) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Loss) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class MathFn:
    """
    Element-wise function of the vector math kernels.
    
    Members:
    
      exp
    
      log
    
      tanh
    
      sigmoid
    """
    __members__: typing.ClassVar[dict[str, MathFn]]
    exp: typing.ClassVar[MathFn]
    log: typing.ClassVar[MathFn]
    sigmoid: typing.ClassVar[MathFn]
    tanh: typing.ClassVar[MathFn]
    @typing.overload
    def __eq__(self, other: MathFn) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: MathFn) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class OptimizerKind:
    """
    Update rule.
    
    Members:
    
      sgd
    
      adam
    """
    __members__: typing.ClassVar[dict[str, OptimizerKind]]
    adam: typing.ClassVar[OptimizerKind]
    sgd: typing.ClassVar[OptimizerKind]
    @typing.overload
    def __eq__(self, other: OptimizerKind) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: OptimizerKind) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class MomentumForm:
    """
    gradient_sum: buf = mu*buf + g, theta -= lr*buf; velocity: v = mu*v - lr*g, theta += v.
    
    Members:
    
      gradient_sum
    
      velocity
    """
    __members__: typing.ClassVar[dict[str, MomentumForm]]
    gradient_sum: typing.ClassVar[MomentumForm]
    velocity: typing.ClassVar[MomentumForm]
    @typing.overload
    def __eq__(self, other: MomentumForm) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: MomentumForm) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class AdamCorrection:
    """
    moments: bias-correct m and v (eps meets sqrt(v_hat)); step_size: fold the corrections into the rate (eps meets sqrt(v)).
    
    Members:
    
      moments
    
      step_size
    """
    __members__: typing.ClassVar[dict[str, AdamCorrection]]
    moments: typing.ClassVar[AdamCorrection]
    step_size: typing.ClassVar[AdamCorrection]
    @typing.overload
    def __eq__(self, other: AdamCorrection) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: AdamCorrection) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class ModelSpec:
    """
    A stack of dense layers and its objective. Owns the flat parameter layout: W_0 (row-major n_0 x n_1), b_0, W_1, b_1, ...
    """
    def __init__(self, sizes: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], activations: collections.abc.Sequence[Activation], slopes: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], loss: Loss, output_scale: typing.SupportsFloat | typing.SupportsIndex, dropout: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = []) -> None:
        ...
    def bias_offset(self, layer: typing.SupportsInt | typing.SupportsIndex) -> int:
        """
        Index of b_layer[0] in the flat parameter vector.
        """
    def weight_offset(self, layer: typing.SupportsInt | typing.SupportsIndex) -> int:
        """
        Index of W_layer[0, 0] in the flat parameter vector.
        """
    @property
    def activations(self) -> list[Activation]:
        ...
    @property
    def dropout(self) -> list[float]:
        ...
    @property
    def loss(self) -> Loss:
        ...
    @property
    def n_layers(self) -> int:
        ...
    @property
    def n_params(self) -> int:
        ...
    @property
    def output_scale(self) -> float:
        ...
    @property
    def sizes(self) -> list[int]:
        ...
    @property
    def slopes(self) -> list[float]:
        ...
class OptimizerConfig:
    """
    Hyperparameters of one update rule.
    """
    correction: AdamCorrection
    kind: OptimizerKind
    momentum_form: MomentumForm
    nesterov: bool
    def __init__(self) -> None:
        ...
    @property
    def beta1(self) -> float:
        ...
    @beta1.setter
    def beta1(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def beta2(self) -> float:
        ...
    @beta2.setter
    def beta2(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def eps(self) -> float:
        ...
    @eps.setter
    def eps(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def lr(self) -> float:
        ...
    @lr.setter
    def lr(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def momentum(self) -> float:
        ...
    @momentum.setter
    def momentum(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def weight_decay(self) -> float:
        ...
    @weight_decay.setter
    def weight_decay(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class OptimizerState:
    """
    What an update rule carries from step to step: SGD's momentum buffer or Adam's moments (NumPy arrays, one entry per parameter) and the number of steps taken.
    """
    first_moment: typing.Any
    momentum: typing.Any
    second_moment: typing.Any
    def __getstate__(self) -> tuple:
        ...
    def __init__(self, kind: OptimizerKind, n_params: typing.SupportsInt | typing.SupportsIndex, dtype: numpy.dtype[typing.Any]) -> None:
        ...
    def __setstate__(self, arg0: tuple) -> None:
        ...
    def matches(self, n_params: typing.SupportsInt | typing.SupportsIndex, dtype: numpy.dtype[typing.Any]) -> bool:
        """
        True when the buffers fit a network of n_params parameters of this dtype.
        """
    @property
    def kind(self) -> OptimizerKind:
        ...
    @property
    def step(self) -> int:
        ...
    @step.setter
    def step(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class StopReason:
    """
    Why an epoch ended.
    
    Members:
    
      completed
    
      diverged
    
      interrupted
    """
    __members__: typing.ClassVar[dict[str, StopReason]]
    completed: typing.ClassVar[StopReason]
    diverged: typing.ClassVar[StopReason]
    interrupted: typing.ClassVar[StopReason]
    @typing.overload
    def __eq__(self, other: StopReason) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: StopReason) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class EpochOptions:
    """
    How one epoch runs.
    """
    record_batches: bool
    shuffle: bool
    stop_on_nonfinite: bool
    def __init__(self) -> None:
        ...
    @property
    def epoch_index(self) -> int:
        ...
    @epoch_index.setter
    def epoch_index(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class EpochResult:
    """
    What one epoch did.
    """
    @property
    def batch_losses(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def batches_done(self) -> int:
        ...
    @property
    def failed_loss(self) -> float:
        ...
    @property
    def grad_norms(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def loss(self) -> float:
        ...
    @property
    def start_loss(self) -> float:
        ...
    @property
    def stop(self) -> StopReason:
        ...
class ParamGuard:
    """
    The lock of one network's parameters: shared by the core calls that read them, exclusive while a training step or a copy writes them.
    """
    def __init__(self, params: numpy.ndarray) -> None:
        ...
    def begin_training(self) -> None:
        """
        Mark a fit as running; RuntimeError if one already is.
        """
    def end_training(self) -> None:
        ...
    def load(self, source: numpy.ndarray) -> None:
        """
        params[...] = source while no core call reads them.
        """
    @property
    def training(self) -> bool:
        ...
class CsrMatrix:
    """
    Compressed sparse rows the core reads in place: row i's values are data[indptr[i]:indptr[i+1]] at columns indices[indptr[i]:indptr[i+1]]. indptr int64, indices int32, data float32 or float64; checked here.
    """
    def __init__(self, indptr: typing.Any, indices: typing.Any, data: typing.Any, n_cols: typing.SupportsInt | typing.SupportsIndex, name: str = 'X') -> None:
        ...
    @property
    def data(self) -> numpy.ndarray:
        ...
    @property
    def dtype(self) -> numpy.dtype[typing.Any]:
        ...
    @property
    def indices(self) -> numpy.ndarray:
        ...
    @property
    def indptr(self) -> numpy.ndarray:
        ...
    @property
    def nnz(self) -> int:
        ...
    @property
    def shape(self) -> tuple[int, int]:
        ...
class InferenceCache:
    """
    A network's weights packed for batched inference, rebuilt when the parameters or the ISA change.
    """
    def __init__(self) -> None:
        ...
    def clear(self) -> None:
        ...
    @property
    def nbytes(self) -> int:
        ...
class Trainer:
    """
    Whole epochs of shuffled minibatches (forward, backward, update) over one X, targets and parameter vector, with the GIL released.
    """
    def __init__(self, spec: ModelSpec, guard: typing.Any, X: typing.Any, labels: typing.Any, dense: typing.Any, weights: typing.Any, batch_size: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, l2: typing.SupportsFloat | typing.SupportsIndex, shard_rows: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex] = [], rank: typing.SupportsInt | typing.SupportsIndex = 0, sum: typing.Any = None) -> None:
        """
        sum: data-parallel training, sum(values) sums a buffer in place across the processes (every process calls it alike); shard_rows: every process's rows, by rank; batch_size is then the global batch size.
        """
    def batch_sizes(self) -> list[int]:
        """
        Rows of every batch of an epoch, over all processes' shards.
        """
    def run_epoch(self, config: OptimizerConfig, state: OptimizerState, options: EpochOptions) -> EpochResult:
        """
        One epoch at the configured rate.
        """
def active_isa() -> str:
    """
    Name of the kernel set in use.
    """
def all_finite(a: numpy.ndarray) -> bool:
    """
    True when a C-contiguous float array holds no NaN or infinity.
    """
def available_isas() -> list[str]:
    """
    Kernel sets compiled in and supported by this CPU.
    """
def dropout_keep(seed: typing.SupportsInt | typing.SupportsIndex, step: typing.SupportsInt | typing.SupportsIndex, layer: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex, rows: typing.SupportsInt | typing.SupportsIndex, cols: typing.SupportsInt | typing.SupportsIndex) -> numpy.typing.NDArray[numpy.bool]:
    """
    The dropout mask training step `step` draws for a layer's outputs (True: kept).
    """
def fma_peak_gflops(dtype: str = 'float32', seconds: typing.SupportsFloat | typing.SupportsIndex = 0.2, threads: typing.SupportsInt | typing.SupportsIndex = 1) -> float:
    """
    GFLOP/s of independent FMA chains on `threads` threads: the machine's peak.
    """
def forward(spec: ModelSpec, params: numpy.ndarray, X: typing.Any, guard: typing.Any = None, cache: typing.Any = None, check_finite: bool = False) -> numpy.ndarray:
    """
    Output-layer activations for every row of X, shape (n, n_out).
    """
def get_num_threads() -> int:
    """
    Threads the core uses.
    """
def loss_and_gradient(spec: ModelSpec, params: numpy.ndarray, X: typing.Any, labels: typing.Any, dense: typing.Any, weights: typing.Any, l2: typing.SupportsFloat | typing.SupportsIndex, want_grad: bool, guard: typing.Any = None) -> tuple:
    """
    (cost, flat gradient or None): sum_i w_i loss_i / sum_i w_i + 0.5*l2*|W|^2/sum_i w_i.
    """
def losses_at(spec: ModelSpec, center: numpy.ndarray, directions: numpy.ndarray, coeffs: numpy.ndarray, X: typing.Any, labels: typing.Any, dense: typing.Any, weights: typing.Any, guard: typing.Any = None) -> numpy.ndarray:
    """
    Cost at each point center + coeffs[i] @ directions, shape (n_points,).
    """
def matmul(A: numpy.ndarray, B: numpy.ndarray, trans_a: bool = False, trans_b: bool = False) -> numpy.ndarray:
    """
    op(A) @ op(B) by the core's GEMM.
    """
def max_threads() -> int:
    """
    The most threads the core accepts (4 per CPU).
    """
def set_isa(name: str) -> None:
    """
    Force a kernel set: scalar, avx2 or avx512.
    """
def set_num_threads(n: typing.SupportsInt | typing.SupportsIndex) -> None:
    """
    Set the threads the core uses.
    """
def set_thread_override(n: typing.SupportsInt | typing.SupportsIndex) -> None:
    """
    Set the core's thread count; 0 makes it follow OpenMP's default again.
    """
def thread_override() -> int:
    """
    The thread count set for the core, 0 when it follows OpenMP's default.
    """
def threads_lost_to_fork() -> bool:
    """
    True in a child forked after the core used threads: it then runs single-threaded.
    """
def vector_math(fn: MathFn, x: numpy.ndarray) -> numpy.ndarray:
    """
    fn(x) for a 1-D float array, by the active ISA's kernel.
    """
