#include "guard/image_names.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "exec/image_reference.h"

namespace rampart::guard {

namespace {

// Miners' names, lower case, separators removed. Names under five letters match only exactly.
const std::vector<std::string>& miner_names() {
  static const std::vector<std::string> names = {
      "xmrig",       "xmrstak",      "xmrnodeproxy", "xmrminer",      "monerominer",  "monerocpu", "moneroocean",
      "minergate",   "minerd",       "cpuminer",     "cpuminermulti", "cpumineropt",  "ccminer",   "cgminer",
      "bfgminer",    "nbminer",      "trex",         "trexminer",     "lolminer",     "ethminer",  "phoenixminer",
      "gminer",      "teamredminer", "srbminer",     "srbminermulti", "nanominer",    "bminer",    "claymore",
      "nicehash",    "excavator",    "kannix",       "cryptonight",   "randomxminer", "hellminer", "verusminer",
      "kawpowminer", "wildrig",      "xmr",          "kdevtmpfsi",    "kinsing"};
  return names;
}

// Ordinary words one letter away from a miner's name.
bool is_generic_word(const std::string& word) {
  for (const char* w : {"miner", "miners", "mined", "mining", "minerals"}) {
    if (word == w) return true;
  }
  return false;
}

bool is_separator(char c) { return c == '-' || c == '_' || c == '.' || c == ' ' || c == '+'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The ways a name can be read once digits are taken for the letters they imitate, or dropped.
std::vector<std::string> readings(const std::string& name) {
  std::string substituted, stripped;
  for (char c : name) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      substituted += c;
      stripped += c;
      continue;
    }
    static const std::string digits = "103457", letters = "ioeast";
    size_t at = digits.find(c);
    if (at != std::string::npos) substituted += letters[at];
  }
  std::vector<std::string> out = {name};
  if (substituted != name) out.push_back(substituted);
  if (stripped != name && stripped != substituted) out.push_back(stripped);
  return out;
}

// Does one reading of a repository component match a miner's name, and how?
bool matches(const std::string& reading, bool whole_component, std::string* miner, std::string* how) {
  if (reading.empty() || is_generic_word(reading)) return false;
  for (const auto& m : miner_names()) {
    if (reading == m) {
      *miner = m;
      *how = "";
      return true;
    }
    if (m.size() < 5) continue;
    if (whole_component && reading.find(m) != std::string::npos) {
      *miner = m;
      *how = "contains";
      return true;
    }
    if (reading.size() + 1 >= m.size() && reading.size() <= m.size() + 1 && edit_distance(reading, m, 1) <= 1) {
      *miner = m;
      *how = "one letter from";
      return true;
    }
  }
  return false;
}

}  // namespace

std::string ImageName::to_string() const {
  return registry + "/" + repository + ":" + tag + (digest.empty() ? "" : "@" + digest);
}

ImageName parse_image_name(std::string_view image) {
  ImageName out;
  std::string text = lower(image);
  if (size_t at = text.find('@'); at != std::string::npos) out.digest = text.substr(at + 1);
  // exec's reading of a reference (the one the image catalog uses), then the registry on top.
  exec::ImageReference ref = exec::parse_image_reference(text);
  out.tag = ref.tag;
  std::string repo = ref.repository;
  size_t slash = repo.find('/');
  std::string first = slash == std::string::npos ? "" : repo.substr(0, slash);
  bool has_registry =
      first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
  if (has_registry) {
    out.registry = first == "index.docker.io" || first == "registry-1.docker.io" ? "docker.io" : first;
    out.repository = repo.substr(slash + 1);
  } else {
    out.registry = "docker.io";
    out.repository = repo;
  }
  if (out.registry == "docker.io" && out.repository.find('/') == std::string::npos)
    out.repository = "library/" + out.repository;
  return out;
}

bool looks_like_miner_image(const ImageName& image, std::string* miner, std::string* how) {
  std::string found, relation;
  size_t start = 0;
  const std::string& repo = image.repository;
  while (start <= repo.size()) {
    size_t end = repo.find('/', start);
    if (end == std::string::npos) end = repo.size();
    std::string component = repo.substr(start, end - start);
    start = end + 1;
    // The component with its separators removed, and each of its separated words.
    std::string joined;
    std::vector<std::string> words(1);
    for (char c : component) {
      if (is_separator(c)) {
        if (!words.back().empty()) words.emplace_back();
        continue;
      }
      joined += c;
      words.back() += c;
    }
    auto try_all = [&](const std::string& candidate, bool whole) {
      for (const auto& r : readings(candidate)) {
        if (matches(r, whole, &found, &relation)) {
          if (miner) *miner = found;
          if (how) {
            *how = relation.empty() ? (r == component ? "" : "spelled \"" + component + "\"")
                                    : relation + " \"" + found + "\"";
          }
          return true;
        }
      }
      return false;
    };
    if (try_all(joined, true)) return true;
    if (words.size() > 1) {
      for (const auto& w : words) {
        if (try_all(w, false)) return true;
      }
    }
  }
  return false;
}

size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > limit) return limit + 1;
  if (a.size() > 64 || b.size() > 64) return a == b ? 0 : limit + 1;  // names, not texts
  // Three rows of at most 65 cells on the stack: this runs for every image against every name.
  size_t rows[3][65];
  size_t* before = rows[0];
  size_t* previous = rows[1];
  size_t* current = rows[2];
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    size_t best = current[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
      best = std::min(best, current[j]);
    }
    if (best > limit) return limit + 1;  // every path is already too long
    size_t* recycled = before;
    before = previous;
    previous = current;
    current = recycled;
  }
  return std::min(previous[b.size()], limit + 1);
}

}  // namespace rampart::guard
