// Secrets given to the engine never reach the store, the step logs or an observer unmasked,
// while steps still get them (env, volumes) and pass them on to each other within the run.
#include <gmock/gmock.h>

#include "engine/secret_boundary.h"
#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kToken = "T0ken-Value-4821";
const std::string kQuoted = "pa\"ss\\wo'rd";
const std::string kPem =
    "-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\n-----END TEST KEY-----\n";

// Every byte the engine wrote: the database (and its WAL), logs, whatever else is under state.
std::string everything_under(const std::string& dir) {
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) all += read_text(entry.path()) + "\n";
  }
  return all;
}

class RecordingObserver : public Observer {
 public:
  void node_changed(const Node& node) override { seen += node.to_json().dump() + "\n"; }
  void workflow_changed(const store::WorkflowRecord& workflow) override {
    seen += workflow.message + workflow.status.dump() + "\n";
  }
  std::string seen;
};

class EngineSecretsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    EngineOptions options;
    options.state_dir = state_dir();
    options.default_deadline_seconds = 600;
    options.control_poll_ms = 100;
    options.secrets = {{"creds", {{"token", kToken}, {"quoted", kQuoted}, {"pem", kPem}}}};
    options.admit_step = [](const std::string&, const exec::StepRequest& step) {
      for (const auto& [name, value] : step.env) {
        if (name == "DENY") return "denied: the step's DENY is " + value;
      }
      return std::string();
    };
    engine_ = std::make_unique<Engine>(*store_, *executor_, options);
  }

  void expect_no_secret(const std::string& text) {
    for (const std::string& value : {kToken, kQuoted, std::string("MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf")}) {
      EXPECT_THAT(text, Not(HasSubstr(value)));
    }
    EXPECT_THAT(text, Not(HasSubstr(R"(pa\"ss\\wo'rd)")));  // the JSON-escaped form
  }
};

const char* kPassing = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: passing}
spec:
  entrypoint: main
  volumes: [{name: creds, secret: {secretName: creds}}]
  templates:
    - name: main
      steps:
        - - {name: make, template: make}
        - - name: use
            template: use
            arguments: {parameters: [{name: v, value: "{{steps.make.outputs.parameters.token}}"}]}
    - name: make
      outputs:
        parameters: [{name: token, valueFrom: {path: /tmp/token}}]
      container:
        image: busybox
        command: [sh, -c]
        args: ['echo "token $TOKEN"; echo "$QUOTED" >&2; cat /creds/pem; printf %s "$TOKEN" > /tmp/token']
        env:
          - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
          - {name: QUOTED, valueFrom: {secretKeyRef: {name: creds, key: quoted}}}
        volumeMounts: [{name: creds, mountPath: /creds}]
    - name: use
      inputs: {parameters: [{name: v}]}
      container:
        image: busybox
        command: [sh, -c]
        args: ['test "{{inputs.parameters.v}}" = "$TOKEN" && echo passed-intact']
        env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
)";

TEST_F(EngineSecretsTest, StepsGetAndPassSecretsButNothingIsStoredOrLoggedUnmasked) {
  RecordingObserver observer;
  std::string name = submit_yaml(kPassing);
  store::WorkflowRecord record = engine_->run("argo", name, &observer);
  Json wf = Engine::workflow_object(*store_, "argo", name);
  ASSERT_EQ(record.phase, "Succeeded") << describe(wf);
  // Within the run the value went from one step to the next unchanged...
  EXPECT_EQ(result_of(node_by_display(wf, "use")), "passed-intact");
  // ... while what was stored of it is masked.
  Json make = node_by_display(wf, "make");
  EXPECT_EQ(output_parameter(make, "token"), "[redacted]");
  EXPECT_THAT(result_of(make), HasSubstr("token [redacted]"));
  EXPECT_EQ(node_by_display(wf, "use")["inputs"]["parameters"][0]["value"], "[redacted]");
  expect_no_secret(wf.dump());
  expect_no_secret(observer.seen);
  std::string written = everything_under(state_dir());
  expect_no_secret(written);
  EXPECT_THAT(written, HasSubstr("token [redacted]"));  // the logs are there, masked
  // The Secret volume's files lived in the step's scratch dir, gone with it.
  EXPECT_FALSE(fs::exists(fs::path(state_dir()) / "run" / "argo" / name));
}

TEST_F(EngineSecretsTest, MessagesAndEventsAreMasked) {
  std::string name = submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: denied}
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: busybox
        command: ["true"]
        env: [{name: DENY, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
)");
  store::WorkflowRecord record = engine_->run("argo", name);
  Json wf = Engine::workflow_object(*store_, "argo", name);
  EXPECT_NE(record.phase, "Succeeded") << describe(wf);
  EXPECT_THAT(message_of(node_by_display(wf, "denied")), HasSubstr("denied: the step's DENY is [redacted]"));
  expect_no_secret(record.message);
  std::string events;
  for (const auto& e : store_->events("argo", name, 0)) events += e.message + "\n";
  EXPECT_THAT(events, HasSubstr("[redacted]"));
  expect_no_secret(events);
  expect_no_secret(everything_under(state_dir()));
}

TEST(SecretBoundary, KeepsWhatAResumeNeedsAndMasksTheRest) {
  SecretMasker masker({"S3cr3tValue"});
  Json node = {
      {"id", "wf-S3cr3tValue"},   {"name", "wf(0:S3cr3tValue)"},
      {"phase", "Succeeded"},     {"children", {"S3cr3tValue"}},
      {"message", "S3cr3tValue"}, {"outputs", {{"parameters", {{{"name", "p"}, {"value", "x S3cr3tValue"}}}}}}};
  mask_node_status(node, masker);
  EXPECT_EQ(node["id"], "wf-S3cr3tValue");
  EXPECT_EQ(node["children"][0], "S3cr3tValue");
  EXPECT_EQ(node["name"], "wf(0:[redacted])");
  EXPECT_EQ(node["message"], "[redacted]");
  EXPECT_EQ(node["outputs"]["parameters"][0]["value"], "x [redacted]");

  store::WorkflowRecord record;
  record.message = "failed: S3cr3tValue";
  record.status = {{"rampart", {{"parameters", {{{"name", "p"}, {"value", "S3cr3tValue"}}}}}},
                   {"outputs", {{"parameters", {{{"name", "g"}, {"value", "S3cr3tValue"}}}}}}};
  mask_workflow_record(record, masker);
  EXPECT_EQ(record.message, "failed: [redacted]");
  EXPECT_EQ(record.status["rampart"]["parameters"][0]["value"], "S3cr3tValue");  // submitted input
  EXPECT_EQ(record.status["outputs"]["parameters"][0]["value"], "[redacted]");
}

}  // namespace
}  // namespace rampart::engine::testing
