#include "tools/cli.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <thread>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "search/errors.h"
#include "search/settings.h"

namespace evo::cli {

bool parse(int argc, char** argv, const std::string& usage, po::options_description& opts, po::variables_map& vm,
           const po::positional_options_description* positional) {
  opts.add_options()("help,h", "show this help");
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(opts);
    if (positional) parser.positional(*positional);
    else parser.positional(po::positional_options_description());
    po::store(parser.run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << opts << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(e.what());
  }
  return true;
}

void add_db_option(po::options_description& opts) {
  opts.add_options()("db", po::value<std::string>()->default_value("evo.db"), "database file");
}

std::string db_path(const po::variables_map& vm) {
  const std::string path = vm["db"].as<std::string>();
  // SQLite would open a temporary database for "" and lose it on exit.
  if (path.empty()) throw InputError("--db must name a file");
  return path;
}

void check_output_path(const std::string& flag, const std::string& out, const std::string& db,
                       const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(out, ec)) throw InputError(flag + " " + out + " is a directory; name the file to write");
  auto same = [&](const std::string& other) {
    return fs::equivalent(out, other, ec) ||
           fs::absolute(out, ec).lexically_normal() == fs::absolute(other, ec).lexically_normal();
  };
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (!db.empty() && same(db + suffix)) throw InputError(flag + " " + out + " would replace the database " + db + suffix);
  for (const std::string& input : inputs)
    if (!input.empty() && same(input)) throw InputError(flag + " " + out + " would replace " + input + ", which the run reads");
  // Only a regular file is read: opening a FIFO to read would wait for a writer.
  if (!fs::is_regular_file(out, ec)) return;
  std::ifstream existing(out, std::ios::binary);
  char head[16] = {};
  if (existing.read(head, sizeof head) && std::string(head, sizeof head) == std::string("SQLite format 3\0", 16))
    throw InputError(flag + " " + out + " is an SQLite database; evo does not overwrite one");
}

std::vector<std::string> files_the_run_reads(const RunInfo& run, const Domain* domain) {
  std::vector<std::string> files = domain ? domain->files_read() : std::vector<std::string>{};
  for (const auto& [key, value] : run.settings.items()) {
    std::error_code ec;
    if (value.is_string() && std::filesystem::is_regular_file(value.get<std::string>(), ec))
      files.push_back(value.get<std::string>());
  }
  return files;
}

void check_writable_before_work(const std::string& flag, const std::string& out) {
  namespace fs = std::filesystem;
  if (out.empty()) throw InputError(flag + " must name a file");
  std::error_code ec;
  if (fs::is_directory(out, ec)) throw InputError(flag + " " + out + " is a directory; name the file to write");
  const fs::path dir = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) throw InputError(flag + " " + out + ": no directory " + dir.string());
  if (::access(dir.c_str(), W_OK) != 0) throw InputError(flag + " " + out + ": directory " + dir.string() + " is not writable");
}

void print_candidate_table(const RunInfo& run, const std::vector<CandidateRow>& rows, bool with_birth) {
  bool ops_objective = false;
  std::printf("%-10s", "candidate");
  for (const auto& o : run.objectives) {
    const std::string name = o.is_object() ? o.value("name", "?") : "?";
    ops_objective = ops_objective || name == "ops";
    std::printf(" %14s", name.c_str());
  }
  if (!ops_objective) std::printf(" %5s", "ops");
  if (with_birth) std::printf(" %9s", "birth");
  std::printf("\n");
  for (const auto& r : rows) {
    std::printf("%-10lld", static_cast<long long>(r.id));
    for (const auto& [n, v] : r.objectives) std::printf(" %14s", format_value(v).c_str());
    if (!ops_objective) std::printf(" %5d", r.ops);
    if (with_birth) std::printf(" %9lld", static_cast<long long>(r.birth));
    std::printf("\n");
  }
}

std::uint64_t positive_count(const std::string& text, const std::string& what) {
  long long v = 0;
  if (!parse_integer(text, v) || v <= 0) throw InputError(what + " must be a positive integer, got '" + text + "'");
  return static_cast<std::uint64_t>(v);
}

