#include "search/mpi/worker.h"

#include <chrono>

#include "search/batch_evaluator.h"
#include "search/mpi/messages.h"

namespace evo::mpi {
namespace {

using Clock = std::chrono::steady_clock;

// The tag of rank 0's next message, once there is one.
int next_tag(boost::mpi::communicator& world) {
  ProbePause pause;
  while (true) {
    if (auto st = world.iprobe(0, boost::mpi::any_tag)) return st->tag();
    pause();
  }
}

ResultChunk evaluate_chunk(const Domain& domain, Workers& workers, const WorkChunk& chunk) {
  const auto t0 = Clock::now();
  ResultChunk out;
  out.index = chunk.index;
  out.results.resize(chunk.programs.size());
  out.seconds.resize(chunk.programs.size());
  try {
    workers.for_each(chunk.programs.size(), [&](std::size_t k) {
      const auto e0 = Clock::now();
      out.results[k] = domain.evaluate(chunk.programs[k]);
      out.seconds[k] = seconds_since(e0);
    });
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.busy = seconds_since(t0);
  return out;
}

BredChunk breed_chunk(const Domain& domain, Workers& workers, const BreedChunk& chunk) {
  const auto t0 = Clock::now();
  BredChunk out;
  out.index = chunk.index;
  out.children.resize(chunk.items.size());
  try {
    workers.for_each(chunk.items.size(), [&](std::size_t k) {
      const BreedItem& item = chunk.items[k];
      out.children[k] = breed(domain, chunk.retries, item.has_parent ? &item.parent : nullptr,
                                   item.parent_hash, item.rng);
    });
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.busy = seconds_since(t0);
  return out;
}

ScoreChunk screen_chunk(const Domain& domain, Workers& workers, const ScreenChunk& chunk) {
  const auto t0 = Clock::now();
  ScoreChunk out;
  out.index = chunk.index;
  out.scores.resize(chunk.programs.size());
  try {
    workers.for_each(chunk.programs.size(), [&](std::size_t k) {
      out.scores[k] = domain.screen(chunk.programs[k], static_cast<std::size_t>(chunk.stage), chunk.draw);
    });
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.busy = seconds_since(t0);
  return out;
}

// Receives a chunk of `tag`, does `work` on it and sends the answer back as `answer_tag`.
template <class Chunk, class Answer, class Work>
void answer(boost::mpi::communicator& world, int tag, int answer_tag, const Domain* domain, Workers* workers,
            Work work) {
  Chunk chunk;
  world.recv(0, tag, chunk);
  Answer out;
  if (domain) {
    out = work(*domain, *workers, chunk);
  } else {
    out.index = chunk.index;
    out.error = "work arrived before a domain";
  }
  world.send(0, answer_tag, out);
}

}  // namespace

int serve_evaluations(Cluster& cluster, const DomainFactory& make_domain) {
  auto& world = cluster.world();
  std::unique_ptr<Domain> domain;
  std::unique_ptr<Workers> workers;
  while (true) {
    switch (next_tag(world)) {
      case Tag::session: {
        SessionSpec spec;
        world.recv(0, Tag::session, spec);
        Ready ready;
        try {
          domain = make_domain(spec.domain, spec.settings);
          workers = std::make_unique<Workers>(spec.threads);
          ready.fingerprint = domain->fingerprint();
          ready.threads = workers->threads();
        } catch (const std::exception& e) {
          domain.reset();
          ready.error = e.what();
        }
        world.send(0, Tag::ready, ready);
        break;
      }
      case Tag::work:
        answer<WorkChunk, ResultChunk>(world, Tag::work, Tag::result, domain.get(), workers.get(), evaluate_chunk);
        break;
      case Tag::breed:
        answer<BreedChunk, BredChunk>(world, Tag::breed, Tag::bred, domain.get(), workers.get(), breed_chunk);
        break;
      case Tag::screen:
        answer<ScreenChunk, ScoreChunk>(world, Tag::screen, Tag::scores, domain.get(), workers.get(), screen_chunk);
        break;
      case Tag::end_session:
        world.recv(0, Tag::end_session);
        domain.reset();
        workers.reset();
        break;
      case Tag::exit:
        world.recv(0, Tag::exit);
        return 0;
      default:
        return 1;  // nothing else is sent to workers; rank 0's wait for this rank times out
    }
  }
}

}  // namespace evo::mpi
