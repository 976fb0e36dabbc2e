// What a program's structure can reach with better constants. For a funcapprox program, or
// for each structure a run built (its valid candidates within the run's max_ops, grouped by
// shape: constants folded, canonical form, immediates ignored), this prints the error of
// the program as stored, after three rounds of the run's own polish, and after a
// multi-start: STARTS random constant vectors (log-uniform magnitudes in [2^-4, 2^20],
// random signs), each matched to the target's power series about the interval's ends and
// middle with up to ITERATIONS Levenberg–Marquardt steps per order, then polished three
// rounds. If the multi-start is far below the polish, the search had the structure and
// missed its constants; if not, constants are not what the structure lacks.
//
//   structure_reach --db DB [--run N] [--min-divs D] [--top K] [--starts S] [--iterations I]
//   structure_reach --program FILE [--set key=value ...] [--starts S] [--iterations I]
//
// With --db, the K shapes with at least D divisions that reached the lowest errors.
// Deterministic: the starts' generator is seeded from the shape's rank.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "evaluators/funcapprox/baselines.h"
#include "evaluators/funcapprox/series_match.h"
#include "evaluators/funcapprox/targets.h"
#include "evaluators/registry.h"
#include "hashing/canonical.h"
#include "search/mutation.h"
#include "search/program_text.h"
#include "search/rng.h"
#include "store/database.h"
#include "store/runs.h"

using namespace evo;
using namespace evo::funcapprox;

