#include "common/bounded_json.h"

#include <optional>
#include <string>

namespace rampart {

namespace {

using Json = nlohmann::json;
using DomBuilder = nlohmann::detail::json_sax_dom_parser<Json>;

// nlohmann's DOM builder, with a level counter in front: the first array or object beyond the
// limit ends the parse (returning false stops sax_parse), so nothing deeper is ever built.
class DepthLimitedBuilder {
 public:
  DepthLimitedBuilder(Json& result, int max_depth) : dom_(result, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& text) { return dom_.number_float(v, text); }
  bool string(Json::string_t& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool key(Json::string_t& v) { return dom_.key(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool end_object() { return leave() && dom_.end_object(); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() { return leave() && dom_.end_array(); }

  bool parse_error(std::size_t byte, const std::string& /*last_token*/, const nlohmann::detail::exception& e) {
    error_ = JsonInputError(JsonInputError::Kind::Malformed, byte, describe(e));
    return false;
  }

  // After sax_parse returned false: a syntax error, else the depth limit stopped it.
  const std::optional<JsonInputError>& syntax_error() const { return error_; }

 private:
  bool enter() { return ++depth_ <= max_depth_; }
  bool leave() {
    --depth_;
    return true;
  }

  // nlohmann's message without its "[json.exception.parse_error.101] parse error " prefix and
  // cut short: it quotes the token it choked on, which may be most of the input.
  static std::string describe(const nlohmann::detail::exception& e) {
    std::string message = e.what();
    if (size_t at = message.find("parse error "); at != std::string::npos) message.erase(0, at + 12);
    constexpr size_t kMaxMessage = 160;
    if (message.size() > kMaxMessage) message = message.substr(0, kMaxMessage) + "...";
    return "malformed JSON " + message;
  }

  DomBuilder dom_;
  int max_depth_;
  int depth_ = 0;
  std::optional<JsonInputError> error_;
};

// Where the first bracket beyond `max_depth` is. Only called once the parse stopped there, so
// everything before it is valid JSON and counting brackets outside strings is exact.
std::size_t offset_beyond_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return text.size();
}

}  // namespace

Json parse_untrusted_json(std::string_view text, int max_depth) {
  Json result;
  DepthLimitedBuilder builder(result, max_depth);
  if (Json::sax_parse(text.begin(), text.end(), &builder, nlohmann::detail::input_format_t::json, true)) {
    return result;
  }
  if (builder.syntax_error()) throw *builder.syntax_error();
  // The SAX parser does not say where a handler stopped it, so the offset is found by a scan.
  std::size_t at = offset_beyond_depth(text, max_depth);
  throw JsonInputError(JsonInputError::Kind::TooDeep, at,
                       "JSON nests deeper than " + std::to_string(max_depth) + " levels at byte " + std::to_string(at) +
                           " (a fixed limit: no real object nests this deep)");
}

Json parse_untrusted_json_or_discarded(std::string_view text, int max_depth) {
  try {
    return parse_untrusted_json(text, max_depth);
  } catch (const JsonInputError&) {
    return Json(Json::value_t::discarded);
  }
}

}  // namespace rampart
