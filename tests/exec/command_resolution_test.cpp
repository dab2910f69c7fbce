#include "exec/command_resolution.h"

#include <gtest/gtest.h>

namespace rampart::exec {
namespace {

using Argv = std::vector<std::string>;

TEST(CommandResolution, FollowsKubernetes) {
  const Argv entrypoint = {"/entry"}, cmd = {"default-arg"};
  // Neither: ENTRYPOINT + CMD.
  EXPECT_EQ(resolve_command(entrypoint, cmd, {}, {}, std::nullopt), (Argv{"/entry", "default-arg"}));
  // Only args: ENTRYPOINT + args (CMD dropped).
  EXPECT_EQ(resolve_command(entrypoint, cmd, {}, {"a", "b"}, std::nullopt), (Argv{"/entry", "a", "b"}));
  // A command: command + args, the image's ENTRYPOINT and CMD ignored.
  EXPECT_EQ(resolve_command(entrypoint, cmd, {"sh", "-c"}, {"echo hi"}, std::nullopt), (Argv{"sh", "-c", "echo hi"}));
  EXPECT_EQ(resolve_command(entrypoint, cmd, {"true"}, {}, std::nullopt), (Argv{"true"}));
  // An image with only CMD (busybox).
  EXPECT_EQ(resolve_command({}, {"sh"}, {}, {}, std::nullopt), (Argv{"sh"}));
  EXPECT_EQ(resolve_command({}, {"sh"}, {}, {"echo"}, std::nullopt), (Argv{"echo"}));
  EXPECT_TRUE(resolve_command({}, {}, {}, {}, std::nullopt).empty());
}

TEST(CommandResolution, ScriptPathIsAppended) {
  EXPECT_EQ(resolve_command({}, {"python3"}, {"python"}, {}, std::string("/argo/staging/script")),
            (Argv{"python", "/argo/staging/script"}));
  EXPECT_EQ(resolve_command({}, {"sh"}, {"bash"}, {"-e"}, std::string("/argo/staging/script")),
            (Argv{"bash", "-e", "/argo/staging/script"}));
}

}  // namespace
}  // namespace rampart::exec
