#include "guard/shell_syntax.h"

#include <cctype>

#include "guard/text_decoding.h"

namespace rampart::guard::shell {

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool ends_word(char c) {
  return is_blank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

// Reserved words read as nothing when they start a command: what matters is the simple commands
// inside a compound one.
bool is_keyword(std::string_view w) {
  static constexpr std::string_view words[] = {"if",    "then",  "else", "elif", "fi",  "do",     "done",
                                               "while", "until", "case", "esac", "for", "select", "function",
                                               "{",     "}",     "!",    "[[",   "]]"};
  if (w.size() > 8) return false;
  for (std::string_view k : words) {
    if (w == k) return true;
  }
  return false;
}

// Index of the ')' that closes a "$(" or "<(" whose content starts at `i`; text.size() when
// unterminated. Quotes, escapes and nested parentheses are skipped over.
size_t closing_paren(std::string_view text, size_t i) {
  int depth = 1;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      i = end == std::string_view::npos ? text.size() : end + 1;
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i;
    ++i;
  }
  return text.size();
}

// Index of the '}' closing a "${" whose content starts at `i`.
size_t closing_brace(std::string_view text, size_t i) {
  int depth = 1;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      ++i;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i;
    }
  }
  return text.size();
}

std::string unquote(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[++i];
    } else if (s[i] != '"' && s[i] != '\'') {
      out += s[i];
    }
  }
  return out;
}

// The inside of ${...}: a name, and an operator with its word (${A:-x}, ${A/x/y}, ${#A}, ...).
void read_braced_parameter(std::string_view inside, Part& p) {
  p.kind = Part::Kind::Parameter;
  size_t i = 0;
  if (inside.size() > 1 && (inside[0] == '#' || inside[0] == '!')) {
    p.op = inside[0] == '#' ? "len" : "!";
    i = 1;
  }
  size_t name_start = i;
  auto special = [](char c) { return std::string_view("@*#?$!-").find(c) != std::string_view::npos; };
  while (i < inside.size() && (is_name_char(inside[i]) || (i == name_start && special(inside[i])))) ++i;
  p.text = std::string(inside.substr(name_start, i - name_start));
  std::string_view rest = inside.substr(i);
  if (rest.empty() || !p.op.empty()) return;
  static constexpr std::string_view ops[] = {":-", ":=", ":+", ":?", "##", "%%", "//", "-",
                                             "=",  "+",  "?",  "#",  "%",  "/",  ":"};
  for (std::string_view o : ops) {
    if (rest.substr(0, o.size()) == o) {
      p.op = std::string(o);
      break;
    }
  }
  p.arg = unquote(rest.substr(p.op.size()));
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits, size_t& words_left, Script& out)
      : text_(text), limits_(limits), words_left_(words_left), out_(out) {}

  std::string run();

 private:
  struct PendingHeredoc {
    std::string delimiter;
    bool strip_tabs = false;
    bool quoted = false;
    int index = 0;
  };

  bool at(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }
  void end_command();
  void end_pipeline();
  bool read_redirect();
  void read_heredoc_bodies();
  Word read_word();
  void read_dollar(std::vector<Part>& parts, std::string& literal, bool quoted);
  void read_double_quoted(std::vector<Part>& parts, std::string& literal, std::string_view closing);
  static void flush(std::vector<Part>& parts, std::string& literal, bool quoted);

  std::string_view text_;
  const Limits& limits_;
  size_t& words_left_;
  Script& out_;
  size_t pos_ = 0;
  Command command_;
  Pipeline pipeline_;
  std::vector<PendingHeredoc> pending_;
  std::string limit_;
};

void Parser::flush(std::vector<Part>& parts, std::string& literal, bool quoted) {
  if (literal.empty()) return;
  Part p;
  p.text = std::move(literal);
  p.quoted = quoted;
  parts.push_back(std::move(p));
  literal.clear();
}

void Parser::end_command() {
  if (!command_.words.empty() || !command_.redirects.empty()) pipeline_.commands.push_back(std::move(command_));
  command_ = Command{};
}

void Parser::end_pipeline() {
  end_command();
  if (!pipeline_.commands.empty()) out_.pipelines.push_back(std::move(pipeline_));
  pipeline_ = Pipeline{};
}

