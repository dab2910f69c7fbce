// The one way to parse JSON that someone else wrote: request bodies, step outputs and parameter
// values, files a user controls, answers from servers being scanned.
//
// nlohmann's parser itself is iterative, but almost everything done with a parsed value
// afterwards recurses once per nesting level: copying it, dump()ing it, comparing it, walking it.
// A 400 KB body of 200,000 nested arrays parses fine and then overflows the stack at the first
// copy; 20,000 levels dumped with indentation make an 800 MB string. So the depth is bounded
// *inside* the parse (a SAX handler counting levels around nlohmann's DOM builder): the parse
// stops at the first bracket beyond the limit, before anything deeper exists, and a value that
// comes out of here is safe for every recursive walk. Parsing allocates in proportion to the
// input (a few dozen bytes per value), so the caller bounds the input's size.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rampart {

// Deeper than any real Kubernetes object (a Workflow nests about 12 levels; 128 leaves room for
// arbitrary JSON in parameters) and shallow enough that any recursive walk is a few hundred KB
// of stack at most. Not configurable: nothing legitimate comes near it.
inline constexpr int kMaxJsonDepth = 128;

// Thrown for text that is not JSON or nests too deeply. what() is short (at most ~200
// characters, no quoted input beyond a few bytes) and safe to show to the client that sent it.
struct JsonInputError : std::invalid_argument {
  enum class Kind { Malformed, TooDeep };
  Kind kind;
  size_t byte;  // offset in the input where parsing stopped
  JsonInputError(Kind k, size_t at, const std::string& message) : std::invalid_argument(message), kind(k), byte(at) {}
};

// Parses `text` as one JSON value nesting at most `max_depth` arrays/objects (a scalar is depth
// 0, `[]` depth 1). Strict: trailing garbage is malformed. Throws JsonInputError; never
// recurses per nesting level and never overflows the stack, whatever the input. Thread-safe.
nlohmann::json parse_untrusted_json(std::string_view text, int max_depth = kMaxJsonDepth);

// As above, but returns a discarded value (is_discarded()) instead of throwing: a drop-in for
// `nlohmann::json::parse(text, nullptr, false)` where bad input is simply ignored.
nlohmann::json parse_untrusted_json_or_discarded(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace rampart
