#include "search/async_sink.h"

#include <iterator>

namespace evo {

void merge_batches(BatchRecord& into, BatchRecord&& next) {
  into.candidates.insert(into.candidates.end(), std::make_move_iterator(next.candidates.begin()),
                         std::make_move_iterator(next.candidates.end()));
  into.new_cache_entries.insert(into.new_cache_entries.end(), std::make_move_iterator(next.new_cache_entries.begin()),
                                std::make_move_iterator(next.new_cache_entries.end()));
  into.cache_hits.insert(into.cache_hits.end(), next.cache_hits.begin(), next.cache_hits.end());
  into.state = std::move(next.state);
  into.population = next.population;  // the population after the newest batch
  into.distinct_functions = next.distinct_functions;
}

AsyncSink::AsyncSink(BatchSink& inner, int max_pending)
    : inner_(inner), max_pending_(max_pending < 1 ? 1 : max_pending), thread_([this] { loop(); }) {}

AsyncSink::~AsyncSink() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return (!pending_ && !busy_) || (error_ && !busy_); });
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AsyncSink::rethrow() {
  if (error_) std::rethrow_exception(error_);
}

void AsyncSink::commit(BatchRecord batch) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return pending_count_ < max_pending_ || error_; });
  rethrow();
  if (pending_) merge_batches(*pending_, std::move(batch));
  else pending_ = std::move(batch);
  ++pending_count_;
  cv_.notify_all();
}

void AsyncSink::flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return (!pending_ && !busy_) || error_; });
  rethrow();
}

void AsyncSink::loop() {
  while (true) {
    BatchRecord batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return pending_ || stop_; });
      if (!pending_) return;
      batch = std::move(*pending_);
      pending_.reset();
      pending_count_ = 0;
      if (error_) {  // never write after a batch that failed: the run would have a gap
        cv_.notify_all();
        continue;
      }
      busy_ = true;
    }
    cv_.notify_all();
    try {
      inner_.commit(std::move(batch));
    } catch (...) {
      std::lock_guard lock(mu_);
      error_ = std::current_exception();
    }
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

}  // namespace evo
