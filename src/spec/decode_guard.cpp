#include "spec/decode_guard.h"

#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace rampart::spec {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// True when the line's value is a block scalar header: it ends in `|` or `>` (plus optional
// chomping / indentation indicators) right after `key:`, `-` or at the start of the line.
bool opens_block_scalar(std::string_view line) {
  if (size_t hash = line.find(" #"); hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
  while (!line.empty() && (line.back() == '-' || line.back() == '+' || (line.back() >= '0' && line.back() <= '9'))) {
    line.remove_suffix(1);
  }
  if (line.empty() || (line.back() != '|' && line.back() != '>')) return false;
  line.remove_suffix(1);
  if (!line.empty() && !is_space(line.back())) return false;
  while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
  return line.empty() || line.back() == ':' || line.back() == '-';
}

}  // namespace

std::optional<SourceLocation> find_excessive_nesting(std::string_view text, int max_depth) {
  std::vector<size_t> indents;  // indentation of the enclosing block lines
  int flow_depth = 0;
  int line_number = 0;
  size_t block_scalar_parent = 0;  // indentation of the line that opened a block scalar
  bool in_block_scalar = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;

    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    const bool blank = indent == line.size() || line[indent] == '#' || line[indent] == '\r';
    if (in_block_scalar) {
      if (blank || indent > block_scalar_parent) continue;
      in_block_scalar = false;
    }
    if (blank) continue;
    if (line.substr(indent, 3) == "---" || line.substr(indent, 3) == "...") {
      indents.clear();
      flow_depth = 0;
    }

    if (flow_depth == 0) {
      while (!indents.empty() && indents.back() >= indent) indents.pop_back();
      indents.push_back(indent);
    }
    int depth = static_cast<int>(indents.size()) + flow_depth;
    size_t i = indent;
    // `- - - x` and `? ? x` nest without new indentation.
    while (i < line.size() && (line[i] == '-' || line[i] == '?' || line[i] == ':') &&
           (i + 1 == line.size() || is_space(line[i + 1]))) {
      ++depth;
      ++i;
      while (i < line.size() && is_space(line[i])) ++i;
    }
    char quote = 0;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (quote) {
        if (c == '\\' && quote == '"') {
          ++i;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      const bool token_start = i == 0 || is_space(line[i - 1]) || line[i - 1] == '[' || line[i - 1] == '{' ||
                               line[i - 1] == ',' || line[i - 1] == ':';
      if ((c == '"' || c == '\'') && token_start) {
        quote = c;
      } else if (c == '#' && (i == 0 || is_space(line[i - 1]))) {
        break;
      } else if (c == '[' || c == '{') {
        ++flow_depth;
        if (depth + 1 > max_depth || flow_depth > max_depth) {
          return SourceLocation{line_number, static_cast<int>(i) + 1};
        }
        ++depth;
      } else if ((c == ']' || c == '}') && flow_depth > 0) {
        --flow_depth;
        --depth;
      }
    }
    if (depth > max_depth) return SourceLocation{line_number, static_cast<int>(indent) + 1};
    if (flow_depth == 0 && opens_block_scalar(line)) {
      in_block_scalar = true;
      block_scalar_parent = indent;
    }
  }
  return std::nullopt;
}

namespace {

// Notices a document starting where the previous one started: the parser made no progress.
class StallDetector : public YAML::EventHandler {
 public:
  bool stalled() const { return stalled_; }
  YAML::Mark where() const { return previous_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_ > 0 && mark.pos == previous_start_.pos) stalled_ = true;
    previous_start_ = mark;
    ++documents_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  YAML::Mark previous_start_ = YAML::Mark::null_mark();
  size_t documents_ = 0;
  bool stalled_ = false;
};

}  // namespace

std::optional<SourceLocation> find_stalled_parse(std::string_view text) {
  std::istringstream stream{std::string(text)};
  YAML::Parser parser(stream);
  StallDetector detector;
  while (parser.HandleNextDocument(detector)) {
    if (detector.stalled()) {
      const YAML::Mark mark = detector.where();
      return SourceLocation{mark.line + 1, mark.column + 1};
    }
  }
  return std::nullopt;
}

}  // namespace rampart::spec
