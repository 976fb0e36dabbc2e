// A small residual model and correlated inputs for compression tests: 20 inputs, two
// residual 16-wide layers, 5 outputs; inputs mixed so that they correlate, as images'
// pixels do. Everything is drawn from fixed seeds.
#pragma once

#include <cmath>
#include <cstdint>

#include <Eigen/Core>

#include "evaluators/compression/model.h"
#include "search/rng.h"

namespace evo::compression {

inline Eigen::MatrixXf normal(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed, float scale) {
  Rng rng = Rng::stream(seed, 11);
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * static_cast<float>(rng.normal());
  return m;
}

inline DenseModel small_model() {
  DenseModel m;
  auto layer = [&](int in, int out, bool residual, std::uint64_t seed) {
    DenseLayer l;
    l.weight = normal(out, in, seed, static_cast<float>(std::sqrt(2.0 / in)));
    l.bias = normal(out, 1, seed + 100, 0.1f).col(0);
    l.residual = residual;
    return l;
  };
  m.layers = {layer(20, 16, false, 1), layer(16, 16, true, 2), layer(16, 16, true, 3), layer(16, 5, false, 4)};
  return m;
}

// n correlated inputs to small_model(), one per column.
inline Eigen::MatrixXf inputs(Eigen::Index n, std::uint64_t seed) {
  const Eigen::MatrixXf mix = normal(20, 20, 50, 0.5f) + Eigen::MatrixXf::Identity(20, 20);
  return mix * normal(20, n, seed, 1.0f);
}

}  // namespace evo::compression
