// Helpers shared by the executor tests: a scratch directory per test, and running one step to
// completion.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include "exec/process_executor.h"

namespace rampart::exec::testing {

inline std::string source_catalog() { return std::string(RAMPART_SOURCE_DIR) + "/share/rampart/images.yaml"; }

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct StepRun {
  StepResult result;
  std::string stdout_text;
  std::string log_text;
};

class ScratchDir {
 public:
  ScratchDir() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    path_ = std::filesystem::temp_directory_path() / ("rampart-exec-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

  // A request with its own step dir (and /tmp), stdout and log files under this scratch dir.
  StepRequest request(const std::string& id, const std::string& image, std::vector<std::string> command,
                      std::vector<std::string> args = {}) const {
    StepRequest r;
    r.id = id;
    r.image = image;
    r.command = std::move(command);
    r.args = std::move(args);
    r.step_dir = (path_ / id).string();
    std::filesystem::create_directories(path_ / id / "tmp");
    r.stdout_path = (path_ / id / "stdout").string();
    r.log_path = (path_ / (id + ".log")).string();
    return r;
  }

 private:
  std::filesystem::path path_;
};

// Generous: these waits guard against a hang, they do not measure anything.
inline constexpr auto kStepTimeout = std::chrono::seconds(120);

inline StepRun run_step(Executor& executor, const StepRequest& request) {
  auto promise = std::make_shared<std::promise<StepResult>>();
  auto future = promise->get_future();
  executor.start(request, [promise](StepResult r) { promise->set_value(std::move(r)); });
  if (future.wait_for(kStepTimeout) != std::future_status::ready) {
    ADD_FAILURE() << "step " << request.id << " did not end";
    executor.kill(request.id, "test timeout");
    future.wait();
  }
  StepRun run;
  run.result = future.get();
  run.stdout_text = read_text(request.stdout_path);
  run.log_text = read_text(request.log_path);
  return run;
}

inline ProcessExecutorOptions options(SandboxMode mode = SandboxMode::Bubblewrap) {
  ProcessExecutorOptions o;
  o.image_catalog = source_catalog();
  o.sandbox = mode;
  return o;
}

}  // namespace rampart::exec::testing
