// Parameters and artifacts: what flows into and out of templates.
#include "spec/decode.h"

namespace rampart::spec {

namespace {

// Artifact location fields; `raw` is kept apart because its data is inline, not stored.
constexpr const char* kArtifactLocations[] = {"s3",    "gcs",  "git", "http",  "artifactory",
                                              "azure", "hdfs", "oss", "plugin"};

// gzip's default level, which Argo uses when `tar:` gives none.
constexpr int kDefaultTarCompressionLevel = -1;

ValueFrom decode_value_from(const YAML::Node& node) {
  const Fields fields(node);
  ValueFrom from;
  from.config_map_key_ref = read::optional(fields, "configMapKeyRef", decode_key_selector);
  from.default_ = read::optional_text(fields, "default");
  from.event = read::text(fields, "event");
  from.expression = read::text(fields, "expression");
  from.jq_filter = read::text(fields, "jqFilter");
  from.json_path = read::text(fields, "jsonPath");
  from.parameter = read::text(fields, "parameter");
  from.path = read::text(fields, "path");
  from.supplied = fields.has("supplied");
  return from;
}

Parameter decode_parameter(const YAML::Node& node) {
  const Fields fields(node);
  Parameter parameter;
  parameter.name = read::text(fields, "name");
  parameter.value = read::optional_text(fields, "value");
  parameter.default_ = read::optional_text(fields, "default");
  parameter.enum_ = read::texts(fields, "enum");
  parameter.description = read::text(fields, "description");
  parameter.global_name = read::text(fields, "globalName");
  parameter.value_from = read::optional(fields, "valueFrom", decode_value_from);
  return parameter;
}

ArchiveStrategy decode_archive(const YAML::Node& node) {
  const Fields fields(node);
  ArchiveStrategy archive;
  archive.none = fields.has("none");
  archive.zip = fields.has("zip");
  if (const YAML::Node tar = fields.get("tar"); tar.IsDefined()) {
    archive.tar = true;
    archive.tar_compression_level = kDefaultTarCompressionLevel;
    if (tar.IsMap()) {
      if (auto level = read::optional_int(Fields(tar), "compressionLevel")) {
        archive.tar_compression_level = static_cast<int>(*level);
      }
    }
  }
  return archive;
}

Artifact decode_artifact(const YAML::Node& node) {
  const Fields fields(node);
  Artifact artifact;
  artifact.name = read::text(fields, "name");
  artifact.path = read::text(fields, "path");
  if (auto mode = read::optional_int(fields, "mode")) artifact.mode = static_cast<int32_t>(*mode);
  artifact.from = read::text(fields, "from");
  artifact.from_expression = read::text(fields, "fromExpression");
  artifact.global_name = read::text(fields, "globalName");
  artifact.sub_path = read::text(fields, "subPath");
  artifact.optional = read::flag(fields, "optional");
  artifact.archive_logs = read::flag(fields, "archiveLogs");
  artifact.deleted = read::flag(fields, "deleted");
  artifact.archive = read::optional(fields, "archive", decode_archive);
  if (const YAML::Node raw = fields.get("raw"); raw.IsMap()) {
    artifact.raw_data = read::text(Fields(raw), "data");
  }
  artifact.recurse_mode = read::text(fields, "recurseMode");
  for (const char* location : kArtifactLocations) {
    if (fields.has(location)) {
      artifact.location = Json::object({{location, read::json(fields, location)}});
      break;
    }
  }
  artifact.artifact_gc = read::json(fields, "artifactGC");
  return artifact;
}

}  // namespace

Inputs decode_inputs(const YAML::Node& node) {
  const Fields fields(node);
  return {read::list(fields, "parameters", decode_parameter), read::list(fields, "artifacts", decode_artifact)};
}

Outputs decode_outputs(const YAML::Node& node) {
  const Fields fields(node);
  Outputs outputs;
  outputs.parameters = read::list(fields, "parameters", decode_parameter);
  outputs.artifacts = read::list(fields, "artifacts", decode_artifact);
  outputs.result = read::optional_text(fields, "result");
  outputs.exit_code = read::optional_text(fields, "exitCode");
  return outputs;
}

Arguments decode_arguments(const YAML::Node& node) {
  const Fields fields(node);
  return {read::list(fields, "parameters", decode_parameter), read::list(fields, "artifacts", decode_artifact)};
}

}  // namespace rampart::spec
