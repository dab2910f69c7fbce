// Internal to the guard: the abstract shell behind analyse_script. It follows a script in order,
// keeping what it can know about variables and files (their text, whether they came from a
// download or a decoding) and reporting findings; commands it does not model pass their input's
// taint on to their output. One Analyzer per analysis, on one thread.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "guard/shell_analysis.h"
#include "guard/shell_syntax.h"

namespace rampart::guard {

// What the analyzer knows about a value: a variable, a word, a command's output, a file.
struct Value {
  std::string text;
  bool known = true;        // false: text is only part of it (an unknown command's output)
  bool downloaded = false;  // comes, in part, from a download (curl, wget, ...)
  bool decoded = false;     // comes from decoding base64 or hex
  bool hidden = false;      // holds a value that must not be shown
  bool expanded = false;    // came from a variable or a substitution, not written as is
  bool verbatim = false;    // a word whose text appears as is in the text it was read from
  std::string origin;       // for downloads: the command that fetched it, for messages

  static Value unknown() {
    Value v;
    v.known = false;
    return v;
  }
  void absorb(const Value& other);  // taint and knowledge of a value this one is made of
};

struct FileState {
  Value content;
  bool executable = false;  // chmod +x / 755 seen
};

class Analyzer {
 public:
  Analyzer(const shell::Limits& limits, std::vector<Finding>& findings);

  void set_variable(const std::string& name, Value value) { vars_[name] = std::move(value); }

  // Reads `text` as a shell script (or, for ProgramKind::Program, its string literals as
  // command lines) and returns the output of its last pipeline. `how` says where the text came
  // from, for findings.
  // `checked`: the text lies verbatim inside a text already checked for signatures and encoded
  // payloads, so only its structure is new.
  Value run_text(std::string_view text, ProgramKind kind, int depth, const std::string& how, bool checked = false);

  // The bound that was reached, if any.
  const std::string& limit() const { return limit_; }

 private:
  // --- shell_analysis.cpp: reading and expanding
  Value run_script(const shell::Script& script, int depth, const std::string& how);
  Value run_pipeline(const shell::Script& script, const shell::Pipeline& pipeline, int depth, const std::string& how);
  std::vector<Value> expand_fields(std::span<const shell::Word> words, int depth, const std::string& how);
  Value expand_word(const shell::Word& word, int depth, const std::string& how);
  Value expand_part(const shell::Part& part, int depth, const std::string& how);
  Value parameter(const shell::Part& part);
  void check_text(const Value& value, const std::string& how);
  void scan_encoded(std::string_view text, int depth, const std::string& how);
  void report(const std::string& rule, const std::string& evidence, const std::string& how, bool hidden);
  void reach_limit(const std::string& which) {
    if (limit_.empty()) limit_ = which;
  }

  // --- shell_commands.cpp: what commands do
  Value run_command(const shell::Script& script, const shell::Command& command, Value input, int depth,
                    const std::string& how);
  bool assign(const shell::Word& word, int depth, const std::string& how);
  // `as_written`: every word is a plain literal, so the command line is text already checked.
  Value run_fields(std::vector<Value> fields, const Value& input, int depth, const std::string& how, bool as_written);
  void check_command_line(const std::vector<Value>& fields, bool as_written, const std::string& how);
  std::optional<Value> run_builtin(std::string_view name, const std::vector<Value>& fields, int depth,
                                   const std::string& how);
  Value concatenate(const std::vector<Value>& fields, const Value& input);
  void copy_files(std::string_view name, const std::vector<Value>& fields);
  Value unpack(const std::vector<Value>& fields, const Value& input);
  Value run_interpreter(const std::string& name, const std::vector<Value>& fields, const Value& input, int depth,
                        const std::string& how);
  Value run_program_source(const std::string& interpreter, const Value& program, ProgramKind kind,
                           const std::vector<Value>& positional, int depth, const std::string& how);
  Value download(const std::string& name, const std::vector<Value>& fields);
  void run_path(const Value& program, const std::string& interpreter, int depth, const std::string& how);
  Value decode_filter(const std::string& name, const std::vector<Value>& fields, const Value& input);
  FileState* file(const std::string& path);
  void write_file(const std::string& path, Value content, bool append);

  const shell::Limits& limits_;
  std::vector<Finding>& findings_;
  std::set<std::pair<std::string, std::string>> reported_;
  std::map<std::string, Value> vars_;
  std::map<std::string, FileState> files_;  // by normalised path
  bool unpacked_download_ = false;          // an archive from a download was unpacked
  bool hiding_ = false;                     // reading text made of a hidden value
  int next_fd_ = 63;
  size_t words_left_;
  std::string limit_;
};

// "./x" -> "x", "/tmp//x/" -> "/tmp/x".
std::string normalise_path(std::string_view path);
std::string base_name(std::string_view path);
std::string shorten(std::string_view text, size_t max = 100);
// A signature's match without the separators around it, shortened.
std::string clean_evidence(std::string_view evidence);
// Whether "stratum" appears, in any case: the only signature worth reading split arguments for.
bool contains_stratum(std::string_view text);
// A lone command or word without shell syntax (nothing to expand, pipe, sequence or split).
bool is_plain_command(std::string_view text);

}  // namespace rampart::guard
