// Portable kernels: plain C++ the compiler may vectorise only with the baseline ISA.
#include "kernels/kernels.h"
#include "kernels/microkernel.h"

namespace gradfall::kernels {
namespace {

template <typename Scalar>
struct ScalarVec {
  using T = Scalar;
  using Reg = Scalar;
  static constexpr int width = 1;
  static Reg zero() { return Scalar(0); }
  static Reg load(const T* p) { return *p; }
  static void store(T* p, Reg v) { *p = v; }
  static Reg broadcast(T v) { return v; }
  static Reg fma(Reg a, Reg b, Reg c) { return a * b + c; }
  static Reg add(Reg a, Reg b) { return a + b; }
};

}  // namespace

const KernelSet& scalar_kernels() {
  static const KernelSet set{
      "scalar",
      {4, 4, &micro_kernel<ScalarVec<float>, 4, 4>, &fma_loop<ScalarVec<float>, 8>},
      {4, 4, &micro_kernel<ScalarVec<double>, 4, 4>, &fma_loop<ScalarVec<double>, 8>},
  };
  return set;
}

}  // namespace gradfall::kernels
