// Network entry points: forward, loss/gradient, the epoch trainer and the landscape evaluator.
// Each validates shapes, then releases the GIL for the whole core call.
#include <pybind11/stl.h>

#include <memory>

#include "bindings/arrays.h"
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
py::array_t<T> checked_X(const ModelSpec& spec, const py::handle& X) {
  auto x = require<T>(X, "X", 2);
  if (x.shape(1) != spec.n_in())
    throw py::value_error("X has " + std::to_string(x.shape(1)) + " features, the network expects " +
                          std::to_string(spec.n_in()));
  return x;
}

template <typename T>
py::array forward_impl(const ModelSpec& spec, const py::array& params, const py::array& X) {
  auto p = checked_params<T>(spec, params, false);
  auto x = checked_X<T>(spec, X);
  const int64_t n = x.shape(0);
  py::array_t<T> out({n, spec.n_out()});
  T* out_ptr = out.mutable_data();
  {
    py::gil_scoped_release release;
    predict_outputs<T>(spec, p.data(), x.data(), n, out_ptr, true);
  }
  return out;
}

template <typename T>
py::tuple loss_gradient_impl(const ModelSpec& spec, const py::array& params, const py::array& X,
                             const py::object& labels, const py::object& dense,
                             const py::object& weights, double l2, bool want_grad) {
  auto p = checked_params<T>(spec, params, false);
  auto x = checked_X<T>(spec, X);
  const int64_t n = x.shape(0);
  TargetArrays<T> y(spec, n, labels, dense, weights);
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
    cost = evaluate_cost<T>(spec, p.data(), x.data(), n, y.view, l2, grad_ptr, true);
  }
  return py::make_tuple(cost, grad);
}

template <typename T>
py::array losses_at_impl(const ModelSpec& spec, const py::array& center, const py::array& directions,
                         const py::array& coeffs, const py::array& X, const py::object& labels,
                         const py::object& dense, const py::object& weights) {
  auto c = checked_params<T>(spec, center, false);
  auto d = require<T>(directions, "directions", 2);
  auto k = require<double>(coeffs, "coeffs", 2);
  auto x = checked_X<T>(spec, X);
  if (d.shape(1) != spec.n_params())
    throw py::value_error("directions must have shape (k, n_params)");
  if (k.shape(1) != d.shape(0)) throw py::value_error("coeffs must have shape (m, k)");
  const int64_t n = x.shape(0);
  TargetArrays<T> y(spec, n, labels, dense, weights);
  py::array_t<double> out(k.shape(0));
  double* out_ptr = out.mutable_data();
  {
    py::gil_scoped_release release;
    losses_at<T>(spec, c.data(), d.data(), d.shape(0), k.data(), k.shape(0), x.data(), n, y.view,
                 out_ptr);
  }
  return out;
}

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "sgd_torch") return OptimizerKind::sgd_torch;
  if (name == "sgd_sklearn") return OptimizerKind::sgd_sklearn;
  if (name == "adam_torch") return OptimizerKind::adam_torch;
  if (name == "adam_sklearn") return OptimizerKind::adam_sklearn;
  throw py::value_error("unknown optimizer kind '" + name + "'");
}

// Keeps every array the core points into alive for the trainer's lifetime.
class PyTrainer {
 public:
  PyTrainer(const ModelSpec& spec, py::array params, py::array X, py::object labels,
            py::object dense, py::object weights, int64_t batch_size, uint64_t seed, double l2,
            py::array state1, py::array state2, py::array step)
      : params_(params), X_(X), state1_(state1), state2_(state2), step_(step) {
    if (batch_size < 1) throw py::value_error("batch_size must be >= 1");
    auto steps = require<int64_t>(step, "step", 1, true);
    if (steps.shape(0) != 1) throw py::value_error("step must have one entry");
    if (is_float64(params))
      make<double>(spec, labels, dense, weights, batch_size, seed, l2, steps.mutable_data());
    else
      make<float>(spec, labels, dense, weights, batch_size, seed, l2, steps.mutable_data());
  }

  py::dict run_epoch(const std::string& kind, double lr, double momentum, bool nesterov,
                     double weight_decay, double beta1, double beta2, double eps,
                     int64_t epoch_index, bool shuffle, bool record_batches) {
    OptimizerConfig cfg{parse_optimizer(kind), lr, momentum, nesterov, weight_decay,
                        beta1, beta2, eps};
    EpochResult r;
    {
      py::gil_scoped_release release;
      r = f64_ ? f64_->run_epoch(cfg, epoch_index, shuffle, record_batches)
               : f32_->run_epoch(cfg, epoch_index, shuffle, record_batches);
    }
    py::dict out;
    out["loss"] = r.loss;
    out["grad_norms"] = py::array_t<double>(r.grad_norms.size(), r.grad_norms.data());
    out["batch_losses"] = record_batches ? py::object(py::array_t<double>(
                                               r.batch_losses.size(), r.batch_losses.data()))
                                         : py::object(py::none());
    return out;
  }

