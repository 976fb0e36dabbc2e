// Helpers for tests that drive the engine directly: a sink that keeps every batch in
// memory, a whole run from scratch, and what must be identical between two runs that
// should agree.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "search/batch.h"
#include "search/batch_evaluator.h"
#include "search/engine.h"
#include "search/program_text.h"

namespace evo {

struct MemorySink : BatchSink {
  std::vector<CandidateRecord> candidates;
  std::vector<std::pair<Hash128, CachedResult>> cache_entries;
  EngineState last;
  int batches = 0;
  void commit(BatchRecord b) override {
    for (auto& c : b.candidates) candidates.push_back(std::move(c));
    for (auto& e : b.new_cache_entries) cache_entries.push_back(std::move(e));
    last = b.state;
    ++batches;
  }
};

// Every candidate's id, birth, parent, mutation, program, validity and objectives.
inline std::vector<std::string> fingerprint_of(const std::vector<CandidateRecord>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) {
    std::string s = std::to_string(c.id) + "|" + std::to_string(c.birth) + "|" + std::to_string(c.parent) + "|" +
                    std::string(mutation_name(c.mutation)) + "|" + c.text + "|" + (c.valid ? "v" : "i");
    for (double v : c.objectives) {
      s += '|';  // appended in two steps: GCC 12 warns falsely (-Wrestrict) on "|" + string
      s += hex_double(v);
    }
    out.push_back(s);
  }
  return out;
}

// A new run of `cfg` on `threads` threads with an empty cache; its candidates in order.
inline std::vector<CandidateRecord> run_engine(const Domain& d, EngineConfig cfg, int threads,
                                               RunStats* stats = nullptr) {
  Workers workers(threads);
  ThreadEvaluator eval(workers);
  FecCache cache;
  MemorySink sink;
  Engine engine(d, cfg, workers, eval, cache, sink);
  engine.start(1);
  engine.run(nullptr, nullptr);
  if (stats) *stats = engine.state().stats;
  return sink.candidates;
}

}  // namespace evo
