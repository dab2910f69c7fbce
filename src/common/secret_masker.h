// Replaces secret values with "[redacted]" in every form they can take in output (see
// secret_forms.h), before anything is written: step logs, output parameters, node messages,
// events, API responses, terminal output. Built once from the secret values of a run; immutable
// afterwards, so one instance is shared by every thread that writes.
//
// Matching: one Aho-Corasick automaton over all forms of all values, so masking is linear in the
// text whatever the number of secrets. Where matches overlap or touch, the whole covered span
// becomes one "[redacted]", so no part of either value survives.
//
// Short forms (the token rule): a form shorter than 4 bytes (a value such as "ab" or "42") is
// masked only where it stands as a whole token: the byte before it is the start of the text or
// not a letter or digit, and so is the byte after it (or the end of the text). Letters and
// digits here are ASCII letters and digits and every non-ASCII byte (letters of other scripts).
// So "ab" is masked in "ab", "x=ab;" and "'ab'" but not in "abc" or "table". Forms of 4 bytes or
// more are masked wherever they occur.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart {

class SecretMasker {
  struct Node;  // a state of the automaton (below)

 public:
  static constexpr std::string_view kReplacement = "[redacted]";
  // Forms shorter than this are masked only as whole tokens (see above).
  static constexpr size_t kMinAnywhereBytes = 4;

  // Builds the automaton from every form of every value; empty values are ignored. Memory:
  // about 32 bytes per byte of forms (some 30 bytes of forms per byte of value, so ~1 KiB per
  // value byte), plus at most 4 MiB of transition rows. Callers bound the values
  // (load_secret_files refuses values over --max-secret-bytes).
  explicit SecretMasker(const std::vector<std::string>& values);

  // All values of Secrets given as name -> key -> value (EngineOptions::secrets, the server's).
  static std::shared_ptr<const SecretMasker> from_secrets(
      const std::map<std::string, std::map<std::string, std::string>>& secrets);

  // True when built from no (non-empty) value: mask() returns its input.
  bool empty() const { return nodes_.size() <= 1; }

  // True when `value` is exactly one of the values this masker was built from. For the Slurm
  // executor, which must say which environment variables of a step are secret without writing
  // any value anywhere new.
  bool is_secret_value(std::string_view value) const;

  // `text` with every form of every value replaced. Thread-safe.
  std::string mask(std::string_view text) const;

  // Masks every string in `value`, object keys included, in place. Numbers, booleans and the
  // document's structure are left alone, so the result is still valid JSON of the same shape.
  void mask_json(nlohmann::json& value) const;

  // The most bytes a Stream holds back at a chunk boundary: at most the longest form less one
  // (every value has a base64 form of 4 bytes or more, so a short form waiting for the byte
  // after it is within that too).
  size_t max_held_bytes() const { return max_held_; }

  // Masks a text that arrives in chunks (a step's output), so that a value split across two
  // writes is still masked. It holds back only bytes that could still turn out to be part of a
  // value (at most max_held_bytes()), and releases them when the next chunk shows they are not,
  // or at finish(). Not thread-safe: one Stream per output; the masker must outlive it.
  class Stream {
   public:
    explicit Stream(const SecretMasker& masker) : masker_(&masker) {}
    // Masks `chunk` and appends to `out` what can be written now.
    void write(std::string_view chunk, std::string& out);
    // The text ended: appends everything still held back, masked. The Stream can then be reused
    // for a new text.
    void finish(std::string& out);
    // Bytes received but not yet released.
    size_t held() const { return static_cast<size_t>(consumed_ - base_); }

   private:
    struct Span {
      uint64_t start, end;  // positions in the text
    };
    void resolve_tokens(unsigned char c);
    void on_match(const Node& n);
    unsigned char byte_at(uint64_t position) const;
    unsigned char raw_before(uint64_t position) const;
    void release(uint64_t limit, std::string& out);
    void emit_until(uint64_t position, std::string& out);
    void append_raw(uint64_t from, uint64_t to, std::string& out) const;

    const SecretMasker* masker_;
    uint32_t state_ = 0;     // automaton state after the last byte received
    uint64_t consumed_ = 0;  // bytes received
    uint64_t base_ = 0;      // bytes released (the text's position of the first held byte)
    // The held bytes: pending_ ends at position chunk_base_ (bytes held from earlier writes),
    // followed, while write() runs, by its chunk up to consumed_. Released bytes (< base_) may
    // linger at the start of pending_ until write() returns.
    std::string pending_;
    std::string_view chunk_;
    uint64_t chunk_base_ = 0;
    std::vector<Span> spans_;               // matches not yet released
    uint64_t mask_until_ = 0;               // end of the masked span being released
    bool in_masked_span_ = false;           // the replacement for the current span was already written
    int last_released_ = -1;                // the byte before base_, -1 at the start of the text
    std::vector<uint64_t> waiting_tokens_;  // starts of short matches ending at consumed_,
                                            // waiting for the next byte to know they are tokens
  };

 private:
  struct Node {
    uint32_t first_child = 0;  // 0: none (the root is never a child)
    uint32_t next_sibling = 0;
    uint32_t fail = 0;
    uint32_t depth = 0;
    // Bytes to hold back in this state: the depth of the deepest suffix state (this one
    // included) that a longer form can still continue; a complete form is held no longer.
    uint32_t hold = 0;
    uint32_t anywhere = 0;  // longest form of >= 4 bytes ending here (this node or a suffix)
    // Nodes where forms branch get a full transition row: 1 + index into rows_, 0 for none.
    uint32_t row = 0;
    uint8_t byte = 0;
    uint8_t token_lengths = 0;  // bit L-1: a form of L < 4 bytes ends here (this node or a suffix)
  };

  void add_form(const std::string& form);
  void link();
  uint32_t child(uint32_t node, unsigned char c) const;
  uint32_t next(uint32_t state, unsigned char c) const;

  std::vector<Node> nodes_;
  uint32_t root_next_[256] = {};
  std::vector<uint32_t> rows_;       // 256 transitions per row (Node::row)
  std::vector<std::string> values_;  // sorted, for is_secret_value
  size_t max_held_ = 0;
};

}  // namespace rampart
