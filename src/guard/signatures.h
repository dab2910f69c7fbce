// What miners look like: the image names, binaries, pool addresses, wallet shapes and dropper
// idioms that rampart ships as its built-in deny list. Matching is case-insensitive RE2 (linear
// time, so hostile input cannot make a check slow).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rampart::guard {

struct SignatureMatch {
  std::string rule;      // e.g. "command.stratum"
  std::string evidence;  // the matched text, shortened; never a value from a secret
};

// Known miner images: XMRig and its many repackagings, Kannix's monero-miner, cpuminer, ...,
// and look-alikes of their names (see image_names.h). `image` as written in a template; case
// does not matter. `matched` receives the miner's name and how the image's name relates to it.
bool is_known_miner_image(std::string_view image, std::string* matched = nullptr);

// Mining signatures in a command line, script source or environment value: stratum URLs,
// known pool hosts, miner flags (--donate-level, -o host:port -u wallet, --algo rx/0),
// Monero wallet addresses, miner binary names, and download-and-run droppers.
std::vector<SignatureMatch> command_signatures(std::string_view text);

// The same without the dropper patterns: what a text says rather than what a script does
// (droppers are recognised by meaning, see shell_analysis.h; the patterns remain the fallback).
std::vector<SignatureMatch> content_signatures(std::string_view text);

// Only the checks that make sense for a running process's command line (used by the watcher).
bool is_miner_process(std::string_view executable, std::string_view command_line, std::string* evidence);

}  // namespace rampart::guard
