// The progress line on stderr: evaluations, rate, best objective, cache hit rate and the
// time left. Redrawn in place on a terminal; plain lines every few seconds otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "search/batch.h"

namespace evo::cli {

class ProgressLine {
 public:
  // `start_evals`: evaluations the run had before this session (the rate counts only new ones).
  // `time_limit`: the session's --time-limit in seconds (0: none), which bounds the time left.
  ProgressLine(bool enabled, std::uint64_t budget, std::uint64_t start_evals, std::string objective,
               double time_limit = 0);
  void update(const RunStats& s);
  void finish(const RunStats& s);
  double seconds() const;
  double rate(const RunStats& s) const;  // evaluations per second in this session

 private:
  std::string line(const RunStats& s) const;
  std::string eta(const RunStats& s) const;
  bool enabled_, tty_;
  double time_limit_;
  std::uint64_t budget_, start_evals_;
  std::string objective_;
  std::chrono::steady_clock::time_point t0_, last_;
};

}  // namespace evo::cli
