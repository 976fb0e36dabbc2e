// OWL (outlier-weighted layerwise sparsity, Yin et al. 2024), the allocation EvoPress
// compares with: a layer whose weights have more outliers is compressed less.
//
// A weight's outlier score is |W_rj| * ||x_j|| (x_j: the layer's input j over the
// calibration images); a layer's outlier ratio is the fraction of its weights whose score
// exceeds `m` times the layer's mean score.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "evaluators/compression/model.h"

namespace evo::compression {

std::vector<double> outlier_ratios(const DenseModel& m, const std::vector<Eigen::VectorXf>& input_norms, double m_ratio);

// Per-layer levels from outlier ratios d: the ratios scaled linearly onto a range of width
// 2 * lambda, shifted so the size-weighted mean is the target. For sparsity the level is
// the target sparsity less that amount (more outliers, fewer pruned); for bits it is the
// target plus it (more outliers, more bits).
std::vector<double> owl_allocation(const std::vector<double>& d, const std::vector<long>& sizes, double target,
                                   double lambda, bool bits);

}  // namespace evo::compression
