#include "tests/e2e_runs.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "store/database.h"
#include "store/runs.h"

namespace evo::test {

using nlohmann::json;

// The settings every run here uses: exp2 on [0, 1], at most 10 ops, population 100.
Args run_args(const std::string& db, long long budget, int threads, const std::string& name,
              long long seed) {
  return {"run",       "--domain", "funcapprox",
          "--set",     "target=exp2", "--set", "interval=0:1", "--set", "max_ops=10", "--set", "population=100",
          "--budget",  std::to_string(budget), "--seed", std::to_string(seed), "--threads", std::to_string(threads),
          "--db",      db, "--name", name, "-q"};
}

std::string show_cmd(const Args& args) {
  std::string s = "evo";
  for (const auto& a : args) s += " " + a;
  return s;
}

std::string describe(const Args& args, const Result& r) {
  return show_cmd(args) + "\nexit " + std::to_string(r.code) + "\n--- stdout:\n" + r.out.substr(0, 4000) +
         "\n--- stderr:\n" + r.err.substr(0, 4000);
}
// Runs evo and expects exit code 0.
Result ok(const Args& args) {
  Result r = run_evo(args);
  EXPECT_EQ(r.code, 0) << describe(args, r);
  return r;
}

json parse_json(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": not JSON (" << e.what() << "):\n" << text.substr(0, 2000);
    return json();
  }
}

json ok_json(const Args& args) { return parse_json(ok(args).out, show_cmd(args)); }

json runs_json(const std::string& db) { return ok_json({"runs", "--db", db, "--format", "json"}); }

// The entry of `evo runs --format json` for a run, or null.
json run_entry(const std::string& db, long long run) {
  const json all = runs_json(db);
  if (!all.is_array()) return json();
  for (const auto& r : all)
    if (r.is_object() && r.contains("run") && r["run"] == run) return r;
  return json();
}

long long evaluations_of(const std::string& db, long long run) {
  const json r = run_entry(db, run);
  if (!r.is_object() || !r["evaluations"].is_number_integer()) {
    ADD_FAILURE() << "no evaluations for run " << run << " in " << db << ": " << r.dump();
    return -1;
  }
  return r["evaluations"].get<long long>();
}

std::vector<CandidateRow> candidates_of(const std::string& db, std::int64_t run) {
  auto handle = open_database(db, OpenMode::read_only);
  return run_candidates(*handle, run);
}
// Every candidate identical: id, birth, program, objectives, parent (by birth), mutation,
// hashes, validity, cache use.
void expect_same_candidates(const std::vector<CandidateRow>& a, const std::vector<CandidateRow>& b,
                            const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what << ": candidate counts differ";
  std::map<std::int64_t, std::int64_t> birth_a, birth_b;
  for (const auto& c : a) birth_a[c.id] = c.birth;
  for (const auto& c : b) birth_b[c.id] = c.birth;
  auto parent_birth = [](const CandidateRow& c, const std::map<std::int64_t, std::int64_t>& births) -> std::int64_t {
    if (!c.parent) return -1;
    auto it = births.find(*c.parent);
    return it == births.end() ? -2 : it->second;
  };
  int mismatches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const CandidateRow& x = a[i];
    const CandidateRow& y = b[i];
    const bool same = x.id == y.id && x.birth == y.birth && x.program == y.program && x.objectives == y.objectives &&
                      parent_birth(x, birth_a) == parent_birth(y, birth_b) && x.parent.has_value() == y.parent.has_value() &&
                      x.mutation == y.mutation && x.valid == y.valid && x.invalid_reason == y.invalid_reason &&
                      x.ops == y.ops && x.structural_hash == y.structural_hash &&
                      x.functional_hash == y.functional_hash && x.cache_hit == y.cache_hit;
    if (same) continue;
    if (++mismatches <= 3) {
      std::ostringstream ss;
      ss << what << ": candidate #" << i << " differs\n  a: id " << x.id << " birth " << x.birth << " parent-birth "
         << parent_birth(x, birth_a) << " mutation " << x.mutation << " valid " << x.valid << " cache_hit "
         << x.cache_hit << " objectives";
      for (const auto& [n, v] : x.objectives) ss << " " << n << "=" << v;
      ss << "\n" << x.program << "  b: id " << y.id << " birth " << y.birth << " parent-birth "
         << parent_birth(y, birth_b) << " mutation " << y.mutation << " valid " << y.valid << " cache_hit "
         << y.cache_hit << " objectives";
      for (const auto& [n, v] : y.objectives) ss << " " << n << "=" << v;
      ss << "\n" << y.program;
      ADD_FAILURE() << ss.str();
    }
  }
  EXPECT_EQ(mismatches, 0) << what << ": " << mismatches << " of " << a.size() << " candidates differ";
}

// Births 0..n-1, each once, ids unique.
void expect_contiguous(const std::vector<CandidateRow>& c, std::size_t n, const std::string& what) {
  ASSERT_EQ(c.size(), n) << what;
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c[i].birth, static_cast<std::int64_t>(i)) << what;
    ids.push_back(c[i].id);
    if (c[i].birth != static_cast<std::int64_t>(i)) break;
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_TRUE(std::adjacent_find(ids.begin(), ids.end()) == ids.end()) << what << ": duplicate candidate ids";
}
// Polls the database until the run has committed at least one batch (or times out).
long long wait_for_commit(const std::string& db, double seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
    try {
      if (file_exists(db)) {
        auto handle = open_database(db, OpenMode::read_only);
        auto run = get_run(*handle, 1);
        if (run && run->evaluations > 0) return run->evaluations;
      }
    } catch (const std::exception&) {
      // not created yet, or mid-creation
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

}  // namespace evo::test
