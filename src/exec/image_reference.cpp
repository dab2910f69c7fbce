#include "exec/image_reference.h"

namespace rampart::exec {
namespace {

std::string trim(const std::string& s) {
  const char* blanks = " \t\r\n";
  size_t begin = s.find_first_not_of(blanks);
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(blanks);
  return s.substr(begin, end - begin + 1);
}

void strip_prefix(std::string& s, const std::string& prefix) {
  if (s.rfind(prefix, 0) == 0) s.erase(0, prefix.size());
}

}  // namespace

ImageReference parse_image_reference(const std::string& image) {
  std::string name = trim(image);
  // A digest pins content; the catalog maps names, so the digest carries no information here.
  if (size_t at = name.find('@'); at != std::string::npos) name.erase(at);
  strip_prefix(name, "index.docker.io/");
  strip_prefix(name, "docker.io/");
  strip_prefix(name, "library/");

  ImageReference ref;
  // The tag follows the last ':' after the last '/', so "registry:5000/tool" has no tag.
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.repository = name.substr(0, colon);
    ref.tag = name.substr(colon + 1);
  } else {
    ref.repository = name;
  }
  if (ref.tag.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace rampart::exec
