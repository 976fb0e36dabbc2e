// `evo`: the command line. One file per subcommand (cmd_*.cc); this one dispatches and
// turns errors into exit codes: 2 for bad input (one line on stderr), 1 for failures.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "search/errors.h"
#include "tools/cli.h"
#include "tools/distributed.h"

namespace {

struct Subcommand {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

constexpr Subcommand kSubcommands[] = {
    {"run", evo::cli::cmd_run, "start a search and persist it to the database"},
    {"resume", evo::cli::cmd_resume, "continue a run from its last committed batch"},
    {"runs", evo::cli::cmd_runs, "list the runs in a database"},
    {"best", evo::cli::cmd_best, "the best candidates of a run"},
    {"pareto", evo::cli::cmd_pareto, "the Pareto front of a run over its objectives"},
    {"report", evo::cli::cmd_report, "one HTML page with a run's plots: progress, front, cache, diversity, lineage"},
    {"compare", evo::cli::cmd_compare, "runs side by side: settings that differ, best objectives, evaluations to a threshold"},
    {"show", evo::cli::cmd_show, "one candidate as program text, C++ or JSON"},
    {"export", evo::cli::cmd_export, "write a candidate as code or data (cpp, c, pytorch, json, safetensors, text)"},
    {"measure", evo::cli::cmd_measure, "expensive checks of a run's front, e.g. float32 error on every input"},
    {"speed", evo::cli::cmd_speed, "time candidates as native code beside glibc, libmvec and SLEEF"},
    {"eval", evo::cli::cmd_eval, "evaluate a program file or a stored candidate"},
    {"simplify", evo::cli::cmd_simplify, "remove the instructions a candidate does not need; store the result"},
    {"baselines", evo::cli::cmd_baselines, "known answers (e.g. Taylor, minimax) scored like candidates"},
    {"model", evo::cli::cmd_model, "train or inspect a dense model (safetensors) for compression"},
    {"domains", evo::cli::cmd_domains, "the domains, their settings and defaults"},
};

// A reader of evo's output that stops early (`evo best | head -1`) closes the pipe: writes
// then fail with EPIPE instead of a signal killing evo with its database open (which would
// leave its -wal and -shm files). Once the command is done, the exit code says the output
// was cut short, as the signal's would (128 + SIGPIPE), without a message.
int with_output_checked(int code) {
  std::cout.flush();
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return code;
  if (errno == 0 || errno == EPIPE) return 128 + SIGPIPE;
  std::cerr << "evo: writing the output failed: " << std::strerror(errno) << "\n";  // e.g. a full disk
  return 1;
}

void usage(std::ostream& out) {
  out << "usage: evo <command> [options]   (evo <command> --help for its options; evo --version)\n\ncommands:\n";
  for (const auto& s : kSubcommands) out << "  " << s.name << std::string(10 - std::strlen(s.name), ' ') << s.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit a write should fail (SQLite then reports the disk full and the
  // transaction rolls back) rather than the signal kill evo in the middle of a commit.
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  // Logs go to stderr: stdout carries results (tables, JSON, code) that people pipe.
  spdlog::set_default_logger(spdlog::stderr_color_mt("evo"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  spdlog::set_level(spdlog::level::warn);
  evo::cli::MpiScope mpi(argc, argv);  // with --mpi: ranks >= 1 serve evaluations
  if (mpi.is_worker()) return mpi.serve();
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return 0;
  }
  if (name == "--version" || name == "-V" || name == "version") {
    std::cout << "evo " EVO_VERSION " (SQLite " << sqlite3_libversion() << ")\n";
    return 0;
  }
  for (const auto& s : kSubcommands) {
    if (name != s.name) continue;
    try {
      return with_output_checked(s.run(argc - 1, argv + 1));
    } catch (const evo::InputError& e) {
      std::cerr << "evo " << name << ": " << evo::cli::one_line(e.what()) << "\n";
      return 2;
    } catch (const SQLite::Exception& e) {
      // A damaged file is bad input (exit 2); anything else (disk full, I/O) a failure.
      const int primary = e.getErrorCode() & 0xff;
      const bool damaged = primary == 11 /* SQLITE_CORRUPT */ || primary == 26 /* SQLITE_NOTADB */;
      // SQLITE_FULL, or SQLITE_IOERR_WRITE (what a file-size limit or a full disk gives).
      const bool write_failed = primary == 13 || e.getExtendedErrorCode() == (10 | (3 << 8));
      std::cerr << "evo " << name << ": "
                << (damaged ? "damaged database: " : write_failed ? "database error: a write failed (disk full?): "
                                                                   : "database error: ")
                << evo::cli::one_line(e.what()) << "\n";
      return damaged ? 2 : 1;
    } catch (const std::exception& e) {
      std::cerr << "evo " << name << ": " << evo::cli::one_line(e.what()) << "\n";
      return 1;
    }
  }
  std::cerr << "evo: unknown command '" << evo::cli::one_line(name) << "' (evo --help lists them)\n";
  return 2;
}
