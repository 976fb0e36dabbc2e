// Helpers for end-to-end tests that start searches and look at what they committed: the
// standard small run, evo's exit code and JSON output, the candidates in a database.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/queries.h"
#include "tests/e2e_support.h"

namespace evo::test {

using Args = std::vector<std::string>;

inline constexpr int kSeed = 7;

// The settings every small run uses: exp2 on [0, 1], at most 10 ops, population 100.
Args run_args(const std::string& db, long long budget, int threads, const std::string& name = "run",
              long long seed = kSeed);

std::string show_cmd(const Args& args);                   // "evo run --db ..."
std::string describe(const Args& args, const Result& r);  // the command, its exit code and output
Result ok(const Args& args);                              // runs evo, expects exit code 0
nlohmann::json parse_json(const std::string& text, const std::string& what);
nlohmann::json ok_json(const Args& args);  // ok(), its stdout parsed
nlohmann::json runs_json(const std::string& db);
nlohmann::json run_entry(const std::string& db, long long run = 1);  // `evo runs` entry, or null
long long evaluations_of(const std::string& db, long long run = 1);
std::vector<CandidateRow> candidates_of(const std::string& db, std::int64_t run = 1);

// Every candidate identical: id, birth, program, objectives, parent (by birth), mutation,
// hashes, validity, cache use.
void expect_same_candidates(const std::vector<CandidateRow>& a, const std::vector<CandidateRow>& b,
                            const std::string& what);
// Births 0..n-1, each once, ids unique.
void expect_contiguous(const std::vector<CandidateRow>& c, std::size_t n, const std::string& what);

// Polls the database until run 1 has committed at least one batch; its evaluations, or 0
// after `seconds`.
long long wait_for_commit(const std::string& db, double seconds = 20);

}  // namespace evo::test
