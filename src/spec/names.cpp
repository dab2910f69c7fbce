// Names of the document and template kinds, spelled as Argo spells them.
#include "spec/loader.h"
#include "spec/template.h"
#include "spec/workflow.h"

namespace rampart::spec {

// Argo's TemplateType names, as shown in node listings.
const char* to_string(TemplateKind kind) {
  switch (kind) {
    case TemplateKind::Unknown: return "Unknown";
    case TemplateKind::Container: return "Container";
    case TemplateKind::Script: return "Script";
    case TemplateKind::Resource: return "Resource";
    case TemplateKind::Suspend: return "Suspend";
    case TemplateKind::Steps: return "Steps";
    case TemplateKind::Dag: return "DAG";
    case TemplateKind::Data: return "Data";
    case TemplateKind::Http: return "HTTP";
    case TemplateKind::ContainerSet: return "ContainerSet";
    case TemplateKind::Plugin: return "Plugin";
  }
  return "Unknown";
}

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::Workflow: return "Workflow";
    case Kind::WorkflowTemplate: return "WorkflowTemplate";
    case Kind::ClusterWorkflowTemplate: return "ClusterWorkflowTemplate";
    case Kind::CronWorkflow: return "CronWorkflow";
    case Kind::ConfigMap: return "ConfigMap";
  }
  return "Unknown";
}

}  // namespace rampart::spec
