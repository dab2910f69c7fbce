#include "common/secret_masker.h"

#include <algorithm>
#include <deque>

#include "common/secret_forms.h"

namespace rampart {
namespace {

// Bytes that make a short form part of a longer word: ASCII letters and digits, and non-ASCII
// bytes (letters of other scripts are encoded with them).
bool is_word_byte(int c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A long text is released in slices, so that a Stream never keeps a whole large chunk.
constexpr size_t kReleaseEvery = 4096;

}  // namespace

SecretMasker::SecretMasker(const std::vector<std::string>& values) {
  nodes_.emplace_back();  // the root
  for (const auto& v : values) {
    if (!v.empty()) values_.push_back(v);
  }
  std::sort(values_.begin(), values_.end());
  values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
  for (const auto& v : values_) {
    for (const auto& form : secret_forms(v)) add_form(form);
  }
  link();
}

std::shared_ptr<const SecretMasker> SecretMasker::from_secrets(
    const std::map<std::string, std::map<std::string, std::string>>& secrets) {
  std::vector<std::string> values;
  for (const auto& [name, keys] : secrets) {
    for (const auto& [key, value] : keys) values.push_back(value);
  }
  return std::make_shared<const SecretMasker>(values);
}

bool SecretMasker::is_secret_value(std::string_view value) const {
  return std::binary_search(values_.begin(), values_.end(), value,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

void SecretMasker::add_form(const std::string& form) {
  uint32_t node = 0;
  for (unsigned char c : form) {
    uint32_t found = node == 0 ? root_next_[c] : child(node, c);
    if (!found) {
      found = static_cast<uint32_t>(nodes_.size());
      Node created;
      created.byte = c;
      created.depth = nodes_[node].depth + 1;
      created.next_sibling = nodes_[node].first_child;
      nodes_.push_back(created);
      nodes_[node].first_child = found;
      if (node == 0) root_next_[c] = found;
    }
    node = found;
  }
  if (form.size() >= kMinAnywhereBytes) {
    nodes_[node].anywhere = std::max<uint32_t>(nodes_[node].anywhere, static_cast<uint32_t>(form.size()));
  } else {
    nodes_[node].token_lengths |= static_cast<uint8_t>(1u << (form.size() - 1));
    max_held_ = std::max(max_held_, form.size());
  }
}

uint32_t SecretMasker::child(uint32_t node, unsigned char c) const {
  for (uint32_t ch = nodes_[node].first_child; ch; ch = nodes_[ch].next_sibling) {
    if (nodes_[ch].byte == c) return ch;
  }
  return 0;
}

uint32_t SecretMasker::next(uint32_t state, unsigned char c) const {
  while (state != 0) {
    if (uint32_t ch = child(state, c)) return ch;
    state = nodes_[state].fail;
  }
  return root_next_[c];
}

// Failure links breadth-first (a node's link is shallower, so it is final before the node's),
// and with them what ends at each state and how much it must hold back.
void SecretMasker::link() {
  std::deque<uint32_t> queue;
  for (uint32_t ch = nodes_[0].first_child; ch; ch = nodes_[ch].next_sibling) queue.push_back(ch);
  while (!queue.empty()) {
    uint32_t u = queue.front();
    queue.pop_front();
    Node& n = nodes_[u];
    const Node& f = nodes_[n.fail];
    n.anywhere = std::max(n.anywhere, f.anywhere);
    n.token_lengths |= f.token_lengths;
    n.hold = n.first_child ? n.depth : f.hold;
    max_held_ = std::max<size_t>(max_held_, n.hold);
    for (uint32_t ch = n.first_child; ch; ch = nodes_[ch].next_sibling) {
      nodes_[ch].fail = next(n.fail, nodes_[ch].byte);  // u is never the root: shallower than ch
      queue.push_back(ch);
    }
  }
}

std::string SecretMasker::mask(std::string_view text) const {
  if (empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  Stream stream(*this);
  stream.write(text, out);
  stream.finish(out);
  return out;
}

void SecretMasker::mask_json(nlohmann::json& value) const {
  if (empty()) return;
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    std::string masked = mask(text);
    if (masked != text) value = std::move(masked);
  } else if (value.is_array()) {
    for (auto& element : value) mask_json(element);
  } else if (value.is_object()) {
    bool keys_changed = false;
    for (auto it = value.begin(); it != value.end(); ++it) {
      mask_json(it.value());
      keys_changed = keys_changed || mask(it.key()) != it.key();
    }
    if (!keys_changed) return;
    nlohmann::json renamed = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) renamed[mask(it.key())] = std::move(it.value());
    value = std::move(renamed);
  }
}

void SecretMasker::Stream::write(std::string_view chunk, std::string& out) {
  if (masker_->empty()) {
    out.append(chunk);
    return;
  }
  for (size_t i = 0; i < chunk.size(); ++i) {
    consume(static_cast<unsigned char>(chunk[i]));
    if ((i + 1) % kReleaseEvery == 0 || i + 1 == chunk.size()) {
      uint64_t limit = consumed_ - masker_->nodes_[state_].hold;
      for (uint64_t start : waiting_tokens_) limit = std::min(limit, start);
      release(limit, out);
    }
  }
}

void SecretMasker::Stream::finish(std::string& out) {
  for (uint64_t start : waiting_tokens_) cover(start, consumed_);  // the end of the text ends a token
  waiting_tokens_.clear();
  release(consumed_, out);
  *this = Stream(*masker_);
}

void SecretMasker::Stream::consume(unsigned char c) {
  if (!waiting_tokens_.empty()) {
    if (!is_word_byte(c)) {
      for (uint64_t start : waiting_tokens_) cover(start, consumed_);
    }
    waiting_tokens_.clear();
  }
  pending_.push_back(static_cast<char>(c));
  reach_.push_back(0);
  ++consumed_;
  state_ = masker_->next(state_, c);
  const Node& n = masker_->nodes_[state_];
  if (n.anywhere) cover(consumed_ - n.anywhere, consumed_);
  for (uint64_t length = 1; length < kMinAnywhereBytes; ++length) {
    if (!(n.token_lengths & (1u << (length - 1)))) continue;
    uint64_t start = consumed_ - length;
    if (!is_word_byte(raw_before(start))) waiting_tokens_.push_back(start);
  }
}

// A match [start, end) always starts at or after base_: while it was being read, the state's
// hold kept its first byte pending.
void SecretMasker::Stream::cover(uint64_t start, uint64_t end) {
  uint64_t& reach = reach_[start - base_];
  reach = std::max(reach, end);
}

unsigned char SecretMasker::Stream::raw_before(uint64_t position) const {
  if (position == 0) return ' ';
  if (position > base_) return static_cast<unsigned char>(pending_[position - 1 - base_]);
  return last_released_ < 0 ? ' ' : static_cast<unsigned char>(last_released_);
}

void SecretMasker::Stream::release(uint64_t limit, std::string& out) {
  if (limit <= base_) return;
  size_t count = static_cast<size_t>(limit - base_);
  for (size_t k = 0; k < count; ++k) {
    mask_until_ = std::max(mask_until_, reach_[k]);
    if (base_ + k < mask_until_) {
      if (!in_masked_span_) out.append(kReplacement);
      in_masked_span_ = true;
    } else {
      in_masked_span_ = false;
      out.push_back(pending_[k]);
    }
  }
  last_released_ = static_cast<unsigned char>(pending_[count - 1]);
  pending_.erase(0, count);
  reach_.erase(reach_.begin(), reach_.begin() + static_cast<std::ptrdiff_t>(count));
  base_ = limit;
}

}  // namespace rampart
