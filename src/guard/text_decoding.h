// The encodings attackers wrap a pool URL or a dropper in so that text matching misses it:
// base64, hex dumps (xxd -r -p) and the shell's $'\x73...' quoting. Each decoder is linear in
// its input and never produces more than its input's length.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rampart::guard {

// Standard or URL-safe base64, padding optional, whitespace ignored. Returns false when `text`
// is not base64 at all (then `out` is unspecified).
bool decode_base64(std::string_view text, std::string* out);

// "7374726174756d" -> "stratum"; whitespace ignored. False when not an even run of hex digits.
bool decode_hex(std::string_view text, std::string* out);

// The body of a $'...' word: \n, \t, \xHH, \NNN (octal), \uHHHH (ASCII only), \\ and \'.
std::string decode_ansi_c(std::string_view body);

// True when `text` reads as text for people or a shell: at least 90% printable ASCII or
// whitespace, and not empty. Binary results of decoding random-looking strings fail this.
bool is_printable_text(std::string_view text);

// Runs of the base64 alphabet (at least `min_length` characters, optionally ending in '=')
// found in `text`, in order, at most `max_count` of them.
std::vector<std::string_view> base64_candidates(std::string_view text, size_t min_length, size_t max_count);

}  // namespace rampart::guard
