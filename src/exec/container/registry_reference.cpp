#include "exec/container/registry_reference.h"

#include <re2/re2.h>

namespace rampart::exec {

namespace {

// From the distribution project's reference grammar (lower-case path components separated by
// '.', '_', '__' or '-'; tags of word characters, '.' and '-').
const RE2& component_pattern() {
  static const RE2 re("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  return re;
}
const RE2& tag_pattern() {
  static const RE2 re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  return re;
}
const RE2& digest_pattern() {
  static const RE2 re("sha256:[a-f0-9]{64}");
  return re;
}
const RE2& host_pattern() {
  static const RE2 re(
      "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?|\\["
      "[0-9a-fA-F:]+\\](?::[0-9]{1,5})?");
  return re;
}

}  // namespace

std::string RegistryReference::to_string() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

RegistryReference RegistryReference::mirrored(const std::map<std::string, std::string>& mirrors) const {
  RegistryReference out = *this;
  if (auto it = mirrors.find(registry); it != mirrors.end()) out.registry = it->second;
  return out;
}

bool is_loopback_registry(const std::string& registry) {
  std::string host = registry;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
    return host == "::1";
  }
  host = host.substr(0, host.find(':'));
  return host == "localhost" ||
         (host.rfind("127.", 0) == 0 && host.find_first_not_of("0123456789.") == std::string::npos);
}

std::optional<RegistryReference> parse_registry_reference(const std::string& image, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<RegistryReference> {
    *error = "invalid image reference \"" + image + "\": " + why;
    return std::nullopt;
  };
  if (image.empty()) return fail("it is empty");
  if (image.size() > 512) return fail("it is longer than 512 characters");
  RegistryReference ref;
  std::string rest = image;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.erase(at);
    if (!RE2::FullMatch(ref.digest, digest_pattern()))
      return fail("the digest must be sha256:<64 lower-case hex digits>");
  }
  // The tag follows the last ':' after the last '/', so "127.0.0.1:5000/tool" has none.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest.erase(colon);
    if (!RE2::FullMatch(ref.tag, tag_pattern())) return fail("bad tag \"" + ref.tag + "\"");
  }
  // The first component is a registry when it looks like a host: a '.', a ':' or "localhost".
  size_t first = rest.find('/');
  std::string head = first == std::string::npos ? "" : rest.substr(0, first);
  if (!head.empty() && (head.find('.') != std::string::npos || head.find(':') != std::string::npos ||
                        head == "localhost" || head[0] == '[')) {
    if (!RE2::FullMatch(head, host_pattern())) return fail("bad registry host \"" + head + "\"");
    ref.registry = head;
    rest.erase(0, first + 1);
  } else {
    ref.registry = "docker.io";
  }
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") ref.registry = "docker.io";
  if (rest.empty()) return fail("no repository");
  size_t begin = 0;
  while (true) {
    size_t end = rest.find('/', begin);
    std::string part = rest.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (!RE2::FullMatch(part, component_pattern())) {
      return fail("repository component \"" + part + "\" must be lower-case letters, digits and separators");
    }
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  if (ref.registry == "docker.io" && rest.find('/') == std::string::npos) rest = "library/" + rest;
  ref.repository = rest;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace rampart::exec
