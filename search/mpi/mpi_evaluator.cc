#include "search/mpi/mpi_evaluator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <limits>

namespace evo::mpi {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

}  // namespace

MpiEvaluator::MpiEvaluator(Cluster& cluster, Workers& local, const SessionSpec& spec, const Domain& domain,
                           DispatchOptions opts)
    : cluster_(cluster), local_(local), opts_(std::move(opts)), threads_(cluster.size(), 1),
      outbox_(cluster.size()),
      last_answer_(cluster.size()) {
  auto& world = cluster_.world();
  for (int r = 1; r < cluster_.size(); ++r) world.send(r, Tag::session, spec);
  // Every worker builds the domain (loading its data) at once; wait for all of them.
  const auto t0 = Clock::now();
  std::vector<bool> answered(cluster_.size(), false);
  int waiting = cluster_.size() - 1;
  ProbePause pause;
  while (waiting > 0) {
    if (auto st = world.iprobe(boost::mpi::any_source, Tag::ready)) {
      const int r = st->source();
      Ready ready;
      world.recv(r, Tag::ready, ready);
      answered[r] = true;
      --waiting;
      if (!ready.error.empty()) fail("rank " + std::to_string(r) + " cannot build the domain: " + ready.error);
      if (ready.fingerprint != domain.fingerprint())
        fail("rank " + std::to_string(r) + " builds a domain that evaluates differently from rank 0's (fingerprint " +
             ready.fingerprint + ", not " + domain.fingerprint() + "); every rank needs the same evo and data files");
      threads_[r] = std::max(1, ready.threads);
      continue;
    }
    if (seconds_since(t0) > opts_.rank_timeout)
      for (int r = 1; r < cluster_.size(); ++r)
        if (!answered[r])
          fail("rank " + std::to_string(r) + " did not start its session in " + seconds_text(opts_.rank_timeout) +
               " s (--rank-timeout)");
    pause();
  }
}

MpiEvaluator::~MpiEvaluator() {
  if (cluster_.broken()) return;  // the job ends with MPI_Abort
  try {
    for (int r = 1; r < cluster_.size(); ++r) cluster_.world().send(r, Tag::end_session);
  } catch (...) {  // the job is ending anyway
  }
}

void MpiEvaluator::fail(const std::string& message) {
  cluster_.mark_broken();
  throw RankFailure(message);
}

void MpiEvaluator::run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish,
                       const Breeding* breeding) {
  std::vector<EvalJob> jobs;
  if (breeding && worker_ranks() > 0) {
    jobs = breed_remotely(n, *breeding);
  } else {
    const auto made = Clock::now();
    jobs.resize(n);
    local_.for_each(n, [&](std::size_t i) { jobs[i] = make(i); });
    stats_.local += seconds_since(made);
  }
  const auto sorting = Clock::now();

  // Each function once: a job whose function an earlier job of the batch computes takes
  // that one's result.
  const BatchPlan plan = plan_batch(jobs);
  const std::vector<std::size_t>& to_evaluate = plan.to_evaluate;
  stats_.shared += plan.shared;
  stats_.local += seconds_since(sorting);

  std::vector<std::optional<TimedEvaluation>> results(n);
  if (worker_ranks() == 0) {
    local_.for_each(to_evaluate.size(), [&](std::size_t k) {
      const std::size_t i = to_evaluate[k];
      const auto e0 = Clock::now();
      Evaluation e = domain.evaluate(*jobs[i].program);
      results[i] = TimedEvaluation{std::move(e), seconds_since(e0)};
    });
  } else if (!to_evaluate.empty()) {
    evaluate_remotely(to_evaluate, jobs, results);
  }
  const auto finishing = Clock::now();
  for (std::size_t i = 0; i < n; ++i)
    if (plan.twin_of[i] != kNoTwin) results[i] = TimedEvaluation{results[plan.twin_of[i]]->result, 0.0};
  local_.for_each(n, [&](std::size_t i) { finish(i, std::move(results[i])); });
  stats_.local += seconds_since(finishing);
  ++stats_.batches;
}

