// `rampart lint FILE|DIR...`: every problem on its own line as file:line:col: path: message.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/output_format.h"
#include "spec/loader.h"
#include "spec/validate.h"

namespace rampart::cli {
namespace {

struct LintOptions {
  std::vector<std::string> paths;
  std::string output;
};

nlohmann::json to_json(const Diagnostic& d) {
  return {
      {"file", d.file}, {"line", d.where.line}, {"column", d.where.column}, {"path", d.path}, {"message", d.message}};
}

std::string join_paths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : " ") + p;
  return out;
}

int lint(const LintOptions& options) {
  spec::LoadResult loaded = spec::load_paths(options.paths);
  Diagnostics problems = spec::validate_all(loaded);

  if (options.output == "json") {
    nlohmann::json out = {{"valid", problems.empty()},
                          {"errors", nlohmann::json::array()},
                          {"documents", nlohmann::json::array()},
                          {"skipped", nlohmann::json::array()}};
    for (const auto& d : problems) out["errors"].push_back(to_json(d));
    for (const auto& doc : loaded.documents) {
      out["documents"].push_back(
          {{"file", doc.source.file()},
           {"kind", spec::to_string(doc.kind)},
           {"name", doc.metadata.name.empty() ? doc.metadata.generate_name : doc.metadata.name}});
    }
    for (const auto& s : loaded.skipped) {
      out["skipped"].push_back({{"file", s.file}, {"line", s.where.line}, {"kind", s.kind}, {"name", s.name}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& d : problems) std::cout << d.to_string() << "\n";
    for (const auto& s : loaded.skipped) {
      std::cerr << s.file << ":" << s.where.line << ":" << s.where.column << ": skipped " << s.kind
                << (s.name.empty() ? "" : " \"" + s.name + "\"") << ": rampart does not run this kind\n";
    }
    std::cerr << loaded.documents.size() << " document(s) in " << loaded.files.size()
              << " file(s): " << (problems.empty() ? "no problems" : std::to_string(problems.size()) + " problem(s)")
              << (loaded.skipped.empty() ? "" : ", " + std::to_string(loaded.skipped.size()) + " skipped") << "\n";
  }
  if (loaded.documents.empty() && loaded.skipped.empty() && problems.empty()) {
    // Nothing was checked: an empty file, or a folder without YAML, is not a passing lint.
    std::cerr << "nothing to check: "
              << (loaded.files.empty() ? "no *.yaml, *.yml or *.json file in " : "no YAML document in ")
              << join_paths(options.paths) << "\n";
    return kFailed;
  }
  return problems.empty() ? kOk : kFailed;
}

}  // namespace

CommandAction add_lint_command(CLI::App& app) {
  auto options = std::make_shared<LintOptions>();
  CLI::App* cmd = app.add_subcommand("lint",
                                     "Check workflow files or folders; a folder is checked as a whole, so templateRefs "
                                     "resolve against any file in it");
  cmd->add_option("paths", options->paths, "YAML files or folders")->required();
  add_output_option(*cmd, options->output, "text,json", "text");
  return [options] { return lint(*options); };
}

}  // namespace rampart::cli
