// Network entry points: forward, loss/gradient, the epoch trainer and the landscape evaluator.
// Each validates shapes, then releases the GIL for the whole core call. X is a 2-D ndarray or a
// CsrMatrix of the parameters' dtype.
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <shared_mutex>

#include "bindings/arrays.h"
#include "bindings/inputs.h"
#include "bindings/interrupt.h"
#include "bindings/optimizer_state.h"
#include "bindings/param_guard.h"
#include "core/landscape.h"
#include "core/dispatch.h"
#include "core/fingerprint.h"
#include "core/trainer.h"

namespace gradfall::bindings {
namespace {

// The weights packed for inference, rebuilt when the parameters (their fingerprint) or the ISA
// changed. Users hold a shared_ptr, so a rebuild by one thread never frees what another reads.
class InferenceCache {
 public:
  template <typename T>
  std::shared_ptr<const PackedWeights<T>> current(const ModelSpec& spec, const T* params);
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    f32_.reset();
    f64_.reset();
    bytes_ = 0;
  }
  int64_t nbytes() const { return bytes_.load(); }

 private:
  std::mutex mutex_;
  std::shared_ptr<const PackedWeights<float>> f32_;
  std::shared_ptr<const PackedWeights<double>> f64_;
  uint64_t fingerprint_ = 0;
  const kernels::KernelSet* isa_ = nullptr;
  std::atomic<int64_t> bytes_{0};

