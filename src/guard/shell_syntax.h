// A small, bounded reader of POSIX shell (and the bash forms droppers use: $'...', <(...),
// <<<, ${A/x/y}) that turns a script into commands made of words, so that the guard can judge
// what a script does rather than how it is spelled. It never executes anything; substitutions
// ($(...), `...`, <(...)) are kept as source text for the caller to read in turn. Compound
// commands (if, while, for, case, functions, { }, ( )) are read as the simple commands inside
// them, in order. Malformed input (an unterminated quote) is read leniently to its end.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::guard::shell {

struct Limits {
  size_t max_bytes = 512 * 1024;  // of one text
  size_t max_words = 50000;       // across a text and everything read from it
  int max_depth = 12;             // $(...) in $(...), sh -c in eval, decoded text in decoded text
};

struct Part {
  enum class Kind { Literal, Parameter, CommandSubst, ProcessSubst, Arithmetic };
  Kind kind = Kind::Literal;
  std::string text;      // Literal: the text; Parameter: the name; substitutions: their source
  std::string op;        // Parameter: ":-", "-", ":=", "=", ":+", "+", "#", "##", "%", "%%", "/", "//", ":", "len", "!"
  std::string arg;       // Parameter: the operator's word, as written (quotes removed)
  bool quoted = false;   // inside quotes: the value is not split into fields
  bool verbatim = true;  // substitutions: `text` is a slice of the input as written (not `...`)
};

struct Word {
  std::vector<Part> parts;
  std::string raw;  // as written, for messages
};

struct Redirect {
  int fd = -1;       // the descriptor redirected; -1: the operator's default (0 for <, 1 for >)
  std::string op;    // "<", ">", ">>", ">|", "<>", "&>", "&>>", ">&", "<&", "<<", "<<<"
  Word target;       // file, descriptor or here-string
  int heredoc = -1;  // "<<": index into Script::heredocs
};

struct Command {
  std::vector<Word> words;
  std::vector<Redirect> redirects;
};

struct Pipeline {
  std::vector<Command> commands;
};

struct Script {
  std::vector<Pipeline> pipelines;  // in order: ;, &&, ||, & and newlines all sequence them
  std::vector<Word> heredocs;       // bodies of here-documents (quoted delimiter: one literal part)
};

// Reads `text`. `words_left` is the shared budget of words, decreased by the words read.
// Returns "" or the limit that stopped the reading ("max_bytes", "max_words"); `out` then holds
// what was read before it.
std::string parse(std::string_view text, const Limits& limits, size_t& words_left, Script& out);

// The literal value of a word made only of literal parts (quotes removed); false otherwise.
bool literal_value(const Word& word, std::string* value);

}  // namespace rampart::guard::shell
