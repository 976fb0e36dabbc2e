#include "evaluators/compression/owl.h"

#include <algorithm>

namespace evo::compression {

std::vector<double> outlier_ratios(const DenseModel& m, const std::vector<Eigen::VectorXf>& input_norms,
                                   double m_ratio) {
  std::vector<double> out;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Eigen::MatrixXf score = m.layers[i].weight.cwiseAbs() * input_norms[i].asDiagonal();
    const double threshold = m_ratio * static_cast<double>(score.mean());
    out.push_back(static_cast<double>((score.array() > threshold).count()) / static_cast<double>(score.size()));
  }
  return out;
}

std::vector<double> owl_allocation(const std::vector<double>& d, const std::vector<long>& sizes, double target,
                                   double lambda, bool bits) {
  const auto [lo, hi] = std::minmax_element(d.begin(), d.end());
  const double range = *hi - *lo;
  std::vector<double> shift(d.size(), 0.0);
  if (range > 0)
    for (std::size_t i = 0; i < d.size(); ++i) shift[i] = (d[i] - *lo) / range * 2 * lambda;
  double weighted = 0, total = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    weighted += shift[i] * static_cast<double>(sizes[i]);
    total += static_cast<double>(sizes[i]);
  }
  const double mean = weighted / total;
  std::vector<double> out;
  for (double s : shift) out.push_back(bits ? target + (s - mean) : target - (s - mean));
  return out;
}

}  // namespace evo::compression
