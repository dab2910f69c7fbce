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

// A node where forms branch gets a full 1 KiB transition row (at most one per form), the
// shallowest first, up to 4 MiB of rows: the automaton then reads most bytes with one lookup.
constexpr size_t kDenseChildren = 2;
constexpr size_t kMaxRows = 4096;

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
    if (uint32_t row = nodes_[state].row) return rows_[(row - 1) * 256 + c];
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
    size_t children = 0;
    for (uint32_t ch = n.first_child; ch; ch = nodes_[ch].next_sibling) {
      nodes_[ch].fail = next(n.fail, nodes_[ch].byte);  // u is never the root: shallower than ch
      queue.push_back(ch);
      ++children;
    }
    // Its failure link is final (shallower), so next() gives the complete transition.
    if (children >= kDenseChildren && rows_.size() < kMaxRows * 256) {
      size_t at = rows_.size();
      rows_.resize(at + 256);
      for (unsigned c = 0; c < 256; ++c) rows_[at + c] = next(u, static_cast<unsigned char>(c));
      nodes_[u].row = static_cast<uint32_t>(at / 256 + 1);
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
  chunk_ = chunk;
  const Node* nodes = masker_->nodes_.data();
  for (size_t i = 0; i < chunk.size(); ++i) {
    auto c = static_cast<unsigned char>(chunk[i]);
    if (!waiting_tokens_.empty()) resolve_tokens(c);
    ++consumed_;
    // The common cases inline: the root, and a state with a full transition row.
    const Node& from = nodes[state_];
    state_ = state_ == 0 ? masker_->root_next_[c]
             : from.row  ? masker_->rows_[(from.row - 1) * 256 + c]
                         : masker_->next(state_, c);
    const Node& n = nodes[state_];
    if (n.anywhere || n.token_lengths) on_match(n);
    if ((i + 1) % kReleaseEvery == 0 || i + 1 == chunk.size()) {
      uint64_t limit = consumed_ - masker_->nodes_[state_].hold;
      for (uint64_t start : waiting_tokens_) limit = std::min(limit, start);
      release(limit, out);
    }
  }
  // Keep only what is still held, for the next write.
  std::string held;
  held.reserve(static_cast<size_t>(consumed_ - base_));
  append_raw(base_, consumed_, held);
  pending_ = std::move(held);
  chunk_base_ = consumed_;
  chunk_ = {};
}

void SecretMasker::Stream::finish(std::string& out) {
  for (uint64_t start : waiting_tokens_) spans_.push_back({start, consumed_});  // the end ends a token
  waiting_tokens_.clear();
  release(consumed_, out);
  *this = Stream(*masker_);
}

// The byte after short matches decides whether they were tokens.
void SecretMasker::Stream::resolve_tokens(unsigned char c) {
  if (!is_word_byte(c)) {
    for (uint64_t start : waiting_tokens_) spans_.push_back({start, consumed_});
  }
  waiting_tokens_.clear();
}

// Forms end at the byte just read (consumed_ - 1).
void SecretMasker::Stream::on_match(const Node& n) {
  if (n.anywhere) spans_.push_back({consumed_ - n.anywhere, consumed_});
  for (uint64_t length = 1; length < kMinAnywhereBytes; ++length) {
    if (!(n.token_lengths & (1u << (length - 1)))) continue;
    uint64_t start = consumed_ - length;
    if (!is_word_byte(raw_before(start))) waiting_tokens_.push_back(start);
  }
}

// Only held bytes are asked for: a match always starts at or after base_, because while it was
// being read the automaton's hold kept its first byte back.
unsigned char SecretMasker::Stream::byte_at(uint64_t position) const {
  if (position >= chunk_base_) return static_cast<unsigned char>(chunk_[position - chunk_base_]);
  return static_cast<unsigned char>(pending_[pending_.size() - (chunk_base_ - position)]);
}

unsigned char SecretMasker::Stream::raw_before(uint64_t position) const {
  if (position == 0) return ' ';
  if (position > base_) return byte_at(position - 1);
  return last_released_ < 0 ? ' ' : static_cast<unsigned char>(last_released_);
}

void SecretMasker::Stream::append_raw(uint64_t from, uint64_t to, std::string& out) const {
  if (from >= to) return;
  if (from < chunk_base_) {
    uint64_t stop = std::min(to, chunk_base_);
    out.append(pending_, pending_.size() - static_cast<size_t>(chunk_base_ - from), static_cast<size_t>(stop - from));
    from = stop;
  }
  if (from < to) out.append(chunk_.substr(static_cast<size_t>(from - chunk_base_), static_cast<size_t>(to - from)));
}

// Writes [base_, position): what lies inside the masked span as one replacement, the rest as is.
void SecretMasker::Stream::emit_until(uint64_t position, std::string& out) {
  while (base_ < position) {
    if (base_ < mask_until_) {
      if (!in_masked_span_) out.append(kReplacement);
      in_masked_span_ = true;
      base_ = std::min(mask_until_, position);
    } else {
      in_masked_span_ = false;
      append_raw(base_, position, out);
      base_ = position;
    }
  }
}

// Releases the bytes before `limit`: no match not yet known can cover them.
void SecretMasker::Stream::release(uint64_t limit, std::string& out) {
  if (limit <= base_) return;
  unsigned char last = byte_at(limit - 1);
  std::sort(spans_.begin(), spans_.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  size_t kept = 0;
  for (const Span& span : spans_) {
    if (span.start >= limit) {
      spans_[kept++] = span;
      continue;
    }
    emit_until(span.start, out);
    mask_until_ = std::max(mask_until_, span.end);
  }
  spans_.resize(kept);
  emit_until(limit, out);
  last_released_ = last;
}

}  // namespace rampart
