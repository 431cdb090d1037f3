// Portable kernels: plain C++ the compiler may vectorise only with the baseline ISA.
#include "kernels/combine_rows.h"
#include "kernels/elementwise.h"
#include "kernels/fingerprint_blocks.h"
#include "kernels/gemv.h"
#include "kernels/kernels.h"
#include "kernels/microkernel.h"
#include "kernels/sum_squares.h"

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
  static Reg load_n(const T* p, int) { return *p; }
  static void store_n(T* p, Reg v, int) { *p = v; }
  static Reg broadcast(T v) { return v; }
  static Reg fma(Reg a, Reg b, Reg c) { return a * b + c; }
  static Reg add(Reg a, Reg b) { return a + b; }
  static Reg sub(Reg a, Reg b) { return a - b; }
  static Reg mul(Reg a, Reg b) { return a * b; }
  static Reg max(Reg a, Reg b) { return a > b ? a : b; }  // like maxps: b when either is NaN
  static Reg lt_blend(Reg a, Reg b, Reg x, Reg y) { return a < b ? x : y; }
};

}  // namespace

const KernelSet& scalar_kernels() {
  static const KernelSet set{
      "scalar",
      {4, 4, &micro_tile<ScalarVec<float>, 4, 4, true>, &micro_tile<ScalarVec<float>, 4, 4, false>,
       &bias_map<ScalarVec<float>, false>, &map_grad<ScalarVec<float>>,
       &math_fn<ScalarVec<float>, false>, &combine_rows<ScalarVec<float>, 4>,
       &fma_loop<ScalarVec<float>, 8>,
       {&gemv_rows<ScalarVec<float>, 1, 4>, &gemv_rows<ScalarVec<float>, 2, 4>,
        &gemv_rows<ScalarVec<float>, 3, 4>, &gemv_rows<ScalarVec<float>, 4, 4>,
        &gemv_rows<ScalarVec<float>, 5, 4>, &gemv_rows<ScalarVec<float>, 6, 4>,
        &gemv_rows<ScalarVec<float>, 7, 4>, &gemv_rows<ScalarVec<float>, 8, 4>},
       4, {1, 2},
       {&micro_tile<ScalarVec<float>, 1, 4, false>, &micro_tile<ScalarVec<float>, 2, 4, false>}},
      {4, 4, &micro_tile<ScalarVec<double>, 4, 4, true>, &micro_tile<ScalarVec<double>, 4, 4, false>,
       &bias_map<ScalarVec<double>, false>, &map_grad<ScalarVec<double>>,
       &math_fn<ScalarVec<double>, false>, &combine_rows<ScalarVec<double>, 4>,
       &fma_loop<ScalarVec<double>, 8>,
       {&gemv_rows<ScalarVec<double>, 1, 4>, &gemv_rows<ScalarVec<double>, 2, 4>,
        &gemv_rows<ScalarVec<double>, 3, 4>, &gemv_rows<ScalarVec<double>, 4, 4>,
        &gemv_rows<ScalarVec<double>, 5, 4>, &gemv_rows<ScalarVec<double>, 6, 4>,
        &gemv_rows<ScalarVec<double>, 7, 4>, &gemv_rows<ScalarVec<double>, 8, 4>},
       4, {1, 2},
       {&micro_tile<ScalarVec<double>, 1, 4, false>, &micro_tile<ScalarVec<double>, 2, 4, false>}},
      &fingerprint_blocks<ScalarVec<float>>,
      &sum_squares<float, ScalarVec<float>>,
  };
  return set;
}

}  // namespace gradfall::kernels
