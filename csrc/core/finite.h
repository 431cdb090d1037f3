// Whether a float array holds no NaN or infinity. Finite iff the exponent bits are not all ones:
// an integer test the compiler vectorises (an OR reduction needs no reassociation of
// floating-point sums). Large arrays are split into fixed chunks shared by the threads.
#pragma once
#include <cstdint>

namespace gradfall {

template <typename T>
bool all_finite(const T* x, int64_t n);

}  // namespace gradfall
