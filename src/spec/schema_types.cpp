// The built-in type table: Argo's argoproj.io/v1alpha1 types and the Kubernetes types they embed.
#include "spec/schema.h"

namespace rampart::spec {

namespace {

constexpr std::string_view kArgoTypes =
#include "spec/schema_types.inc"
    ;

}  // namespace

const Schema& Schema::argo() {
  static const Schema schema(kArgoTypes);
  return schema;
}

}  // namespace rampart::spec
