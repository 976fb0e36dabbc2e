// What rank 0 and the worker ranks send each other, serialized by Boost.MPI.
//
//   rank 0                       worker
//   session(SessionSpec)   ->    builds the domain
//                          <-    ready(Ready): its fingerprint, or why it could not
//   breed(BreedChunk)      ->    makes the children (search/breed.h) on its own TBB threads
//                          <-    bred(BredChunk)
//   work(WorkChunk)        ->    evaluates the programs
//                          <-    result(ResultChunk)
//   screen(ScreenChunk)    ->    scores them at a stage of multi-step selection (elitist runs)
//                          <-    scores(ScoreChunk)
//   ... more of both, batch after batch ...
//   end_session            ->    drops the domain, waits for the next session
//   exit                   ->    MPI_Finalize
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/mpi/communicator.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "search/breed.h"
#include "search/domain.h"
#include "search/program.h"
#include "search/rng.h"

namespace evo::mpi {

struct Tag {
  enum : int {
    session = 1, ready = 2, work = 3, result = 4, end_session = 5, exit = 6, breed = 7, bred = 8, screen = 9, scores = 10
  };
};

// A domain as every rank can build it: its registry name and its resolved settings.
struct SessionSpec {
  std::string domain;
  std::map<std::string, std::string> settings;
  int threads = 1;  // TBB threads per worker rank

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& domain& settings& threads;
  }
};

struct Ready {
  std::string error;        // empty: the domain was built
  std::string fingerprint;  // must equal rank 0's, or the ranks would evaluate differently
  int threads = 1;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& error& fingerprint& threads;
  }
};

struct WorkChunk {
  std::vector<std::uint32_t> index;  // positions in rank 0's batch
  std::vector<Program> programs;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& programs;
  }
};

struct ResultChunk {
  std::vector<std::uint32_t> index;
  std::vector<Evaluation> results;
  std::vector<double> seconds;  // each evaluation's wall-clock time
  double busy = 0;              // wall-clock time the chunk took on the worker
  std::string error;            // non-empty: the worker failed (e.g. out of memory)

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& results& seconds& busy& error;
  }
};

// One child to make: its stream (after its parent was chosen) and its parent, if any.
struct BreedItem {
  Rng rng{0};
  bool has_parent = false;
  Program parent;
  Hash128 parent_hash;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& rng& has_parent;
    if (has_parent) ar& parent& parent_hash;
  }
};

struct BreedChunk {
  std::vector<std::uint32_t> index;
  std::vector<BreedItem> items;
  int retries = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& items& retries;
  }
};

struct BredChunk {
  std::vector<std::uint32_t> index;
  std::vector<Bred> children;
  double busy = 0;
  std::string error;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& children& busy& error;
  }
};

struct ScreenChunk {
  std::vector<std::uint32_t> index;
  std::vector<Program> programs;
  std::uint64_t stage = 0;
  std::uint64_t draw = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& programs& stage& draw;
  }
};

struct ScoreChunk {
  std::vector<std::uint32_t> index;
  std::vector<double> scores;
  double busy = 0;
  std::string error;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& scores& busy& error;
  }
};

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Waiting without a blocking MPI call, which would spin a core that the other ranks on an
// oversubscribed machine need: probe, and sleep between probes -- briefly at first, since
// answers usually come quickly, then longer, so an idle rank costs next to nothing.
class ProbePause {
 public:
  void operator()() {
    std::this_thread::sleep_for(++probes_ < 2000 ? std::chrono::microseconds(50) : std::chrono::microseconds(500));
  }

 private:
  int probes_ = 0;
};

}  // namespace evo::mpi
