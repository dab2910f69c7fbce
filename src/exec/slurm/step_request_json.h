// The files that carry a step to a Slurm node and its outcome back: the StepRequest as JSON (it
// holds the step's environment and registry credentials, so it is written mode 0600 and never
// put on a command line) and the StepResult the node writes when the step has ended.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "exec/executor.h"

namespace rampart::exec::slurm {

// The request's masker does not travel: only the names of the environment variables whose
// value is one of its secret values ("secret_env"); request_from_json builds the node's masker
// from those variables' values. Secrets the step gets otherwise (a Secret volume's files, a
// parameter that carries a value) are not known on the node: the engine masks the step's
// stdout and log files again with the whole masker when the step has ended.
nlohmann::json request_to_json(const StepRequest& request);
// Throws std::invalid_argument naming the field that is missing or of the wrong type.
StepRequest request_from_json(const nlohmann::json& json);

nlohmann::json result_to_json(const StepResult& result);
StepResult result_from_json(const nlohmann::json& json);

// Writes `text` to `path` through a temporary file and rename, so a reader on another node sees
// the whole file or none of it; `mode` applies from the start (no window with wider access).
// Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& text, unsigned mode);

// Reads and parses a JSON file; throws std::runtime_error with the path in the message.
nlohmann::json read_json_file(const std::string& path);

}  // namespace rampart::exec::slurm