namespace {

struct Options {
  std::string db, program;
  std::int64_t run = 1;
  int min_divs = 2, top = 20, starts = 20, iterations = 1000;
  std::map<std::string, std::string> settings;
};

// The target's series about the interval's ends and middle, as fit_start=series uses them.
std::vector<SeriesPoint> series_points(const std::map<std::string, std::string>& settings) {
  const std::string target = settings.count("target") ? settings.at("target") : "exp2";
  std::string interval = settings.count("interval") ? settings.at("interval") : "0:1";
  const long double lo = std::stold(interval.substr(0, interval.find(':')));
  const long double hi = std::stold(interval.substr(interval.find(':') + 1));
  std::vector<SeriesPoint> out;
  for (auto [center, radius] : {std::pair{lo, hi - lo}, std::pair{(lo + hi) / 2, (hi - lo) / 2}, std::pair{hi, hi - lo}}) {
    SeriesPoint pt;
    pt.center = center;
    pt.radius = radius;
    pt.target = taylor_coefficients(*find_target(target), center, 47);
    pt.scale = 1 / std::fabs(pt.target[0]);
    out.push_back(std::move(pt));
  }
  return out;
}

double error_of(const Domain& d, const Program& p) {
  const Evaluation ev = d.evaluate(p);
  return ev.valid ? ev.values[0] : INFINITY;
}

Program with_constants(Program p, const std::vector<double>& c) {
  std::size_t k = 0;
  for (Instr& in : p.code)
    if (in.imm_position() >= 0) in.imm = c[k++];
  return p;
}

void polish3(const Domain& d, Program& p) {
  for (int i = 0; i < 3; ++i) d.polish(p, MutationKind::insert);
}

void reach(const Domain& d, const std::vector<SeriesPoint>& points, const Program& p, const Options& o, int rank) {
  const auto t0 = std::chrono::steady_clock::now();
  Program polished = p;
  polish3(d, polished);
  const double stored = error_of(d, p), local = error_of(d, polished);
  double best = local;
  Program best_program = polished;
  Rng rng(0x5eed + static_cast<std::uint64_t>(rank));
  for (int s = 0; s < o.starts; ++s) {
    Program start = p;
    for (Instr& in : start.code)
      if (in.imm_position() >= 0) {
        const double m = std::exp2(rng.uniform(-4, 20));
        in.imm = rng.chance(0.5) ? m : -m;
      }
    for (const SeriesPoint& pt : points) {
      const auto c = series_matched_constants(start, pt, o.iterations);
      if (!c) continue;
      Program q = with_constants(start, *c);
      polish3(d, q);
      const double e = error_of(d, q);
      if (e < best) best = e, best_program = std::move(q);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("#%d  stored %.3g  polished %.3g  multi-start %.3g  (%.1f s)\n", rank, stored, local, best, seconds);
  if (best < local / 2) std::printf("%s", to_text(best_program).c_str());
  std::fflush(stdout);
}

int usage() {
  std::fprintf(stderr,
               "usage: structure_reach (--db DB [--run N] [--min-divs D] [--top K] | --program FILE [--set k=v ...])"
               " [--starts S] [--iterations I]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (a == "--db") o.db = v;
    else if (a == "--program") o.program = v;
    else if (a == "--run") o.run = std::stoll(v);
    else if (a == "--min-divs") o.min_divs = std::stoi(v);
    else if (a == "--top") o.top = std::stoi(v);
    else if (a == "--starts") o.starts = std::stoi(v);
    else if (a == "--iterations") o.iterations = std::stoi(v);
    else if (a == "--set" && v.find('=') != std::string::npos) o.settings[v.substr(0, v.find('='))] = v.substr(v.find('=') + 1);
    else return usage();
  }
  if (o.db.empty() == o.program.empty()) return usage();

  if (!o.program.empty()) {
    std::ifstream in(o.program);
    std::stringstream text;
    text << in.rdbuf();
    o.settings.emplace("precision", "real");
    o.settings["fit_start"] = "series";
    const auto d = make_domain("funcapprox", o.settings);
    reach(*d, series_points(o.settings), parse_program(text.str(), d->signature()), o, 0);
    return 0;
  }

  const auto db = open_database(o.db, OpenMode::read_only);
  const auto run = get_run(*db, o.run);
  if (!run || run->domain != "funcapprox") {
    std::fprintf(stderr, "no funcapprox run %lld in %s\n", static_cast<long long>(o.run), o.db.c_str());
    return 2;
  }
  for (const auto& [k, v] : run->settings.items()) o.settings[k] = v.get<std::string>();
  o.settings["fit_start"] = "series";
  const auto d = make_domain("funcapprox", o.settings);

  // One entry per shape: the lowest error any candidate of that shape reached.
  struct Shape {
    double error;
    std::string text;
    int divs;
  };
  std::map<std::uint64_t, Shape> shapes;
  SQLite::Statement q(*db,
                      "SELECT program, json_extract(objectives, '$.error') FROM candidates WHERE run_id = ? AND valid "
                      "AND json_extract(objectives, '$.cost') <= ?");
  q.bind(1, o.run);
  q.bind(2, std::stod(o.settings.at("max_ops")));
  while (q.executeStep()) {
    const std::string text = q.getColumn(0).getString();
    const double error = q.getColumn(1).getDouble();
    Program shape = parse_program(text, d->signature());
    fold_constants(shape, FoldPrecision::float64);  // only to see which divisions depend on x
    shape = canonicalize(shape);
    int divs = 0;
    for (Instr& in : shape.code) {
      divs += in.op == Op::div;
      in.imm = 0;
    }
    const auto [it, fresh] = shapes.try_emplace(structural_hash(shape), Shape{error, text, divs});
    if (!fresh && error < it->second.error) it->second = {error, text, divs};
  }
  std::map<int, int> by_divs;
  std::vector<Shape> chosen;
  for (const auto& [h, s] : shapes) {
    ++by_divs[s.divs];
    if (s.divs >= o.min_divs) chosen.push_back(s);
  }
  for (const auto& [divs, n] : by_divs) std::printf("shapes with %d divisions: %d\n", divs, n);
  std::sort(chosen.begin(), chosen.end(), [](const Shape& a, const Shape& b) { return a.error < b.error; });
  const auto points = series_points(o.settings);
  for (int i = 0; i < o.top && i < static_cast<int>(chosen.size()); ++i)
    reach(*d, points, parse_program(chosen[i].text, d->signature()), o, i);
  return 0;
}