std::vector<EvalJob> MpiEvaluator::breed_remotely(std::size_t n, const Breeding& breeding) {
  const auto planning = Clock::now();
  std::vector<BreedTask> tasks(n);
  local_.for_each(n, [&](std::size_t i) { tasks[i] = breeding.plan(i); });
  stats_.local += seconds_since(planning);
  std::vector<std::optional<Bred>> children(n);
  dispatch(
      n, Tag::bred,
      [&](int r, Outbox& box, std::size_t first, std::size_t size) {
        BreedChunk& chunk = box.breed;
        chunk.retries = breeding.retries;
        chunk.index.clear();
        chunk.items.resize(size);
        for (std::size_t k = 0; k < size; ++k) {
          const BreedTask& t = tasks[first + k];
          chunk.index.push_back(static_cast<std::uint32_t>(first + k));
          BreedItem& item = chunk.items[k];
          item.rng = t.rng;
          item.has_parent = t.parent != nullptr;
          item.parent = t.parent ? *t.parent : Program{};
          item.parent_hash = t.parent_hash;
        }
        stats_.bred += size;
        return cluster_.world().isend(r, Tag::breed, chunk);
      },
      [&](int r, const Outbox& box, std::size_t size) {
        BredChunk answer;
        cluster_.world().recv(r, Tag::bred, answer);
        check_answer(r, answer, box.breed.index, answer.children.size(), size);
        for (std::size_t k = 0; k < size; ++k) children[answer.index[k]] = std::move(answer.children[k]);
        return answer.busy;
      });
  const auto t0 = Clock::now();
  std::vector<EvalJob> jobs(n);
  local_.for_each(n, [&](std::size_t i) { jobs[i] = breeding.adopt(i, std::move(*children[i])); });
  stats_.local += seconds_since(t0);
  return jobs;
}

void MpiEvaluator::evaluate_remotely(const std::vector<std::size_t>& to_evaluate, const std::vector<EvalJob>& jobs,
                                     std::vector<std::optional<TimedEvaluation>>& results) {
  dispatch(
      to_evaluate.size(), Tag::result,
      [&](int r, Outbox& box, std::size_t first, std::size_t size) {
        WorkChunk& chunk = box.work;
        chunk.index.clear();
        chunk.programs.clear();
        for (std::size_t k = first; k < first + size; ++k) {
          chunk.index.push_back(static_cast<std::uint32_t>(to_evaluate[k]));
          chunk.programs.push_back(*jobs[to_evaluate[k]].program);
        }
        stats_.programs += size;
        return cluster_.world().isend(r, Tag::work, chunk);
      },
      [&](int r, const Outbox& box, std::size_t size) {
        ResultChunk answer;
        cluster_.world().recv(r, Tag::result, answer);
        check_answer(r, answer, box.work.index, answer.results.size(), size);
        if (answer.seconds.size() != size) fail("rank " + std::to_string(r) + " answered without timings");
        for (std::size_t k = 0; k < size; ++k)
          results[answer.index[k]] = TimedEvaluation{std::move(answer.results[k]), answer.seconds[k]};
        return answer.busy;
      });
}

std::vector<double> MpiEvaluator::screen(const Domain& domain, const std::vector<const Program*>& programs,
                                         std::size_t stage, std::uint64_t draw) {
  std::vector<double> score(programs.size());
  if (worker_ranks() == 0) {
    local_.for_each(programs.size(), [&](std::size_t k) { score[k] = domain.screen(*programs[k], stage, draw); });
    return score;
  }
  dispatch(
      programs.size(), Tag::scores,
      [&](int r, Outbox& box, std::size_t first, std::size_t size) {
        ScreenChunk& chunk = box.screen;
        chunk.stage = stage;
        chunk.draw = draw;
        chunk.index.clear();
        chunk.programs.clear();
        for (std::size_t k = first; k < first + size; ++k) {
          chunk.index.push_back(static_cast<std::uint32_t>(k));
          chunk.programs.push_back(*programs[k]);
        }
        stats_.screened += size;
        return cluster_.world().isend(r, Tag::screen, chunk);
      },
      [&](int r, const Outbox& box, std::size_t size) {
        ScoreChunk answer;
        cluster_.world().recv(r, Tag::scores, answer);
        check_answer(r, answer, box.screen.index, answer.scores.size(), size);
        for (std::size_t k = 0; k < size; ++k) score[answer.index[k]] = answer.scores[k];
        return answer.busy;
      });
  return score;
}

template <class Answer>
void MpiEvaluator::check_answer(int rank, const Answer& answer, const std::vector<std::uint32_t>& sent,
                                std::size_t answers, std::size_t expected) {
  if (!answer.error.empty()) fail("rank " + std::to_string(rank) + " failed: " + answer.error);
  if (answers != expected || answer.index != sent)
    fail("rank " + std::to_string(rank) + " answered " + std::to_string(answers) + " results for " +
         std::to_string(expected) + " jobs, or for other jobs than it was sent");
}

