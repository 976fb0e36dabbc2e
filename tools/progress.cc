#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>

namespace evo::cli {

ProgressLine::ProgressLine(bool enabled, std::uint64_t budget, std::uint64_t start_evals, std::string objective)
    : enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      budget_(budget),
      start_evals_(start_evals),
      objective_(std::move(objective)),
      t0_(std::chrono::steady_clock::now()),
      last_(t0_) {}

double ProgressLine::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

double ProgressLine::rate(const RunStats& s) const {
  const double secs = seconds();
  return secs > 0 ? static_cast<double>(s.evaluations - start_evals_) / secs : 0.0;
}

std::string ProgressLine::line(const RunStats& s) const {
  char best[32] = "-";
  if (!s.best_objectives.empty()) std::snprintf(best, sizeof best, "%.4g", s.best_objectives[0]);
  char buf[256];
  std::snprintf(buf, sizeof buf, "evals %llu/%llu (%.0f%%)  %.1fk/s  best %s %s  cache hits %.1f%%",
                static_cast<unsigned long long>(s.evaluations), static_cast<unsigned long long>(budget_),
                budget_ ? 100.0 * static_cast<double>(s.evaluations) / static_cast<double>(budget_) : 0.0,
                rate(s) / 1000.0, objective_.c_str(), best, 100.0 * s.hit_rate());
  return buf;
}

void ProgressLine::update(const RunStats& s) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_).count() < (tty_ ? 0.25 : 5.0)) return;
  last_ = now;
  if (tty_) std::fprintf(stderr, "\r\033[K%s", line(s).c_str());
  else std::fprintf(stderr, "%s\n", line(s).c_str());
}

void ProgressLine::finish(const RunStats& s) {
  if (!enabled_) return;
  std::fprintf(stderr, tty_ ? "\r\033[K%s\n" : "%s\n", line(s).c_str());
}

}  // namespace evo::cli
