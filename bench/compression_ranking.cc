// Does the sum of per-layer errors rank layouts as their KL does? EvoPress's point is that
// it does not. For every finalist of a compression run (the layouts scored on the
// selection set) this prints how often the two measures disagree on a pair (Kendall's
// tau), the pairs where a lower error sum comes with a higher KL by the widest margin,
// and where the error-sum DP's layout (the least error sum of all) stands.
//
//   compression_ranking MODEL DB [RUN]
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "evaluators/compression/compression.h"
#include "evaluators/registry.h"
#include "search/program_text.h"
#include "store/database.h"
#include "store/queries.h"
#include "store/runs.h"

using namespace evo;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: compression_ranking MODEL DB [RUN]\n");
    return 2;
  }
  const std::int64_t run_id = argc > 3 ? std::stoll(argv[3]) : 1;
  SQLite::Database db(argv[2], SQLite::OPEN_READONLY);
  const auto run = get_run(db, run_id);
  if (!run || run->domain != "compression") {
    std::fprintf(stderr, "no compression run %lld in %s\n", static_cast<long long>(run_id), argv[2]);
    return 2;
  }
  std::map<std::string, std::string> settings;
  for (const auto& [k, v] : run->settings.items()) settings[k] = v.get<std::string>();
  settings["model"] = argv[1];
  const auto domain = make_domain("compression", settings);
  const auto& d = static_cast<const compression::CompressionDomain&>(*domain);

  struct Row {
    long long id;
    double sum, kl;
  };
  std::vector<Row> rows;
  for (const auto& c : run_candidates(db, run_id)) {
    if (!c.valid) continue;
    const Program p = parse_program(c.program, d.signature());
    rows.push_back({static_cast<long long>(c.id), d.error_sum(p), c.objectives.at(0).second});
  }
  long concordant = 0, discordant = 0;
  std::vector<std::pair<double, std::pair<std::size_t, std::size_t>>> flips;  // (KL gap, (lower sum, higher sum))
  for (std::size_t a = 0; a < rows.size(); ++a)
    for (std::size_t b = a + 1; b < rows.size(); ++b) {
      const double ds = rows[a].sum - rows[b].sum, dk = rows[a].kl - rows[b].kl;
      if (ds == 0 || dk == 0) continue;
      if ((ds < 0) == (dk < 0)) {
        ++concordant;
        continue;
      }
      ++discordant;
      const auto [lo, hi] = ds < 0 ? std::make_pair(a, b) : std::make_pair(b, a);
      flips.push_back({rows[lo].kl - rows[hi].kl, {lo, hi}});
    }
  std::printf("%zu finalists of run %lld; pairs ordered alike by error sum and KL: %ld, oppositely: %ld "
              "(Kendall tau %.3f)\n",
              rows.size(), static_cast<long long>(run_id), concordant, discordant,
              static_cast<double>(concordant - discordant) / static_cast<double>(concordant + discordant));
  std::sort(flips.begin(), flips.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  std::printf("\nwidest flips: the layout with the lower error sum has the higher KL\n");
  std::printf("%-10s %12s %12s   %-10s %12s %12s\n", "candidate", "error sum", "kl", "candidate", "error sum", "kl");
  for (std::size_t k = 0; k < std::min<std::size_t>(8, flips.size()); ++k) {
    const Row& lo = rows[flips[k].second.first];
    const Row& hi = rows[flips[k].second.second];
    std::printf("%-10lld %12.6f %12.6f   %-10lld %12.6f %12.6f\n", lo.id, lo.sum, lo.kl, hi.id, hi.sum, hi.kl);
  }
  // The DP layout: the least error sum there is.
  for (const auto& b : d.baselines(1, 1))
    if (b.family == "dp") {
      const double kl = d.evaluate(b.program).values.at(0);
      const auto best = std::min_element(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.kl < y.kl; });
      std::printf("\nerror-sum DP layout: error sum %.6f, kl %.6f; the run's best (candidate %lld): error sum %.6f, "
                  "kl %.6f\n",
                  d.error_sum(b.program), kl, best->id, best->sum, best->kl);
    }
  return 0;
}
