// Admission cost: policy evaluation of a 100-step workflow, beside a baseline in the same
// process (serialising the same workflow to JSON text, which every submission does anyway).
// Prints time per workflow and the ratio. Target: under 1 ms per workflow of 100 steps, also
// when no two steps share a command (the distinct variant, scripts included).
//
//   build/bench/policy_bench
#include <benchmark/benchmark.h>

#include <iostream>
#include <map>

#include "guard/admission.h"

namespace {

using Json = nlohmann::json;

// `distinct`: every step's command, script and image differ, so that nothing read once can be
// reused for another step (the worst case for the guard's per-admission memo of readings).
Json hundred_step_workflow(bool distinct) {
  Json steps = Json::array();
  Json templates = Json::array();
  for (int i = 0; i < 100; ++i) {
    std::string name = "step-" + std::to_string(i);
    std::string n = distinct ? std::to_string(i) : "";
    steps.push_back(Json::array({{{"name", name}, {"template", name}}}));
    Json container = {
        {"image", distinct ? "ghcr.io/acme/tool-" + n + ":1." + n : (i % 2 ? "python:3.12" : "ghcr.io/acme/tools:1.4")},
        {"command", {"sh", "-c"}},
        {"args", {"echo {{inputs.parameters.message}} && python3 -c 'print(sum(range(1000" + n + ")))'"}},
        {"env", Json::array({{{"name", "MODE"}, {"value", "batch"}}})},
        {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}};
    Json t = {{"name", name},
              {"inputs", {{"parameters", Json::array({{{"name", "message"}, {"value", "hello " + name}}})}}}};
    if (distinct && i % 2) {
      container.erase("args");
      container["command"] = {"bash"};
      container["source"] =
          "set -euo pipefail\nOUT=/tmp/out-" + n + ".json\ncurl -sSfo \"$OUT\" https://api.example/items/" + n +
          "\njq -r '.items[] | .name' \"$OUT\" | sort | uniq -c > /tmp/counts-" + n + "\nwc -l /tmp/counts-" + n + "\n";
      t["script"] = container;
    } else {
      t["container"] = container;
    }
    templates.push_back(t);
  }
  templates.push_back({{"name", "main"}, {"steps", steps}});
  return {{"apiVersion", "argoproj.io/v1alpha1"},
          {"kind", "Workflow"},
          {"metadata", {{"generateName", "bench-"}}},
          {"spec", {{"entrypoint", "main"}, {"templates", templates}}}};
}

const Json& workflow() {
  static const Json wf = hundred_step_workflow(false);
  return wf;
}

const Json& distinct_workflow() {
  static const Json wf = hundred_step_workflow(true);
  return wf;
}

void BM_SerializeBaseline(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(workflow().dump());
}
BENCHMARK(BM_SerializeBaseline);

void BM_AdmitWorkflow100Steps(benchmark::State& state) {
  rampart::guard::PolicyRules rules;
  for (auto _ : state) benchmark::DoNotOptimize(rampart::guard::admit_object(rules, workflow()));
}
BENCHMARK(BM_AdmitWorkflow100Steps);

void BM_AdmitWorkflow100DistinctSteps(benchmark::State& state) {
  rampart::guard::PolicyRules rules;
  for (auto _ : state) benchmark::DoNotOptimize(rampart::guard::admit_object(rules, distinct_workflow()));
}
BENCHMARK(BM_AdmitWorkflow100DistinctSteps);

// Collects each benchmark's time per iteration to print the ratio at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) ns_[r.benchmark_name()] = r.GetAdjustedRealTime();
  }
  std::map<std::string, double> ns_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  double base = reporter.ns_["BM_SerializeBaseline"];
  for (const char* name : {"BM_AdmitWorkflow100Steps", "BM_AdmitWorkflow100DistinctSteps"}) {
    double admit = reporter.ns_[name];
    if (admit > 0 && base > 0) {
      std::cout << "\n"
                << name << ": " << admit / 1000.0 << " us per workflow (" << admit / base
                << "x the time to serialise it; target < 1000 us)";
    }
  }
  std::cout << "\n";
  return 0;
}
