// The processes of an MPI job (Boost.MPI over Open MPI), started by `mpirun -np N evo
// run|resume --mpi`. Rank 0 runs the engine and is the only writer to the store; every
// other rank serves evaluations (worker.h) until rank 0 ends the job.
#pragma once

#include <memory>

namespace boost::mpi {
class communicator;
class environment;
}  // namespace boost::mpi

namespace evo::mpi {

class Cluster {
 public:
  // MPI_Init. In every process only the main thread calls MPI (MPI_THREAD_FUNNELED).
  Cluster(int& argc, char**& argv);
  // Rank 0: tells the workers to exit, or, after a rank failed, aborts the job so that no
  // process waits for a rank that will never answer. Then MPI_Finalize.
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int rank() const;
  int size() const;
  boost::mpi::communicator& world() { return *world_; }

  // A rank died, hung or failed: the job ends with MPI_Abort.
  void mark_broken() { broken_ = true; }
  bool broken() const { return broken_; }

 private:
  std::unique_ptr<boost::mpi::environment> env_;
  std::unique_ptr<boost::mpi::communicator> world_;
  bool broken_ = false;
};

}  // namespace evo::mpi
