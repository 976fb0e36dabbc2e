// keep_programs=K: a run keeps the program text of its best K candidates (by the primary
// objective; ties by the other objectives in order, then the older), of every candidate on
// its Pareto front, and of its population and unfinished batch (which a resume reads
// back). Every other candidate keeps its hashes, objectives, lineage and validity, with an
// empty program, so the database stays small on long runs.
//
// What is kept depends only on the candidates so far, so a resumed run drops exactly what
// the uninterrupted run drops; and a candidate once dropped never rejoins the best K or
// the front (something at least as good came before it), so the kept ones are enough to
// rebuild both on resume.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace evo {

class ProgramKeeper {
 public:
  using Directions = std::vector<std::pair<std::string, bool>>;  // (objective, minimize)
  using Values = std::vector<std::pair<std::string, double>>;     // empty for an invalid candidate

  // `ranking`: every objective of the run, primary first; `steering`: those that define the
  // Pareto front (as in pareto_front).
  ProgramKeeper(std::size_t best, Directions ranking, Directions steering);

  // A candidate whose program is in the store, in id order.
  void admit(std::int64_t id, const Values& objectives);
  // The candidates whose programs may go now that `members` are the population (and the
  // unfinished batch); forgets them.
  std::vector<std::int64_t> release(const std::vector<std::int64_t>& members);

  std::size_t held() const { return held_.size(); }

 private:
  struct Point {
    std::vector<double> v;  // oriented: smaller is better
    std::int64_t id;
    bool operator<(const Point& o) const { return v != o.v ? v < o.v : id < o.id; }
  };
  static bool oriented(const Directions& d, const Values& objectives, std::vector<double>& out);

  std::size_t best_;
  Directions ranking_, steering_;
  std::set<Point> top_;         // the best `best_` so far
  std::vector<Point> front_;    // the Pareto front so far (oldest of equals)
  std::unordered_set<std::int64_t> held_;  // candidates whose program is stored
};

}  // namespace evo
