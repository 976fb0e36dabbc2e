// Helpers for tests that drive the engine directly: a sink that keeps every batch in
// memory, and what must be identical between two runs that should agree.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "search/batch.h"
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

}  // namespace evo