std::int64_t positive_id(const po::variables_map& vm, const std::string& name) {
  if (!vm.count(name)) throw InputError("--" + name + " is required");
  return static_cast<std::int64_t>(positive_count(vm[name].as<std::string>(), "--" + name));
}

Format format_option(const po::variables_map& vm, const std::vector<std::string>& allowed) {
  const std::string f = vm["format"].as<std::string>();
  bool ok = false;
  std::string list;
  for (const auto& a : allowed) {
    ok |= a == f;
    list += (list.empty() ? "" : "|") + a;
  }
  if (!ok) throw InputError("--format must be " + list + ", got '" + f + "'");
  if (f == "json") return Format::json;
  if (f == "text") return Format::text;
  if (f == "cpp") return Format::cpp;
  return Format::table;
}

RunInfo require_run(SQLite::Database& db, std::int64_t run_id, const std::string& path) {
  auto run = get_run(db, run_id);
  if (!run) throw InputError("no run " + std::to_string(run_id) + " in " + path);
  return *run;
}

std::string shown_status(const RunInfo& r) {
  // A run that says "running" but whose process is gone was killed; it can be resumed.
  if (r.status == "running" && !run_is_live(r) && r.host == this_host()) return "killed";
  return r.status;
}

void add_session_options(po::options_description& opts) {
  opts.add_options()
      ("threads", po::value<std::string>(), "worker threads (default: all cores)")
      ("time-limit", po::value<std::string>(), "stop after SECONDS (at a batch boundary; resumable)")
      ("stop-at", po::value<std::string>(), "stop once the primary objective reaches VALUE")
      ("no-measure", "skip the expensive checks of the final Pareto front (evo measure runs them later)")
      ("mpi", "evaluate on the ranks of an MPI job: mpirun -np N evo ... --mpi (rank 0 searches and writes, "
              "the others evaluate; same candidates for any N)")
      ("rank-timeout", po::value<std::string>()->default_value("600"),
       "with --mpi: SECONDS a rank may take over one chunk of candidates before the run stops naming it")
      ("quiet,q", "no progress line and no start line on stderr (results still go to stdout)")
      ("log-level", po::value<std::string>()->default_value("warn"), "trace|debug|info|warn|error|off (on stderr)");
}

std::vector<std::pair<std::string, std::string>> given_session_options(const po::variables_map& vm) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* flag : {"threads", "time-limit", "stop-at", "rank-timeout", "log-level"})
    if (vm.count(flag) && !vm[flag].defaulted()) out.emplace_back(flag, vm[flag].as<std::string>());
  for (const char* flag : {"quiet", "no-measure"})
    if (vm.count(flag)) out.emplace_back(flag, "");
  return out;
}

void apply_log_level(const po::variables_map& vm) {
  const std::string name = vm["log-level"].as<std::string>();
  const auto level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off")
    throw InputError("--log-level must be trace|debug|info|warn|error|off, got '" + name + "'");
  spdlog::set_level(level);
}

double rank_timeout_option(const po::variables_map& vm) {
  double t = 0;
  if (!parse_real(vm["rank-timeout"].as<std::string>(), t) || !(t > 0))
    throw InputError("--rank-timeout must be a positive number of seconds");
  return t;
}

int threads_option(const po::variables_map& vm) {
  if (!vm.count("threads")) return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto n = positive_count(vm["threads"].as<std::string>(), "--threads");
  if (n > 1024) throw InputError("--threads must be at most 1024");
  return static_cast<int>(n);
}

double time_limit_option(const po::variables_map& vm) {
  if (!vm.count("time-limit")) return 0;
  double t = 0;
  if (!parse_real(vm["time-limit"].as<std::string>(), t) || t <= 0)
    throw InputError("--time-limit must be a positive number of seconds");
  return t;
}

std::optional<double> stop_at_option(const po::variables_map& vm) {
  if (!vm.count("stop-at")) return std::nullopt;
  double v = 0;
  if (!parse_real(vm["stop-at"].as<std::string>(), v)) throw InputError("--stop-at must be a number");
  return v;
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + " is a directory, not a text file");
  std::ifstream in(path);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.find('\0') != std::string::npos) throw InputError(path + " is not a text file (it holds NUL bytes)");
  return text;
}

