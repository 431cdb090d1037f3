// Compiler hints spelled once for GCC, clang and MSVC, so kernel code carries no
// compiler-specific syntax. Each hint only guides code generation: results are the same without it.
#pragma once

#define GF_PRAGMA(text) _Pragma(#text)

// GF_UNROLL(n) before a loop: unroll it up to n times (MSVC has no such pragma: nothing).
#if defined(__clang__)
#define GF_UNROLL(n) GF_PRAGMA(unroll n)
#elif defined(__GNUC__)
#define GF_UNROLL(n) GF_PRAGMA(GCC unroll n)
#else
#define GF_UNROLL(n)
#endif

// GF_PREFETCH_FOR_WRITE(address): start loading a cache line that is about to be written.
#if defined(__GNUC__) || defined(__clang__)
#define GF_PREFETCH_FOR_WRITE(address) __builtin_prefetch((address), 1, 3)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define GF_PREFETCH_FOR_WRITE(address) _mm_prefetch(reinterpret_cast<const char*>(address), _MM_HINT_T0)
#else
#define GF_PREFETCH_FOR_WRITE(address) ((void)(address))
#endif

// GF_PREFETCH_FOR_READ(address): start loading a cache line that is about to be read.
#if defined(__GNUC__) || defined(__clang__)
#define GF_PREFETCH_FOR_READ(address) __builtin_prefetch((address), 0, 3)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#define GF_PREFETCH_FOR_READ(address) _mm_prefetch(reinterpret_cast<const char*>(address), _MM_HINT_T0)
#else
#define GF_PREFETCH_FOR_READ(address) ((void)(address))
#endif
