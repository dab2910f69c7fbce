// Invalid workflows kept as files under data/invalid/: the cases whose columns depend on how a
// value is written (quoted, block scalar) and on files beside each other. Each file lists what it
// must report in `# expect:` comments; {file} and {dir} stand for its path and its folder.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "spec/loader.h"
#include "spec/validate.h"

namespace rampart::spec {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = RAMPART_SOURCE_DIR "/tests/spec/data/invalid";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<std::string> expectations(const fs::path& file) {
  std::vector<std::string> expected;
  std::ifstream in(file);
  const std::string marker = "# expect: ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(marker, 0) != 0) continue;
    std::string text = line.substr(marker.size());
    text = replace_all(text, "{file}", file.string());
    text = replace_all(text, "{dir}", file.parent_path().string());
    expected.push_back(text);
  }
  return expected;
}

std::vector<std::string> to_strings(const Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& diagnostic : diagnostics) out.push_back(diagnostic.to_string());
  return out;
}

TEST(ValidateFixtures, EachFileReportsWhatItExpects) {
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const auto expected = expectations(entry.path());
    ASSERT_FALSE(expected.empty()) << "fixture without # expect:";
    EXPECT_EQ(to_strings(validate_all(load_file(entry.path().string()))), expected);
    ++checked;
  }
  EXPECT_GE(checked, 5u);
}

TEST(ValidateFixtures, DuplicateWorkflowTemplatesAcrossFilesOfAFolder) {
  const fs::path folder = kFixtures / "duplicate-templates";
  const auto expected = expectations(folder / "b.yaml");
  EXPECT_EQ(to_strings(validate_all(load_paths({folder.string()}))), expected);
}

}  // namespace
}  // namespace rampart::spec
