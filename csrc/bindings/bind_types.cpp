// The core's vocabulary as Python types: the enums (one table each, the py::enum_ below), the
// network description, the optimizer configuration and state, an epoch's options and result.
#include <pybind11/stl.h>

#include <string>

#include "bindings/arrays.h"
#include "bindings/optimizer_state.h"
#include "core/optimizers.h"
#include "core/trainer.h"

namespace gradfall::bindings {
namespace {

ModelSpec make_spec(const std::vector<int64_t>& sizes, const std::vector<Activation>& activations,
                    const std::vector<double>& slopes, Loss loss, double output_scale,
                    const std::vector<double>& dropout) {
  ModelSpec spec{sizes, activations, slopes, loss, output_scale, dropout};
  spec.validate();  // std::invalid_argument -> ValueError
  return spec;
}

void bind_enums(py::module_& m) {
  py::enum_<Activation>(m, "Activation", "Activation function of a layer.")
      .value("identity", Activation::identity)
      .value("sigmoid", Activation::sigmoid)
      .value("tanh", Activation::tanh)
      .value("relu", Activation::relu)
      .value("leaky_relu", Activation::leaky_relu)
      .value("softmax", Activation::softmax)
      .value("exp", Activation::exp);
  py::enum_<Loss>(m, "Loss", "Per-sample objective, computed from the output layer.")
      .value("mse", Loss::mse)
      .value("mae", Loss::mae)
      .value("binary_cross_entropy", Loss::binary_cross_entropy)
      .value("cross_entropy", Loss::cross_entropy)
      .value("poisson", Loss::poisson);
  py::enum_<kernels::MathFn>(m, "MathFn", "Element-wise function of the vector math kernels.")
      .value("exp", kernels::MathFn::exp)
      .value("log", kernels::MathFn::log)
      .value("tanh", kernels::MathFn::tanh)
      .value("sigmoid", kernels::MathFn::sigmoid);
  py::enum_<OptimizerKind>(m, "OptimizerKind", "Update rule.")
      .value("sgd", OptimizerKind::sgd)
      .value("adam", OptimizerKind::adam);
  py::enum_<MomentumForm>(m, "MomentumForm",
                          "gradient_sum: buf = mu*buf + g, theta -= lr*buf; velocity: "
                          "v = mu*v - lr*g, theta += v.")
      .value("gradient_sum", MomentumForm::gradient_sum)
      .value("velocity", MomentumForm::velocity);
  py::enum_<AdamCorrection>(m, "AdamCorrection",
                            "moments: bias-correct m and v (eps meets sqrt(v_hat)); step_size: "
                            "fold the corrections into the rate (eps meets sqrt(v)).")
      .value("moments", AdamCorrection::moments)
      .value("step_size", AdamCorrection::step_size);
}

void bind_spec(py::module_& m) {
  py::class_<ModelSpec>(m, "ModelSpec",
                        "A stack of dense layers and its objective. Owns the flat parameter "
                        "layout: W_0 (row-major n_0 x n_1), b_0, W_1, b_1, ...")
      .def(py::init(&make_spec), py::arg("sizes"), py::arg("activations"), py::arg("slopes"),
           py::arg("loss"), py::arg("output_scale"), py::arg("dropout") = std::vector<double>{})
      .def_readonly("sizes", &ModelSpec::sizes)
      .def_readonly("activations", &ModelSpec::acts)
      .def_readonly("slopes", &ModelSpec::slopes)
      .def_readonly("loss", &ModelSpec::loss)
      .def_readonly("output_scale", &ModelSpec::output_scale)
      .def_readonly("dropout", &ModelSpec::dropout)
      .def_property_readonly("n_layers", &ModelSpec::n_layers)
      .def_property_readonly("n_params", &ModelSpec::n_params)
      .def("weight_offset", &ModelSpec::weight_offset, py::arg("layer"),
           "Index of W_layer[0, 0] in the flat parameter vector.")
      .def("bias_offset", &ModelSpec::bias_offset, py::arg("layer"),
           "Index of b_layer[0] in the flat parameter vector.");
}

void bind_optimizer(py::module_& m) {
  py::class_<OptimizerConfig>(m, "OptimizerConfig", "Hyperparameters of one update rule.")
      .def(py::init<>())
      .def_readwrite("kind", &OptimizerConfig::kind)
      .def_readwrite("lr", &OptimizerConfig::lr)
      .def_readwrite("momentum", &OptimizerConfig::momentum)
      .def_readwrite("nesterov", &OptimizerConfig::nesterov)
      .def_readwrite("weight_decay", &OptimizerConfig::weight_decay)
      .def_readwrite("beta1", &OptimizerConfig::beta1)
      .def_readwrite("beta2", &OptimizerConfig::beta2)
      .def_readwrite("eps", &OptimizerConfig::eps)
      .def_readwrite("momentum_form", &OptimizerConfig::momentum_form)
      .def_readwrite("correction", &OptimizerConfig::correction);

  py::class_<OptimizerState>(m, "OptimizerState",
                             "What an update rule carries from step to step: SGD's momentum "
                             "buffer or Adam's moments (NumPy arrays, one entry per parameter) "
                             "and the number of steps taken.")
      .def(py::init<OptimizerKind, int64_t, py::dtype>(), py::arg("kind"), py::arg("n_params"),
           py::arg("dtype"))
      .def_readwrite("momentum", &OptimizerState::momentum)
      .def_readwrite("first_moment", &OptimizerState::first_moment)
      .def_readwrite("second_moment", &OptimizerState::second_moment)
      .def_readwrite("step", &OptimizerState::step)
      .def_property_readonly("kind", [](const OptimizerState& s) { return s.kind; })
      .def("matches", &OptimizerState::matches, py::arg("n_params"), py::arg("dtype"),
           "True when the buffers fit a network of n_params parameters of this dtype.")
      .def(py::pickle([](const OptimizerState& s) { return s.to_tuple(); },
                      [](const py::tuple& t) { return OptimizerState::from_tuple(t); }));
}

void bind_training(py::module_& m) {
  m.def("dropout_keep", [](uint64_t seed, uint64_t step, int64_t layer, double p, int64_t rows,
                           int64_t cols) {
          const DropoutMask mask(p, dropout_step_key(seed, step), layer);
          py::array_t<bool> keep({rows, cols});
          auto k = keep.mutable_unchecked<2>();
          for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j) k(i, j) = mask.keep(i, j);
          return keep;
        },
        py::arg("seed"), py::arg("step"), py::arg("layer"), py::arg("p"), py::arg("rows"),
        py::arg("cols"),
        "The dropout mask training step `step` draws for a layer's outputs (True: kept).");
  py::enum_<StopReason>(m, "StopReason", "Why an epoch ended.")
      .value("completed", StopReason::completed)
      .value("diverged", StopReason::diverged)
      .value("interrupted", StopReason::interrupted);
  py::class_<EpochOptions>(m, "EpochOptions", "How one epoch runs.")
      .def(py::init<>())
      .def_readwrite("epoch_index", &EpochOptions::epoch_index)
      .def_readwrite("shuffle", &EpochOptions::shuffle)
      .def_readwrite("record_batches", &EpochOptions::record_batches)
      .def_readwrite("stop_on_nonfinite", &EpochOptions::stop_on_nonfinite);
  py::class_<EpochResult>(m, "EpochResult", "What one epoch did.")
      .def_readonly("loss", &EpochResult::loss)
      .def_property_readonly("grad_norms", [](const EpochResult& r) {
        return py::array_t<double>(r.grad_norms.size(), r.grad_norms.data());
      })
      .def_property_readonly("batch_losses", [](const EpochResult& r) {
        return py::array_t<double>(r.batch_losses.size(), r.batch_losses.data());
      })
      .def_readonly("stop", &EpochResult::stop)
      .def_readonly("batches_done", &EpochResult::batches_done)
      .def_readonly("failed_loss", &EpochResult::failed_loss)
      .def_readonly("start_loss", &EpochResult::start_loss);
}

}  // namespace

void bind_types(py::module_& m) {
  bind_enums(m);
  bind_spec(m);
  bind_optimizer(m);
  bind_training(m);
}

}  // namespace gradfall::bindings
