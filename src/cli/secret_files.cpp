#include "cli/secret_files.h"

#include <stdexcept>

#include <CLI/CLI.hpp>
#include <sodium.h>
#include <yaml-cpp/yaml.h>

namespace rampart::cli {
namespace {

std::string decode_base64(const std::string& text, const std::string& where) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), " \t\r\n",
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    throw std::runtime_error(where + ": data is not valid base64");
  }
  out.resize(length);
  return out;
}

void check_size(const std::string& value, uint64_t max_bytes, const std::string& where) {
  if (value.size() <= max_bytes) return;
  throw std::runtime_error(where + ": the value is " + std::to_string(value.size()) + " bytes, more than the " +
                           std::to_string(max_bytes) +
                           " bytes rampart masks in every form (--max-secret-bytes raises it)");
}

}  // namespace

void add_max_secret_bytes_option(CLI::App& command, uint64_t& max_value_bytes) {
  max_value_bytes = kDefaultMaxSecretBytes;
  command
      .add_option("--max-secret-bytes", max_value_bytes,
                  "Largest secret value accepted (masking every form of a value costs memory in proportion)")
      ->default_val(kDefaultMaxSecretBytes);
}

Secrets load_secret_files(const std::vector<std::string>& paths, uint64_t max_value_bytes) {
  Secrets secrets;
  for (const auto& path : paths) {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAllFromFile(path);
    } catch (const YAML::BadFile&) {
      throw std::runtime_error(path + ": cannot read file");
    } catch (const YAML::ParserException& e) {
      throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                               ": invalid YAML: " + e.msg);
    }
    for (const auto& doc : docs) {
      if (!doc.IsMap() || !doc["kind"] || doc["kind"].as<std::string>("") != "Secret") continue;
      std::string name = doc["metadata"] && doc["metadata"]["name"] ? doc["metadata"]["name"].as<std::string>("") : "";
      if (name.empty()) throw std::runtime_error(path + ": a Secret without metadata.name");
      auto& entry = secrets[name];
      if (doc["data"] && doc["data"].IsMap()) {
        for (const auto& kv : doc["data"]) {
          std::string key = kv.first.as<std::string>();
          std::string where = path + ": Secret \"" + name + "\" key \"" + key + "\"";
          entry[key] = decode_base64(kv.second.as<std::string>(""), where);
          check_size(entry[key], max_value_bytes, where);
        }
      }
      if (doc["stringData"] && doc["stringData"].IsMap()) {
        for (const auto& kv : doc["stringData"]) {
          std::string key = kv.first.as<std::string>();
          entry[key] = kv.second.as<std::string>("");
          check_size(entry[key], max_value_bytes, path + ": Secret \"" + name + "\" key \"" + key + "\"");
        }
      }
    }
  }
  return secrets;
}

}  // namespace rampart::cli
