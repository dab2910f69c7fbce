// libFuzzer target for the expression layer: every entry point must either succeed or throw
// ExprError; anything else (crash, other exception, hang, leak) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "expr/expr.h"

namespace {

const rampart::expr::Scope& fuzz_scope() {
  static const rampart::expr::Scope scope{
      {"inputs.parameters.message", "hello"},
      {"inputs.parameters.count", "3"},
      {"inputs.parameters.config", R"({"employees":[{"name":"a","age":43}],"avg":1.5})"},
      {"steps.flip-coin.outputs.result", "heads"},
      {"tasks.A.outputs.parameters.x", "1"},
      {"workflow.name", "wf"},
      {"workflow.creationTimestamp", "2024-01-02T03:04:05Z"},
      {"item", rampart::expr::Value{{"a", 1}, {"b", rampart::expr::Value::array({1, "x", nullptr})}}},
      {"retries", 2},
  };
  return scope;
}

template <typename F>
void guarded(F&& body) {
  try {
    body();
  } catch (const rampart::expr::ExprError&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& scope = fuzz_scope();
  static const rampart::expr::Value env = rampart::expr::expand_scope(scope);

  guarded([&] { rampart::expr::find_tags(text); });
  guarded([&] { rampart::expr::substitute(text, scope, rampart::expr::Unresolved::Error); });
  guarded([&] { rampart::expr::substitute(text, scope, rampart::expr::Unresolved::Keep); });
  guarded([&] { rampart::expr::referenced_names(text); });
  guarded([&] { rampart::expr::check_expr(text); });
  guarded([&] { rampart::expr::eval_expr(text, env); });
  guarded([&] { rampart::expr::check_when(text); });
  guarded([&] { rampart::expr::eval_when(text); });
  guarded([&] {
    auto depends = rampart::expr::parse_depends(text);
    auto lookup = [](const std::string& task) {
      rampart::expr::TaskResult result;
      result.phase = task.size() % 2 ? rampart::expr::TaskPhase::Succeeded : rampart::expr::TaskPhase::Failed;
      return result;
    };
    depends.evaluate(lookup);
    depends.resolvable(lookup);
  });
  return 0;
}