 private:
  template <typename T>
  void make(const ModelSpec& spec, const py::object& labels, const py::object& dense,
            const py::object& weights, int64_t batch_size, uint64_t seed, double l2,
            int64_t* step) {
    auto p = checked_params<T>(spec, params_, true);
    auto x = checked_X<T>(spec, X_);
    const int64_t n = x.shape(0);
    if (n < 1) throw py::value_error("X must have at least one row");
    targets_ = std::make_shared<TargetArrays<T>>(spec, n, labels, dense, weights);
    auto s1 = require<T>(state1_, "optimizer state", 1, true);
    auto s2 = require<T>(state2_, "optimizer state", 1, true);
    if (s1.shape(0) != spec.n_params() || s2.shape(0) != spec.n_params())
      throw py::value_error("optimizer state must have one entry per parameter");
    auto trainer = std::make_unique<Trainer<T>>(
        spec, p.mutable_data(), x.data(), n, std::static_pointer_cast<TargetArrays<T>>(targets_)->view,
        batch_size, seed, l2, s1.mutable_data(), s2.mutable_data(), step);
    if constexpr (std::is_same_v<T, double>) f64_ = std::move(trainer);
    else f32_ = std::move(trainer);
  }

  py::array params_, X_, state1_, state2_, step_;
  std::shared_ptr<void> targets_;
  std::unique_ptr<Trainer<float>> f32_;
  std::unique_ptr<Trainer<double>> f64_;
};

}  // namespace

void bind_network(py::module_& m) {
  py::class_<ModelSpec>(m, "ModelSpec")
      .def(py::init(&make_spec), py::arg("sizes"), py::arg("activations"), py::arg("slopes"),
           py::arg("loss"), py::arg("output_scale"))
      .def_property_readonly("n_params", &ModelSpec::n_params)
      .def("weight_offset", &ModelSpec::weight_offset)
      .def("bias_offset", &ModelSpec::bias_offset);

  m.def("forward", [](const ModelSpec& spec, py::array params, py::array X) {
    return is_float64(params) ? forward_impl<double>(spec, params, X)
                              : forward_impl<float>(spec, params, X);
  }, py::arg("spec"), py::arg("params"), py::arg("X"));

  m.def("loss_and_gradient",
        [](const ModelSpec& spec, py::array params, py::array X, py::object labels,
           py::object dense, py::object weights, double l2, bool want_grad) {
          return is_float64(params)
                     ? loss_gradient_impl<double>(spec, params, X, labels, dense, weights, l2, want_grad)
                     : loss_gradient_impl<float>(spec, params, X, labels, dense, weights, l2, want_grad);
        },
        py::arg("spec"), py::arg("params"), py::arg("X"), py::arg("labels"), py::arg("dense"),
        py::arg("weights"), py::arg("l2"), py::arg("want_grad"));

  m.def("losses_at",
        [](const ModelSpec& spec, py::array center, py::array directions, py::array coeffs,
           py::array X, py::object labels, py::object dense, py::object weights) {
          return is_float64(center)
                     ? losses_at_impl<double>(spec, center, directions, coeffs, X, labels, dense, weights)
                     : losses_at_impl<float>(spec, center, directions, coeffs, X, labels, dense, weights);
        },
        py::arg("spec"), py::arg("center"), py::arg("directions"), py::arg("coeffs"), py::arg("X"),
        py::arg("labels"), py::arg("dense"), py::arg("weights"));

  py::class_<PyTrainer>(m, "Trainer")
      .def(py::init<const ModelSpec&, py::array, py::array, py::object, py::object, py::object,
                    int64_t, uint64_t, double, py::array, py::array, py::array>(),
           py::arg("spec"), py::arg("params"), py::arg("X"), py::arg("labels"), py::arg("dense"),
           py::arg("weights"), py::arg("batch_size"), py::arg("seed"), py::arg("l2"),
           py::arg("state1"), py::arg("state2"), py::arg("step"))
      .def("run_epoch", &PyTrainer::run_epoch, py::arg("kind"), py::arg("lr"),
           py::arg("momentum"), py::arg("nesterov"), py::arg("weight_decay"), py::arg("beta1"),
           py::arg("beta2"), py::arg("eps"), py::arg("epoch_index"), py::arg("shuffle"),
           py::arg("record_batches"));
}

}  // namespace gradfall::bindings
