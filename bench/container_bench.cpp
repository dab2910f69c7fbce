// Start-to-exit latency of a container step running `true`: rampart's container executor (pull
// cached, overlay, config, cgroup, crun, clean-up) against `crun run` of a bundle prepared once,
// in the same process. Prints both medians and their ratio (the target is under 1.5x).
//
//   container_bench REGISTRY STATE_DIR [RUNS]      (bench/container.sh starts the registry)
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exec/container/container_executor.h"
#include "exec/container/image_store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using rampart::exec::StepRequest;
using rampart::exec::StepResult;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

int run_process(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: container_bench REGISTRY STATE_DIR [RUNS]\n");
    return 2;
  }
  const std::string registry = argv[1];
  const fs::path state = argv[2];
  const int runs = argc > 3 ? std::stoi(argv[3]) : 50;
  fs::create_directories(state);

  rampart::exec::ContainerExecutorOptions options;
  options.state_dir = state.string();
  options.registry.mirrors["docker.io"] = registry;
  rampart::exec::ContainerExecutor executor(options);

  auto step = [&](int i) {
    StepRequest r;
    r.id = "bench-" + std::to_string(i);
    r.image = "busybox";
    r.image_pull_policy = "IfNotPresent";
    r.command = {"true"};
    r.step_dir = (state / "run" / r.id).string();
    fs::create_directories(fs::path(r.step_dir) / "tmp");
    std::promise<StepResult> done;
    auto t = Clock::now();
    executor.start(r, [&](StepResult result) { done.set_value(result); });
    StepResult result = done.get_future().get();
    double ms = ms_since(t);
    fs::remove_all(r.step_dir);
    if (result.outcome != rampart::exec::StepOutcome::Exited || result.exit_code != 0) {
      std::fprintf(stderr, "step failed: %s\n", result.message.c_str());
      std::exit(1);
    }
    return ms;
  };
  step(-1);  // pulls and unpacks the image once

  // The baseline: a bundle over the same unpacked image, prepared once.
  rampart::exec::ImageStore images((state / "images").string(), options.registry);
  auto image = images.pull("busybox", "IfNotPresent", "");
  fs::path bundle = state / "bare-bundle";
  fs::create_directories(bundle);
  const std::string crun = "/usr/bin/crun";
  if (run_process({crun, "spec", "--bundle", bundle.string()}) != 0 && !fs::exists(bundle / "config.json")) {
    // Older crun writes config.json into the working directory only.
    fs::current_path(bundle);
    run_process({crun, "spec"});
  }
  nlohmann::json config = nlohmann::json::parse(std::ifstream(bundle / "config.json"));
  config["process"]["terminal"] = false;
  config["process"]["args"] = {"true"};
  config["root"] = {{"path", image.rootfs}, {"readonly", true}};
  std::ofstream(bundle / "config.json") << config.dump();
  const std::string bare_root = (state / "bare-crun").string();

  std::vector<double> rampart_ms, crun_ms;
  for (int i = 0; i < runs; ++i) {
    // Interleaved, so that whatever else the machine does weighs on both alike.
    rampart_ms.push_back(step(i));
    auto t = Clock::now();
    int rc = run_process({crun, "--root", bare_root, "run", "--bundle", bundle.string(), "bare-" + std::to_string(i)});
    crun_ms.push_back(ms_since(t));
    if (rc != 0) {
      std::fprintf(stderr, "bare crun run failed with %d\n", rc);
      return 1;
    }
  }
  executor.shutdown();
  double r50 = percentile(rampart_ms, 0.5), c50 = percentile(crun_ms, 0.5);
  std::printf("container step `true`, %d runs each, interleaved\n", runs);
  std::printf("  rampart container executor: median %.1f ms, p90 %.1f ms\n", r50, percentile(rampart_ms, 0.9));
  std::printf("  bare crun run (prepared bundle): median %.1f ms, p90 %.1f ms\n", c50, percentile(crun_ms, 0.9));
  std::printf("  ratio (median): %.2fx (target < 1.5x)\n", r50 / c50);
  return 0;
}
