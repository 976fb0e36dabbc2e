#include "tools/distributed.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "tools/cli.h"

#ifdef EVO_WITH_MPI
#include "search/mpi/cluster.h"
#include "search/mpi/mpi_evaluator.h"
#include "search/mpi/worker.h"
#endif

namespace evo::cli {

void check_mpi_options(bool mpi, bool rank_timeout_given) {
  if (mpi) return;
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* n = std::getenv(var);
    if (n && std::atoi(n) > 1)
      throw InputError(std::string("started by mpirun as one of ") + n +
                       " processes but without --mpi: add --mpi, or run one process");
  }
  if (rank_timeout_given) throw InputError("--rank-timeout applies only with --mpi");
}

#ifdef EVO_WITH_MPI

struct MpiScope::Impl {
  mpi::Cluster cluster;
  Impl(int& argc, char**& argv) : cluster(argc, argv) {}
};

namespace {
mpi::Cluster* g_cluster = nullptr;  // rank 0's, while the command runs
}

MpiScope::MpiScope(int& argc, char**& argv) {
  bool asked = false;
  for (int i = 1; i < argc; ++i) asked |= std::strcmp(argv[i], "--mpi") == 0;
  if (!asked) return;
  impl_ = std::make_unique<Impl>(argc, argv);
  g_cluster = &impl_->cluster;
}

MpiScope::~MpiScope() { g_cluster = nullptr; }

bool MpiScope::is_worker() const { return impl_ && impl_->cluster.rank() != 0; }

int MpiScope::serve() {
  return mpi::serve_evaluations(impl_->cluster, [](const std::string& name, const std::map<std::string, std::string>& s) {
    return make_domain(name, s);
  });
}

EvaluatorChoice choose_evaluator(bool use_mpi, double rank_timeout, Workers& workers, const RunInfo& run,
                                 const Domain& domain, std::function<bool()> interrupted) {
  EvaluatorChoice choice;
  if (!use_mpi) {
    choice.evaluator = std::make_unique<ThreadEvaluator>(workers);
    return choice;
  }
  if (!g_cluster) throw InputError("--mpi: MPI did not start");
  mpi::SessionSpec spec{run.domain, run_settings(run), workers.threads()};
  auto evaluator = std::make_unique<mpi::MpiEvaluator>(*g_cluster, workers, spec, domain,
                                                       mpi::DispatchOptions{rank_timeout, std::move(interrupted)});
  const mpi::MpiEvaluator* e = evaluator.get();
  choice.summary = [e] {
    const auto& s = e->stats();
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "mpi: %d worker rank(s), %llu batches in %llu chunks: %llu children made, %llu screened and %llu "
                  "evaluations on workers, %llu shared by twins; rank 0 on its own %.2f s, waiting for ranks %.2f s, "
                  "dispatch overhead %.3f ms per batch",
                  e->worker_ranks(), static_cast<unsigned long long>(s.batches),
                  static_cast<unsigned long long>(s.chunks), static_cast<unsigned long long>(s.bred),
                  static_cast<unsigned long long>(s.screened), static_cast<unsigned long long>(s.programs),
                  static_cast<unsigned long long>(s.shared), s.local, s.wall, 1e3 * s.overhead_per_batch());
    return std::string(buf);
  };
  choice.evaluator = std::move(evaluator);
  return choice;
}

#else  // built without Boost.MPI

struct MpiScope::Impl {};
MpiScope::MpiScope(int&, char**&) {}
MpiScope::~MpiScope() = default;
bool MpiScope::is_worker() const { return false; }
int MpiScope::serve() { return 0; }

EvaluatorChoice choose_evaluator(bool use_mpi, double, Workers& workers, const RunInfo&, const Domain&,
                                 std::function<bool()>) {
  if (use_mpi)
    throw InputError("--mpi: this evo was built without MPI (tools/bootstrap.sh installs libboost-mpi-dev and "
                     "openmpi-bin; then rebuild)");
  EvaluatorChoice choice;
  choice.evaluator = std::make_unique<ThreadEvaluator>(workers);
  return choice;
}

#endif

}  // namespace evo::cli