std::map<std::string, std::string> parse_sets(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--set takes KEY=VALUE, got '" + item + "'");
    // As a repeated --budget is refused: which of two values was meant is not ours to guess.
    if (!out.emplace(item.substr(0, eq), item.substr(eq + 1)).second)
      throw InputError("--set " + item.substr(0, eq) + " given twice");
  }
  return out;
}

namespace {

// Bytes in a well-formed UTF-8 sequence of two to four bytes starting at text[i] (no overlong
// forms, surrogates or code points past U+10FFFF); 0 when there is none.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  const std::size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  const unsigned char second = byte(i + 1);
  if ((c == 0xe0 && second < 0xa0) || (c == 0xed && second > 0x9f) || (c == 0xf0 && second < 0x90) ||
      (c == 0xf4 && second > 0x8f))
    return 0;
  return n;
}

}  // namespace

std::string one_line(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = c >= 0x80 ? utf8_sequence(text, i) : 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {  // a control character, or a byte that is not UTF-8
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    }
  }
  return out;
}

namespace {

// Columns a terminal gives one character: 0 for combining marks and zero-width joiners, 2 for
// East Asian wide and fullwidth characters and emoji, 1 otherwise (the common ranges of
// Unicode's East_Asian_Width and of Markus Kuhn's wcwidth, without the locale it needs).
int columns_of(char32_t c) {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kZero[] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
                                    {0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF},
                                    {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
                                    {0xFE20, 0xFE2F}};
  static constexpr Range kWide[] = {{0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
                                    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
                                    {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
                                    {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
  auto in = [c](const auto& ranges) {
    return std::any_of(std::begin(ranges), std::end(ranges), [c](const Range& r) { return c >= r.lo && c <= r.hi; });
  };
  return in(kZero) ? 0 : in(kWide) ? 2 : 1;
}

}  // namespace

std::size_t text_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    char32_t c = extra == 0 ? lead : lead & (0x3F >> extra);
    std::size_t j = i + 1;
    for (; j < text.size() && j <= i + static_cast<std::size_t>(extra) &&
           (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80;
         ++j)
      c = c << 6 | (static_cast<unsigned char>(text[j]) & 0x3F);
    width += static_cast<std::size_t>(columns_of(c));
    i = j;  // a stray continuation byte counts as one column of its own
  }
  return width;
}

std::string padded(std::string_view text, std::size_t width, bool right_aligned) {
  const std::size_t w = text_width(text);
  const std::string fill(w < width ? width - w : 0, ' ');
  return right_aligned ? fill + std::string(text) : std::string(text) + fill;
}

std::string count_of(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string format_value(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void require_measurements(const Domain& domain) {
  if (domain.measurement_names().empty())
    throw InputError("domain " + domain.name() + " makes no measurements for this configuration (" + domain.describe() + ")");
}

nlohmann::json measurement_json(const Measurement& m) {
  nlohmann::json detail = nlohmann::json::parse(m.detail, nullptr, false);
  if (detail.is_discarded()) detail = m.detail;
  return {{"value", m.value}, {"detail", detail}};
}

nlohmann::json candidate_json(const CandidateRow& c) {
  nlohmann::json objectives = nlohmann::json::object();
  for (const auto& [name, value] : c.objectives) objectives[name] = value;
  return {{"candidate", c.id},
          {"run", c.run_id},
          {"birth", c.birth},
          {"parent", c.parent ? nlohmann::json(*c.parent) : nlohmann::json(nullptr)},
          {"mutation", c.mutation},
          {"valid", c.valid},
          {"invalid_reason", c.valid ? nlohmann::json(nullptr) : nlohmann::json(c.invalid_reason)},
          {"objectives", objectives},
          {"ops", c.ops},
          {"cache_hit", c.cache_hit},
          {"structural_hash", c.structural_hash},
          {"functional_hash", c.functional_hash},
          // Null for a program a run with keep_programs did not keep.
          {"program", c.program.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.program)}};
}

}  // namespace evo::cli
