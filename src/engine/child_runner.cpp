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

// True when `text` refers to the outputs of a step or task that was skipped or omitted: such
// an argument is dropped so the called template's input default applies, as Argo does.
bool refers_to_skipped(const std::string& text, const expr::Scope& scope) {
  for (const auto& name : expr::referenced_names(text)) {
    size_t first = name.find('.');
    if (first == std::string::npos) continue;
    std::string root = name.substr(0, first);
    if (root != "steps" && root != "tasks") continue;
    size_t second = name.find('.', first + 1);
    std::string prefix = name.substr(0, second);
    const expr::Value* found = scope.find(prefix + ".status");
    if (!found || !found->is_string()) continue;
    const std::string& status = found->get_ref<const std::string&>();
    if (status == "Skipped" || status == "Omitted") return true;
  }
  return false;
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
      if (std::string(kind) == "artifacts") {
        // Every string of an artifact may carry tags: from, s3.key, raw.data, ...
        nlohmann::json copy = a;
        copy.erase("fromExpression");
        try {
          item = substitute_all(copy, scope);
        } catch (const expr::ExprError&) {
          if (!a.contains("from") || !a["from"].is_string() || !refers_to_skipped(a["from"].get<std::string>(), scope))
            throw;
          continue;
        }
        if (a.contains("fromExpression")) item["fromExpression"] = a["fromExpression"];
      }
      bool dropped = false;
      for (const char* field : {"value", "default", "from", "raw"}) {
        if (!item.contains(field)) continue;
        const auto& v = item[field];
        try {
          item[field] = v.is_string()
                            ? nlohmann::json(expr::substitute(v.get<std::string>(), scope, expr::Unresolved::Error))
                            : substitute_all(v, scope);
        } catch (const expr::ExprError&) {
          if (!v.is_string() || !refers_to_skipped(v.get<std::string>(), scope)) throw;
          dropped = true;
          break;
        }
      }
      if (dropped) continue;
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
