#include "core/landscape.h"

#include <vector>

#include "core/dispatch.h"

namespace gradfall {

template <typename T>
void losses_at(const ModelSpec& spec, const T* center, const T* directions, int64_t n_directions,
               const double* coeffs, int64_t n_points, const T* X, int64_t n, const Targets<T>& y,
               double* out) {
  const int64_t P = spec.n_params();
  // Few points: run them one after another with threaded kernels instead.
  const bool outer_parallel = n_points >= num_threads() && num_threads() > 1;
#pragma omp parallel num_threads(num_threads()) if (outer_parallel)
  {
    std::vector<T> theta(P);
#pragma omp for schedule(dynamic, 1)
    for (int64_t i = 0; i < n_points; ++i) {
      for (int64_t p = 0; p < P; ++p) {
        double v = center[p];
        for (int64_t k = 0; k < n_directions; ++k)
          v += coeffs[i * n_directions + k] * static_cast<double>(directions[k * P + p]);
        theta[p] = static_cast<T>(v);
      }
      out[i] = evaluate_cost<T>(spec, theta.data(), X, n, y, 0.0, nullptr, !outer_parallel);
    }
  }
}

template void losses_at<float>(const ModelSpec&, const float*, const float*, int64_t,
                               const double*, int64_t, const float*, int64_t,
                               const Targets<float>&, double*);
template void losses_at<double>(const ModelSpec&, const double*, const double*, int64_t,
                                const double*, int64_t, const double*, int64_t,
                                const Targets<double>&, double*);

}  // namespace gradfall
