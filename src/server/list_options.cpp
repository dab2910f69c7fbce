#include "server/list_options.h"

#include <sstream>

#include "server/api_context.h"

namespace rampart::server {

namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  size_t b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> split_terms(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty() || !out.empty()) out.push_back(trim(current));
  return out;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(path);
  std::string part;
  while (std::getline(in, part, '.')) out.push_back(part);
  return out;
}

void keep_path(const nlohmann::json& from, nlohmann::json& to, const std::vector<std::string>& path, size_t i) {
  if (i == path.size()) {
    to = from;
    return;
  }
  if (from.is_array()) {
    if (!to.is_array()) to = nlohmann::json::array();
    for (size_t k = 0; k < from.size(); ++k) {
      if (to.size() <= k) to.push_back(nlohmann::json::object());
      keep_path(from[k], to[k], path, i);
    }
    return;
  }
  if (!from.is_object() || !from.contains(path[i])) return;
  if (!to.is_object()) to = nlohmann::json::object();
  keep_path(from[path[i]], to[path[i]], path, i + 1);
}

void drop_path(nlohmann::json& object, const std::vector<std::string>& path, size_t i) {
  if (object.is_array()) {
    for (auto& v : object) drop_path(v, path, i);
    return;
  }
  if (!object.is_object() || !object.contains(path[i])) return;
  if (i + 1 == path.size()) {
    object.erase(path[i]);
  } else {
    drop_path(object[path[i]], path, i + 1);
  }
}

}  // namespace

LabelSelector::LabelSelector(const std::string& text) {
  for (const auto& raw : split_terms(text)) {
    if (raw.empty()) throw ApiError(400, "labelSelector: empty requirement in \"" + text + "\"");
    Term t;
    auto set_op = [&](size_t pos, size_t len, Term::Op op) {
      t.key = trim(raw.substr(0, pos));
      t.op = op;
      t.values = {trim(raw.substr(pos + len))};
    };
    size_t p;
    if (raw[0] == '!') {
      t.key = trim(raw.substr(1));
      t.op = Term::NotExists;
    } else if ((p = raw.find("!=")) != std::string::npos) {
      set_op(p, 2, Term::NotEquals);
    } else if ((p = raw.find("==")) != std::string::npos) {
      set_op(p, 2, Term::Equals);
    } else if ((p = raw.find('=')) != std::string::npos) {
      set_op(p, 1, Term::Equals);
    } else if ((p = raw.find(" notin ")) != std::string::npos || (p = raw.find(" in ")) != std::string::npos) {
      bool notin = raw.compare(p, 7, " notin ") == 0;
      t.key = trim(raw.substr(0, p));
      t.op = notin ? Term::NotIn : Term::In;
      std::string rest = trim(raw.substr(p + (notin ? 7 : 4)));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
        throw ApiError(400, "labelSelector: expected (values) in \"" + raw + "\"");
      }
      std::stringstream in(rest.substr(1, rest.size() - 2));
      std::string v;
      while (std::getline(in, v, ',')) t.values.push_back(trim(v));
    } else {
      t.key = raw;
      t.op = Term::Exists;
    }
    if (t.key.empty() || t.key.find_first_of(" ()!=") != std::string::npos) {
      throw ApiError(400, "labelSelector: invalid requirement \"" + raw + "\"");
    }
    terms_.push_back(std::move(t));
  }
}

bool LabelSelector::matches(const nlohmann::json& labels) const {
  for (const auto& t : terms_) {
    bool has = labels.is_object() && labels.contains(t.key) && labels[t.key].is_string();
    std::string value = has ? labels[t.key].get<std::string>() : "";
    bool in = false;
    for (const auto& v : t.values) in = in || (has && v == value);
    switch (t.op) {
      case Term::Equals:
        if (!has || value != t.values[0]) return false;
        break;
      case Term::NotEquals:
        if (has && value == t.values[0]) return false;
        break;
      case Term::In:
        if (!in) return false;
        break;
      case Term::NotIn:
        if (in) return false;
        break;
      case Term::Exists:
        if (!has) return false;
        break;
      case Term::NotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

FieldSelector::FieldSelector(const std::string& text) {
  for (const auto& raw : split_terms(text)) {
    size_t p = raw.find("!=");
    bool equal = p == std::string::npos;
    if (equal) p = raw.find("==") != std::string::npos ? raw.find("==") : raw.find('=');
    if (p == std::string::npos) throw ApiError(400, "fieldSelector: expected FIELD=VALUE, got \"" + raw + "\"");
    std::string field = trim(raw.substr(0, p));
    size_t len = equal && raw.compare(p, 2, "==") == 0 ? 2 : (equal ? 1 : 2);
    std::string value = trim(raw.substr(p + len));
    if (field != "metadata.name" && field != "metadata.namespace") {
      throw ApiError(400,
                     "fieldSelector: field \"" + field + "\" is not supported (metadata.name, metadata.namespace)");
    }
    terms.push_back({field, {equal, value}});
  }
}

bool FieldSelector::matches(const std::string& ns, const std::string& name) const {
  for (const auto& [field, test] : terms) {
    const std::string& actual = field == "metadata.name" ? name : ns;
    if ((actual == test.second) != test.first) return false;
  }
  return true;
}

nlohmann::json project_fields(const nlohmann::json& object, const std::string& fields) {
  if (fields.empty()) return object;
  bool exclude = fields[0] == '-';
  std::vector<std::vector<std::string>> paths;
  std::stringstream in(exclude ? fields.substr(1) : fields);
  std::string f;
  while (std::getline(in, f, ',')) {
    f = trim(f);
    if (!f.empty() && f[0] == '-') f.erase(0, 1);
    if (!f.empty()) paths.push_back(split_path(f));
  }
  if (exclude) {
    nlohmann::json out = object;
    for (const auto& p : paths) drop_path(out, p, 0);
    return out;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& p : paths) keep_path(object, out, p, 0);
  return out;
}

bool projection_keeps(const std::string& fields, const std::string& path) {
  if (fields.empty()) return true;
  const bool exclude = fields[0] == '-';
  const std::vector<std::string> target = split_path(path);
  // One of `a` and `b` is a prefix of the other (by path components).
  auto overlaps = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(std::min(a.size(), b.size())), b.begin());
  };
  std::stringstream in(exclude ? fields.substr(1) : fields);
  for (std::string f; std::getline(in, f, ',');) {
    f = trim(f);
    if (!f.empty() && f[0] == '-') f.erase(0, 1);
    if (f.empty()) continue;
    std::vector<std::string> listed = split_path(f);
    if (exclude && listed.size() <= target.size() && overlaps(listed, target)) return false;
    if (!exclude && overlaps(listed, target)) return true;
  }
  return exclude;
}

}  // namespace rampart::server
