// The compression domain on a small residual model with .npy data: layouts round-trip
// through their program text; mutation keeps the exact budget; layouts that compress to
// the same model hash alike; the baselines meet the budget and the error-sum allocation
// is the best by its own measure; the level database is reused from its file. And the
// elitist engine over it: the same candidates for any thread count and across a resume,
// no function scored twice, screened children recorded with their stage.
#include "evaluators/compression/compression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "evaluators/registry.h"
#include "search/engine.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "tests/compression_fixtures.h"
#include "tests/e2e_support.h"
#include "tests/engine_support.h"

namespace evo::compression {
namespace {

// A float32 .npy file of shape (rows, cols) from x (cols x rows, one sample per column).
void write_npy(const std::string& path, const Eigen::MatrixXf& x) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(x.cols()) + ", " +
                       std::to_string(x.rows()) + "), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  out.write(reinterpret_cast<const char*>(&len), 2);
  out << header;
  out.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(sizeof(float) * x.size()));
}

class Compression : public ::testing::Test {
 protected:
  void SetUp() override {
    save_model(dir.file("model.safetensors"), small_model());
    write_npy(dir.file("data.npy"), inputs(600, 9));
  }
  std::map<std::string, std::string> settings(std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> s = {{"model", dir.file("model.safetensors")},
                                            {"data", dir.file("data.npy")},
                                            {"method", "sparsegpt"},
                                            {"sparsity", "0.6"},
                                            {"calibration", "128"},
                                            {"samples", "128"},
                                            {"screen_samples", "32,64"},
                                            {"screen_keep", "4,2"}};
    for (const auto& [k, v] : extra) s[k] = v;
    if (s["method"] == "gptq" || s["method"] == "rtn") s.erase("sparsity");  // a sparsity budget: refused there
    return s;
  }
  std::unique_ptr<CompressionDomain> domain(std::map<std::string, std::string> extra = {}) const {
    auto d = make_domain("compression", settings(std::move(extra)));
    return std::unique_ptr<CompressionDomain>(static_cast<CompressionDomain*>(d.release()));
  }
  test::ScratchDir dir;
};

TEST_F(Compression, LayoutsRoundTripAndMutationKeepsTheBudget) {
  const auto d = domain();
  Rng rng(1);
  Program p = d->initial_program(rng);
  ASSERT_TRUE(d->admissible(p));
  EXPECT_EQ(parse_program(to_text(p), d->signature()), p);
  const double budget = d->structural_objectives(p)[0];
  EXPECT_NEAR(budget, 0.6, 0.02);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(d->mutate(p, rng), MutationKind::level_switch);
    ASSERT_TRUE(d->admissible(p));
    ASSERT_EQ(d->structural_objectives(p)[0], budget);
    seen.insert(to_text(p));
  }
  EXPECT_GT(seen.size(), 100u);
  const Evaluation e = d->evaluate(p);
  ASSERT_TRUE(e.valid);
  EXPECT_GT(e.values[0], 0.0);
  EXPECT_EQ(d->evaluate(d->encode(std::vector<double>(4, 0.0))).values[0], 0.0);  // dense: no loss
  EXPECT_FALSE(d->admissible(d->encode(std::vector<double>(4, 0.0))));             // ... but over no budget
}

TEST_F(Compression, EqualCompressedModelsHashAlike) {
  const auto d = domain({{"method", "magnitude"}});
  const LevelSet& set = d->level_set();
  const Program a = d->encode({set.levels[0][3], set.levels[1][2], set.levels[2][2], set.levels[3][1]});
  const Program b = d->encode({set.levels[0][3], set.levels[1][2], set.levels[2][2], set.levels[3][1]});
  const Program c = d->encode({set.levels[0][3], set.levels[1][3], set.levels[2][1], set.levels[3][1]});
  EXPECT_EQ(d->functional_hash(a), d->functional_hash(b));
  EXPECT_FALSE(d->functional_hash(a) == d->functional_hash(c));
  // A value off the grid that prunes exactly a grid level's weights is the same model.
  const double off = set.levels[0][3] + 1e-12;
  EXPECT_EQ(d->functional_hash(d->encode({off, set.levels[1][2], set.levels[2][2], set.levels[3][1]})),
            d->functional_hash(a));
}

TEST_F(Compression, BaselinesMeetTheBudgetAndTheErrorSumAllocationIsOptimalByItsMeasure) {
  const auto d = domain();
  const auto bs = d->baselines(1, 1);
  ASSERT_EQ(bs.size(), 3u);
  EXPECT_EQ(bs[0].family, "uniform");
  EXPECT_EQ(bs[1].family, "dp");
  EXPECT_EQ(bs[2].family, "owl");
  for (const auto& b : bs) {
    EXPECT_NEAR(d->structural_objectives(b.program)[0], 0.6, 0.02) << b.name;
    EXPECT_TRUE(d->evaluate(b.program).valid) << b.name;
  }
  EXPECT_TRUE(d->admissible(bs[1].program));  // on the grid, at the search's budget
  for (double v : d->decode(bs[0].program)) EXPECT_EQ(v, 0.6);
}

