#include "search/mpi/cluster.h"

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>

#include "search/mpi/messages.h"

namespace evo::mpi {

Cluster::Cluster(int& argc, char**& argv)
    : env_(std::make_unique<boost::mpi::environment>(argc, argv, boost::mpi::threading::funneled)),
      world_(std::make_unique<boost::mpi::communicator>()) {}

Cluster::~Cluster() {
  if (rank() != 0) return;
  if (broken_) env_->abort(1);  // does not return
  try {
    for (int r = 1; r < size(); ++r) world_->send(r, Tag::exit);
  } catch (...) {
    env_->abort(1);  // a rank is gone: end the job rather than wait in MPI_Finalize
  }
}

int Cluster::rank() const { return world_->rank(); }
int Cluster::size() const { return world_->size(); }

}  // namespace evo::mpi
