// What a program's structure can reach with better constants. For a funcapprox program, or
// for each structure a run built (its valid candidates within the run's max_ops, grouped by
// shape: constants folded, immediates ignored, canonical form), this prints the error of
// the program as stored, after three rounds of polish (the run's settings with fit=all,
// fit_method=lm, fit_start=series), and after a multi-start: STARTS random constant vectors (log-uniform
// magnitudes in [2^-4, 2^20], random signs), each matched to the target's power series at
// the domain's expansion points (fit_start=series: the interval's ends and middle) with up
// to ITERATIONS Levenberg–Marquardt steps per order, then polished three rounds. If the
// multi-start is far below the polish, the structure was there and its constants were
// missed; if not, this multi-start finds no better constants for it.
//
//   structure_reach --db DB [--run N] [--min-divs D] [--top K] [--starts S] [--iterations I]
//   structure_reach --program FILE [--set key=value ...] [--starts S] [--iterations I]
//   structure_reach --program FILE [--set key=value ...] --profile K:LO:HI:N
//
// --profile: the error after polish with the program's K-th constant (0-based, in program
// order) started at N+1 values spread geometrically over [LO, HI], the others at the
// program's; the value the polish moved that constant to is printed beside it. A sharp
// minimum that the polish does not reach from a few per cent away shows a constant the fit
// cannot move.
//
// With --db, the K shapes with at least D divisions that depend on x, lowest stored error
// first. Deterministic: a shape's starts are drawn from a generator seeded by the shape.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/funcapprox/series_match.h"
#include "evaluators/registry.h"
#include "evaluators/run_settings.h"
#include "hashing/canonical.h"
#include "search/mutation.h"
#include "search/program_text.h"
#include "search/rng.h"
#include "search/errors.h"
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
  std::string profile;  // K:LO:HI:N
};

double error_of(const FuncApprox& d, const Program& p) {
  const Evaluation ev = d.evaluate(p);
  return ev.valid ? ev.values[0] : INFINITY;
}

// A program's shape: constants folded (so only divisions that depend on x remain), the
// divisions counted, then immediates zeroed and the canonical form hashed, so neither the
// constants nor the order they put commutative arguments in tell two shapes apart.
std::pair<std::uint64_t, int> shape_of(const Program& p) {
  Program shape = p;
  fold_constants(shape, FoldPrecision::float64);
  shape = canonicalize(shape);
  int divs = 0;
  for (Instr& in : shape.code) {
    divs += in.op == Op::div;
    in.imm = 0;
  }
  return {structural_hash(canonicalize(shape)), divs};
}

Program with_constants(Program p, const std::vector<double>& c) {
  std::size_t k = 0;
  for (Instr& in : p.code)
    if (in.imm_position() >= 0) in.imm = c[k++];
  return p;
}

void polish3(const FuncApprox& d, Program& p) {
  for (int i = 0; i < 3; ++i) d.polish(p, MutationKind::insert);
}

