// Reading and expanding: scripts, pipelines, words, parameters and substitutions. What the
// commands themselves do is in shell_commands.cpp.
#include "guard/shell_analysis.h"

#include <algorithm>
#include <cctype>

#include "guard/shell_analyzer.h"
#include "guard/signatures.h"
#include "guard/text_decoding.h"

namespace rampart::guard {

namespace {

constexpr size_t kMinEncodedLength = 16;   // shorter base64 runs are words, not payloads
constexpr size_t kMaxEncodedPerText = 64;  // decoded candidates looked at per text

std::string with_context(const std::string& how, const std::string& context) {
  if (how.empty()) return context;
  if (context.empty()) return how;
  return shorten(context + ", " + how, 160);
}

// String literals of a program in another language ('...', "...", '''...''', """...""").
std::vector<std::string_view> string_literals(std::string_view source, size_t max_count) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < source.size() && out.size() < max_count) {
    char q = source[i];
    if (q != '"' && q != '\'') {
      ++i;
      continue;
    }
    bool triple = source.substr(i, 3) == std::string(3, q);
    size_t start = i + (triple ? 3 : 1);
    size_t j = start;
    while (j < source.size()) {
      if (source[j] == '\\') {
        j += 2;
        continue;
      }
      if (triple ? source.substr(j, 3) == std::string(3, q) : source[j] == q) break;
      if (!triple && source[j] == '\n') break;
      ++j;
    }
    j = std::min(j, source.size());
    out.push_back(source.substr(start, j - start));
    i = j + (triple ? 3 : 1);
  }
  return out;
}

}  // namespace

void Value::absorb(const Value& other) {
  known = known && other.known;
  downloaded = downloaded || other.downloaded;
  decoded = decoded || other.decoded;
  hidden = hidden || other.hidden;
  expanded = expanded || other.expanded;
  if (origin.empty()) origin = other.origin;
}

std::string normalise_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  while (out.rfind("./", 0) == 0) out.erase(0, 2);
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string base_name(std::string_view path) {
  std::string p = normalise_path(path);
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string clean_evidence(std::string_view evidence) {
  // Signature matches may carry the separator around them ("/xmrig " and "/xmrig" are one).
  size_t begin = evidence.find_first_not_of(" \t\n'\";&|");
  size_t end = evidence.find_last_not_of(" \t\n'\";&|");
  return begin == std::string_view::npos ? "" : shorten(evidence.substr(begin, end - begin + 1));
}

bool is_plain_command(std::string_view text) {
  return text.find_first_of("$`'\"\\|;&<>(){}\n") == std::string_view::npos && !contains_stratum(text);
}

bool contains_stratum(std::string_view text) {
  static constexpr std::string_view needle = "stratum";
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + 32) : a) == b; });
  return it != text.end();
}

std::string shorten(std::string_view text, size_t max) {
  std::string s(text.substr(0, std::min(text.size(), max * 4)));
  for (auto& c : s) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  return s.size() > max ? s.substr(0, max - 3) + "..." : s;
}

Analyzer::Analyzer(const shell::Limits& limits, std::vector<Finding>& findings)
    : limits_(limits), findings_(findings), words_left_(limits.max_words) {}

void Analyzer::report(const std::string& rule, const std::string& evidence, const std::string& how, bool hidden) {
  hidden = hidden || hiding_;
  std::string shown = clean_evidence(evidence);
  if (!reported_.emplace(rule, hidden ? std::string() : shown).second) return;
  findings_.push_back({rule, hidden ? std::string() : shown, how, hidden});
}

void Analyzer::check_text(const Value& value, const std::string& how) {
  for (const auto& m : content_signatures(value.text)) report(m.rule, m.evidence, how, value.hidden);
}

// Base64 or hex payloads anywhere in a text: decoded, and read again when they are text.
void Analyzer::scan_encoded(std::string_view text, int depth, const std::string& how) {
  for (std::string_view candidate : base64_candidates(text, kMinEncodedLength, kMaxEncodedPerText)) {
    std::string decoded;
    if (decode_base64(candidate, &decoded) && is_printable_text(decoded)) {
      run_text(decoded, ProgramKind::Shell, depth + 1, with_context(how, "in base64-decoded text"));
    } else if (candidate.size() % 2 == 0 && decode_hex(candidate, &decoded) && is_printable_text(decoded)) {
      run_text(decoded, ProgramKind::Shell, depth + 1, with_context(how, "in hex-decoded text"));
    }
  }
}

Value Analyzer::run_text(std::string_view text, ProgramKind kind, int depth, const std::string& how, bool checked) {
  if (depth > limits_.max_depth) {
    reach_limit("max_depth");
    return Value::unknown();
  }
  if (text.size() > limits_.max_bytes) reach_limit("max_bytes");  // the rest is read by text matching
  Value raw;
  raw.text = std::string(text.substr(0, std::min(text.size(), limits_.max_bytes)));
  if (!checked) {
    check_text(raw, how);
    scan_encoded(raw.text, depth, how);
  }
  if (kind == ProgramKind::Program) {
    for (std::string_view literal : string_literals(raw.text, 256)) {
      if (literal.find(' ') != std::string_view::npos) {
        run_text(literal, ProgramKind::Shell, depth + 1, with_context(how, "in a string of the program"), true);
      }
    }
    return Value::unknown();
  }
  if (depth == 0 && files_.empty() && is_plain_command(raw.text)) return Value::unknown();
  shell::Script script;
  std::string hit = shell::parse(text, limits_, words_left_, script);
  if (!hit.empty()) reach_limit(hit);
  return run_script(script, depth, how);
}

