// Parsing the type table (format: see schema_types.inc) into Schema's lookup structures.
#include "spec/schema.h"

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

namespace rampart::spec {

namespace {

struct RawField {
  std::string name;
  std::string type;  // still text, e.g. "[Parameter]"
  int line = 0;
};

struct RawType {
  std::vector<RawField> fields;
  std::vector<std::pair<std::string, int>> embeds;  // "...Other" entries
  int line = 0;
};

[[noreturn]] void fail(int line, const std::string& message) {
  throw std::invalid_argument("schema table line " + std::to_string(line) + ": " + message);
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::map<std::string, RawType, std::less<>> read_table(std::string_view table) {
  std::map<std::string, RawType, std::less<>> raw;
  RawType* current = nullptr;
  int line_number = 0;
  size_t pos = 0;
  while (pos <= table.size()) {
    size_t end = table.find('\n', pos);
    if (end == std::string_view::npos) end = table.size();
    std::string_view line = table.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    const std::vector<std::string> words = split_words(line);
    if (words.empty()) continue;
    if (line[0] != ' ' && line[0] != '\t') {
      if (words.size() != 1) fail(line_number, "a type line holds only the type's name");
      auto [it, inserted] = raw.emplace(words[0], RawType{});
      if (!inserted) fail(line_number, "type " + words[0] + " is defined twice");
      it->second.line = line_number;
      current = &it->second;
      continue;
    }
    if (!current) fail(line_number, "field listed before any type");
    for (const std::string& word : words) {
      if (word.rfind("...", 0) == 0) {
        current->embeds.emplace_back(word.substr(3), line_number);
        continue;
      }
      const size_t colon = word.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == word.size()) {
        fail(line_number, "expected name:type, got \"" + word + "\"");
      }
      current->fields.push_back({word.substr(0, colon), word.substr(colon + 1), line_number});
    }
  }
  return raw;
}

}  // namespace

const SchemaField* SchemaStruct::find(std::string_view field) const {
  auto it = std::lower_bound(fields.begin(), fields.end(), field,
                             [](const SchemaField& f, std::string_view name) { return f.name < name; });
  if (it == fields.end() || it->name != field) return nullptr;
  return &*it;
}

const SchemaStruct* Schema::find(std::string_view type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : &it->second;
}

const SchemaType* Schema::parse_type(std::string_view text, int line) {
  auto make = [this](SchemaType type) {
    type_storage_.push_back(std::make_unique<SchemaType>(std::move(type)));
    return type_storage_.back().get();
  };
  using Form = SchemaType::Form;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    return make({Form::List, "", parse_type(text.substr(1, text.size() - 2), line)});
  }
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
    return make({Form::Map, "", parse_type(text.substr(1, text.size() - 2), line)});
  }
  static const std::map<std::string, Form, std::less<>> primitives = {
      {"string", Form::String},
      {"int", Form::Int},
      {"bool", Form::Bool},
      {"number", Form::Number},
      {"intOrString", Form::IntOrString},
      {"anyString", Form::AnyString},
      {"quantity", Form::Quantity},
      {"manifest", Form::Manifest},
      {"object", Form::Object},
      {"any", Form::Any},
  };
  if (auto it = primitives.find(text); it != primitives.end()) return make({it->second, "", nullptr});
  if (!types_.count(text)) fail(line, "unknown type \"" + std::string(text) + "\"");
  return make({Form::Named, std::string(text), nullptr});
}

Schema::Schema(std::string_view table) {
  const auto raw = read_table(table);
  // Declare every type first so fields may refer to types defined later in the table.
  for (const auto& [name, type] : raw) types_[name].name = name;

  // Fields of a type including those of the types it embeds, outermost last.
  std::function<void(const std::string&, std::vector<RawField>&, std::set<std::string>&)> flatten =
      [&](const std::string& name, std::vector<RawField>& out, std::set<std::string>& visiting) {
        const RawType& type = raw.find(name)->second;
        if (!visiting.insert(name).second) fail(type.line, "type " + name + " embeds itself");
        for (const auto& [embedded, line] : type.embeds) {
          if (!raw.count(embedded)) fail(line, "unknown embedded type \"" + embedded + "\"");
          flatten(embedded, out, visiting);
        }
        visiting.erase(name);
        out.insert(out.end(), type.fields.begin(), type.fields.end());
      };

  for (const auto& [name, type] : raw) {
    std::vector<RawField> fields;
    std::set<std::string> visiting;
    flatten(name, fields, visiting);
    SchemaStruct& target = types_[name];
    for (const RawField& field : fields) {
      target.fields.push_back({field.name, parse_type(field.type, field.line)});
    }
    std::sort(target.fields.begin(), target.fields.end(),
              [](const SchemaField& a, const SchemaField& b) { return a.name < b.name; });
    for (size_t i = 1; i < target.fields.size(); ++i) {
      if (target.fields[i].name == target.fields[i - 1].name) {
        fail(type.line, "type " + name + " lists field " + target.fields[i].name + " twice");
      }
    }
  }
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace rampart::spec
