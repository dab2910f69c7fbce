#include "exec/kubernetes/manifest_emitter.h"

#include <filesystem>
#include <fstream>
#include <mutex>

#include "exec/kubernetes/kube_names.h"
#include "exec/kubernetes/pod_inputs.h"

namespace rampart::exec::kube {

namespace {

class ManifestEmitter : public Executor {
 public:
  ManifestEmitter(std::unique_ptr<Executor> inner, std::string dir, PodPolicy policy)
      : inner_(std::move(inner)), dir_(std::move(dir)), policy_(std::move(policy)) {
    std::filesystem::create_directories(dir_);
  }

  void start(StepRequest request, std::function<void(StepResult)> done) override {
    emit(request);
    inner_->start(std::move(request), std::move(done));
  }
  void kill(const std::string& id, const std::string& reason) override { inner_->kill(id, reason); }
  void shutdown() override { inner_->shutdown(); }

 private:
  void emit(const StepRequest& request) {
    PodInputs inputs = collect_pod_inputs(request);
    PodPlan plan = inputs.error.empty() ? make_pod_plan(request, inputs.files, policy_) : PodPlan{};
    std::string error = inputs.error.empty() ? plan.error : inputs.error;
    std::lock_guard<std::mutex> lock(mutex_);  // steps start from several threads
    std::filesystem::path base = std::filesystem::path(dir_);
    if (!error.empty()) {
      std::ofstream(base / (dns_subdomain("step-" + request.id) + ".refused.txt")) << error << "\n";
      return;
    }
    std::string name = plan.pod["metadata"]["name"].get<std::string>();
    std::ofstream(base / (name + ".json")) << plan.pod.dump(2) << "\n";
  }

  std::unique_ptr<Executor> inner_;
  std::string dir_;
  PodPolicy policy_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Executor> make_manifest_emitter(std::unique_ptr<Executor> inner, std::string dir, PodPolicy policy) {
  return std::make_unique<ManifestEmitter>(std::move(inner), std::move(dir), std::move(policy));
}

}  // namespace rampart::exec::kube
