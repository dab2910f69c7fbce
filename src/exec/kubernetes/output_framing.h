// How a step's output files leave its Pod without the Pod holding any API credential: after the
// main container has ended, a small collector container prints each declared output path to its
// own log, framed and base64-encoded, and the executor reads that log through the API (which only
// the executor is allowed to do) and writes the files where the engine reads them.
//
//   @@rampart-output 1 <index> <kind> <bytes> <relative path, base64, or ->
//   <base64 of the content, in lines>
//   @@rampart-end <index>
//
// kind: file | dir (a directory output; its files follow as dirfile frames) | dirfile | missing |
// toolarge. base64's alphabet has no '@', so a frame line can never be part of the content.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rampart::exec::kube {

// The collector's `sh -c` script. Its arguments: the per-file byte limit, then the output paths.
std::string output_collector_script();

struct CollectedFile {
  size_t index = 0;           // which output path (position in the collector's arguments)
  std::string kind;           // file | dir | dirfile | missing | toolarge
  std::string relative_path;  // dirfile only: path under the directory output
  uint64_t declared_bytes = 0;
  std::string content;  // decoded
};

struct DecodedOutputs {
  std::vector<CollectedFile> files;
  std::string error;  // set when the log is not a well-formed sequence of frames
};

// Decodes the collector's whole log. A frame whose content does not match its declared size, a
// missing end line, an unsafe relative path ("..", absolute) or a stray line is an error.
DecodedOutputs decode_output_frames(const std::string& log);

// Writes what was decoded: `host_paths[index]` is where output `index` goes on the host.
// Returns "" or why it could not (directory outputs' files stay inside their directory).
std::string write_collected_files(const DecodedOutputs& decoded, const std::vector<std::string>& host_paths);

std::string base64_decode(const std::string& text, bool* ok);

}  // namespace rampart::exec::kube
