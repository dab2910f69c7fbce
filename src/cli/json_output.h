// Printing Argo objects for scripts: JSON as is, YAML through yaml-cpp's emitter.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rampart::cli {

std::string to_yaml(const nlohmann::json& value);

// Prints `value` as "json" or "yaml" to stdout.
void print_object(const nlohmann::json& value, const std::string& format);

}  // namespace rampart::cli
