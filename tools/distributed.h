// `evo run|resume --mpi` under `mpirun -np N`: MPI starts around the command, ranks >= 1
// serve evaluations, and rank 0's session evaluates through them. The one place that knows
// whether this evo was built with MPI.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "search/batch_evaluator.h"
#include "search/domain.h"
#include "store/runs.h"

namespace evo::cli {

// Started in main() before the command runs, ended after it (MPI_Finalize, or MPI_Abort
// when a rank failed).
class MpiScope {
 public:
  MpiScope(int& argc, char**& argv);  // starts MPI when argv has --mpi
  ~MpiScope();
  bool is_worker() const;  // rank >= 1: serve() instead of running the command
  int serve();             // the exit code

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// InputError for a launch that cannot be what was meant: started by mpirun as one of
// several processes without --mpi (each would be a search of its own on the same
// database), or --rank-timeout without --mpi.
void check_mpi_options(bool mpi, bool rank_timeout_given);

struct EvaluatorChoice {
  std::unique_ptr<BatchEvaluator> evaluator;
  std::function<std::string()> summary;  // a line on what dispatching cost; empty when local
};

// The thread evaluator, or with `mpi` the MPI one over the job's ranks (InputError when evo
// was not started with --mpi support). `interrupted` is polled while waiting for ranks.
EvaluatorChoice choose_evaluator(bool mpi, double rank_timeout, Workers& workers, const RunInfo& run,
                                 const Domain& domain, std::function<bool()> interrupted);

}  // namespace evo::cli