  template <typename T>
  std::shared_ptr<const PackedWeights<T>>& slot();
};

template <>
std::shared_ptr<const PackedWeights<float>>& InferenceCache::slot<float>() { return f32_; }
template <>
std::shared_ptr<const PackedWeights<double>>& InferenceCache::slot<double>() { return f64_; }

template <typename T>
std::shared_ptr<const PackedWeights<T>> InferenceCache::current(const ModelSpec& spec,
                                                                const T* params) {
  const uint64_t now = fingerprint(params, int64_t(sizeof(T)) * spec.n_params());
  std::lock_guard<std::mutex> lock(mutex_);
  auto& packed = slot<T>();
  if (!packed || now != fingerprint_ || isa_ != &active_kernels()) {
    auto fresh = std::make_shared<PackedWeights<T>>();
    fresh->build(spec, params);
    f32_.reset();
    f64_.reset();
    packed = fresh;
    fingerprint_ = now;
    isa_ = &active_kernels();
    bytes_ = static_cast<int64_t>(fresh->storage.size() * sizeof(T));
  }
  return packed;
}

InferenceCache* cache_of(const py::object& cache) {
  return cache.is_none() ? nullptr : cache.cast<InferenceCache*>();
}

// Calls this long (rows x parameters) watch for Ctrl-C; shorter ones end before it matters.
bool worth_watching(int64_t rows, int64_t n_params) {
  return static_cast<double>(rows) * static_cast<double>(n_params) > 2e7;
}

// Holds a network's parameters shared for a reading call (nothing when there is no guard).
std::shared_lock<std::shared_mutex> reading(ParamGuard* guard) {
  return guard ? std::shared_lock<std::shared_mutex>(guard->mutex)
               : std::shared_lock<std::shared_mutex>();
}

// Runs core work `run(stop)` watching for Ctrl-C. A caught SIGINT goes to Python's handler when
// the work has stopped: KeyboardInterrupt propagates; a handler that does not raise means "go
// on", and the work is run again unwatched so the result is complete, never partial.
template <typename Work>
void watched(bool long_call, ParamGuard* guard, Work run) {
  SigintWatch watch(long_call);
  {
    py::gil_scoped_release release;
    auto lock = reading(guard);
    run(watch.flag());
  }
  if (!watch.fired()) return;
  watch.deliver();
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  py::gil_scoped_release release;
  auto lock = reading(guard);
  run(nullptr);
}

template <typename T>
py::array_t<T> checked_params(const ModelSpec& spec, const py::handle& params, bool writable) {
  auto p = require<T>(params, "params", 1, writable);
  if (p.shape(0) != spec.n_params())
    throw py::value_error("params must have " + std::to_string(spec.n_params()) + " entries");
  return p;
}

// Up to this many rows the GEMM reads the weights in place (kFewRows): a packed
// copy would not be used.
constexpr int64_t kPackedFromRows = kFewRows + 1;

template <typename T>
py::array forward_impl(const ModelSpec& spec, const py::array& params, const py::object& X,
                       ParamGuard* guard, InferenceCache* cache, bool check_finite) {
  auto p = checked_params<T>(spec, params, false);
  const Input<T> x = input_of<T>(X, spec.n_in());
  py::array_t<T> out({x.n_rows, spec.n_out()});
  T* out_ptr = out.mutable_data();
  const int64_t n = x.n_rows;
  watched(worth_watching(n, spec.n_params()), guard, [&](const StopFlag* stop) {
    // Checked under the read lock: no step can slip in between the check and the use.
    std::shared_ptr<const PackedWeights<T>> packed;
    if (cache && n >= kPackedFromRows && !x.is_sparse())
      packed = cache->template current<T>(spec, p.data());
    predict_outputs<T>(spec, p.data(), x, out_ptr, true, stop, packed.get(), check_finite);
  });
  return out;
}

template <typename T>
py::tuple loss_gradient_impl(const ModelSpec& spec, const py::array& params, const py::object& X,
                             const py::object& labels, const py::object& dense,
                             const py::object& weights, double l2, bool want_grad,
                             ParamGuard* guard) {
  auto p = checked_params<T>(spec, params, false);
  const Input<T> x = input_of<T>(X, spec.n_in());
  TargetArrays<T> y(spec, x.n_rows, labels, dense, weights);
  py::object grad = py::none();
  T* grad_ptr = nullptr;
  if (want_grad) {
    py::array_t<T> g(spec.n_params());
    grad_ptr = g.mutable_data();
    grad = g;
  }
  double cost = 0;
  watched(worth_watching(x.n_rows, spec.n_params()), guard, [&](const StopFlag* stop) {
    cost = evaluate_cost<T>(spec, p.data(), x, y.view, l2, grad_ptr, true, stop);
  });
  return py::make_tuple(cost, grad);
}

template <typename T>
py::array losses_at_impl(const ModelSpec& spec, const py::array& center, const py::array& directions,
                         const py::array& coeffs, const py::object& X, const py::object& labels,
                         const py::object& dense, const py::object& weights, ParamGuard* guard) {
  auto c = checked_params<T>(spec, center, false);
  auto d = require<T>(directions, "directions", 2);
  auto k = require<double>(coeffs, "coeffs", 2);
  const Input<T> x = input_of<T>(X, spec.n_in());
  if (d.shape(1) != spec.n_params())
    throw py::value_error("directions must have shape (k, n_params)");
  if (k.shape(1) != d.shape(0)) throw py::value_error("coeffs must have shape (m, k)");
  TargetArrays<T> y(spec, x.n_rows, labels, dense, weights);
  py::array_t<double> out(k.shape(0));
  double* out_ptr = out.mutable_data();
  watched(true, guard, [&](const StopFlag* stop) {
    losses_at<T>(spec, c.data(), d.data(), d.shape(0), k.data(), k.shape(0), x, y.view, out_ptr,
                 stop);
  });
  return out;
}

// The core's CrossProcessSum as a Python callable `sum(values)` that sums a NumPy view of the
// core's buffer in place across the processes (mpi4py's Allreduce with MPI.IN_PLACE, which
// releases the GIL while MPI works): the GIL is held only to make the call.
class PythonSum {
 public:
  explicit PythonSum(py::object sum) : sum_(std::move(sum)) {}

  CrossProcessSum hook() {
    CrossProcessSum hook;
    hook.sum_float = &PythonSum::call<float>;
    hook.sum_double = &PythonSum::call<double>;
    hook.context = this;
    return hook;
  }

 private:
  py::object sum_;

