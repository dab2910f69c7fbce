// The collector's log format: decoded exactly, and anything malformed or unsafe is an error.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "exec/kubernetes/output_framing.h"

namespace rampart::exec::kube {
namespace {

namespace fs = std::filesystem;

TEST(OutputFraming, DecodesFilesDirectoriesAndMissingOnes) {
  std::string log =
      "@@rampart-output 1 0 file 5 -\n"
      "aGVsbG8=\n"
      "@@rampart-end 0\n"
      "@@rampart-output 1 1 missing 0 -\n"
      "@@rampart-end 1\n"
      "@@rampart-output 1 2 dir 0 -\n"
      "@@rampart-end 2\n"
      "@@rampart-output 1 2 dirfile 2 c3ViL3guVHh0\n"  // sub/x.Txt
      "aGk=\n"
      "@@rampart-end 2\n";
  DecodedOutputs d = decode_output_frames(log);
  ASSERT_EQ(d.error, "");
  ASSERT_EQ(d.files.size(), 4u);
  EXPECT_EQ(d.files[0].content, "hello");
  EXPECT_EQ(d.files[1].kind, "missing");
  EXPECT_EQ(d.files[3].relative_path, "sub/x.Txt");
  EXPECT_EQ(d.files[3].content, "hi");
}

TEST(OutputFraming, RejectsMalformedAndUnsafeFrames) {
  EXPECT_NE(decode_output_frames("hello\n").error, "");
  EXPECT_NE(decode_output_frames("@@rampart-output 1 0 file 5 -\naGVsbG8=\n").error.find("truncated"),
            std::string::npos);
  EXPECT_NE(decode_output_frames("@@rampart-output 1 0 file 4 -\naGVsbG8=\n@@rampart-end 0\n").error.find("5 bytes"),
            std::string::npos);
  EXPECT_NE(decode_output_frames("@@rampart-output 1 0 file 5 -\naGVs*G8=\n@@rampart-end 0\n").error, "");
  // "../x" and "/etc/x" as relative paths.
  EXPECT_NE(decode_output_frames("@@rampart-output 1 0 dirfile 0 Li4veA==\n@@rampart-end 0\n").error, "");
  EXPECT_NE(decode_output_frames("@@rampart-output 1 0 dirfile 0 L2V0Yy94\n@@rampart-end 0\n").error, "");
  EXPECT_NE(decode_output_frames("@@rampart-output 1 0 file 0 -\n@@rampart-end 1\n").error, "");
}

TEST(OutputFraming, WritesDecodedFilesAndRefusesOversizedOnes) {
  fs::path dir = fs::temp_directory_path() / ("rampart-framing-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  DecodedOutputs d = decode_output_frames(
      "@@rampart-output 1 0 file 2 -\naGk=\n@@rampart-end 0\n"
      "@@rampart-output 1 1 dir 0 -\n@@rampart-end 1\n"
      "@@rampart-output 1 1 dirfile 2 YS9i\naGk=\n@@rampart-end 1\n");
  ASSERT_EQ(d.error, "");
  ASSERT_EQ(write_collected_files(d, {(dir / "p").string(), (dir / "art").string()}), "");
  std::ifstream in(dir / "art" / "a" / "b");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "hi");
  DecodedOutputs big = decode_output_frames("@@rampart-output 1 0 toolarge 99999999 -\n@@rampart-end 0\n");
  EXPECT_NE(write_collected_files(big, {(dir / "p").string()}).find("artifact repository"), std::string::npos);
  fs::remove_all(dir);
}

// The collector script itself, run by the host's sh against a real directory: what it prints
// decodes back to the same files.
TEST(OutputFraming, CollectorScriptRoundTrips) {
  fs::path dir = fs::temp_directory_path() / ("rampart-collect-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "art" / "sub dir");
  std::ofstream(dir / "one.txt") << "line 1\nline 2\n";
  std::ofstream(dir / "art" / "sub dir" / "f") << std::string(3000, 'z');
  std::ofstream(dir / "big") << std::string(200, 'b');
  std::ofstream(dir / "script.sh") << output_collector_script();
  std::string command = "sh " + (dir / "script.sh").string() + " 100 " + (dir / "one.txt").string() + " " +
                        (dir / "missing").string() + " " + (dir / "big").string() + " " + (dir / "art").string() +
                        " > " + (dir / "log").string();
  // The limit (100 bytes) applies per file: one.txt fits, big and the 3000-byte file do not.
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream in(dir / "log");
  std::stringstream log;
  log << in.rdbuf();
  DecodedOutputs d = decode_output_frames(log.str());
  ASSERT_EQ(d.error, "") << log.str();
  ASSERT_EQ(d.files.size(), 5u);
  EXPECT_EQ(d.files[0].content, "line 1\nline 2\n");
  EXPECT_EQ(d.files[1].kind, "missing");
  EXPECT_EQ(d.files[2].kind, "toolarge");
  EXPECT_EQ(d.files[3].kind, "dir");
  EXPECT_EQ(d.files[4].kind, "toolarge");
  EXPECT_EQ(d.files[4].relative_path, "sub dir/f");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rampart::exec::kube
