#include "engine/child_runner.h"

namespace rampart::engine {
namespace {

nlohmann::json substitute_all(const nlohmann::json& v, const expr::Scope& scope) {
  if (v.is_string()) return expr::substitute(v.get<std::string>(), scope, expr::Unresolved::Error);
  if (v.is_array() || v.is_object()) {
    nlohmann::json out = v;
    for (auto it = out.begin(); it != out.end(); ++it) it.value() = substitute_all(it.value(), scope);
    return out;
  }
  return v;
}

}  // namespace

nlohmann::json substitute_arguments(const nlohmann::json& arguments, const expr::Scope& scope) {
  if (!arguments.is_object()) return nlohmann::json::object();
  nlohmann::json out = nlohmann::json::object();
  for (const char* kind : {"parameters", "artifacts"}) {
    if (!arguments.contains(kind)) continue;
    out[kind] = nlohmann::json::array();
    for (const auto& a : arguments[kind]) {
      nlohmann::json item = a;
      for (const char* field : {"value", "default", "from", "raw"}) {
        if (item.contains(field)) {
          const auto& v = item[field];
          item[field] = v.is_string() ? nlohmann::json(expr::substitute(v.get<std::string>(), scope, expr::Unresolved::Error))
                                      : substitute_all(v, scope);
        }
      }
      if (item.contains("fromExpression")) {
        nlohmann::json v = expr::eval_expr(item["fromExpression"].get<std::string>(), expr::expand_scope(scope));
        item["from"] = v.is_string() ? v.get<std::string>() : v.dump();
        item.erase("fromExpression");
      }
      out[kind].push_back(item);
    }
  }
  return out;
}

}  // namespace rampart::engine