Value Analyzer::run_script(const shell::Script& script, int depth, const std::string& how) {
  Value last;
  for (const auto& pipeline : script.pipelines) last = run_pipeline(script, pipeline, depth, how);
  return last;
}

Value Analyzer::run_pipeline(const shell::Script& script, const shell::Pipeline& pipeline, int depth,
                             const std::string& how) {
  Value data = Value::unknown();  // the first command's stdin: not known to us
  data.text.clear();
  for (const auto& command : pipeline.commands) data = run_command(script, command, std::move(data), depth, how);
  return data;
}

std::vector<Value> Analyzer::expand_fields(std::span<const shell::Word> words, int depth, const std::string& how) {
  std::vector<Value> fields;
  fields.reserve(words.size());
  auto push = [&](Value& v) {
    if (fields.size() >= limits_.max_words) {
      reach_limit("max_words");
      return;
    }
    fields.push_back(std::move(v));
    v = Value{};
  };
  for (const auto& word : words) {
    // Unquoted expansions are split into fields as the shell does: C="curl -s x"; $C | sh.
    Value current;
    bool started = false;  // `current` is a field even if empty ("" or a literal)
    for (const auto& part : word.parts) {
      Value v = expand_part(part, depth, how);
      if (part.quoted || part.kind == shell::Part::Kind::Literal || !v.known) {
        current.text += v.text;
        current.absorb(v);
        started = true;
        continue;
      }
      const std::string& t = v.text;
      size_t i = 0;
      bool first = true;
      while (true) {
        size_t begin = t.find_first_not_of(" \t\n", i);
        if (begin == std::string::npos) break;
        if ((!first || begin > 0) && started) {
          push(current);
          started = false;
        }
        size_t end = t.find_first_of(" \t\n", begin);
        if (end == std::string::npos) end = t.size();
        current.text += t.substr(begin, end - begin);
        current.absorb(v);
        started = true;
        first = false;
        i = end;
      }
      if (!t.empty() && t.find_last_of(" \t\n") == t.size() - 1 && started) {
        push(current);
        started = false;
      }
      if (t.empty()) current.absorb(v);
    }
    if (started) {
      const shell::Part* only = word.parts.size() == 1 ? &word.parts[0] : nullptr;
      if (only && only->kind == shell::Part::Kind::Literal) {
        const std::string& raw = word.raw;
        const std::string& text = only->text;
        bool quoted = raw.size() == text.size() + 2 && raw.front() == raw.back() && (raw[0] == '\'' || raw[0] == '"') &&
                      raw.compare(1, text.size(), text) == 0;
        current.verbatim = raw == text || quoted;
      }
      push(current);
    }
  }
  return fields;
}

Value Analyzer::expand_word(const shell::Word& word, int depth, const std::string& how) {
  Value out;
  for (const auto& part : word.parts) {
    Value v = expand_part(part, depth, how);
    out.text += v.text;
    out.absorb(v);
  }
  if (out.text.size() > limits_.max_bytes) {
    out.text.resize(limits_.max_bytes);
    reach_limit("max_bytes");
  }
  return out;
}

Value Analyzer::expand_part(const shell::Part& part, int depth, const std::string& how) {
  using Kind = shell::Part::Kind;
  switch (part.kind) {
    case Kind::Literal: {
      Value v;
      v.text = part.text;
      return v;
    }
    case Kind::Parameter: return parameter(part);
    case Kind::CommandSubst: {
      Value v = run_text(part.text, ProgramKind::Shell, depth + 1, with_context(how, "in $(...)"), part.verbatim);
      while (!v.text.empty() && v.text.back() == '\n') v.text.pop_back();
      v.expanded = true;
      return v;
    }
    case Kind::ProcessSubst: {
      // <(...) is a file whose content is the inner commands' output.
      Value content = run_text(part.text, ProgramKind::Shell, depth + 1, with_context(how, "in <(...)"), true);
      std::string path = "/dev/fd/" + std::to_string(next_fd_++);
      write_file(path, content, false);
      Value v;
      v.text = path;
      v.expanded = true;
      return v;
    }
    case Kind::Arithmetic: {
      Value v = Value::unknown();
      v.expanded = true;
      return v;
    }
  }
  return Value::unknown();
}