void reach(const FuncApprox& d, const Program& p, const Options& o, int rank) {
  const auto t0 = std::chrono::steady_clock::now();
  Program polished = p;
  polish3(d, polished);
  const double stored = error_of(d, p), local = error_of(d, polished);
  double best = local;
  Program best_program = polished;
  Rng rng(shape_of(p).first);
  for (int s = 0; s < o.starts; ++s) {
    Program start = p;
    for (Instr& in : start.code)
      if (in.imm_position() >= 0) {
        const double m = std::exp2(rng.uniform(-4, 20));
        in.imm = rng.chance(0.5) ? m : -m;
      }
    for (const SeriesPoint& pt : d.series_points()) {
      const auto c = series_matched_constants(start, pt, o.iterations);
      if (!c) continue;
      Program q = with_constants(start, *c);
      polish3(d, q);
      const double e = error_of(d, q);
      if (e < best) best = e, best_program = std::move(q);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("#%d  cost %g  stored %.3g  polished %.3g  multi-start %.3g  (%.1f s)\n", rank,
              d.structural_objectives(p).back(), stored, local, best, seconds);
  if (best < local / 2) std::printf("%s", to_text(best_program).c_str());
  std::fflush(stdout);
}

// --profile: polishes the program with its k-th constant started at each value in turn.
void profile(const FuncApprox& d, const Program& p, const std::string& spec) {
  int k = 0, n = 0;
  double lo = 0, hi = 0;
  char tail = 0;
  if (std::sscanf(spec.c_str(), "%d:%lf:%lf:%d%c", &k, &lo, &hi, &n, &tail) != 4 || n < 1 || !(lo * hi > 0))
    throw InputError("--profile wants K:LO:HI:N, LO and HI of one sign, N >= 1: " + spec);
  auto slot_of = [&](Program& q) -> double& {
    int i = 0;
    for (Instr& in : q.code)
      if (in.imm_position() >= 0 && i++ == k) return in.imm;
    throw InputError("--profile: the program has no constant " + std::to_string(k));
  };
  for (int s = 0; s <= n; ++s) {
    const double v = lo * std::pow(hi / lo, static_cast<double>(s) / n);
    Program q = p;
    slot_of(q) = v;
    polish3(d, q);
    std::printf("start %-12.6g  polished %.3g  constant %d ends at %.8g\n", v, error_of(d, q), k, slot_of(q));
    std::fflush(stdout);
  }
}

int usage() {
  std::fprintf(stderr,
               "usage: structure_reach (--db DB [--run N] [--min-divs D] [--top K] | --program FILE [--set k=v ...])"
               " [--starts S] [--iterations I]\n"
               "       structure_reach --program FILE [--set k=v ...] --profile K:LO:HI:N\n");
  return 2;
}

// A funcapprox domain whose polish fits every program with lm from series-matched starts
// (whatever fitting the run used). The callers' cast is safe: the registry built it by name.
std::unique_ptr<Domain> funcapprox_with_series(std::map<std::string, std::string> settings) {
  settings["fit"] = "all";
  settings["fit_method"] = "lm";
  settings["fit_start"] = "series";
  return make_domain("funcapprox", settings);
}

int run(const Options& o) {
  if (!o.program.empty()) {
    std::ifstream in(o.program);
    if (!in) throw InputError("cannot read " + o.program);
    std::stringstream text;
    text << in.rdbuf();
    auto settings = o.settings;
    settings.emplace("precision", "real");
    const auto domain = funcapprox_with_series(settings);
    const auto& d = static_cast<const FuncApprox&>(*domain);
    const Program p = parse_program(text.str(), d.signature());
    if (o.profile.empty())
      reach(d, p, o, 0);
    else
      profile(d, p, o.profile);
    return 0;
  }

  const auto db = open_database(o.db, OpenMode::read_only);
  const auto info = get_run(*db, o.run);
  if (!info || info->domain != "funcapprox")
    throw InputError("no funcapprox run " + std::to_string(o.run) + " in " + o.db);
  const auto settings = run_settings(*info);  // as `evo` reads them
  const auto domain = funcapprox_with_series(settings);
  const auto& d = static_cast<const FuncApprox&>(*domain);

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
  q.bind(2, std::stod(settings.at("max_ops")));
  while (q.executeStep()) {
    const std::string text = q.getColumn(0).getString();
    const double error = q.getColumn(1).getDouble();
    const auto [hash, divs] = shape_of(parse_program(text, d.signature()));
    const auto [it, fresh] = shapes.try_emplace(hash, Shape{error, text, divs});
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
  for (int i = 0; i < o.top && i < static_cast<int>(chosen.size()); ++i)
    reach(d, parse_program(chosen[i].text, d.signature()), o, i);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
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
      else if (a == "--profile") o.profile = v;
      else if (a == "--set" && v.find('=') != std::string::npos) o.settings[v.substr(0, v.find('='))] = v.substr(v.find('=') + 1);
      else return usage();
    }
    if (o.db.empty() == o.program.empty() || (!o.profile.empty() && o.program.empty())) return usage();
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "structure_reach: %s\n", e.what());
    return 2;
  }
}
