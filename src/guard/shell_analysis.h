// Commands by meaning: reads a script, a command line or a container's command and args the
// way a shell would run them (variables, ${...} edits, $(...), backticks, <(...), pipes,
// here-documents, sh -c, eval, base64 and hex decoding) and reports
//   - mining signatures in what the commands become once expanded or decoded, and
//   - droppers: downloaded content that reaches an interpreter (curl ... | sh, bash <(curl ...),
//     sh -c "$(curl ...)", python3 -c "$(wget -O- ...)") or a downloaded file that is run
//     (curl -o x ...; chmod +x x; ./x), however the pieces are spelled or split.
// Nothing is executed. Every reading is bounded (shell::Limits); when a bound is reached the text
// is checked by plain text matching instead, and the report says so.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "guard/shell_syntax.h"

namespace rampart::guard {

struct Finding {
  std::string rule;      // "command.stratum", "command.dropper", ...
  std::string evidence;  // the matched text, or the dropper's commands; shortened
  std::string how;       // "" or how it was uncovered: "after expanding variables", ...
  bool hidden = false;   // the evidence involves a value that must not be shown (a Secret's)
};

struct ShellVariable {
  std::string name;
  std::string value;
  bool hidden = false;  // e.g. a step's environment value, which may come from a Secret
};

// Shell: sh, bash, ...; Program: another language's source (python, perl, ...), whose string
// literals are read as shell command lines (os.system("curl ... | sh")).
enum class ProgramKind { Shell, Program };

struct CommandReport {
  std::vector<Finding> findings;
  // "" or the bound that was reached ("max_bytes", "max_words", "max_depth"); the text was then
  // also checked by text matching alone, and those findings say so in `how`.
  std::string limit;
};

// A script or one command line. `env` seeds the variables (a container's environment).
CommandReport analyse_script(std::string_view text, ProgramKind kind, const std::vector<ShellVariable>& env = {},
                             const shell::Limits& limits = {});

// A container's command followed by its args, as Kubernetes runs them (no shell involved unless
// the command is one). `command_known` is false when the image's ENTRYPOINT runs the args: each
// arg is then also read as a script of its own.
CommandReport analyse_argv(const std::vector<std::string>& argv, bool command_known,
                           const std::vector<ShellVariable>& env = {}, const shell::Limits& limits = {});

// How a script template's source is run by `command` (["python3"], ["bash"], [] for sh).
ProgramKind program_kind(const std::vector<std::string>& command);

}  // namespace rampart::guard
