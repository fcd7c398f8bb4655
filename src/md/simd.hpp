// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the arithmetic a pair style's functions are written in, so that
// one template serves the scalar kernel (V = double) and the SIMD kernel
// (V = simd::V4, four doubles in an AVX2 register). Operators are the plain
// IEEE operations in both; fms() is a fused multiply-subtract in V4 and the
// unfused a * b - c in double (what each kernel computed before the pair
// kernel was shared, so results did not change by a bit).

#include <cmath>
#include <type_traits>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define WEFT_MD_AVX2 1
#endif

namespace weft::md::simd {

// fms(a, b, c) is a * b - c.
inline double fms(double a, double b, double c) { return a * b - c; }
// fma(a, b, c) is a * b + c.
inline double fma(double a, double b, double c) { return a * b + c; }
inline double sqrt(double a) { return std::sqrt(a); }
inline double exp(double a) { return std::exp(a); }

#ifdef WEFT_MD_AVX2
// V4 is four doubles in one AVX2 register.
struct V4 {
  __m256d v;
};
inline V4 operator+(V4 a, V4 b) { return {_mm256_add_pd(a.v, b.v)}; }
inline V4 operator-(V4 a, V4 b) { return {_mm256_sub_pd(a.v, b.v)}; }
inline V4 operator*(V4 a, V4 b) { return {_mm256_mul_pd(a.v, b.v)}; }
inline V4 operator/(V4 a, V4 b) { return {_mm256_div_pd(a.v, b.v)}; }
inline V4 operator-(V4 a) { return {_mm256_sub_pd(_mm256_setzero_pd(), a.v)}; }
inline V4 fms(V4 a, V4 b, V4 c) { return {_mm256_fmsub_pd(a.v, b.v, c.v)}; }
inline V4 fma(V4 a, V4 b, V4 c) { return {_mm256_fmadd_pd(a.v, b.v, c.v)}; }
inline V4 sqrt(V4 a) { return {_mm256_sqrt_pd(a.v)}; }
// exp() is std::exp lane by lane (the C library has no vector exp without
// -ffast-math); correctly rounded as the scalar kernel's.
inline V4 exp(V4 a) {
  alignas(32) double x[4];
  _mm256_store_pd(x, a.v);
  for (double& e : x) e = std::exp(e);
  return {_mm256_load_pd(x)};
}
// constant() of a double works for both kinds: constant<V>(2.0).
template <class V>
inline V constant(double c) {
  if constexpr (std::is_same_v<V, V4>)
    return V4{_mm256_set1_pd(c)};
  else
    return c;
}
#else
template <class V>
inline V constant(double c) {
  return c;
}
#endif

}  // namespace weft::md::simd
