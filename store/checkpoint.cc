#include "store/checkpoint.h"

#include <cstring>
#include <sstream>

#include <xxhash.h>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <SQLiteCpp/Statement.h>

#include "search/errors.h"

namespace evo {

namespace {

constexpr std::uint32_t kCheckpointFormat = 1;
// A checkpoint is this magic, the xxh3-64 of the payload, then the payload (a Boost
// binary archive). The checksum is verified before Boost reads anything, so a damaged
// checkpoint is reported as such instead of feeding garbage lengths to the archive.
constexpr char kMagic[8] = {'E', 'V', 'O', 'C', 'K', 'P', 'T', '1'};
constexpr std::size_t kHeader = sizeof kMagic + sizeof(std::uint64_t);

// Boost reads its archive header, which starts with a length-prefixed signature string,
// before anything else can be checked, and would allocate whatever length it finds. The
// signature's bytes never change, so they are compared before Boost sees the payload
// (the rest of the header is fixed-size; lists are bounded by search/bounded_load.h).
const std::string& archive_signature() {
  static const std::string signature = [] {
    std::ostringstream out;
    { boost::archive::binary_oarchive ar(out); }
    const std::string empty = out.str();
    return empty.substr(0, sizeof(std::uint64_t) + std::strlen("serialization::archive"));
  }();
  return signature;
}

}  // namespace

std::string encode_state(const EngineState& s) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive ar(out);
    const std::uint32_t format = kCheckpointFormat;
    ar << format << s;
  }
  const std::string payload = out.str();
  const std::uint64_t sum = XXH3_64bits(payload.data(), payload.size());
  std::string bytes(kMagic, sizeof kMagic);
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return bytes + payload;
}

EngineState decode_state(const std::string& bytes) {
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw InputError("damaged checkpoint: not an evo checkpoint");
  std::uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + sizeof kMagic, sizeof sum);
  if (XXH3_64bits(bytes.data() + kHeader, bytes.size() - kHeader) != sum)
    throw InputError("damaged checkpoint: checksum mismatch");
  if (bytes.compare(kHeader, archive_signature().size(), archive_signature()) != 0)
    throw InputError("damaged checkpoint: not a Boost binary archive");
  EngineState s;
  try {
    std::istringstream in(bytes.substr(kHeader));
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
