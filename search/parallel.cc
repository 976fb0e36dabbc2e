#include "search/parallel.h"

#ifdef EVO_STD_THREADS
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>
#else
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#endif

namespace evo {

#ifdef EVO_STD_THREADS

void parallel_for(std::size_t n, const std::function<void(std::size_t)>& f, int threads) {
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t t = std::min(n, threads > 0 ? static_cast<std::size_t>(threads) : cores);
  if (t <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    try {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) f(i);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t k = 1; k < t; ++k) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

#else

void parallel_for(std::size_t n, const std::function<void(std::size_t)>& f, int threads) {
  auto loop = [&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
    });
  };
  if (threads > 0) {
    tbb::task_arena arena(threads);
    arena.execute(loop);
  } else {
    loop();
  }
}

#endif

}  // namespace evo
