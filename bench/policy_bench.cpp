// Admission cost: policy evaluation of a 100-step workflow, beside a baseline in the same
// process (serialising the same workflow to JSON text, which every submission does anyway).
// Prints time per workflow and the ratio. Target: under 1 ms per workflow of 100 steps.
//
//   build/bench/policy_bench
#include <benchmark/benchmark.h>

#include <iostream>
#include <map>

#include "guard/admission.h"

namespace {

using Json = nlohmann::json;

Json hundred_step_workflow() {
  Json steps = Json::array();
  Json templates = Json::array();
  for (int i = 0; i < 100; ++i) {
    std::string name = "step-" + std::to_string(i);
    steps.push_back(Json::array({{{"name", name}, {"template", name}}}));
    templates.push_back({{"name", name},
                         {"inputs", {{"parameters", Json::array({{{"name", "message"}, {"value", "hello " + name}}})}}},
                         {"container",
                          {{"image", i % 2 ? "python:3.12" : "ghcr.io/acme/tools:1.4"},
                           {"command", {"sh", "-c"}},
                           {"args", {"echo {{inputs.parameters.message}} && python3 -c 'print(sum(range(1000)))'"}},
                           {"env", Json::array({{{"name", "MODE"}, {"value", "batch"}}})},
                           {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}}}});
  }
  templates.push_back({{"name", "main"}, {"steps", steps}});
  return {{"apiVersion", "argoproj.io/v1alpha1"},
          {"kind", "Workflow"},
          {"metadata", {{"generateName", "bench-"}}},
          {"spec", {{"entrypoint", "main"}, {"templates", templates}}}};
}

const Json& workflow() {
  static const Json wf = hundred_step_workflow();
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
  double admit = reporter.ns_["BM_AdmitWorkflow100Steps"];
  double base = reporter.ns_["BM_SerializeBaseline"];
  if (admit > 0 && base > 0) {
    std::cout << "\nadmission of a 100-step workflow: " << admit / 1000.0 << " us ("
              << admit / base << "x the time to serialise it; target < 1000 us)\n";
  }
  return 0;
}