std::string Parser::run() {
  if (text_.size() > limits_.max_bytes) {
    text_ = text_.substr(0, limits_.max_bytes);
    limit_ = "max_bytes";
  }
  while (pos_ < text_.size() && (limit_.empty() || limit_ == "max_bytes")) {
    char c = text_[pos_];
    if (is_blank(c) || (c == '\\' && at("\\\n"))) {
      pos_ += c == '\\' ? 2 : 1;
    } else if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else if (c == '\n') {
      ++pos_;
      end_pipeline();
      read_heredoc_bodies();
    } else if (at("&&") || at("||") || at(";;") || c == ';' || (c == '&' && !at("&>")) || c == '(' || c == ')') {
      pos_ += (at("&&") || at("||") || at(";;")) ? 2 : 1;
      end_pipeline();
    } else if (c == '|') {
      pos_ += at("|&") ? 2 : 1;
      end_command();
    } else if (read_redirect()) {
      // read
    } else {
      Word w = read_word();
      if (words_left_ == 0) {
        limit_ = "max_words";
        break;
      }
      --words_left_;
      bool keyword = command_.words.empty() && w.parts.size() == 1 && w.parts[0].kind == Part::Kind::Literal &&
                     !w.parts[0].quoted && w.raw.size() <= 8 && is_keyword(w.raw);
      if (!keyword) command_.words.push_back(std::move(w));
    }
  }
  end_pipeline();
  return limit_;
}

bool Parser::read_redirect() {
  char first = text_[pos_];
  if (first != '<' && first != '>' && first != '&' && !std::isdigit(static_cast<unsigned char>(first))) return false;
  size_t start = pos_;
  int fd = -1;
  if (std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
    size_t i = pos_;
    while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i])) && i - pos_ < 4) ++i;
    if (i >= text_.size() || (text_[i] != '<' && text_[i] != '>')) return false;
    fd = std::stoi(std::string(text_.substr(pos_, i - pos_)));
    pos_ = i;
  }
  if (at("<(") || at(">(")) {  // a process substitution is a word
    pos_ = start;
    return false;
  }
  static const char* const ops[] = {"&>>", "<<<", "<<-", "&>", "<<", "<>", "<&", ">>", ">&", ">|", "<", ">"};
  std::string op;
  for (const char* o : ops) {
    if (at(o)) {
      op = o;
      break;
    }
  }
  if (op.empty()) {
    pos_ = start;
    return false;
  }
  pos_ += op.size();
  while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  Redirect r;
  r.fd = fd;
  r.op = op == "<<-" ? "<<" : op;
  r.target = read_word();
  if (r.op == "<<") {
    PendingHeredoc h;
    h.delimiter = unquote(r.target.raw);
    h.strip_tabs = op == "<<-";
    h.quoted = r.target.raw.find_first_of("'\"\\") != std::string::npos;
    h.index = static_cast<int>(out_.heredocs.size());
    out_.heredocs.emplace_back();
    r.heredoc = h.index;
    pending_.push_back(std::move(h));
  }
  command_.redirects.push_back(std::move(r));
  return true;
}

void Parser::read_heredoc_bodies() {
  for (const auto& h : pending_) {
    std::string body;
    while (pos_ < text_.size()) {
      size_t end = text_.find('\n', pos_);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(pos_, end - pos_);
      pos_ = end < text_.size() ? end + 1 : end;
      if (h.strip_tabs) {
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      }
      if (line == h.delimiter) break;
      body.append(line);
      body += '\n';
    }
    Word w;
    w.raw = body;
    if (h.quoted) {
      Part p;
      p.text = body;
      p.quoted = true;
      w.parts.push_back(std::move(p));
    } else {
      // Expansions happen in an unquoted here-document, as in double quotes.
      Parser inner(body, limits_, words_left_, out_);
      std::string literal;
      inner.read_double_quoted(w.parts, literal, "");
      flush(w.parts, literal, true);
    }
    out_.heredocs[static_cast<size_t>(h.index)] = std::move(w);
  }
  pending_.clear();
}

Word Parser::read_word() {
  Word w;
  size_t start = pos_;
  std::string literal;
  if (at("<(") || at(">(")) {
    size_t end = closing_paren(text_, pos_ + 2);
    Part p;
    p.kind = Part::Kind::ProcessSubst;
    p.text = std::string(text_.substr(pos_ + 2, end - pos_ - 2));
    w.parts.push_back(std::move(p));
    pos_ = std::min(end + 1, text_.size());
  }
  while (pos_ < text_.size() && !ends_word(text_[pos_])) {
    char c = text_[pos_];
    if (c == '\\') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') literal += text_[pos_ + 1];
      pos_ += 2;
    } else if (c == '\'') {
      flush(w.parts, literal, false);
      size_t end = text_.find('\'', pos_ + 1);
      if (end == std::string_view::npos) end = text_.size();
      literal = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      flush(w.parts, literal, true);
      pos_ = std::min(end + 1, text_.size());
    } else if (c == '"') {
      flush(w.parts, literal, false);
      ++pos_;
      read_double_quoted(w.parts, literal, "\"");
      flush(w.parts, literal, true);
    } else if (c == '$') {
      read_dollar(w.parts, literal, false);
    } else if (c == '`') {
      flush(w.parts, literal, false);
      std::string source;
      for (++pos_; pos_ < text_.size() && text_[pos_] != '`'; ++pos_) {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        source += text_[pos_];
      }
      ++pos_;
      Part p;
      p.kind = Part::Kind::CommandSubst;
      p.text = std::move(source);
      p.verbatim = false;  // backslashes were removed
      w.parts.push_back(std::move(p));
    } else {
      literal += c;
      ++pos_;
    }
  }
  flush(w.parts, literal, false);
  pos_ = std::min(pos_, text_.size());
  w.raw = std::string(text_.substr(start, pos_ - start));
  return w;
}