TEST_F(Compression, TheLevelDatabaseIsBuiltOnceAndReused) {
  const auto first = domain();
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().string().find(".levels-") != std::string::npos) files.push_back(e.path().string());
  ASSERT_EQ(files.size(), 1u);
  const auto stamp = std::filesystem::last_write_time(files[0]);
  const auto again = domain();
  EXPECT_EQ(std::filesystem::last_write_time(files[0]), stamp);
  Rng rng(1);
  EXPECT_EQ(first->evaluate(first->initial_program(rng)).values, again->evaluate(again->initial_program(rng)).values);
  domain({{"method", "magnitude"}});  // another method: another file
  std::size_t count = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    count += e.path().string().find(".levels-") != std::string::npos;
  EXPECT_EQ(count, 2u);
}

TEST_F(Compression, SettingsThatDoNotFitAreRefused) {
  EXPECT_THROW(make_domain("compression", {}), InputError);
  EXPECT_THROW(domain({{"samples", "1000"}}), InputError);  // 128 + 1000 > 600 images
  EXPECT_THROW(domain({{"screen_keep", "4"}}), InputError);
  EXPECT_THROW(domain({{"screen_keep", "2,4"}}), InputError);
  EXPECT_THROW(domain({{"model", dir.file("missing.safetensors")}}), InputError);
}

TEST_F(Compression, MeasuresTheDeployedModelBesideTheDenseOne) {
  for (const char* method : {"sparsegpt", "gptq"}) {
    const auto d = domain({{"method", method}, {"samples", "256"}});
    Rng rng(1);
    const Program p = d->initial_program(rng);
    const Eigen::MatrixXf x = normal(20, 40, 77, 1.0f);
    // The packed form computes the compressed model.
    EXPECT_TRUE(d->packed(d->decode(p)).forward(x).isApprox(d->compressed(d->decode(p)).forward(x), 1e-4f)) << method;
    const auto m = d->measure({p});
    ASSERT_EQ(m.size(), 1u);
    ASSERT_EQ(m[0].size(), 3u);
    EXPECT_EQ(m[0][0].name, "latency_us");
    EXPECT_GT(m[0][0].value, 0.0);
    EXPECT_GT(m[0][1].value, 0.0);  // speedup: a ratio measured in the same call
    EXPECT_GT(m[0][2].value, 0.0);
    EXPECT_NE(m[0][0].detail.find("dense_us_batch1"), std::string::npos);
  }
}

// Levels a row apart: the budget stays exact, layouts use fractional levels in every layer
// (the 20-input first layer trades with the 16-input ones several rows at a time), and the
// packed model (a width per row) computes the compressed one, each row at its width.
TEST_F(Compression, FractionalBitLevelsKeepTheBudgetAndPackAtEachRowsWidth) {
  const auto d = domain({{"method", "gptq"}, {"bits", "3"}, {"bit_rows", "1"}, {"group", "8"}, {"switch_steps", "4"}});
  const LevelSet& set = d->level_set();
  ASSERT_EQ(set.levels[0].size(), 6u * 16 + 1);  // 16 rows: 2, 2 + 1/16, ..., 8
  ASSERT_EQ(set.levels[3].size(), 6u * 5 + 1);   // 5 rows
  Rng rng(3);
  Program p = d->initial_program(rng);
  const double budget = d->structural_objectives(p)[0];
  EXPECT_EQ(budget, 3.0);
  std::vector<bool> moved(4, false);
  for (int i = 0; i < 300; ++i) {
    d->mutate(p, rng);
    ASSERT_TRUE(d->admissible(p));
    ASSERT_EQ(d->structural_objectives(p)[0], budget);
    const auto v = d->decode(p);
    for (std::size_t k = 0; k < v.size(); ++k) moved[k] = moved[k] || v[k] != std::floor(v[k]);
  }
  for (std::size_t k = 0; k < 4; ++k) EXPECT_TRUE(moved[k]) << "layer " << k << " never left whole bits";
  const auto v = d->decode(p);
  const PackedModel packed = d->packed(v);
  const Eigen::MatrixXf x = normal(20, 40, 77, 1.0f);
  EXPECT_TRUE(packed.forward(x).isApprox(d->compressed(v).forward(x), 1e-4f));
  std::size_t code_bits = 0, grid_bytes = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const PackedLayer& l = packed.layers[i];
    ASSERT_EQ(l.kind, PackedLayer::Kind::quantized);
    const long promoted = std::count(l.row_bits.begin(), l.row_bits.end(), static_cast<int>(std::floor(v[i])) + 1);
    EXPECT_EQ(promoted, promoted_rows(v[i], l.rows)) << i;
    for (int b : l.row_bits) code_bits += static_cast<std::size_t>(b * l.cols);
    grid_bytes += sizeof(QuantGrid) * l.grids.size();
  }
  EXPECT_EQ(static_cast<double>(code_bits) / static_cast<double>(d->structural_objectives(p)[0]), 912.0);  // every weight
  EXPECT_EQ(packed.weight_bytes(), (code_bits + 7) / 8 + grid_bytes);
  EXPECT_THROW(domain({{"method", "gptq"}, {"bit_rows", "-1"}}), InputError);
}

