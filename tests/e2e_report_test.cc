// End-to-end tests of `evo report`: the HTML page of a run, loaded in headless Chromium
// (Debian's chromium, installed by tools/bootstrap.sh), with every plot present and drawn
// from data; a screenshot of it is left in the test's working directory.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

const std::vector<std::string> kPlots = {"best", "front", "cache", "throughput", "diversity", "lineage"};

// data-plot id -> data-points, for every <svg class="plot"> in the page.
std::map<std::string, long> plots_in(const std::string& html) {
  std::map<std::string, long> out;
  static const std::regex svg(R"re(<svg class="plot" data-plot="([a-z_]+)" data-points="([0-9]+)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), svg); it != std::sregex_iterator(); ++it)
    out[(*it)[1].str()] = std::stol((*it)[2].str());
  return out;
}

std::vector<std::string> chromium(const ScratchDir& dir, std::vector<std::string> args) {
  std::vector<std::string> base = {"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + dir.file("profile"),
                                   "--enable-logging=stderr", "--v=0"};
  base.insert(base.end(), args.begin(), args.end());
  return base;
}

std::vector<std::string> small_run(const std::string& db, const std::string& budget) {
  return {"run", "--domain", "funcapprox", "--set", "target=exp2", "--set", "interval=0:1", "--set", "selection=nsga2",
          "--set", "population=100", "--budget", budget, "--seed", "3", "--threads", "2", "--db", db, "-q"};
}

TEST(ReportCli, EveryPlotHasDataAndThePageLoadsInChromium) {
  ScratchDir dir;
  const std::string db = dir.file("r.db"), page = dir.file("report.html");
  ASSERT_EQ(run_evo(small_run(db, "1500")).code, 0);
  ASSERT_EQ(run_evo({"resume", "--db", db, "--run", "1", "--budget", "2500", "-q"}).code, 0);
  // A progress row per commit, over two sessions: batches of 64 end at multiples of 64 and
  // where a session stops (1500, 2500), 41 commits unless the writer merged some.
  const Result rows = run_program("sqlite3", {db, "SELECT count(*), max(session), max(evaluations), "
                                                  "sum(births IN (1500, 2500)), sum(births % 64 != 0) FROM progress"});
  ASSERT_EQ(rows.code, 0) << rows.err;
  const std::regex counts(R"(([0-9]+)\|2\|2500\|2\|2\n)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(rows.out, m, counts)) << rows.out;
  EXPECT_GE(std::stoi(m[1].str()), 2);
  EXPECT_LE(std::stoi(m[1].str()), 41);

  const std::string before = file_digest(db);
  const Result r = run_evo({"report", "--db", db, "--run", "1", "--out", page});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(file_digest(db), before) << "a report only reads";
  const std::string html = read_file(page);
  const auto plots = plots_in(html);
  for (const auto& id : kPlots) {
    ASSERT_TRUE(plots.count(id)) << "missing plot " << id;
    EXPECT_GT(plots.at(id), 0) << "plot " << id << " has no data";
  }
  // Self-contained: nothing to fetch, nothing to run.
  for (const char* ref : {"src=", "href=", "<script", "<link", "url("}) EXPECT_EQ(html.find(ref), std::string::npos) << ref;
  // The front plot shows the minimax polynomials beside the run's front.
  EXPECT_NE(html.find("data-series=\"minimax\""), std::string::npos);
  EXPECT_NE(html.find("data-series=\"Pareto front\""), std::string::npos);

  // Chromium parses the page without a console message and lays out every plot.
  const Result dom = run_program("chromium", chromium(dir, {"--dump-dom", "file://" + page}));
  ASSERT_EQ(dom.code, 0) << dom.err;
  EXPECT_EQ(dom.err.find("CONSOLE"), std::string::npos) << dom.err;
  EXPECT_EQ(plots_in(dom.out), plots);
  EXPECT_NE(dom.out.find("</html>"), std::string::npos);

  const std::string shot = dir.file("report.png");
  const Result s = run_program("chromium", chromium(dir, {"--hide-scrollbars", "--window-size=1100,3600",
                                                         "--screenshot=" + shot, "file://" + page}));
  ASSERT_EQ(s.code, 0) << s.err;
  const std::string png = read_file(shot);
  ASSERT_GT(png.size(), 20000u) << "a blank page compresses to a few kB";
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  write_file("report_screenshot.png", png);  // kept beside the test binary's working directory
}

TEST(ReportCli, ARunWithoutProgressRecordsIsStillReported) {
  ScratchDir dir;
  const std::string db = dir.file("old.db"), page = dir.file("old.html");
  ASSERT_EQ(run_evo(small_run(db, "600")).code, 0);
  // A database written before evo kept progress records.
  ASSERT_EQ(run_program("sqlite3", {db, "DROP TABLE progress"}).code, 0);
  const Result r = run_evo({"report", "--db", db, "--run", "1", "--out", page, "--no-baselines"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = read_file(page);
  const auto plots = plots_in(html);
  EXPECT_GT(plots.at("best"), 0);
  EXPECT_GT(plots.at("front"), 0);
  EXPECT_EQ(plots.count("cache"), 0u);
  EXPECT_NE(html.find("No progress records"), std::string::npos);
  EXPECT_EQ(html.find("data-series=\"minimax\""), std::string::npos);
}

TEST(ReportCli, NamesAndSettingsAreEscaped) {
  ScratchDir dir;
  const std::string db = dir.file("r.db"), page = dir.file("r.html");
  std::vector<std::string> args = small_run(db, "200");
  args.insert(args.end(), {"--name", "<b id=\"x\">bold & 'quoted'</b>"});
  ASSERT_EQ(run_evo(args).code, 0);
  ASSERT_EQ(run_evo({"report", "--db", db, "--run", "1", "--out", page, "--no-baselines"}).code, 0);
  const std::string html = read_file(page);
  EXPECT_EQ(html.find("<b id"), std::string::npos);
  EXPECT_NE(html.find("&lt;b id=&quot;x&quot;&gt;bold &amp; 'quoted'&lt;/b&gt;"), std::string::npos);
}

TEST(ReportCli, BadInputIsOneLineAndExitTwo) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  ASSERT_EQ(run_evo(small_run(db, "200")).code, 0);
  const std::string before = file_digest(db);
  // The page never replaces the database, its journal, another database or a directory.
  expect_input_error({"report", "--db", db, "--run", "1", "--out", db});
  expect_input_error({"report", "--db", db, "--run", "1", "--out", db + "-wal"});
  expect_input_error({"report", "--db", db, "--run", "1", "--out", dir.path()});
  const std::string other = dir.file("other.db");
  ASSERT_EQ(run_evo(small_run(other, "100")).code, 0);
  expect_input_error({"report", "--db", db, "--run", "1", "--out", other});
  expect_input_error({"report", "--db", "", "--run", "1"});
  expect_input_error({"report", "--db", db});
  expect_input_error({"report", "--db", db, "--run", "7"});
  expect_input_error({"report", "--db", db, "--run", "x"});
  expect_input_error({"report", "--db", db, "--run", "1", "--out", dir.file("no/such/dir/r.html")});
  expect_input_error({"report", "--db", dir.file("missing.db"), "--run", "1"});
  EXPECT_EQ(file_digest(db), before);
  EXPECT_FALSE(file_exists(dir.file("missing.db")));
}

}  // namespace
}  // namespace evo::test
