// `evo run --domain compression` through the real binary, on a small trained model: an
// elitist run stopped and resumed gives the candidates of one that never stopped; the best
// layout beats uniform; it exports as JSON and as a safetensors model `evo model show`
// reads; `evo baselines` lists the run beside the baselines; bad settings (an impossible budget
// among them) get one line and exit code 2 with the database unchanged, and an export never
// replaces the model.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

class EvoCompression : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir;
    const Result r = run_evo({"model", "train", "--out", model(), "--width", "24", "--blocks", "4", "--epochs", "1",
                              "--train-size", "2000", "-q"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string model() { return dir_->file("m.safetensors"); }
  static std::vector<std::string> run_args(const std::string& db, const std::string& budget) {
    return {"run",       "--domain",   "compression",          "--set",    "model=" + model(),
            "--set",     "calibration=256",                    "--set",    "samples=256",
            "--set",     "step=256",
            "--set",     "screen_samples=32,64",               "--set",    "screen_keep=4,2",
            "--set",     "selection=elitist",                  "--set",    "batch=16",
            "--budget",  budget,       "--db",                 db,         "-q"};
  }
  static ScratchDir* dir_;
};
ScratchDir* EvoCompression::dir_ = nullptr;

std::string candidates(const std::string& db) {
  const Result r = run_evo({"best", "--db", db, "--run", "1", "--top", "1000", "--format", "json"});
  return r.out;
}

TEST_F(EvoCompression, ResumedRunEqualsUninterruptedAndExports) {
  const std::string whole = dir_->file("whole.db"), parts = dir_->file("parts.db");
  ASSERT_EQ(run_evo(run_args(whole, "161")).code, 0);
  ASSERT_EQ(run_evo(run_args(parts, "65")).code, 0);
  const Result resumed = run_evo({"resume", "--db", parts, "--run", "1", "--budget", "161", "-q"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(candidates(whole), candidates(parts));

  const Result base = run_evo({"baselines", "--domain", "compression", "--set", "model=" + model(), "--set",
                               "calibration=256", "--set", "samples=256", "--set", "step=256", "--db", whole, "--run", "1", "--format",
                               "json"});
  ASSERT_EQ(base.code, 0) << base.err;
  const auto rows = nlohmann::json::parse(base.out);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["family"], "uniform");
  EXPECT_EQ(rows[3]["family"], "evo");
  EXPECT_LT(rows[3]["kl"].get<double>(), rows[0]["kl"].get<double>());

  const auto best = nlohmann::json::parse(run_evo({"best", "--db", whole, "--format", "json"}).out);
  const std::string id = std::to_string(best[0]["candidate"].get<long long>());
  const Result js = run_evo({"export", "--db", whole, "--candidate", id, "--lang", "json"});
  ASSERT_EQ(js.code, 0) << js.err;
  const auto layout = nlohmann::json::parse(js.out);
  EXPECT_EQ(layout["layers"].size(), 6u);
  EXPECT_NEAR(layout["budget"]["sparsity"].get<double>(), 0.7, 0.01);
  // Without --lang a domain with no C++ form writes json.
  const Result plain = run_evo({"export", "--db", whole, "--candidate", id});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(plain.out, js.out);
  // --lang text is the program text, which evo eval reads back under the run's settings.
  const Result text = run_evo({"export", "--db", whole, "--candidate", id, "--lang", "text"});
  ASSERT_EQ(text.code, 0) << text.err;
  write_file(dir_->file("layout.txt"), text.out);
  const Result again = run_evo({"eval", "--domain", "compression", "--set", "model=" + model(), "--set", "calibration=256",
                                "--set", "samples=256", "--set", "step=256", "--program", dir_->file("layout.txt"),
                                "--format", "json"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("\"kl\""), std::string::npos) << again.out;
  const std::string out = dir_->file("compressed.safetensors");
  ASSERT_EQ(run_evo({"export", "--db", whole, "--candidate", id, "--lang", "safetensors", "-o", out}).code, 0);
  const Result show = run_evo({"model", "show", out, "--format", "json"});
  ASSERT_EQ(show.code, 0) << show.err;
  const auto shown = nlohmann::json::parse(show.out);
  EXPECT_EQ(shown["layers"].size(), 6u);
  // The dense model's accuracy is named as the dense model's, not as this one's.
  EXPECT_FALSE(shown["metadata"].contains("test_accuracy")) << shown["metadata"].dump();
  EXPECT_TRUE(shown["metadata"].contains("dense_test_accuracy")) << shown["metadata"].dump();
  EXPECT_EQ(shown["metadata"]["format"], "evo compressed model");
}

TEST_F(EvoCompression, BadSettingsAreOneLineAndExitTwo) {
  const std::string db = dir_->file("bad.db");
  ASSERT_EQ(run_evo(run_args(db, "17")).code, 0);
  const std::string before = file_digest(db);
  // The level databases beside the model so far: this run's, and those of runs with the same settings.
  std::vector<std::string> levels;
  for (const auto& e : std::filesystem::directory_iterator(dir_->path()))
    if (e.path().string().find(".levels-") != std::string::npos) levels.push_back(e.path().string());
  const std::vector<std::vector<std::string>> cases = {
      {"run", "--domain", "compression", "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + dir_->file("none.safetensors"), "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "sparsity=1.5", "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "method=zip", "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "screen_keep=2,4", "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "data=" + db, "--db", db},
      // Budgets no layout meets: refused, not clamped to the nearest layout.
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "sparsity=0.9", "--set",
       "max_sparsity=0.5", "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "method=rtn", "--set", "bits=1.5",
       "--db", db},
      // The other family's budget, which the method would ignore.
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "method=gptq", "--set", "sparsity=0.5",
       "--db", db},
      {"run", "--domain", "compression", "--set", "model=" + model(), "--set", "bits=4", "--db", db},
  };
  for (const auto& args : cases) {
    expect_input_error(args);
  }
  EXPECT_EQ(file_digest(db), before);

  // Exporting over the model the run reads would lose it.
  const std::string model_before = file_digest(model());
  const auto best = nlohmann::json::parse(run_evo({"best", "--db", db, "--format", "json"}).out);
  const std::string id = std::to_string(best[0]["candidate"].get<long long>());
  expect_input_error({"export", "--db", db, "--candidate", id, "--lang", "safetensors", "-o", model()});
  expect_input_error({"report", "--db", db, "--run", "1", "--no-baselines", "--out", model()});
  // Nor over the level database the run keeps beside the model.
  ASSERT_FALSE(levels.empty()) << "no level database beside the model";
  for (const std::string& file : levels) {
    const std::string file_before = file_digest(file);
    expect_input_error({"export", "--db", db, "--candidate", id, "--lang", "safetensors", "-o", file});
    expect_input_error({"report", "--db", db, "--run", "1", "--no-baselines", "--out", file});
    EXPECT_EQ(file_digest(file), file_before) << file;
  }
  // Nor does training a model replace a database.
  expect_input_error({"model", "train", "--out", db, "--epochs", "1", "--width", "8", "--blocks", "0", "--train-size",
                      "500", "-q"});
  EXPECT_EQ(file_digest(db), before);
  // A layout has no C++ form, in show as in export.
  expect_input_error({"show", "--db", db, "--candidate", id, "--format", "cpp"});
  EXPECT_EQ(file_digest(model()), model_before);
}

// A model named relative to the directory a run starts in is stored with its absolute path:
// the run resumes and exports from anywhere.
TEST_F(EvoCompression, ARelativeModelPathWorksFromAnotherDirectory) {
  const std::string db = dir_->file("relative.db");
  std::vector<std::string> args = run_args(db, "17");
  std::replace(args.begin(), args.end(), "model=" + model(), std::string("model=m.safetensors"));
  std::string line = "cd '" + dir_->path() + "' && exec '" EVO_BINARY "'";
  for (const auto& a : args) line += " '" + a + "'";
  const Result started = run_program("sh", {"-c", line});
  ASSERT_EQ(started.code, 0) << started.err;
  const auto runs = nlohmann::json::parse(run_evo({"runs", "--db", db, "--format", "json"}).out);
  EXPECT_EQ(runs[0]["settings"]["model"], model()) << runs.dump(2);
  const Result resumed = run_evo({"resume", "--db", db, "--run", "1", "--budget", "33", "-q"});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  const auto best = nlohmann::json::parse(run_evo({"best", "--db", db, "--format", "json"}).out);
  const std::string id = std::to_string(best[0]["candidate"].get<long long>());
  const Result exported = run_evo({"export", "--db", db, "--candidate", id, "--lang", "json"});
  EXPECT_EQ(exported.code, 0) << exported.err;
}

// The model a run reads is replaced by another (fewer layers): resume refuses with one line
// that points at the model, and show still prints a stored candidate as text and JSON.
TEST_F(EvoCompression, AChangedModelIsNamedAndStoredCandidatesStillShow) {
  const std::string own = dir_->file("own.safetensors"), db = dir_->file("changed.db");
  write_file(own, read_file(model()));
  std::vector<std::string> args = run_args(db, "17");
  std::replace(args.begin(), args.end(), "model=" + model(), "model=" + own);
  ASSERT_EQ(run_evo(args).code, 0);
  ASSERT_EQ(run_evo({"model", "train", "--out", own, "--width", "16", "--blocks", "2", "--epochs", "1", "--train-size",
                     "500", "-q"}).code, 0);
  const std::string before = file_digest(db);
  const Result r = run_evo({"resume", "--db", db, "--run", "1", "--budget", "40", "-q"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("'model "), std::string::npos) << r.err;
  EXPECT_EQ(file_digest(db), before);
  for (const char* format : {"text", "json"}) {
    const Result shown = run_evo({"show", "--db", db, "--candidate", "3", "--format", format});
    EXPECT_EQ(shown.code, 0) << format << ": " << shown.err;
    EXPECT_NE(shown.out.find("layer0"), std::string::npos) << format << ": " << shown.out;
  }
}

}  // namespace
}  // namespace evo::test
