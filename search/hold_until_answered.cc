#include "search/hold_until_answered.h"

#include <utility>

#include "search/async_sink.h"

namespace evo {

void HoldUntilAnswered::commit(BatchRecord batch) {
  if (held_) merge_batches(*held_, std::move(batch));
  else held_ = std::move(batch);
  pass_on_if_answered();
}

void HoldUntilAnswered::flush() {
  pass_on_if_answered();
  inner_.flush();
}

void HoldUntilAnswered::pass_on_if_answered() {
  if (!held_ || !domain_.evaluator_failure().empty()) return;
  BatchRecord batch = std::move(*held_);
  held_.reset();
  inner_.commit(std::move(batch));
}

}  // namespace evo
