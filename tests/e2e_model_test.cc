// `evo model` through the real binary: a short training run writes a safetensors model
// that `evo model show` reads back; bad input gets one line and exit code 2.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(EvoModel, TrainWritesAModelThatShowReads) {
  ScratchDir dir;
  const std::string out = dir.file("m.safetensors");
  const Result r = run_evo({"model", "train", "--out", out, "--width", "32", "--blocks", "10", "--epochs", "1",
                            "--train-size", "2000", "--batch", "32", "--lr", "0.003"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;  // one line per epoch
  EXPECT_NE(r.out.find("12 linear layers"), std::string::npos) << r.out;
  const Result show = run_evo({"model", "show", out, "--format", "json"});
  ASSERT_EQ(show.code, 0) << show.err;
  const auto j = nlohmann::json::parse(show.out);
  ASSERT_EQ(j["layers"].size(), 12u);
  EXPECT_EQ(j["layers"][0]["inputs"], 784);
  EXPECT_EQ(j["layers"][0]["residual"], false);
  EXPECT_EQ(j["layers"][1]["residual"], true);
  EXPECT_EQ(j["layers"][11]["outputs"], 10);
  const double acc = std::stod(j["metadata"]["test_accuracy"].get<std::string>());
  EXPECT_GT(acc, 0.3);  // one epoch over 2,000 images; chance is 0.1
  EXPECT_EQ(j["metadata"]["train_images"], "2000");
  EXPECT_LE(acc, 1.0);
  EXPECT_EQ(j["parameters"], 784 * 32 + 32 + 10 * (32 * 32 + 32) + 32 * 10 + 10);
}

TEST(EvoModel, BadInputIsOneLineAndExitTwo) {
  ScratchDir dir;
  write_file(dir.file("junk.safetensors"), "not a model at all");
  const std::vector<std::vector<std::string>> cases = {
      {"model"},
      {"model", "frob"},
      {"model", "train"},
      {"model", "train", "--out", dir.file("x"), "--width", "0"},
      {"model", "train", "--out", dir.file("x"), "--epochs", "many"},
      {"model", "train", "--out", dir.file("x"), "--lr", "-1"},
      {"model", "train", "--out", dir.file("x"), "--train-size", "10"},
      // An output that cannot be written is refused before training, not after.
      {"model", "train", "--out", ""},
      {"model", "train", "--out", dir.path()},
      {"model", "train", "--out", dir.file("no/such/dir/m.safetensors")},
      {"model", "show"},
      {"model", "show", dir.file("missing.safetensors")},
      {"model", "show", dir.file("junk.safetensors")},
      {"model", "show", dir.file("junk.safetensors"), "--format", "xml"},
  };
  for (const auto& args : cases) {
    expect_input_error(args);
    EXPECT_FALSE(file_exists(dir.file("x"))) << args.back();
  }
}

}  // namespace
}  // namespace evo::test
