// Unpacking artifact archives (tar, tar.gz, zip, whatever libarchive reads) that came from steps,
// that is from users. Argo's own unpacking let entries climb out of the target directory
// (ZipSlip: CVE-2025-62156, CVE-2025-66626); here an archive is refused as a whole, before or
// while it is written, when any entry:
//   - has an absolute name or a `..` component,
//   - is a hard link to a name that is not a safe relative path,
//   - is a symbolic link whose target is absolute or climbs above the archive's root,
//   - is a device, FIFO or socket, or has the setuid, setgid or sticky bit,
//   - or when the archive has more entries or bytes than ArchiveLimits allows.
// Entries are written below a directory the caller gives, never through a link (libarchive's
// secure extraction flags), owned by rampart, with permissions from the archive (0777 mask).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/confined_dir.h"

namespace rampart::engine {

struct ArchiveLimits {
  uint64_t max_entries = 100'000;
  uint64_t max_bytes = 8ull << 30;  // uncompressed, all entries together
};

struct ExtractResult {
  std::string error;                   // "" on success; names the entry and the rule it broke
  std::vector<std::string> top_level;  // first components of the entries, in archive order
};

// Extracts the archive read from `fd` (any position; read to the end) into `into`, which should
// be an empty directory private to rampart. On error `into` may hold part of the archive; the
// caller removes it. Not thread-safe with respect to `into`.
ExtractResult extract_archive(int fd, const ConfinedDir& into, const ArchiveLimits& limits);

}  // namespace rampart::engine
