#include "evaluators/compression/model_speed.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace evo::compression {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::vector<ModelSpeed> time_models(const std::vector<const PackedModel*>& models, const Eigen::MatrixXf& x,
                                    int rounds) {
  if (x.cols() < 1) throw std::invalid_argument("time_models needs inputs");
  using clock = std::chrono::steady_clock;
  const Eigen::Index n = std::min<Eigen::Index>(256, x.cols());
  const Eigen::MatrixXf batch = x.leftCols(n);
  std::vector<std::vector<double>> one(models.size()), many(models.size());
  float sink = 0;  // keeps the outputs alive
  for (int round = -2; round < rounds; ++round)  // two warm-up rounds
    for (std::size_t m = 0; m < models.size(); ++m) {
      auto t0 = clock::now();
      for (Eigen::Index j = 0; j < n; ++j) sink += models[m]->forward(batch.col(j))(0, 0);
      const double single = std::chrono::duration<double, std::micro>(clock::now() - t0).count() / n;
      t0 = clock::now();
      for (int k = 0; k < 4; ++k) sink += models[m]->forward(batch)(0, 0);
      const double batched = std::chrono::duration<double, std::micro>(clock::now() - t0).count() / (4 * n);
      if (round < 0) continue;
      one[m].push_back(single);
      many[m].push_back(batched);
    }
  std::vector<ModelSpeed> out;
  for (std::size_t m = 0; m < models.size(); ++m) out.push_back({median(one[m]), median(many[m])});
  volatile float keep = sink;  // the passes' results are used, so none can be dropped
  (void)keep;
  return out;
}

}  // namespace evo::compression
