// Forward-pass latency of models, measured the way the native kernels are (native/
// timing.h): interleaved rounds, so a slow spell of a noisy machine falls on every model
// alike, and the median of the rounds. Compare models only within one call.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "evaluators/compression/packed_model.h"

namespace evo::compression {

struct ModelSpeed {
  double us_batch1 = 0;    // microseconds per image, one image per forward pass
  double us_batch256 = 0;  // microseconds per image, 256 images per forward pass
};

// The models' speeds on the first 256 columns of x (all of them when there are fewer).
std::vector<ModelSpeed> time_models(const std::vector<const PackedModel*>& models, const Eigen::MatrixXf& x,
                                    int rounds = 15);

}  // namespace evo::compression