  template <typename T>
  static void call(void* context, T* values, int64_t n) {
    py::gil_scoped_acquire gil;
    auto* self = static_cast<PythonSum*>(context);
    // A view, not a copy: the callable as its base object (any object keeps NumPy from copying).
    py::array_t<T> view({n}, {static_cast<int64_t>(sizeof(T))}, values, self->sum_);
    self->sum_(view);
  }
};

// Keeps every array the core points into alive for the trainer's lifetime.
class PyTrainer {
 public:
  // shard_rows, rank, sum: data-parallel training (see DataParallel), or empty/None.
  PyTrainer(const ModelSpec& spec, py::object guard, py::object X, py::object labels,
            py::object dense, py::object weights, int64_t batch_size, uint64_t seed, double l2,
            std::vector<int64_t> shard_rows, int64_t rank, py::object sum)
      : guard_object_(guard), guard_(&guard.cast<ParamGuard&>()), params_(guard_->params), X_(X),
        n_params_(spec.n_params()) {
    if (batch_size < 1) throw py::value_error("batch_size must be >= 1");
    std::unique_ptr<DataParallel> parallel;
    if (!sum.is_none()) {
      python_sum_ = std::make_unique<PythonSum>(sum);
      parallel = std::make_unique<DataParallel>();
      parallel->shard_rows = std::move(shard_rows);
      parallel->rank = rank;
      parallel->sum = python_sum_->hook();
    }
    if (is_float64(params_))
      make<double>(spec, labels, dense, weights, batch_size, seed, l2, parallel.get());
    else
      make<float>(spec, labels, dense, weights, batch_size, seed, l2, parallel.get());
  }

  // One epoch; Ctrl-C ends it between batches with StopReason::interrupted and the signal kept
  // for the caller, who records what was done and then delivers it (gradfall.training).
  EpochResult run_epoch(const OptimizerConfig& config, OptimizerState& state,
                        EpochOptions options) {
    SigintWatch watch(true);
    options.stop = watch.flag();
    options.params_mutex = &guard_->mutex;
    EpochResult result;
    if (f64_) {
      const OptimizerBuffers<double> buffers = state.buffers<double>(n_params_);
      py::gil_scoped_release release;
      result = f64_->run_epoch(config, buffers, options);
    } else {
      const OptimizerBuffers<float> buffers = state.buffers<float>(n_params_);
      py::gil_scoped_release release;
      result = f32_->run_epoch(config, buffers, options);
    }
    return result;
  }

  std::vector<int64_t> batch_sizes() const {
    return f64_ ? f64_->batch_sizes() : f32_->batch_sizes();
  }

 private:
  template <typename T>
  void make(const ModelSpec& spec, const py::object& labels, const py::object& dense,
            const py::object& weights, int64_t batch_size, uint64_t seed, double l2,
            const DataParallel* parallel) {
    auto p = checked_params<T>(spec, params_, true);
    const Input<T> x = input_of<T>(X_, spec.n_in());
    if (x.n_rows < 1) throw py::value_error("X must have at least one row");
    auto targets = std::make_shared<TargetArrays<T>>(spec, x.n_rows, labels, dense, weights);
    targets_ = targets;
    std::unique_ptr<Trainer<T>> trainer;
    {
      // The sums across processes of a data-parallel trainer's setup wait for the others.
      py::gil_scoped_release release;
      trainer = std::make_unique<Trainer<T>>(spec, p.mutable_data(), x, targets->view,
                                             batch_size, seed, l2, parallel);
    }
    if constexpr (std::is_same_v<T, double>) f64_ = std::move(trainer);
    else f32_ = std::move(trainer);
  }

  py::object guard_object_;  // keeps the guard (and its buffer) alive
  ParamGuard* guard_;
  std::unique_ptr<PythonSum> python_sum_;  // the trainer's sum across processes, if any
  py::array params_;
  py::object X_;
  int64_t n_params_;
  std::shared_ptr<void> targets_;
  std::unique_ptr<Trainer<float>> f32_;
  std::unique_ptr<Trainer<double>> f64_;
};

}  // namespace

