// What commands do, as far as the guard cares: downloads, interpreters, decoders, files
// written, copied and made executable, and the wrappers (sudo, env, nohup, ...) around them.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "guard/shell_analyzer.h"
#include "guard/signatures.h"
#include "guard/text_decoding.h"

namespace rampart::guard {

namespace {

constexpr size_t kMaxFiles = 1024;  // files remembered per analysis

enum class Lang { None, Shell, Python, Perl, Ruby, Node, Php, Lua, PowerShell };

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Names are compared as views: their sizes first, so most comparisons end at once.
bool one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

bool version_suffix(std::string_view rest) {
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

Lang language_of(std::string_view name) {
  if (one_of(name, {"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish"})) return Lang::Shell;
  auto family = [&](std::string_view stem) {
    return starts_with(name, stem) && version_suffix(name.substr(stem.size()));
  };
  if (family("python") || family("pypy")) return Lang::Python;
  if (family("perl")) return Lang::Perl;
  if (family("ruby")) return Lang::Ruby;
  if (name == "node" || name == "nodejs" || name == "deno" || name == "bun") return Lang::Node;
  if (family("php")) return Lang::Php;
  if (family("lua") || name == "luajit") return Lang::Lua;
  if (name == "pwsh" || name == "powershell") return Lang::PowerShell;
  return Lang::None;
}

bool is_code_flag(Lang lang, const std::string& a) {
  switch (lang) {
    case Lang::Shell:  // -c, and combined flags such as -ec or -xc
      return a.size() >= 2 && a[0] == '-' && a[1] != '-' && a.find('c') != std::string::npos &&
             std::all_of(a.begin() + 1, a.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    case Lang::Python: return a == "-c";
    case Lang::Perl: return a == "-e" || a == "-E";
    case Lang::Ruby:
    case Lang::Lua: return a == "-e";
    case Lang::Node: return a == "-e" || a == "-p" || a == "--eval" || a == "--print";
    case Lang::Php: return a == "-r";
    case Lang::PowerShell: return a == "-c" || a == "-Command" || a == "-command";
    case Lang::None: return false;
  }
  return false;
}

// Options of interpreters that take a value (so that the value is not taken for a script).
bool takes_value(Lang lang, const std::string& a) {
  if (lang == Lang::Shell) return a == "-o" || a == "+o" || a == "-O" || a == "+O";
  if (lang == Lang::Python) return a == "-W" || a == "-X" || a == "-Q";
  if (lang == Lang::Perl || lang == Lang::Ruby) return a == "-I" || a == "-M";
  if (lang == Lang::Node) return a == "-r" || a == "--require";
  return false;
}

bool is_downloader(std::string_view name) {
  return one_of(name, {"curl", "wget", "wget2", "fetch", "aria2c", "lwp-download", "http", "https", "xh"});
}

bool is_unpacker(std::string_view name) {
  return one_of(name,
                {"tar", "bsdtar", "unzip", "gunzip", "zcat", "bunzip2", "xz", "unxz", "7z", "7za", "cpio", "unrar"});
}

bool is_system_path(const std::string& p) {
  for (const char* s : {"/usr/", "/bin/", "/sbin/", "/lib", "/etc/", "/rampart/", "/argo/", "/proc/", "/dev/null"}) {
    if (starts_with(p, s)) return true;
  }
  return false;
}

bool is_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string joined(const std::vector<Value>& fields, size_t from, const char* separator) {
  std::string out;
  for (size_t i = from; i < fields.size(); ++i) {
    if (i > from) out += separator;
    out += fields[i].text;
  }
  return out;
}

Value taint_of(const Value& input) {
  Value out = Value::unknown();
  out.downloaded = input.downloaded;
  out.decoded = input.decoded;
  out.hidden = input.hidden;
  out.origin = input.origin;
  return out;
}

// Strips wrappers that run the rest of the line as a command: sudo, env, nohup, timeout, ...
// Returns false when fields[0] is not one.
bool strip_wrapper(std::vector<Value>& fields, std::vector<std::pair<std::string, Value>>& assignments) {
  const std::string name_text = base_name(fields[0].text);
  const std::string_view name = name_text;
  if (!one_of(name, {"exec",     "nohup",   "setsid",  "time",   "command", "builtin", "stdbuf",  "nice",
                     "ionice",   "sudo",    "doas",    "env",    "timeout", "chrt",    "taskset", "busybox",
                     "unbuffer", "nsenter", "runuser", "chroot", "flock",   "xargs"})) {
    return false;
  }
  fields.erase(fields.begin());
  auto with_value = [&](const std::string& a) {
    if (name == "sudo" || name == "doas" || name == "runuser")
      return a == "-u" || a == "-g" || a == "-C" || a == "-D" || a == "-h" || a == "-p";
    if (name == "nice" || name == "ionice") return a == "-n" || a == "-c" || a == "-p";
    if (name == "timeout") return a == "-s" || a == "-k" || a == "--signal" || a == "--kill-after";
    if (name == "env") return a == "-u" || a == "-C" || a == "--unset" || a == "--chdir";
    if (name == "xargs") return a == "-I" || a == "-n" || a == "-P" || a == "-d" || a == "-L" || a == "-s" || a == "-E";
    return false;
  };
  while (!fields.empty() && fields[0].text.size() > 1 && fields[0].text[0] == '-') {
    bool value = with_value(fields[0].text);
    fields.erase(fields.begin());
    if (value && !fields.empty()) fields.erase(fields.begin());
  }
  if (name == "env") {
    while (!fields.empty() && fields[0].text.find('=') != std::string::npos &&
           is_name(std::string_view(fields[0].text).substr(0, fields[0].text.find('=')))) {
      Value v = fields[0];
      size_t eq = v.text.find('=');
      std::string var = v.text.substr(0, eq);
      v.text.erase(0, eq + 1);
      assignments.emplace_back(var, v);
      fields.erase(fields.begin());
    }
  }
  // A leading operand that is not the command: a duration, a priority, a CPU mask, a directory, a lock file.
  if ((name == "timeout" || name == "chrt" || name == "taskset" || name == "chroot" || name == "flock") &&
      !fields.empty()) {
    fields.erase(fields.begin());
  }
  return true;
}

// echo and printf: what they print, with the format's %s filled in order (enough to put split
// pieces back together).
Value printed(std::string_view name, const std::vector<Value>& fields) {
  Value out;
  size_t i = 1;
  bool escapes = name == "printf";
  while (name == "echo" && i < fields.size() && fields[i].text.size() > 1 && fields[i].text[0] == '-' &&
         fields[i].text.find_first_not_of("neE", 1) == std::string::npos) {
    escapes = escapes || fields[i].text.find('e') != std::string::npos;
    ++i;
  }
  for (size_t j = i; j < fields.size(); ++j) out.absorb(fields[j]);
  if (name == "echo" || i >= fields.size()) {
    out.text = joined(fields, i, " ");
    if (escapes) out.text = decode_ansi_c(out.text);
    out.text += '\n';
    return out;
  }
  const std::string& format = fields[i].text;
  std::string text;
  size_t next = i + 1;
  for (size_t k = 0; k < format.size(); ++k) {
    if (format[k] == '%' && k + 1 < format.size()) {
      char conv = format[++k];
      if (conv == '%')
        text += '%';
      else if (next < fields.size())
        text += conv == 'b' ? decode_ansi_c(fields[next++].text) : fields[next++].text;
    } else {
      text += format[k];
    }
  }
  out.text = decode_ansi_c(text);
  return out;
}

}  // namespace

FileState* Analyzer::file(const std::string& path) {
  if (files_.empty()) return nullptr;
  std::string p = normalise_path(path);
  if (p.empty()) return nullptr;
  auto it = files_.find(p);
  if (it != files_.end()) return &it->second;
  // A directory change we did not follow ("cd /tmp; curl -o x ...; /tmp/x"): same base name.
  std::string base = base_name(p);
  for (auto& [known, state] : files_) {
    if (base_name(known) == base) return &state;
  }
  return nullptr;
}

void Analyzer::write_file(const std::string& path, Value content, bool append) {
  std::string p = normalise_path(path);
  if (p.empty() || p == "/dev/null" || p == "/dev/stdout" || p == "/dev/stderr") return;
  auto it = files_.find(p);
  if (it == files_.end()) {
    if (files_.size() >= kMaxFiles) return;
    files_[p].content = std::move(content);
    return;
  }
  if (append) {
    it->second.content.text += content.text;
    it->second.content.absorb(content);
  } else {
    it->second.content = std::move(content);
  }
}

bool Analyzer::assign(const shell::Word& word, int depth, const std::string& how) {
  if (word.parts.empty() || word.parts[0].kind != shell::Part::Kind::Literal || word.parts[0].quoted) return false;
  const std::string& first = word.parts[0].text;
  size_t eq = first.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  bool append = first[eq - 1] == '+';
  std::string name = first.substr(0, append ? eq - 1 : eq);
  if (!is_name(name)) return false;
  shell::Word value_word = word;
  value_word.parts[0].text = first.substr(eq + 1);
  Value v = expand_word(value_word, depth, how);
  v.expanded = true;
  if (append && vars_.count(name)) {
    Value old = vars_[name];
    old.text += v.text;
    old.absorb(v);
    v = old;
  }
  vars_[name] = v;
  return true;
}

Value Analyzer::run_command(const shell::Script& script, const shell::Command& command, Value input, int depth,
                            const std::string& how) {
  for (const auto& r : command.redirects) {
    if (r.op == "<<" && r.heredoc >= 0 && static_cast<size_t>(r.heredoc) < script.heredocs.size()) {
      input = expand_word(script.heredocs[static_cast<size_t>(r.heredoc)], depth, how);
      if (input.expanded) check_text(input, how.empty() ? "in a here-document, expanded" : how);
    } else if (r.op == "<<<") {
      input = expand_word(r.target, depth, how);
      input.text += '\n';
    } else if (r.op == "<" && (r.fd == -1 || r.fd == 0)) {
      FileState* f = file(expand_word(r.target, depth, how).text);
      input = f ? f->content : Value::unknown();
    }
  }
  size_t first = 0;
  while (first < command.words.size() && assign(command.words[first], depth, how)) ++first;
  Value out;
  if (first < command.words.size()) {
    std::span<const shell::Word> words(command.words.data() + first, command.words.size() - first);
    bool as_written = std::all_of(words.begin(), words.end(), [](const shell::Word& w) {
      return w.parts.size() == 1 && w.parts[0].kind == shell::Part::Kind::Literal && !w.parts[0].quoted;
    });
    out = run_fields(expand_fields(words, depth, how), input, depth, how, as_written);
  }
  for (const auto& r : command.redirects) {
    bool stdout_to_file = (r.op == ">" || r.op == ">>" || r.op == ">|") && (r.fd == -1 || r.fd == 1);
    if (stdout_to_file || r.op == "&>" || r.op == "&>>") {
      write_file(expand_word(r.target, depth, how).text, out, r.op.find(">>") != std::string::npos);
      out = Value{};
    } else if (r.op == ">&" && (r.fd == -1 || r.fd == 1)) {
      out = Value{};  // to stderr or another descriptor, not down the pipe
    }
  }
  return out;
}

// Signatures that only appear once variables are expanded, quotes removed, or arguments split
// apart put back together.
void Analyzer::check_command_line(const std::vector<Value>& fields, bool as_written, const std::string& how) {
  Value line;
  bool expanded = false, stratum = false;
  for (const auto& f : fields) {
    line.absorb(f);
    expanded = expanded || f.expanded;
    stratum = stratum || contains_stratum(f.text);
  }
  // Not the text already checked, word for word ($'\x73...' and quotes change it too).
  if (expanded || !as_written) {
    line.text = joined(fields, 0, " ");
    check_text(line, how.empty() && expanded ? "after expanding variables and substitutions" : how);
  }
  if (fields.size() > 1 && stratum) {
    std::string together = joined(fields, 0, "");
    for (const auto& m : content_signatures(together)) {
      if (m.rule == "command.stratum") report(m.rule, m.evidence, how.empty() ? "across arguments" : how, line.hidden);
    }
  }
  if (fields[0].downloaded) report("command.dropper", fields[0].origin + " -> run as a command", how, fields[0].hidden);
}

Value Analyzer::run_fields(std::vector<Value> fields, const Value& input, int depth, const std::string& how,
                           bool as_written) {
  if (fields.empty()) return Value{};
  check_command_line(fields, as_written, how);
  std::vector<std::pair<std::string, Value>> assignments;
  for (int i = 0; i < 8 && !fields.empty() && strip_wrapper(fields, assignments); ++i) {}
  for (auto& [name, value] : assignments) vars_[name] = value;
  if (fields.empty()) return taint_of(input);
  const std::string name_text = base_name(fields[0].text);
  const std::string_view name = name_text;
  if (language_of(name) != Lang::None) return run_interpreter(name_text, fields, input, depth, how);
  if (auto out = run_builtin(name, fields, depth, how)) return *out;
  if (name == "echo" || name == "printf") return printed(name, fields);
  if (name == "cat") return concatenate(fields, input);
  if (one_of(name, {"base64", "openssl", "xxd", "rev"})) return decode_filter(name_text, fields, input);
  if (name == "tee") {
    for (size_t i = 1; i < fields.size(); ++i) {
      if (fields[i].text[0] != '-') write_file(fields[i].text, input, false);
    }
    return input;
  }
  if (one_of(name, {"cp", "mv", "install", "ln", "chmod"})) {
    copy_files(name, fields);
    return Value{};
  }
  if (is_downloader(name)) return download(name_text, fields);
  if (is_unpacker(name)) return unpack(fields, input);
  run_path(fields[0], "", depth, how);
  return taint_of(input);
}

// The shell's own commands that run code or set variables.
std::optional<Value> Analyzer::run_builtin(std::string_view name, const std::vector<Value>& fields, int depth,
                                           const std::string& how) {
  if (name == "su") {
    auto c = std::find_if(fields.begin(), fields.end(),
                          [](const Value& v) { return v.text == "-c" || v.text == "--command"; });
    if (c == fields.end() || c + 1 == fields.end()) return Value::unknown();
    return run_program_source("su -c", *(c + 1), ProgramKind::Shell, {}, depth, how);
  }
  if (name == "source" || name == ".") {
    if (fields.size() > 1) run_path(fields[1], "source", depth, how);
    return Value::unknown();
  }
  if (name == "eval") {
    Value program;
    for (size_t i = 1; i < fields.size(); ++i) program.absorb(fields[i]);
    program.text = joined(fields, 1, " ");
    return run_program_source("eval", program, ProgramKind::Shell, {}, depth, how);
  }
  if (one_of(name, {"export", "local", "readonly", "declare", "typeset"})) {
    for (size_t i = 1; i < fields.size(); ++i) {
      size_t eq = fields[i].text.find('=');
      if (eq == std::string::npos || !is_name(std::string_view(fields[i].text).substr(0, eq))) continue;
      Value v = fields[i];
      v.text.erase(0, eq + 1);
      vars_[fields[i].text.substr(0, eq)] = v;
    }
    return Value{};
  }
  if (name == "set" && fields.size() > 1 && fields[1].text == "--") {
    for (size_t i = 2; i < fields.size() && i < 11; ++i) vars_[std::to_string(i - 1)] = fields[i];
    return Value{};
  }
  return std::nullopt;
}

Value Analyzer::concatenate(const std::vector<Value>& fields, const Value& input) {
  if (fields.size() == 1) return input;
  Value out;
  for (size_t i = 1; i < fields.size(); ++i) {
    if (fields[i].text == "-") {
      out.text += input.text;
      out.absorb(input);
      continue;
    }
    if (fields[i].text[0] == '-') continue;
    FileState* f = file(fields[i].text);
    Value part = f ? f->content : Value::unknown();
    out.text += part.text;
    out.absorb(part);
  }
  return out;
}

// cp, mv, install, ln: what is known of the source follows it; chmod and install -m make it
// executable.
void Analyzer::copy_files(std::string_view name, const std::vector<Value>& fields) {
  if (name == "chmod") {
    for (size_t i = 2; i < fields.size(); ++i) {
      if (FileState* f = file(fields[i].text)) f->executable = true;
    }
    return;
  }
  std::vector<std::string> operands;
  bool executable = name == "install";
  for (size_t i = 1; i < fields.size(); ++i) {
    const std::string& a = fields[i].text;
    if (a == "-m" || a == "-t" || a == "-o" || a == "-g") {
      executable = executable || (a == "-m" && i + 1 < fields.size() &&
                                  fields[i + 1].text.find_first_of("1357x") != std::string::npos);
      ++i;
    } else if (!a.empty() && a[0] != '-') {
      operands.push_back(a);
    }
  }
  if (operands.size() < 2) return;
  const std::string& dest = operands.back();
  for (size_t i = 0; i + 1 < operands.size(); ++i) {
    FileState* src = file(operands[i]);
    if (!src) continue;
    FileState copy = *src;
    copy.executable = copy.executable || executable;
    std::string target = operands.size() > 2 || dest.back() == '/' ? dest + "/" + base_name(operands[i]) : dest;
    write_file(target, copy.content, false);
    if (FileState* t = file(target)) t->executable = copy.executable;
  }
}

// tar, unzip, gunzip, ...: an archive from a download makes whatever it unpacks a download.
Value Analyzer::unpack(const std::vector<Value>& fields, const Value& input) {
  bool from_download = input.downloaded;
  for (size_t i = 1; i < fields.size(); ++i) {
    FileState* f = fields[i].text[0] == '-' ? nullptr : file(fields[i].text);
    from_download = from_download || (f && f->content.downloaded);
  }
  if (from_download) unpacked_download_ = true;
  Value out = taint_of(input);
  out.downloaded = from_download;
  return out;
}

Value Analyzer::run_interpreter(const std::string& name, const std::vector<Value>& fields, const Value& input,
                                int depth, const std::string& how) {
  Lang lang = language_of(name);
  ProgramKind kind = lang == Lang::Shell ? ProgramKind::Shell : ProgramKind::Program;
  for (size_t i = 1; i < fields.size(); ++i) {
    const std::string& a = fields[i].text;
    if (is_code_flag(lang, a)) {
      if (i + 1 >= fields.size()) return Value::unknown();
      std::vector<Value> positional(fields.begin() + static_cast<std::ptrdiff_t>(i) + 2, fields.end());
      return run_program_source(name + " " + a, fields[i + 1], kind, positional, depth, how);
    }
    if (a == "-m" && lang == Lang::Python) return Value::unknown();  // a module, not a program we can read
    if (a == "-" || (lang == Lang::Shell && a == "-s")) break;       // the program comes from stdin
    if (takes_value(lang, a)) {
      ++i;
      continue;
    }
    if (!a.empty() && (a[0] == '-' || a[0] == '+')) continue;
    run_path(fields[i], name, depth, how);  // a script file
    return Value::unknown();
  }
  if (input.downloaded) {
    report("command.dropper", (input.origin.empty() ? "downloaded content" : input.origin) + " | " + name, how,
           input.hidden);
  } else if (input.decoded || !input.text.empty()) {
    run_program_source(name, input, kind, {}, depth, how.empty() ? "in what is piped into " + name : how);
  }
  return Value::unknown();
}

Value Analyzer::run_program_source(const std::string& interpreter, const Value& program, ProgramKind kind,
                                   const std::vector<Value>& positional, int depth, const std::string& how) {
  if (program.downloaded) {
    report("command.dropper", (program.origin.empty() ? "downloaded content" : program.origin) + " -> " + interpreter,
           how, program.hidden);
    return Value::unknown();
  }
  if (program.decoded) {
    // Decoding a payload just to run it hides what runs: the old base64 -d | sh rule, by meaning.
    report("command.dropper", "decoded content run by " + interpreter + ": " + program.text, how, program.hidden);
  }
  auto saved = vars_;
  bool was_hiding = hiding_;
  hiding_ = hiding_ || program.hidden;
  if (kind == ProgramKind::Shell && !positional.empty()) {
    std::string all;
    for (size_t i = 0; i < positional.size() && i < 10; ++i) {
      vars_[std::to_string(i)] = positional[i];
      if (i) all += (i > 1 ? " " : "") + positional[i].text;
    }
    vars_["@"].text = all;
    vars_["*"].text = all;
  }
  std::string context = "in the code run by " + interpreter;
  Value out =
      run_text(program.text, kind, depth + 1, how.empty() ? context : how, program.verbatim && !program.decoded);
  hiding_ = was_hiding;
  if (kind == ProgramKind::Shell) vars_ = std::move(saved);  // a child shell's variables stay there
  return out;
}

void Analyzer::run_path(const Value& program, const std::string& interpreter, int depth, const std::string& how) {
  const std::string& path = program.text;
  if (path.empty()) return;
  bool has_slash = path.find('/') != std::string::npos;
  FileState* f = file(path);
  // A bare name is looked up in PATH, not here: only a file made executable can be meant.
  if (f && !has_slash && interpreter.empty() && !f->executable) f = nullptr;
  std::string runner = interpreter.empty() ? path : interpreter + " " + path;
  if (f && f->content.downloaded) {
    std::string origin = f->content.origin.empty() ? "a download" : f->content.origin;
    report("command.dropper", origin + (f->executable ? "; chmod +x; " : "; ") + runner, how, f->content.hidden);
    return;
  }
  if (f && (f->content.decoded || !f->content.text.empty())) {
    Lang lang = interpreter.empty() ? Lang::Shell : language_of(interpreter == "source" ? "sh" : interpreter);
    run_program_source(runner, f->content, lang == Lang::Shell ? ProgramKind::Shell : ProgramKind::Program, {}, depth,
                       how);
    return;
  }
  if (!f && unpacked_download_ && has_slash && !is_system_path(normalise_path(path))) {
    report("command.dropper", "an archive from a download is unpacked; " + runner, how, program.hidden);
  }
}

Value Analyzer::download(const std::string& name, const std::vector<Value>& fields) {
  Value content = Value::unknown();
  content.downloaded = true;
  content.origin = shorten(joined(fields, 0, " "), 80);
  std::string out_file, directory, url;
  bool remote_name = false;
  bool curl_like = name == "curl" || name == "http" || name == "https" || name == "xh";
  for (size_t i = 1; i < fields.size(); ++i) {
    const std::string& a = fields[i].text;
    auto next = [&]() { return i + 1 < fields.size() ? fields[++i].text : std::string(); };
    if (a.find("://") != std::string::npos && url.empty()) url = a;
    if (a.size() < 2 || a[0] != '-') continue;
    bool wget_like = name == "wget" || name == "wget2";
    if (wget_like && (a == "-o" || a == "-a" || a == "--output-file" || a == "--append-output")) {
      next();  // wget's log file
    } else if (a == "--output" || a == "--output-document" || (a == "-o" && !wget_like) || (a == "-O" && !curl_like)) {
      out_file = next();
    } else if (starts_with(a, "--output=") || starts_with(a, "--output-document=")) {
      out_file = a.substr(a.find('=') + 1);
    } else if (a == "-P" || a == "--directory-prefix" || a == "--output-dir" || (a == "-d" && name == "aria2c")) {
      directory = next();
    } else if (a == "--remote-name" || (a == "-O" && curl_like)) {
      remote_name = true;
    } else if (a[1] != '-') {
      // Combined short options: curl -fsSLo x, -sSLO; wget -qO- / -qO x.
      char file_flag = curl_like ? 'o' : 'O';
      size_t at = a.find(file_flag);
      if (curl_like && a.find('O') != std::string::npos) remote_name = true;
      if (at != std::string::npos) out_file = at + 1 < a.size() ? a.substr(at + 1) : next();
    }
  }
  std::string remote = url.empty() ? "" : base_name(url.substr(0, url.find_first_of("?#", url.find("://") + 3)));
  if (remote.empty() || remote.find("://") != std::string::npos ||
      url.find('/', url.find("://") + 3) == std::string::npos) {
    remote = "index.html";
  }
  if (out_file.empty() && (remote_name || !curl_like)) out_file = remote;
  if (out_file.empty() || out_file == "-") return content;  // to stdout
  write_file(directory.empty() ? out_file : directory + "/" + out_file, content, false);
  return Value{};
}

Value Analyzer::decode_filter(const std::string& name, const std::vector<Value>& fields, const Value& input) {
  auto has = [&](std::initializer_list<const char*> flags) {
    return std::any_of(fields.begin() + 1, fields.end(), [&](const Value& v) {
      return std::any_of(flags.begin(), flags.end(), [&](const char* f) { return v.text == f; });
    });
  };
  Value source = input;
  for (size_t i = 1; i < fields.size(); ++i) {
    const std::string& a = fields[i].text;
    if (!a.empty() && a[0] != '-' && name != "openssl") {
      FileState* f = file(a);
      source = f ? f->content : Value::unknown();
    }
  }
  Value out = taint_of(source);
  std::string decoded;
  bool base64 = (name == "base64" && has({"-d", "--decode", "-D", "-di", "-id"})) ||
                (name == "openssl" && has({"base64", "-base64", "-a"}) && has({"-d"}));
  bool hex = name == "xxd" && (has({"-r"}) || has({"-rp", "-pr", "-r -p"})) &&
             (has({"-p", "-ps", "-plain"}) || has({"-rp", "-pr"}));
  if (name == "rev" && source.known) {
    out = source;
    size_t start = 0;
    while (start < out.text.size()) {
      size_t end = out.text.find('\n', start);
      if (end == std::string::npos) end = out.text.size();
      std::reverse(out.text.begin() + static_cast<std::ptrdiff_t>(start),
                   out.text.begin() + static_cast<std::ptrdiff_t>(end));
      start = end + 1;
    }
    out.expanded = true;
    return out;
  }
  if (!source.known || !(base64 || hex)) return out;
  if (base64 ? decode_base64(source.text, &decoded) : decode_hex(source.text, &decoded)) {
    out = source;
    out.text = decoded;
    out.decoded = true;
    out.expanded = true;
  }
  return out;
}

}  // namespace rampart::guard
