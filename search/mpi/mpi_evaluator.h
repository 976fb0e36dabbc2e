// The batch evaluator of rank 0 in an MPI job. Per batch, in two rounds over the worker
// ranks (elitist runs add a round per screening stage): rank 0 chooses each child's parent and the workers make the children (the costly,
// pure part of making: mutation, constant fitting, hashing; search/breed.h); rank 0 asks the
// functional-equivalence cache, and the workers evaluate each function the cache does not
// know, once. Each round is a dynamic queue: a rank that finishes early gets more, and
// chunks shrink as the queue empties (guided scheduling). Answers are put back by batch
// position, so which rank did what never changes a result: any number of ranks gives the
// candidates of a single process.
//
// A worker that sends no answer within `rank_timeout` seconds, or reports a failure, stops
// the run with an error naming it (RankFailure); the batches committed before it stay.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/mpi/request.hpp>

#include "search/batch_evaluator.h"
#include "search/mpi/cluster.h"
#include "search/mpi/messages.h"

namespace evo::mpi {

struct RankFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DispatchOptions {
  double rank_timeout = 600;          // seconds a worker may take over one chunk
  std::function<bool()> interrupted;  // a signal arrived (e.g. mpirun stopping the job)
};

// What dispatching cost, for the run's summary and the benchmarks.
struct DispatchStats {
  std::uint64_t batches = 0;
  std::uint64_t chunks = 0;
  std::uint64_t bred = 0;      // children made by workers
  std::uint64_t programs = 0;  // evaluations sent
  std::uint64_t screened = 0;  // screening scores sent (elitist runs)
  std::uint64_t shared = 0;    // jobs answered by an earlier twin in their batch, never sent
  double local = 0;            // seconds rank 0 spent on its own part of the batches
  double wall = 0;             // seconds from a round's first send to its last answer, summed
  double busiest = 0;          // per round, the busiest worker's working time, summed
  // Per batch, the time the busiest worker was idle in the rounds: messages,
  // serialization, waiting for the tail.
  double overhead_per_batch() const { return batches ? (wall - busiest) / batches : 0.0; }
};

class MpiEvaluator final : public BatchEvaluator {
 public:
  // Starts a session on every worker: each builds `spec`'s domain and must report the
  // fingerprint of `domain` (RankFailure otherwise). `local` works on rank 0: choosing
  // parents, asking the cache, and everything when there are no workers.
  MpiEvaluator(Cluster& cluster, Workers& local, const SessionSpec& spec, const Domain& domain,
               DispatchOptions opts);
  ~MpiEvaluator() override;  // ends the session on the workers

  void run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish,
           const Breeding* breeding) override;
  std::vector<double> screen(const Domain& domain, const std::vector<const Program*>& programs, std::size_t stage,
                             std::uint64_t draw) override;

  int worker_ranks() const { return cluster_.size() - 1; }
  const DispatchStats& stats() const { return stats_; }

 private:
  // Hands out `count` jobs in chunks and takes the answers: send(r, box, first, size) sends
  // jobs [first, first + size) to rank r from `box`; take(r, box, size) receives rank r's
  // answer to its oldest chunk (sent from `box`) and returns the seconds the rank worked on
  // it. Any failure marks the cluster broken, so the job ends with MPI_Abort.
  struct Outbox;
  void dispatch(std::size_t count, int answer,
                const std::function<boost::mpi::request(int, Outbox&, std::size_t, std::size_t)>& send,
                const std::function<double(int, const Outbox&, std::size_t)>& take);
  void dispatch_round(std::size_t count, int answer,
                      const std::function<boost::mpi::request(int, Outbox&, std::size_t, std::size_t)>& send,
                      const std::function<double(int, const Outbox&, std::size_t)>& take);
  // The children of the batch, made by the workers; then make's result for each.
  std::vector<EvalJob> breed_remotely(std::size_t n, const Breeding& breeding);
  void evaluate_remotely(const std::vector<std::size_t>& to_evaluate, const std::vector<EvalJob>& jobs,
                         std::vector<std::optional<TimedEvaluation>>& results);
  // RankFailure unless the rank answered every job it was sent, and only those.
  template <class Answer>
  void check_answer(int rank, const Answer& answer, const std::vector<std::uint32_t>& sent, std::size_t answers,
                    std::size_t expected);
  [[noreturn]] void fail(const std::string& message);

  Cluster& cluster_;
  Workers& local_;
  DispatchOptions opts_;
  std::vector<int> threads_;  // per rank (index 0 unused): chunks are at least this large
  // Each rank's chunks in flight (their job indices check the answers) and their sends.
  // Sends do not block: a rank that hangs before receiving a large chunk would hold rank 0
  // in a blocking send, past any timeout.
  struct Outbox {
    WorkChunk work;
    BreedChunk breed;
    ScreenChunk screen;
    std::optional<boost::mpi::request> send;
  };
  static constexpr int kDepth = 2;  // chunks a rank holds at once
  std::vector<std::array<Outbox, kDepth>> outbox_;
  std::vector<std::chrono::steady_clock::time_point> last_answer_;  // per rank
  DispatchStats stats_;
};

}  // namespace evo::mpi
