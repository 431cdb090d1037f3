// Network entry points: forward, loss/gradient, the epoch trainer and the landscape evaluator.
// Each validates shapes, then releases the GIL for the whole core call. X is a 2-D ndarray or a
// CsrMatrix of the parameters' dtype.
#include <pybind11/stl.h>

#include <memory>

#include "bindings/arrays.h"
#include "bindings/inputs.h"
#include "bindings/optimizer_state.h"
#include "core/landscape.h"
#include "core/trainer.h"

namespace gradfall::bindings {
namespace {

template <typename T>
py::array_t<T> checked_params(const ModelSpec& spec, const py::handle& params, bool writable) {
  auto p = require<T>(params, "params", 1, writable);
  if (p.shape(0) != spec.n_params())
    throw py::value_error("params must have " + std::to_string(spec.n_params()) + " entries");
  return p;
}

template <typename T>
py::array forward_impl(const ModelSpec& spec, const py::array& params, const py::object& X) {
  auto p = checked_params<T>(spec, params, false);
  const Input<T> x = input_of<T>(X, spec.n_in());
  py::array_t<T> out({x.n_rows, spec.n_out()});
  T* out_ptr = out.mutable_data();
  {
    py::gil_scoped_release release;
    predict_outputs<T>(spec, p.data(), x, out_ptr, true);
  }
  return out;
}

template <typename T>
py::tuple loss_gradient_impl(const ModelSpec& spec, const py::array& params, const py::object& X,
                             const py::object& labels, const py::object& dense,
                             const py::object& weights, double l2, bool want_grad) {
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
  double cost;
  {
    py::gil_scoped_release release;
    cost = evaluate_cost<T>(spec, p.data(), x, y.view, l2, grad_ptr, true);
  }
  return py::make_tuple(cost, grad);
}

template <typename T>
py::array losses_at_impl(const ModelSpec& spec, const py::array& center, const py::array& directions,
                         const py::array& coeffs, const py::object& X, const py::object& labels,
                         const py::object& dense, const py::object& weights) {
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
  {
    py::gil_scoped_release release;
    losses_at<T>(spec, c.data(), d.data(), d.shape(0), k.data(), k.shape(0), x, y.view, out_ptr);
  }
  return out;
}

// Keeps every array the core points into alive for the trainer's lifetime.
class PyTrainer {
 public:
  PyTrainer(const ModelSpec& spec, py::array params, py::object X, py::object labels,
            py::object dense, py::object weights, int64_t batch_size, uint64_t seed, double l2)
      : params_(params), X_(X), n_params_(spec.n_params()) {
    if (batch_size < 1) throw py::value_error("batch_size must be >= 1");
    if (is_float64(params))
      make<double>(spec, labels, dense, weights, batch_size, seed, l2);
    else
      make<float>(spec, labels, dense, weights, batch_size, seed, l2);
  }

  EpochResult run_epoch(const OptimizerConfig& config, OptimizerState& state,
                        const EpochOptions& options) {
    if (f64_) {
      const OptimizerBuffers<double> buffers = state.buffers<double>(n_params_);
      py::gil_scoped_release release;
      return f64_->run_epoch(config, buffers, options);
    }
    const OptimizerBuffers<float> buffers = state.buffers<float>(n_params_);
    py::gil_scoped_release release;
    return f32_->run_epoch(config, buffers, options);
  }

 private:
  template <typename T>
  void make(const ModelSpec& spec, const py::object& labels, const py::object& dense,
            const py::object& weights, int64_t batch_size, uint64_t seed, double l2) {
    auto p = checked_params<T>(spec, params_, true);
    const Input<T> x = input_of<T>(X_, spec.n_in());
    if (x.n_rows < 1) throw py::value_error("X must have at least one row");
    auto targets = std::make_shared<TargetArrays<T>>(spec, x.n_rows, labels, dense, weights);
    targets_ = targets;
    auto trainer = std::make_unique<Trainer<T>>(spec, p.mutable_data(), x, targets->view,
                                                batch_size, seed, l2);
    if constexpr (std::is_same_v<T, double>) f64_ = std::move(trainer);
    else f32_ = std::move(trainer);
  }

  py::array params_;
  py::object X_;
  int64_t n_params_;
  std::shared_ptr<void> targets_;
  std::unique_ptr<Trainer<float>> f32_;
  std::unique_ptr<Trainer<double>> f64_;
};

}  // namespace

void bind_network(py::module_& m) {
  m.def("forward", [](const ModelSpec& spec, py::array params, py::object X) {
    return is_float64(params) ? forward_impl<double>(spec, params, X)
                              : forward_impl<float>(spec, params, X);
  }, py::arg("spec"), py::arg("params"), py::arg("X"),
        "Output-layer activations for every row of X, shape (n, n_out).");

  m.def("loss_and_gradient",
        [](const ModelSpec& spec, py::array params, py::object X, py::object labels,
           py::object dense, py::object weights, double l2, bool want_grad) {
          return is_float64(params)
                     ? loss_gradient_impl<double>(spec, params, X, labels, dense, weights, l2, want_grad)
                     : loss_gradient_impl<float>(spec, params, X, labels, dense, weights, l2, want_grad);
        },
        py::arg("spec"), py::arg("params"), py::arg("X"), py::arg("labels"), py::arg("dense"),
        py::arg("weights"), py::arg("l2"), py::arg("want_grad"),
        "(cost, flat gradient or None): sum_i w_i loss_i / sum_i w_i + 0.5*l2*|W|^2/sum_i w_i.");

  m.def("losses_at",
        [](const ModelSpec& spec, py::array center, py::array directions, py::array coeffs,
           py::object X, py::object labels, py::object dense, py::object weights) {
          return is_float64(center)
                     ? losses_at_impl<double>(spec, center, directions, coeffs, X, labels, dense, weights)
                     : losses_at_impl<float>(spec, center, directions, coeffs, X, labels, dense, weights);
        },
        py::arg("spec"), py::arg("center"), py::arg("directions"), py::arg("coeffs"), py::arg("X"),
        py::arg("labels"), py::arg("dense"), py::arg("weights"),
        "Cost at each point center + coeffs[i] @ directions, shape (n_points,).");

  py::class_<PyTrainer>(m, "Trainer",
                        "Whole epochs of shuffled minibatches (forward, backward, update) over "
                        "one X, targets and parameter vector, with the GIL released.")
      .def(py::init<const ModelSpec&, py::array, py::object, py::object, py::object, py::object,
                    int64_t, uint64_t, double>(),
           py::arg("spec"), py::arg("params"), py::arg("X"), py::arg("labels"), py::arg("dense"),
           py::arg("weights"), py::arg("batch_size"), py::arg("seed"), py::arg("l2"))
      .def("run_epoch", &PyTrainer::run_epoch, py::arg("config"), py::arg("state"),
           py::arg("options"), "One epoch at the configured rate.");
}

}  // namespace gradfall::bindings
