// Activation functions a = f(z) and their derivatives, applied to row-major (rows x cols) blocks.
#pragma once
#include <cstdint>

#include "kernels/kernels.h"

namespace gradfall {

// softmax and exp are output activations only: softmax normalises a whole row, exp is the
// Poisson loss's inverse link (a = e^z, a positive rate).
enum class Activation { identity, sigmoid, tanh, relu, leaky_relu, softmax, exp };

// The element-wise kernel op for an activation (identity for softmax and exp, which the
// callers apply themselves).
kernels::MapOp map_op(Activation act);

// z <- f(z + b) row by row (b may be null: no bias); softmax normalises each row, exp
// exponentiates it.
template <typename T>
void bias_activation_forward(Activation act, T slope, const T* b, T* z, int64_t rows, int64_t cols,
                             bool parallel);

// dZ = dA * f'(z), with f' written in terms of the activation's output a (a is f(z)).
template <typename T>
void activation_backward(Activation act, T slope, const T* a, T* dA_to_dZ, int64_t rows,
                         int64_t cols, bool parallel);

// One row of softmax in place, exp through the active ISA's kernel.
template <typename T>
void softmax_row(T* z, int64_t cols);

}  // namespace gradfall
