#include "cli/engine_bounds.h"

#include <CLI/CLI.hpp>

namespace rampart::cli {

void add_engine_bound_flags(CLI::App& command, engine::EngineBounds& bounds) {
  command
      .add_option("--max-nodes", bounds.max_nodes,
                  "Nodes one workflow may create (loops are checked before they expand)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}))
      ->capture_default_str();
  command
      .add_option("--max-template-depth", bounds.max_template_depth,
                  "How deep templates may call each other (recursion stops there)")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  command
      .add_option("--max-artifact-entries", bounds.artifacts.max_entries,
                  "Entries an input artifact's archive may hold")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
      ->capture_default_str();
  command
      .add_option("--max-artifact-bytes", bounds.artifacts.max_bytes,
                  "Bytes an input artifact's archive may unpack to, all entries together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      .add_option("--parallelism", bounds.max_running_steps,
                  "Steps running at once, all workflows of this process together (0: no limit; default 4 x the CPUs)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))
      ->capture_default_str();
}

}  // namespace rampart::cli
