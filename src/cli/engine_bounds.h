// The flags that raise or lower the engine's bounds (engine::EngineBounds), shared by `run`,
// `resume` and `server` so that each bound has one flag name everywhere.
#pragma once

#include "engine/engine.h"

namespace CLI {
class App;
}

namespace rampart::cli {

// Adds --max-nodes, --max-template-depth, --max-artifact-entries, --max-artifact-bytes and
// --parallelism, writing into `bounds` (whose current values are the defaults shown in --help).
void add_engine_bound_flags(CLI::App& command, engine::EngineBounds& bounds);

}  // namespace rampart::cli
