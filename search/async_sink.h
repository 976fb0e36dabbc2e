// Hands batches to another sink on a background thread, so the search computes the next
// batches while earlier ones are written. Batches that arrive while the writer is busy
// are merged and written together in one transaction (each batch stays whole; the
// checkpoint is the newest batch's), so a slow disk costs fewer, larger commits rather
// than stalling the search. At most `max_pending` batches wait; then commit() blocks.
// An error in the writer is rethrown by the next commit()/flush(), and nothing after a
// failed batch is written.
#pragma once

#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "search/batch.h"

namespace evo {

class AsyncSink final : public BatchSink {
 public:
  explicit AsyncSink(BatchSink& inner, int max_pending = 16);
  ~AsyncSink() override;
  void commit(BatchRecord batch) override;
  void flush() override;

 private:
  void loop();
  void rethrow();
  BatchSink& inner_;
  int max_pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<BatchRecord> pending_;  // merged batches not yet handed to the writer
  int pending_count_ = 0;
  bool busy_ = false, stop_ = false;
  std::exception_ptr error_;  // the writer's failure; stays set: nothing is written after it
  std::thread thread_;
};

// Appends `next` to `into` (candidates, cache entries, hits) and takes its state.
void merge_batches(BatchRecord& into, BatchRecord&& next);

}  // namespace evo
