// A worker rank (rank >= 1): builds the domain rank 0 names, makes the children and
// evaluates the programs it is sent, in chunks, on its own TBB threads, and answers with the
// results, until rank 0 ends the job.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "search/domain.h"
#include "search/mpi/cluster.h"

namespace evo::mpi {

using DomainFactory =
    std::function<std::unique_ptr<Domain>(const std::string& name, const std::map<std::string, std::string>& settings)>;

// Returns the process's exit code once rank 0 sends exit.
int serve_evaluations(Cluster& cluster, const DomainFactory& make_domain);

}  // namespace evo::mpi
