// evo report: one self-contained HTML file (inline SVG, no script, no network) that shows a
// run at a glance: best objective over the evaluations, the Pareto front beside the domain's
// baselines, cache hits and throughput over time, diversity, and the best one's lineage.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <SQLiteCpp/Transaction.h>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "store/output_file.h"
#include "tools/baseline_scores.h"
#include "tools/cli.h"
#include "tools/report_data.h"
#include "tools/svg_plot.h"

namespace evo::cli {
namespace {

constexpr const char* kStyle = R"CSS(
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
th { color: #555; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 12px; }
.caption { color: #555; font-size: 13px; max-width: 760px; } .facts td:first-child { color: #555; }
svg.plot { display: block; margin: 8px 0; }
)CSS";

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string fmt(double v) { return std::isfinite(v) ? format_value(v) : "inf"; }
std::string fmt(const std::optional<double>& v) { return v ? fmt(*v) : "-"; }

std::string duration(double s) {
  char buf[48];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%.0fh %02.0fm", std::floor(s / 3600), std::fmod(std::floor(s / 60), 60));
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%.0fm %02.0fs", std::floor(s / 60), std::fmod(std::floor(s), 60));
  else std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + html_escape(title) + "</h2>\n" + body + "</section>\n";
}

std::string caption(const std::string& text) { return "<p class=\"caption\">" + html_escape(text) + "</p>\n"; }

std::string facts(const ReportData& d, const std::string& description) {
  const RunInfo& run = d.run;
  std::ostringstream o;
  o << "<table class=\"facts\">\n";
  auto row = [&](const std::string& k, const std::string& v) {
    o << "<tr><td>" << html_escape(k) << "</td><td>" << html_escape(v) << "</td></tr>\n";
  };
  row("domain", description.empty() ? run.domain : run.domain + ": " + description);
  row("status", shown_status(run) + (run.stop_reason.empty() ? "" : " (" + run.stop_reason + ")"));
  row("evaluations", std::to_string(run.evaluations) + " of a budget of " + std::to_string(run.budget) + "; " +
                         std::to_string(d.valid) + " valid, " + std::to_string(d.invalid) + " invalid");
  if (run.best_candidate)
    row("best", "candidate " + std::to_string(*run.best_candidate) + ", " + d.primary.name + " " + fmt(run.best_value));
  const auto& st = run.stats;
  if (st.is_object() && st.contains("cache_hits") && run.evaluations > 0)
    row("cache", std::to_string(st.value("cache_hits", 0LL)) + " hits (" +
                     fmt(100.0 * st.value("cache_hits", 0.0) / static_cast<double>(run.evaluations)) + " %), " +
                     std::to_string(st.value("evaluated", 0LL)) + " evaluated");
  if (!d.progress.empty())
    row("time", duration(d.progress.back().run_seconds) + " over " + std::to_string(d.progress.back().session) +
                    " session(s)");
  row("seed", std::to_string(run.seed));
  auto joined = [](const nlohmann::json& settings) {  // k=v  k=v ...
    std::string text;
    for (const auto& [k, v] : settings.items()) text += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()) + "  ";
    return text;
  };
  row("settings", joined(run.settings));
  row("engine", joined(run.engine));
  row("created", run.created_at + " on " + run.host + ", last written " + run.updated_at);
  o << "</table>\n";
  return o.str();
}

std::string best_plot(const ReportData& d) {
  Plot p{"best", {"evaluations"}, {"best " + d.primary.name}, {}};
  PlotSeries s{"best " + d.primary.name + " so far", PlotSeries::Style::step, kColors[0], d.best_at, d.best_value};
  if (!d.best_at.empty() && static_cast<double>(d.run.evaluations) > d.best_at.back()) {
    s.x.push_back(static_cast<double>(d.run.evaluations));  // held to the end of the run
    s.y.push_back(d.best_value.back());
  }
  p.series.push_back(std::move(s));
  return render_svg(p) + caption("The best " + d.primary.name + " (" + (d.primary.minimize ? "lower" : "higher") +
                                 " is better) among the valid candidates made so far, " +
                                 std::to_string(d.best_at.size()) + " improvements.");
}

std::string front_plot(const ReportData& d, const std::vector<ScoredBaseline>& baselines, const std::string& note) {
  if (!d.secondary)
    return caption("The run has a single objective; its front is its best candidate.");
  const std::string& xn = d.secondary->name;
  Plot p{"front", {xn}, {d.primary.name}, {}};
  PlotSeries all{"candidates", PlotSeries::Style::markers, "#bbbbbb", d.all_secondary, d.all_primary};
  all.marker_radius = 2;
  for (std::size_t i = 0; i < d.all_ids.size(); ++i) all.tips.push_back("candidate " + std::to_string(d.all_ids[i]));
  p.series.push_back(std::move(all));
  // With more than two objectives steering, the front seen on two of them is not a line.
  PlotSeries front{"Pareto front", d.steering > 2 ? PlotSeries::Style::markers : PlotSeries::Style::line_markers,
                   kColors[0]};
  front.marker_radius = 3.5;
  for (const auto& c : d.front) {
    const auto x = objective_value(c, xn), y = objective_value(c, d.primary.name);
    if (!x || !y) continue;
    front.x.push_back(*x);
    front.y.push_back(*y);
    front.tips.push_back("candidate " + std::to_string(c.id) + ": " + d.primary.name + " " + fmt(*y) + ", " + xn + " " + fmt(*x));
  }
  p.series.push_back(std::move(front));
  // Baselines, one series per family (e.g. taylor, minimax), in the domain's order, within
  // the run's range of the x objective (a degree-9 polynomial says little about a run of cost <= 10).
  double max_x = -INFINITY;
  for (double x : d.all_secondary)
    if (std::isfinite(x)) max_x = std::max(max_x, x);
  // Baselines without a size (e.g. known optimizers) are a series each, by name.
  const bool named = std::all_of(baselines.begin(), baselines.end(), [](const ScoredBaseline& b) { return b.baseline.degree == 0; });
  auto group_of = [&](const ScoredBaseline& b) { return named ? b.baseline.name : b.baseline.family; };
  std::vector<std::string> families;
  for (const auto& b : baselines)
    if (std::find(families.begin(), families.end(), group_of(b)) == families.end()) families.push_back(group_of(b));
  for (std::size_t f = 0; f < families.size(); ++f) {
    PlotSeries s{families[f], named ? PlotSeries::Style::markers : PlotSeries::Style::line_markers,
                 kColors[(f + 1) % std::size(kColors)]};
    s.marker_radius = 4;
    for (const auto& b : baselines) {
      if (group_of(b) != families[f]) continue;
      std::optional<double> x, y;
      for (const auto& [n, v] : b.values) {
        if (n == xn) x = v;
        if (n == d.primary.name) y = v;
      }
      if (!x || !y || (std::isfinite(max_x) && *x > max_x)) continue;
      s.x.push_back(*x);
      s.y.push_back(*y);
      s.tips.push_back(b.baseline.name + ": " + d.primary.name + " " + fmt(*y) + ", " + xn + " " + fmt(*x));
    }
    p.series.push_back(std::move(s));
  }
  std::string text = "Every valid candidate (grey" +
                     std::string(d.all_ids.size() < static_cast<std::size_t>(d.valid) ? ", a regular sample" : "") +
                     "), the run's Pareto front over the objectives that steer it (" + std::to_string(d.front.size()) +
                     " candidates)";
  text += baselines.empty() ? "." : ", and the domain's baselines within the run's range of " + xn +
                                        ", scored the same way (evo baselines).";
  if (!note.empty()) text += " " + note;
  return render_svg(p) + caption(text);
}

// Batches grouped so that no plot gets more than ~150 points (rates of single batches are noisy).
std::vector<std::pair<const ProgressPoint*, const ProgressPoint*>> windows(const std::vector<ProgressPoint>& rows) {
  std::vector<std::pair<const ProgressPoint*, const ProgressPoint*>> out;
  const std::size_t per = std::max<std::size_t>(1, rows.size() / 150);
  for (std::size_t i = 0; i + 1 < rows.size();) {
    std::size_t j = std::min(rows.size() - 1, i + per);
    // Stay within one session: its clock restarts.
    for (std::size_t k = i + 1; k <= j; ++k)
      if (rows[k].session != rows[i].session) {
        j = k - 1;
        break;
      }
    if (j == i) {  // first batch of a new session: its start is not recorded, so no rate
      ++i;
      continue;
    }
    out.emplace_back(&rows[i], &rows[j]);
    i = j;
  }
  return out;
}

std::string progress_plots(const ReportData& d) {
  if (d.progress.empty())
    return caption("No progress records: the run was written by an evo that did not record them.");
  Plot hits{"cache", {"run time (s)", PlotAxis::Scale::linear}, {"cache hit rate (%)", PlotAxis::Scale::linear}, {}};
  Plot rate{"throughput", {"run time (s)", PlotAxis::Scale::linear}, {"evaluations per second"}, {}};
  PlotSeries window_hits{"hits in the interval", PlotSeries::Style::line, kColors[0], {}, {}};
  PlotSeries total_hits{"hits since the start", PlotSeries::Style::line, kColors[1], {}, {}};
  PlotSeries speed{"candidates per second", PlotSeries::Style::line, kColors[2], {}, {}};
  for (const auto& [a, b] : windows(d.progress)) {
    const double dt = b->seconds - a->seconds;
    const auto de = b->evaluations - a->evaluations;
    if (de <= 0) continue;
    window_hits.x.push_back(b->run_seconds);
    window_hits.y.push_back(100.0 * static_cast<double>(b->cache_hits - a->cache_hits) / static_cast<double>(de));
    total_hits.x.push_back(b->run_seconds);
    total_hits.y.push_back(b->evaluations ? 100.0 * static_cast<double>(b->cache_hits) / static_cast<double>(b->evaluations) : 0);
    if (dt > 0) {
      speed.x.push_back(b->run_seconds);
      speed.y.push_back(static_cast<double>(de) / dt);
    }
  }
  hits.series = {std::move(window_hits), std::move(total_hits)};
  rate.series = {std::move(speed)};
  const auto& last = d.progress.back();
  return render_svg(hits) +
         caption("The share of candidates the FEC cache answered (a function met before, not evaluated again). "
                 "Time counts the sessions that wrote the run, back to back; " +
                 std::to_string(last.session) + " session(s), " + std::to_string(d.progress.size()) + " batches.") +
         render_svg(rate) + caption("Candidates made per second of wall-clock time, cache hits included.");
}

std::string diversity_plot(const ReportData& d) {
  if (d.progress.empty()) return "";
  Plot p{"diversity", {"evaluations", PlotAxis::Scale::linear}, {"members", PlotAxis::Scale::linear}, {}};
  PlotSeries distinct{"distinct functions", PlotSeries::Style::line, kColors[0], {}, {}};
  PlotSeries members{"population", PlotSeries::Style::line, "#999999", {}, {}};
  const std::size_t per = std::max<std::size_t>(1, d.progress.size() / 300);
  for (std::size_t i = 0; i < d.progress.size(); i += per) {
    const auto& r = d.progress[i];
    distinct.x.push_back(static_cast<double>(r.evaluations));
    distinct.y.push_back(static_cast<double>(r.distinct_functions));
    members.x.push_back(static_cast<double>(r.evaluations));
    members.y.push_back(static_cast<double>(r.population));
  }
  p.series = {std::move(members), std::move(distinct)};
  return render_svg(p) + caption("Population diversity: how many distinct functional hashes (different functions, "
                                 "not merely different programs) the population holds after each batch.");
}

std::string lineage_section(const ReportData& d) {
  if (d.lineage.empty()) return caption("No valid candidate yet.");
  Plot p{"lineage", {"birth", PlotAxis::Scale::linear}, {d.primary.name}, {}};
  PlotSeries s{"ancestors of the best", PlotSeries::Style::line_markers, kColors[0], {}, {}};
  for (const auto& step : d.lineage) {
    if (!step.primary) continue;
    s.x.push_back(static_cast<double>(step.candidate.birth));
    s.y.push_back(*step.primary);
    s.tips.push_back("candidate " + std::to_string(step.candidate.id) + " (" + step.candidate.mutation + "): " +
                     d.primary.name + " " + fmt(*step.primary));
  }
  p.series.push_back(std::move(s));
  std::ostringstream o;
  o << render_svg(p);
  // The table: every step when the lineage is short, otherwise the steps that changed the primary objective.
  const bool all = d.lineage.size() <= 200;
  o << caption("The best candidate's ancestry, from the start population to it: " + std::to_string(d.lineage.size()) +
               " generations. Each row is the mutation that made a candidate from its parent and what it gained " +
               "(the parent's " + d.primary.name + " over the child's, for a " + (d.primary.minimize ? "minimised" : "maximised") +
               " objective above 1 is better)" + (all ? "." : "; only the steps that changed " + d.primary.name + " are listed."));
  o << "<table class=\"lineage\"><tr><th>candidate</th><th>birth</th><th>change</th><th>ops</th><th>" << html_escape(d.primary.name)
    << "</th><th>gain</th>";
  if (d.secondary) o << "<th>" << html_escape(d.secondary->name) << "</th>";
  o << "</tr>\n";
  for (std::size_t i = 0; i < d.lineage.size(); ++i) {
    const auto& step = d.lineage[i];
    const LineageStep* parent = i ? &d.lineage[i - 1] : nullptr;
    const bool changed = !parent || parent->primary != step.primary;
    if (!all && !changed && i + 1 != d.lineage.size()) continue;
    std::string gain = "-";
    if (parent && parent->primary && step.primary && *parent->primary > 0 && *step.primary > 0) {
      const double g = d.primary.minimize ? *parent->primary / *step.primary : *step.primary / *parent->primary;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3g×", g);
      gain = buf;
    }
    const int dops = parent ? step.candidate.ops - parent->candidate.ops : 0;
    const std::string change = parent ? step.candidate.mutation + (dops ? (dops > 0 ? " (+" : " (") + std::to_string(dops) + " ops)" : "")
                               : step.candidate.parent ? "(earlier ancestors not shown)"
                                                       : "start population";
    o << "<tr><td class=\"num\">" << step.candidate.id << "</td><td class=\"num\">" << step.candidate.birth << "</td><td>"
      << html_escape(change) << "</td><td class=\"num\">" << step.candidate.ops << "</td><td class=\"num\">"
      << fmt(step.primary) << "</td><td class=\"num\">" << gain << "</td>";
    if (d.secondary) o << "<td class=\"num\">" << fmt(step.secondary) << "</td>";
    o << "</tr>\n";
  }
  o << "</table>\n";
  return o.str();
}

std::string program_section(const ReportData& d, const Domain* domain) {
  if (d.lineage.empty()) return "";
  const CandidateRow& best = d.lineage.back().candidate;
  std::string text = best.program;
  if (domain && !text.empty()) {
    try {
      text = domain->render(parse_program(best.program, domain->signature()), "text", {});
    } catch (const std::exception&) {
    }
  }
  if (text.empty()) text = "(program not kept: the run keeps only some programs, see keep_programs)";
  return "<pre class=\"program\">" + html_escape(text) + "</pre>\n" +
         caption("evo show --candidate " + std::to_string(best.id) + " and evo export --candidate " + std::to_string(best.id) +
                 " print it as text or code.");
}

}  // namespace

int cmd_report(int argc, char** argv) {
  po::options_description opts("evo report");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id")
      ("out,o", po::value<std::string>()->default_value("report.html"), "the HTML file to write")
      ("no-baselines", "leave the domain's baselines out of the Pareto plot (they are evaluated when the report is made)");
  po::variables_map vm;
  if (!parse(argc, argv, "evo report --db PATH --run ID [--out report.html] [--no-baselines]", opts, vm)) return 0;
  const std::int64_t run_id = positive_id(vm, "run");
  const std::string out_path = vm["out"].as<std::string>();
  if (out_path.empty()) throw InputError("--out must name a file");
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  ReportData data;
  {
    SQLite::Transaction snapshot(*db, SQLite::TransactionBehavior::DEFERRED);  // one view of a run being written
    data = read_report_data(*db, require_run(*db, run_id, path));
  }
  const RunInfo& run = data.run;

  // The domain describes the run, renders its best program and scores the baselines; a run
  // whose domain cannot be built here (e.g. its data files are elsewhere) is reported without.
  std::unique_ptr<Domain> domain;
  std::string note;
  try {
    domain = make_domain(run.domain, run_settings(run));
  } catch (const std::exception& e) {
    note = std::string("The domain could not be built here (") + e.what() + "), so no baselines are shown.";
  }
  check_output_path("--out", out_path, path, files_the_run_reads(run, domain.get()));
  std::vector<ScoredBaseline> baselines;
  if (domain && !vm.count("no-baselines")) {
    try {
      baselines = score_baselines(*domain, domain->baselines(1, 9));
    } catch (const std::exception& e) {
      note = std::string("The baselines could not be scored here (") + e.what() + ").";
    }
  }

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>evo run " << run.id << ": "
       << html_escape(run.name) << "</title>\n<style>" << kStyle << "</style></head><body>\n";
  html << "<h1>Run " << run.id << " (" << html_escape(run.name) << ")</h1>\n";
  html << facts(data, domain ? domain->describe() : "");
  html << section("best", "Best " + data.primary.name + " over the evaluations", best_plot(data));
  html << section("front", "Pareto front", front_plot(data, baselines, note));
  html << section("progress", "Cache hits and throughput over time", progress_plots(data));
  html << section("diversity", "Diversity", diversity_plot(data));
  html << section("lineage", "Lineage of the best candidate", lineage_section(data));
  html << section("program", "Best program", program_section(data, domain.get()));
  html << "<p class=\"caption\">evo report --db " << html_escape(path) << " --run " << run.id << ", " << now_utc()
       << "</p>\n</body></html>\n";
  write_output_file(out_path, html.str());
  std::printf("wrote %s: run %lld, %lld candidates, %zu on the front, %zu batches recorded\n", out_path.c_str(),
              static_cast<long long>(run.id), static_cast<long long>(run.evaluations), data.front.size(),
              data.progress.size());
  return 0;
}

}  // namespace evo::cli