// Reads up to `closing` (or the end when it is empty), pos_ just after the opening quote.
void Parser::read_double_quoted(std::vector<Part>& parts, std::string& literal, std::string_view closing) {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (!closing.empty() && c == closing[0]) {
      ++pos_;
      return;
    }
    if (c == '\\' && pos_ + 1 < text_.size()) {
      char n = text_[pos_ + 1];
      if (n == '$' || n == '`' || n == '"' || n == '\\') {
        literal += n;
      } else if (n != '\n') {
        literal += c;
        literal += n;
      }
      pos_ += 2;
    } else if (c == '$') {
      read_dollar(parts, literal, true);
    } else if (c == '`') {
      flush(parts, literal, true);
      std::string source;
      for (++pos_; pos_ < text_.size() && text_[pos_] != '`'; ++pos_) {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        source += text_[pos_];
      }
      ++pos_;
      Part p;
      p.kind = Part::Kind::CommandSubst;
      p.text = std::move(source);
      p.verbatim = false;  // backslashes were removed
      p.quoted = true;
      parts.push_back(std::move(p));
    } else {
      literal += c;
      ++pos_;
    }
  }
}

void Parser::read_dollar(std::vector<Part>& parts, std::string& literal, bool quoted) {
  size_t next = pos_ + 1;
  char n = next < text_.size() ? text_[next] : '\0';
  Part p;
  p.quoted = quoted;
  if (!quoted && n == '\'') {  // $'...': ANSI-C quoting, a favourite for hiding strings
    size_t end = next + 1;
    while (end < text_.size() && text_[end] != '\'') end += text_[end] == '\\' ? 2 : 1;
    end = std::min(end, text_.size());
    flush(parts, literal, false);
    literal = decode_ansi_c(text_.substr(next + 1, end - next - 1));
    flush(parts, literal, true);
    pos_ = std::min(end + 1, text_.size());
    return;
  }
  if (!quoted && n == '"') {
    ++pos_;
    return;  // $"..." is "..."
  }
  if (at("$((")) {
    size_t end = closing_paren(text_, pos_ + 3);
    p.kind = Part::Kind::Arithmetic;
    p.text = std::string(text_.substr(pos_ + 3, end - pos_ - 3));
    pos_ = std::min(end + 2, text_.size());
  } else if (n == '(') {
    size_t end = closing_paren(text_, pos_ + 2);
    p.kind = Part::Kind::CommandSubst;
    p.text = std::string(text_.substr(pos_ + 2, end - pos_ - 2));
    pos_ = std::min(end + 1, text_.size());
  } else if (n == '{') {
    size_t end = closing_brace(text_, pos_ + 2);
    read_braced_parameter(text_.substr(pos_ + 2, end - pos_ - 2), p);
    pos_ = std::min(end + 1, text_.size());
  } else if (is_name_start(n)) {
    size_t end = next;
    while (end < text_.size() && is_name_char(text_[end])) ++end;
    p.kind = Part::Kind::Parameter;
    p.text = std::string(text_.substr(next, end - next));
    pos_ = end;
  } else if (n != '\0' && (std::isdigit(static_cast<unsigned char>(n)) ||
                           std::string_view("@*#?$!-").find(n) != std::string_view::npos)) {
    p.kind = Part::Kind::Parameter;
    p.text = std::string(1, n);
    pos_ = next + 1;
  } else {
    literal += '$';
    ++pos_;
    return;
  }
  flush(parts, literal, quoted);
  parts.push_back(std::move(p));
}

}  // namespace

std::string parse(std::string_view text, const Limits& limits, size_t& words_left, Script& out) {
  return Parser(text, limits, words_left, out).run();
}

bool literal_value(const Word& word, std::string* value) {
  value->clear();
  for (const auto& p : word.parts) {
    if (p.kind != Part::Kind::Literal) return false;
    *value += p.text;
  }
  return true;
}

}  // namespace rampart::guard::shell
