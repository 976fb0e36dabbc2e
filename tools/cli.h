// Shared pieces of the `evo` subcommands: option parsing with --help, the --db option,
// output formats and id parsing. Each subcommand lives in its own cmd_*.cc file.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <SQLiteCpp/Database.h>

#include "evaluators/run_settings.h"
#include "search/domain.h"
#include "store/database.h"
#include "store/queries.h"
#include "store/runs.h"

namespace evo::cli {

namespace po = boost::program_options;

// Parses argv (after the subcommand name). Returns false when --help was printed.
bool parse(int argc, char** argv, const std::string& usage, po::options_description& opts, po::variables_map& vm,
           const po::positional_options_description* positional = nullptr);

void add_db_option(po::options_description& opts);
std::string db_path(const po::variables_map& vm);

// "--name" as a positive integer, or InputError.
std::int64_t positive_id(const po::variables_map& vm, const std::string& name);
std::uint64_t positive_count(const std::string& text, const std::string& what);

enum class Format { table, json, text, cpp };
Format format_option(const po::variables_map& vm, const std::vector<std::string>& allowed);

// The run, or InputError naming the database.
RunInfo require_run(SQLite::Database& db, std::int64_t run_id, const std::string& path);

// The run's status as shown: "killed" for a run left "running" by a process that is gone.
std::string shown_status(const RunInfo& run);

// The options run and resume share: --threads (default: all cores), --time-limit,
// --stop-at, --no-measure, --mpi, --rank-timeout, --quiet, --log-level; InputError on bad values.
void add_session_options(po::options_description& opts);
void apply_log_level(const po::variables_map& vm);  // --log-level to spdlog
// The session options given (not left at their defaults), as (flag, value) for a configuration file.
std::vector<std::pair<std::string, std::string>> given_session_options(const po::variables_map& vm);
double rank_timeout_option(const po::variables_map& vm);
int threads_option(const po::variables_map& vm);
double time_limit_option(const po::variables_map& vm);  // 0 when absent
std::optional<double> stop_at_option(const po::variables_map& vm);

// "--set k=v" items into a map, or InputError.
std::map<std::string, std::string> parse_sets(const std::vector<std::string>& items);
std::string read_text_file(const std::string& path);  // InputError when it cannot be read

// A file a command is about to write (`flag` names the option), refused with InputError when
// it is a directory, the database `db` (if any) or its journal, another SQLite database, or one of
// `inputs` (files the run reads, such as a model): writing there would lose data.
void check_output_path(const std::string& flag, const std::string& out, const std::string& db,
                       const std::vector<std::string>& inputs = {});
// The files a run reads, for check_output_path: each setting that names an existing file (a
// model, a dataset) and what its domain, when it could be built, keeps beside them.
std::vector<std::string> files_the_run_reads(const RunInfo& run, const Domain* domain);
// A file to be written after long work (training): InputError now, not at the end, when its
// path is empty or a directory, or its directory is missing or not writable.
void check_writable_before_work(const std::string& flag, const std::string& out);

// The table `evo best` and `evo pareto` print: each candidate's id, objectives, op count (left
// out when an objective already counts ops) and, with `with_birth`, its birth.
void print_candidate_table(const RunInfo& run, const std::vector<CandidateRow>& rows, bool with_birth);

// Text as one line: control characters (a newline in a run name, an escape quoted from a
// binary file) written as \xNN, so tables keep their rows and errors their one line.
std::string one_line(std::string_view text);

// `text` padded with spaces to `width` terminal columns (so a name in any script keeps the
// columns after it in place), on the right (left-aligned) or, with `right_aligned`, on the left.
std::string padded(std::string_view text, std::size_t width, bool right_aligned = false);
// "1 candidate", "3 candidates".
std::string count_of(std::size_t n, std::string_view noun);
// The terminal columns UTF-8 `text` takes: CJK characters two, combining marks none.
std::size_t text_width(std::string_view text);

std::string format_value(double v);  // compact, full precision when needed (%.6g / %.17g)
nlohmann::json candidate_json(const CandidateRow& c);

// InputError unless the domain, as configured, makes measurements (evo measure, --measure).
void require_measurements(const Domain& domain);
// {"value": v, "detail": {...}}; a detail that is not JSON is kept as a string.
nlohmann::json measurement_json(const Measurement& m);

// Subcommands.
int cmd_run(int argc, char** argv);
int cmd_resume(int argc, char** argv);
int cmd_runs(int argc, char** argv);
int cmd_best(int argc, char** argv);
int cmd_pareto(int argc, char** argv);
int cmd_show(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_simplify(int argc, char** argv);
int cmd_baselines(int argc, char** argv);
int cmd_domains(int argc, char** argv);
int cmd_speed(int argc, char** argv);
int cmd_measure(int argc, char** argv);
int cmd_model(int argc, char** argv);
int cmd_report(int argc, char** argv);
int cmd_compare(int argc, char** argv);

}  // namespace evo::cli
