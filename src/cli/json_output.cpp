#include "cli/json_output.h"

#include <iostream>

#include <yaml-cpp/yaml.h>

namespace rampart::cli {
namespace {

void emit(YAML::Emitter& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (auto it = v.begin(); it != v.end(); ++it) {
        out << YAML::Key << it.key() << YAML::Value;
        emit(out, it.value());
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& e : v) emit(out, e);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      // Multi-line text (scripts, messages) reads best as a literal block.
      if (s.find('\n') != std::string::npos)
        out << YAML::Literal << s;
      else
        out << YAML::DoubleQuoted << s;
      break;
    }
    case nlohmann::json::value_t::boolean: out << v.get<bool>(); break;
    case nlohmann::json::value_t::number_integer: out << v.get<int64_t>(); break;
    case nlohmann::json::value_t::number_unsigned: out << v.get<uint64_t>(); break;
    case nlohmann::json::value_t::number_float: out << v.get<double>(); break;
    default: out << YAML::Null; break;
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

void print_object(const nlohmann::json& value, const std::string& format) {
  if (format == "yaml")
    std::cout << to_yaml(value);
  else
    std::cout << value.dump(2) << "\n";
}

}  // namespace rampart::cli
