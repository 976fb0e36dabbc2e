// Data-parallel loops: on oneTBB's scheduler, or on plain std::threads in ThreadSanitizer
// builds (EVO_STD_THREADS, set by -DEVO_SANITIZE=thread). Debian's oneTBB is not
// instrumented, so ThreadSanitizer cannot see the synchronisation between its threads and
// would report races in every loop body; on std::threads it checks evo's own code.
#pragma once

#include <cstddef>
#include <functional>

namespace evo {

// Calls f(i) for every i in [0, n), spread over up to `threads` threads (0: every core).
// The first exception a call throws is rethrown once all calls have ended or been skipped.
void parallel_for(std::size_t n, const std::function<void(std::size_t)>& f, int threads = 0);

}  // namespace evo
