// A stored run's domain settings, as make_domain() takes them to rebuild the run's domain.
#pragma once

#include <map>
#include <string>

#include "store/runs.h"

namespace evo {

// The stored settings, plus the value each setting added since the run was made had before
// (DomainEntry::before_added), so a resumed or re-read run is the run it was.
std::map<std::string, std::string> run_settings(const RunInfo& run);

}  // namespace evo
