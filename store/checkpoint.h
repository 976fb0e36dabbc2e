// Checkpoints: the engine state after a committed batch, as Boost.serialization binary.
#pragma once

#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "search/batch.h"

namespace evo {

std::string encode_state(const EngineState& s);
EngineState decode_state(const std::string& bytes);  // throws InputError on a damaged checkpoint

std::optional<EngineState> load_checkpoint(SQLite::Database& db, std::int64_t run_id);

}  // namespace evo