Value Analyzer::parameter(const shell::Part& part) {
  auto it = vars_.find(part.text);
  bool set = it != vars_.end();
  Value v = set ? it->second : Value::unknown();
  v.expanded = true;
  const std::string& op = part.op;
  const std::string& arg = part.arg;
  if (op == "len") {
    Value n = Value::unknown();
    n.expanded = true;
    return n;
  }
  if (op == ":-" || op == "-" || op == ":=" || op == "=") {
    if (!set || (op[0] == ':' && v.text.empty())) {
      Value d;
      d.text = arg;
      d.expanded = true;
      if (op.back() == '=') vars_[part.text] = d;
      return d;
    }
    return v;
  }
  if (op == ":+" || op == "+") {
    Value alt;
    alt.expanded = true;
    if (set) alt.text = arg;
    return alt;
  }
  if (!set) return v;
  std::string& t = v.text;
  if ((op == "#" || op == "##") && t.rfind(arg, 0) == 0) t.erase(0, arg.size());
  if ((op == "%" || op == "%%") && t.size() >= arg.size() && t.compare(t.size() - arg.size(), arg.size(), arg) == 0) {
    t.erase(t.size() - arg.size());
  }
  if (op == "/" || op == "//") {
    // Literal patterns only (no globs): ${A/x/s} turns "xtratum" into "stratum".
    size_t slash = arg.find('/');
    std::string from = arg.substr(0, slash);
    std::string to = slash == std::string::npos ? "" : arg.substr(slash + 1);
    if (from.find_first_of("*?[") != std::string::npos) return Value::unknown();
    for (size_t at = from.empty() ? std::string::npos : t.find(from); at != std::string::npos;
         at = t.find(from, at + to.size())) {
      t.replace(at, from.size(), to);
      if (op == "/" || t.size() > limits_.max_bytes) break;
    }
  }
  if (op == ":") {
    // ${A:offset} and ${A:offset:length} with literal numbers.
    try {
      size_t colon = arg.find(':');
      long offset = std::stol(arg.substr(0, colon));
      if (offset < 0) offset = std::max(0L, static_cast<long>(t.size()) + offset);
      std::string rest = t.substr(std::min(static_cast<size_t>(offset), t.size()));
      t = colon == std::string::npos
              ? rest
              : rest.substr(0, static_cast<size_t>(std::max(0L, std::stol(arg.substr(colon + 1)))));
    } catch (const std::exception&) {
      return Value::unknown();
    }
  }
  if (op == "!" || op == "?" || op == ":?") return op == "!" ? Value::unknown() : v;
  return v;
}

CommandReport analyse_script(std::string_view text, ProgramKind kind, const std::vector<ShellVariable>& env,
                             const shell::Limits& limits) {
  CommandReport report;
  // Most strings of a spec are a lone command or a word without any shell syntax: they say
  // nothing more than their text, and have no payload to decode.
  if (kind == ProgramKind::Shell && text.size() <= limits.max_bytes && is_plain_command(text) &&
      base64_candidates(text, kMinEncodedLength, 1).empty()) {
    for (const auto& m : content_signatures(text))
      report.findings.push_back({m.rule, clean_evidence(m.evidence), "", false});
    return report;
  }
  Analyzer analyzer(limits, report.findings);
  for (const auto& e : env) {
    Value v;
    v.text = e.value;
    v.hidden = e.hidden;
    analyzer.set_variable(e.name, v);
  }
  analyzer.run_text(text, kind, 0, "");
  report.limit = analyzer.limit();
  if (!report.limit.empty()) {
    // Past a bound the reading is partial: the plain text checks (droppers by pattern too) make
    // sure nothing the old guard caught is missed.
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& f : report.findings) seen.emplace(f.rule, f.evidence);
    std::string how = "by text matching: the parser's limit " + report.limit + " was reached";
    for (const auto& m : command_signatures(text)) {
      std::string evidence = clean_evidence(m.evidence);
      if (seen.emplace(m.rule, evidence).second) report.findings.push_back({m.rule, evidence, how, false});
    }
  }
  return report;
}

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CommandReport analyse_argv(const std::vector<std::string>& argv, bool command_known,
                           const std::vector<ShellVariable>& env, const shell::Limits& limits) {
  // No shell runs a container's command: quoting each element keeps it one word, so the reader
  // sees exactly the argv, and `sh -c '...' a b` is read with its positional parameters.
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + shell_quote(a);
  CommandReport report = analyse_script(line, ProgramKind::Shell, env, limits);
  if (!command_known) {
    for (const auto& a : argv) {
      CommandReport each = analyse_script(a, ProgramKind::Shell, env, limits);
      for (auto& f : each.findings) {
        bool dup = std::any_of(report.findings.begin(), report.findings.end(),
                               [&](const Finding& g) { return g.rule == f.rule && g.evidence == f.evidence; });
        if (!dup) report.findings.push_back(std::move(f));
      }
      if (report.limit.empty()) report.limit = each.limit;
    }
  }
  return report;
}

ProgramKind program_kind(const std::vector<std::string>& command) {
  if (command.empty()) return ProgramKind::Shell;
  std::string name = base_name(command[0]);
  static const char* const shells[] = {"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox", "env"};
  for (const char* s : shells) {
    if (name == s) return ProgramKind::Shell;
  }
  return ProgramKind::Program;
}

}  // namespace rampart::guard
