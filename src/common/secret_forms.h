// The forms a secret value can take once a step or a tool has printed it: the value itself and
// its JSON-escaped, shell-quoted, URL-encoded and base64 encodings, for the whole value, the value
// trimmed of surrounding whitespace, and each line of a multi-line value. SecretMasker looks for
// all of them; this file only says what they are, so the list can be read and tested on its own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rampart {

// Every form of `value` that SecretMasker masks, without duplicates, none empty. For the whole
// value and the value trimmed of surrounding whitespace:
//   - raw;
//   - JSON string contents, non-ASCII kept and escaped as \uXXXX (nlohmann, Python json.dumps);
//   - shell: inside single quotes (' as '\'' and as '"'"'), inside double quotes (\ " $ `
//     backslash-escaped), and unquoted with every shell-special character backslash-escaped;
//   - URL-encoded: RFC 3986 with upper- and lower-case hex, with '/' kept (Python's quote), and
//     as a form value (space as '+');
//   - base64, standard and URL-safe alphabets: the whole encoding with and without padding, of
//     the value and of the value followed by "\n" (what `echo "$S" | base64` encodes); the
//     characters that depend only on the value when it starts at each of the three byte offsets
//     inside a larger encoded blob (at least 4 of them); and the 64- and 76-column lines of a
//     wrapped standard encoding (openssl, base64(1)), the last one without the characters that
//     also encode what follows the value.
// And for each line of a multi-line value that is at least 4 bytes once trimmed of spaces, tabs
// and '\r' (lines such as "{" or "" are not secret and would garble every output): the raw,
// JSON, shell and URL forms above (a line is printed on its own; it is not base64-encoded on
// its own, and its base64 forms would cost memory for each line of a large key).
// Thread-safe (pure). Memory and time are linear in the size of `value`.
std::vector<std::string> secret_forms(std::string_view value);

// The non-trivial lines of a multi-line value (see above); empty for a single-line value.
std::vector<std::string> secret_lines(std::string_view value);

// Standard base64 with padding ('+', '/'); exposed for tests and for callers that must name a
// form without re-implementing it.
std::string base64_standard(std::string_view bytes);

}  // namespace rampart
