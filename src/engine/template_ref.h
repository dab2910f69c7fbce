// TemplateRef: a resolved template (references followed, templateDefaults applied) shared,
// immutable, by every invocation of it. Copying one copies a pointer, so a loop of 100,000 steps
// holds one copy of its template, not 100,000.
//
// Reads look like reads of the Json it holds; a key that is absent reads as null (never inserts,
// never asserts). Thread safety: immutable; safe to share across threads.
#pragma once

#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

namespace rampart::engine {

class TemplateRef {
 public:
  using Json = nlohmann::json;

  TemplateRef() : json_(empty()) {}
  TemplateRef(Json json) : json_(std::make_shared<const Json>(std::move(json))) {}  // NOLINT: implicit by design

  const Json& json() const { return *json_; }
  operator const Json&() const { return *json_; }  // NOLINT: reads pass through

  template <typename Key>
  const Json& operator[](const Key& key) const {
    auto it = json_->find(key);
    return it == json_->end() ? null_json() : *it;
  }
  template <typename Key>
  bool contains(const Key& key) const {
    return json_->contains(key);
  }
  template <typename Key, typename Default>
  auto value(const Key& key, Default&& fallback) const {
    return json_->value(key, std::forward<Default>(fallback));
  }

 private:
  static const std::shared_ptr<const Json>& empty() {
    static const auto kEmpty = std::make_shared<const Json>(Json::object());
    return kEmpty;
  }
  static const Json& null_json() {
    static const Json kNull;
    return kNull;
  }

  std::shared_ptr<const Json> json_;
};

}  // namespace rampart::engine
