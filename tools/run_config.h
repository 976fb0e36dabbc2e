// Run configuration files (TOML, read with toml++): what `evo run --config FILE` reads,
// `--print-config` prints and a run stores, so `evo resume` needs nothing but the run's id.
//
//   domain = "funcapprox"       # top level: the options of `evo run`, named as the flags
//   budget = 50000              # (with '_' for '-'): name seed budget db threads time_limit
//   seed = 7                    # stop_at rank_timeout log_level quiet measure
//   [settings]                  # [settings] holds what --set takes (islands too)
//   target = "exp2"
//   ops = ["add", "mul", "fma"]  # an array is joined with commas
//
// Flags given on the command line win over the file, key by key.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>

namespace evo::cli {

struct RunConfig {
  std::vector<std::pair<std::string, std::string>> options;  // flag name (with '-') -> value, in file order
  std::map<std::string, std::string> settings;                // the [settings] table
  std::map<std::string, std::string> defaults;                // printed as comments: settings left at their default
};

// InputError naming the file, line and column on a syntax error, an unknown key or a value
// of the wrong kind.
RunConfig parse_run_config(const std::string& text, const std::string& origin);
RunConfig read_run_config(const std::string& path);

// Stores the file's options into `vm` beneath those already there (the command line wins);
// only options `opts` knows are taken when `known_only`, otherwise an unknown one is an
// InputError. Switches (quiet, measure = false as no-measure) become their flags.
void store_config_options(const RunConfig& config, const boost::program_options::options_description& opts,
                          boost::program_options::variables_map& vm, bool known_only, const std::string& origin);

// TOML text for a configuration; numbers that are plain integers are written bare, other
// values as strings, so reading it back gives the very same text for each value.
std::string to_toml(const RunConfig& config);

}  // namespace evo::cli