// switch_steps=0 (the default) means 32 for bit levels a row apart (bit_rows > 0, the
// default for quantization) and 1 otherwise: the same mutations as those settings given.
TEST_F(Compression, DefaultSwitchStepsFollowTheLevelGrid) {
  const auto layouts = [&](std::map<std::string, std::string> settings) {
    const auto d = domain(settings);
    Rng rng(11);
    Program p = d->initial_program(rng);
    std::vector<std::vector<double>> out;
    for (int i = 0; i < 60; ++i) {
      d->mutate(p, rng);
      out.push_back(d->decode(p));
    }
    return out;
  };
  const std::map<std::string, std::string> gptq = {{"method", "gptq"}, {"bits", "3"}, {"group", "8"}};
  auto with = [](std::map<std::string, std::string> m, const char* k, const char* v) {
    m[k] = v;
    return m;
  };
  EXPECT_EQ(layouts(gptq), layouts(with(gptq, "switch_steps", "32")));
  EXPECT_NE(layouts(gptq), layouts(with(gptq, "switch_steps", "1")));
  EXPECT_EQ(layouts(with(gptq, "bit_rows", "0")), layouts(with(with(gptq, "bit_rows", "0"), "switch_steps", "1")));
  EXPECT_EQ(layouts({{"method", "sparsegpt"}}), layouts({{"method", "sparsegpt"}, {"switch_steps", "1"}}));
  EXPECT_NE(layouts({{"method", "sparsegpt"}}), layouts({{"method", "sparsegpt"}, {"switch_steps", "8"}}));
}

EngineConfig elitist_config(std::uint64_t budget) {
  EngineConfig cfg;
  cfg.seed = 5;
  cfg.budget = budget;
  cfg.batch = 16;
  cfg.elitist = true;
  return cfg;
}


TEST_F(Compression, ElitistSearchIsDeterministicScreensAndNeverRepeatsAFunction) {
  const auto d = domain();
  const auto one = run_engine(*d, elitist_config(1 + 16 * 12), 1);
  const auto two = run_engine(*d, elitist_config(1 + 16 * 12), 2);
  ASSERT_EQ(one.size(), 1u + 16 * 12);
  EXPECT_EQ(fingerprint_of(one), fingerprint_of(two));
  std::set<std::string> hashes;
  int finalists = 0, screened = 0, repeats = 0;
  for (const auto& c : one) {
    if (c.reason.rfind("no new function", 0) == 0) {
      ++repeats;
      continue;
    }
    EXPECT_TRUE(hashes.insert(c.functional_hash.hex()).second) << "candidate " << c.id << " repeats a function";
    if (c.valid) ++finalists;
    if (c.reason.rfind("screened out at stage", 0) == 0) ++screened;
  }
  EXPECT_EQ(finalists, 1 + 2 * 12);         // the start, then 2 survivors a generation
  EXPECT_EQ(screened + repeats, (16 - 2) * 12);  // 12 at stage 1, 2 at stage 2, each generation
  EXPECT_LT(repeats, 16);                         // children that found no new layout are few
  // The parent only ever improves: each generation's parent is the best valid so far.
  double best = std::numeric_limits<double>::infinity();
  for (const auto& c : one)
    if (c.valid) best = std::min(best, c.objectives[0]);
  EXPECT_LT(best, one.front().objectives[0]);
}

TEST_F(Compression, ElitistRunResumedEqualsUninterruptedRun) {
  const auto d = domain();
  const auto whole = run_engine(*d, elitist_config(1 + 16 * 10), 2);
  Workers workers(2);
  ThreadEvaluator eval(workers);
  FecCache cache;
  MemorySink first;
  Engine a(*d, elitist_config(1 + 16 * 4), workers, eval, cache, first);
  a.start(1);
  a.run(nullptr, nullptr);
  ASSERT_EQ(first.candidates.size(), 1u + 16 * 4);

  FecCache warm;
  for (const auto& [h, r] : first.cache_entries) warm.insert(h, r);
  std::deque<Member> parent;
  std::vector<Hash128> seen;
  for (const auto& c : first.candidates) {
    seen.push_back(c.functional_hash);
    if (c.id == first.last.population.at(0))
      parent.push_back(
          Member{c.id, c.birth, parse_program(c.text, d->signature()), c.functional_hash, c.valid, c.objectives});
  }
  MemorySink second;
  Engine b(*d, elitist_config(1 + 16 * 10), workers, eval, warm, second);
  b.remember(seen);
  b.restore(first.last, parent, {});
  b.run(nullptr, nullptr);
  std::vector<CandidateRecord> joined = first.candidates;
  joined.insert(joined.end(), second.candidates.begin(), second.candidates.end());
  EXPECT_EQ(fingerprint_of(joined), fingerprint_of(whole));
}

}  // namespace
}  // namespace evo::compression