void bind_network(py::module_& m) {
  py::class_<InferenceCache>(m, "InferenceCache",
                             "A network's weights packed for batched inference, rebuilt when the "
                             "parameters or the ISA change.")
      .def(py::init<>())
      .def("clear", &InferenceCache::clear)
      .def_property_readonly("nbytes", &InferenceCache::nbytes);

  m.def("forward", [](const ModelSpec& spec, py::array params, py::object X, py::object guard,
                      py::object cache, bool check_finite) {
    ParamGuard* g = guard_of(guard);
    InferenceCache* c = cache_of(cache);
    return is_float64(params) ? forward_impl<double>(spec, params, X, g, c, check_finite)
                              : forward_impl<float>(spec, params, X, g, c, check_finite);
  }, py::arg("spec"), py::arg("params"), py::arg("X"), py::arg("guard") = py::none(),
     py::arg("cache") = py::none(), py::arg("check_finite") = false,
        "Output-layer activations for every row of X, shape (n, n_out).");

  m.def("loss_and_gradient",
        [](const ModelSpec& spec, py::array params, py::object X, py::object labels,
           py::object dense, py::object weights, double l2, bool want_grad, py::object guard) {
          ParamGuard* g = guard_of(guard);
          return is_float64(params)
                     ? loss_gradient_impl<double>(spec, params, X, labels, dense, weights, l2,
                                                  want_grad, g)
                     : loss_gradient_impl<float>(spec, params, X, labels, dense, weights, l2,
                                                 want_grad, g);
        },
        py::arg("spec"), py::arg("params"), py::arg("X"), py::arg("labels"), py::arg("dense"),
        py::arg("weights"), py::arg("l2"), py::arg("want_grad"), py::arg("guard") = py::none(),
        "(cost, flat gradient or None): sum_i w_i loss_i / sum_i w_i + 0.5*l2*|W|^2/sum_i w_i.");

  m.def("losses_at",
        [](const ModelSpec& spec, py::array center, py::array directions, py::array coeffs,
           py::object X, py::object labels, py::object dense, py::object weights,
           py::object guard) {
          ParamGuard* g = guard_of(guard);
          return is_float64(center)
                     ? losses_at_impl<double>(spec, center, directions, coeffs, X, labels, dense,
                                              weights, g)
                     : losses_at_impl<float>(spec, center, directions, coeffs, X, labels, dense,
                                             weights, g);
        },
        py::arg("spec"), py::arg("center"), py::arg("directions"), py::arg("coeffs"), py::arg("X"),
        py::arg("labels"), py::arg("dense"), py::arg("weights"), py::arg("guard") = py::none(),
        "Cost at each point center + coeffs[i] @ directions, shape (n_points,).");

  py::class_<PyTrainer>(m, "Trainer",
                        "Whole epochs of shuffled minibatches (forward, backward, update) over "
                        "one X, targets and parameter vector, with the GIL released.")
      .def(py::init<const ModelSpec&, py::object, py::object, py::object, py::object, py::object,
                    int64_t, uint64_t, double, std::vector<int64_t>, int64_t, py::object>(),
           py::arg("spec"), py::arg("guard"), py::arg("X"), py::arg("labels"), py::arg("dense"),
           py::arg("weights"), py::arg("batch_size"), py::arg("seed"), py::arg("l2"),
           py::arg("shard_rows") = std::vector<int64_t>{}, py::arg("rank") = 0,
           py::arg("sum") = py::none(),
           "sum: data-parallel training, sum(values) sums a buffer in place across the "
           "processes (every process calls it alike); shard_rows: every process's rows, by "
           "rank; batch_size is then the global batch size.")
      .def("run_epoch", &PyTrainer::run_epoch, py::arg("config"), py::arg("state"),
           py::arg("options"), "One epoch at the configured rate.")
      .def("batch_sizes", &PyTrainer::batch_sizes,
           "Rows of every batch of an epoch, over all processes' shards.");
}

}  // namespace gradfall::bindings
