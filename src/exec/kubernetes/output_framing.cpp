#include "exec/kubernetes/output_framing.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rampart::exec::kube {

namespace fs = std::filesystem;

std::string output_collector_script() {
  // POSIX sh as busybox runs it. `find -type f` does not follow symlinks, so a link planted in
  // an output directory is not read through; a top-level output that is a link is read (the
  // collector sees only its own Pod's volumes, never the node).
  return R"SH(limit=$1; shift; i=0
frame() { printf '@@rampart-output 1 %s %s %s %s\n' "$1" "$2" "$3" "$4"; if [ -n "$5" ]; then base64 < "$5" || exit 1; fi; printf '@@rampart-end %s\n' "$1"; }
for p in "$@"; do
  if [ -f "$p" ]; then
    n=$(wc -c < "$p")
    if [ "$n" -gt "$limit" ]; then frame "$i" toolarge "$n" -; else frame "$i" file "$n" - "$p"; fi
  elif [ -d "$p" ]; then
    frame "$i" dir 0 -
    find "$p" -type f | while IFS= read -r f; do
      rel=$(printf %s "${f#"$p"/}" | base64 | tr -d '\n'); n=$(wc -c < "$f")
      if [ "$n" -gt "$limit" ]; then frame "$i" toolarge "$n" "$rel"; else frame "$i" dirfile "$n" "$rel" "$f"; fi
    done
  else
    frame "$i" missing 0 -
  fi
  i=$((i+1))
done
)SH";
}

std::string base64_decode(const std::string& text, bool* ok) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  *ok = true;
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    size_t v = alphabet.find(c);
    if (v == std::string::npos || padding > 0) {
      *ok = false;
      return "";
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (padding > 2) *ok = false;
  return out;
}

namespace {

bool safe_relative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  for (const auto& part : fs::path(rel)) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

DecodedOutputs decode_output_frames(const std::string& log) {
  DecodedOutputs result;
  std::istringstream lines(log);
  std::string line;
  size_t number = 0;
  auto fail = [&](const std::string& why) {
    result.files.clear();
    result.error = "output collector log line " + std::to_string(number) + ": " + why;
    return result;
  };
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::istringstream header(line);
    std::string marker, version, rel;
    CollectedFile file;
    if (!(header >> marker >> version >> file.index >> file.kind >> file.declared_bytes >> rel) ||
        marker != "@@rampart-output" || version != "1") {
      return fail("expected a frame header");
    }
    if (file.kind != "file" && file.kind != "dir" && file.kind != "dirfile" && file.kind != "missing" &&
        file.kind != "toolarge") {
      return fail("unknown kind \"" + file.kind + "\"");
    }
    if (rel != "-") {
      bool ok = false;
      file.relative_path = base64_decode(rel, &ok);
      if (!ok || !safe_relative(file.relative_path)) return fail("unsafe or malformed relative path");
    } else if (file.kind == "dirfile") {
      return fail("a directory's file without a path");
    }
    std::string body;
    bool ended = false;
    while (std::getline(lines, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("@@rampart-end ", 0) == 0) {
        if (line != "@@rampart-end " + std::to_string(file.index)) return fail("end of the wrong frame");
        ended = true;
        break;
      }
      if (line.rfind("@@", 0) == 0) return fail("a frame inside a frame");
      body += line;
    }
    if (!ended) return fail("the log ended inside a frame (truncated?)");
    bool ok = false;
    file.content = base64_decode(body, &ok);
    if (!ok) return fail("content is not base64");
    bool carries_content = file.kind == "file" || file.kind == "dirfile";
    if (carries_content && file.content.size() != file.declared_bytes) {
      return fail("content has " + std::to_string(file.content.size()) + " bytes, the frame says " +
                  std::to_string(file.declared_bytes));
    }
    if (!carries_content && !file.content.empty()) return fail("a " + file.kind + " frame with content");
    result.files.push_back(std::move(file));
  }
  return result;
}

std::string write_collected_files(const DecodedOutputs& decoded, const std::vector<std::string>& host_paths) {
  for (const auto& f : decoded.files) {
    if (f.index >= host_paths.size())
      return "output collector reported output " + std::to_string(f.index) + ", which was not asked for";
    fs::path target = host_paths[f.index];
    std::error_code ec;
    if (f.kind == "missing") continue;  // the engine reports a missing output as it always does
    if (f.kind == "toolarge") {
      return "output file " + (f.relative_path.empty() ? std::string("") : "\"" + f.relative_path + "\" of ") +
             "output " + std::to_string(f.index) + " has " + std::to_string(f.declared_bytes) +
             " bytes, more than the kubernetes executor carries through pod logs; use an artifact repository";
    }
    if (f.kind == "dir") {
      fs::create_directories(target, ec);
      continue;
    }
    if (f.kind == "dirfile") target /= f.relative_path;
    fs::create_directories(target.parent_path(), ec);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << f.content;
    if (!out) return "cannot write output file " + target.string();
  }
  return "";
}

}  // namespace rampart::exec::kube
