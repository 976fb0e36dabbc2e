#include "tools/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace evo::cli {

ProgressLine::ProgressLine(bool enabled, std::uint64_t budget, std::uint64_t start_evals, std::string objective,
                           double time_limit)
    : enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      time_limit_(time_limit),
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

// "ETA 1m05s": the budget left at this session's rate, or the time limit if that comes first.
std::string ProgressLine::eta(const RunStats& s) const {
  const double r = rate(s);
  double left = -1;
  if (r > 0 && budget_ > s.evaluations) left = static_cast<double>(budget_ - s.evaluations) / r;
  if (budget_ <= s.evaluations) left = 0;
  if (time_limit_ > 0) left = left < 0 ? time_limit_ - seconds() : std::min(left, time_limit_ - seconds());
  if (left < 0) return "ETA -";
  if (left > 3.6e7) return "ETA >10000h";
  const auto secs = static_cast<long long>(left + 0.5);
  char buf[48];
  if (secs >= 3600) std::snprintf(buf, sizeof buf, "ETA %lldh%02lldm", secs / 3600, secs / 60 % 60);
  else if (secs >= 60) std::snprintf(buf, sizeof buf, "ETA %lldm%02llds", secs / 60, secs % 60);
  else std::snprintf(buf, sizeof buf, "ETA %llds", secs);
  return buf;
}

std::string ProgressLine::line(const RunStats& s) const {
  char best[32] = "-";
  if (!s.best_objectives.empty()) std::snprintf(best, sizeof best, "%.4g", s.best_objectives[0]);
  char speed[32];
  const double r = rate(s);
  if (r >= 1000) std::snprintf(speed, sizeof speed, "%.1fk/s", r / 1000.0);
  else std::snprintf(speed, sizeof speed, "%.3g/s", r);
  char buf[256];
  std::snprintf(buf, sizeof buf, "evals %llu/%llu (%.0f%%)  %s  best %s %s  cache hits %.1f%%  %s",
                static_cast<unsigned long long>(s.evaluations), static_cast<unsigned long long>(budget_),
                budget_ ? 100.0 * static_cast<double>(s.evaluations) / static_cast<double>(budget_) : 0.0, speed,
                objective_.c_str(), best, 100.0 * s.hit_rate(), eta(s).c_str());
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
