#include "store/checkpoint.h"

#include <sstream>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <SQLiteCpp/Statement.h>

#include "search/errors.h"

namespace evo {

namespace {
constexpr std::uint32_t kCheckpointFormat = 1;
}

std::string encode_state(const EngineState& s) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive ar(out);
    const std::uint32_t format = kCheckpointFormat;
    ar << format << s;
  }
  return out.str();
}

EngineState decode_state(const std::string& bytes) {
  EngineState s;
  try {
    std::istringstream in(bytes);
    boost::archive::binary_iarchive ar(in);
    std::uint32_t format = 0;
    ar >> format;
    if (format != kCheckpointFormat) throw InputError("checkpoint format " + std::to_string(format) + " is not supported");
    ar >> s;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(std::string("damaged checkpoint: ") + e.what());
  }
  return s;
}

std::optional<EngineState> load_checkpoint(SQLite::Database& db, std::int64_t run_id) {
  SQLite::Statement q(db, "SELECT state FROM checkpoints WHERE run_id = ?");
  q.bind(1, static_cast<std::int64_t>(run_id));
  if (!q.executeStep()) return std::nullopt;
  const auto col = q.getColumn(0);
  return decode_state(std::string(static_cast<const char*>(col.getBlob()), col.getBytes()));
}

}  // namespace evo