void MpiEvaluator::dispatch(std::size_t count, int answer,
                            const std::function<boost::mpi::request(int, Outbox&, std::size_t, std::size_t)>& send,
                            const std::function<double(int, const Outbox&, std::size_t)>& take) {
  try {
    dispatch_round(count, answer, send, take);
  } catch (...) {
    // Whatever went wrong, chunks may be in flight: workers would wait forever to hand
    // their answers to a rank 0 in MPI_Finalize. End the job instead.
    cluster_.mark_broken();
    throw;
  }
}

void MpiEvaluator::dispatch_round(std::size_t count, int answer,
                                  const std::function<boost::mpi::request(int, Outbox&, std::size_t, std::size_t)>& send,
                                  const std::function<double(int, const Outbox&, std::size_t)>& take) {
  auto& world = cluster_.world();
  const int workers = worker_ranks();
  const auto t0 = Clock::now();
  std::size_t next = 0;
  int outstanding = 0;
  // Each rank holds up to kDepth chunks, so the next is there when it finishes one; a
  // rank answers its chunks in the order it got them (MPI keeps the order of messages
  // between two ranks).
  struct Flight {
    std::size_t size;
    int slot;
    Clock::time_point sent;
  };
  std::vector<std::deque<Flight>> flights(cluster_.size());
  std::vector<double> busy(cluster_.size(), 0.0);

  auto send_chunk = [&](int r) {
    // Guided scheduling: half the remaining work spread over the ranks, never less than a
    // rank has threads; small chunks at the end keep every rank busy to the last.
    const std::size_t remaining = count - next;
    const std::size_t share = (remaining + 2 * workers - 1) / (2 * workers);
    const std::size_t size = std::min(remaining, std::max<std::size_t>(share, threads_[r]));
    const int slot = flights[r].empty() ? 0 : 1 - flights[r].back().slot;
    Outbox& box = outbox_[r][slot];
    if (box.send) box.send->wait();  // done: the rank has answered the chunk it carried
    box.send = send(r, box, next, size);
    next += size;
    flights[r].push_back(Flight{size, slot, Clock::now()});
    ++outstanding;
    ++stats_.chunks;
  };

  for (int depth = 0; depth < kDepth; ++depth)
    for (int r = 1; r <= workers && next < count; ++r) send_chunk(r);
  ProbePause pause;
  while (outstanding > 0) {
    if (auto st = world.iprobe(boost::mpi::any_source, answer)) {
      const int r = st->source();
      if (flights[r].empty()) fail("rank " + std::to_string(r) + " answered a chunk it was not sent");
      --outstanding;
      busy[r] += take(r, outbox_[r][flights[r].front().slot], flights[r].front().size);
      last_answer_[r] = Clock::now();
      flights[r].pop_front();
      if (next < count) send_chunk(r);
      pause = ProbePause{};
      continue;
    }
    const auto now = Clock::now();
    for (int r = 1; r <= workers; ++r) {
      if (flights[r].empty()) continue;
      // The rank works on its oldest chunk; the time it has had for it is since it
      // answered the one before (or since the chunk was sent, if later).
      const Flight& oldest = flights[r].front();
      if (std::chrono::duration<double>(now - std::max(oldest.sent, last_answer_[r])).count() > opts_.rank_timeout)
        fail("rank " + std::to_string(r) + " has not answered in " + seconds_text(opts_.rank_timeout) + " s (it holds " +
             std::to_string(oldest.size) + " candidates; hung or dead?); set --rank-timeout for slower evaluations");
    }
    if (opts_.interrupted && opts_.interrupted()) {
      std::string holding;
      for (int r = 1; r <= workers; ++r)
        if (!flights[r].empty()) holding += (holding.empty() ? "" : ", ") + std::to_string(r);
      fail("stopped by a signal while rank(s) " + holding +
           " were working (mpirun stops every rank when one dies); the batch in flight is dropped");
    }
    pause();
  }
  for (auto& boxes : outbox_)  // every chunk was answered, so every send is complete
    for (Outbox& box : boxes)
      if (box.send) {
        box.send->wait();
        box.send.reset();
      }
  stats_.wall += seconds_since(t0);
  stats_.busiest += *std::max_element(busy.begin(), busy.end());
}

}  // namespace evo::mpi
