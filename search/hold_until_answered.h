// Holds back a session's batches while its evaluator has only failed (an external command
// that cannot start, or exits at once): Domain::evaluator_failure() says so. If it never
// answers, the session ends as failed with nothing of it written, so the database stays at
// the session's start, and fixing the evaluator and resuming gives the run an uninterrupted
// one would have. Once the evaluator answers, the held batches go on, merged, and later
// batches pass straight through. At most the batches before the domain gives up are held.
#pragma once

#include <optional>

#include "search/batch.h"
#include "search/domain.h"

namespace evo {

class HoldUntilAnswered final : public BatchSink {
 public:
  HoldUntilAnswered(BatchSink& inner, const Domain& domain) : inner_(inner), domain_(domain) {}
  void commit(BatchRecord batch) override;
  // Passes on what is held only once the evaluator has answered; what is held when the
  // session ends without an answer is dropped with this object.
  void flush() override;

 private:
  void pass_on_if_answered();
  BatchSink& inner_;
  const Domain& domain_;
  std::optional<BatchRecord> held_;
};

}  // namespace evo
