// Reading pod settings the way Kubernetes and Argo would apply them, not the way they happen to
// be spelled: YAML 1.1 truth values ("True", "yes", "on"), values left to a template
// expression, volume types, and a podSpecPatch (a YAML or JSON document inside a string).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rampart::guard {

enum class Truth { False, True, Deferred };  // Deferred: a {{...}} decided when the step runs

// true, 1, and the strings true/yes/on/y/1 in any case are True; a deferred string (below) is
// Deferred; everything else False.
Truth truth_of(const nlohmann::json& value);

// A volume's type ("hostPath", "nfs", ...): its one key besides "name".
std::string volume_type(const nlohmann::json& volume);

// Types whose data rampart provides or keeps inside the step (emptyDir, configMap, secret,
// persistentVolumeClaim, downwardAPI, projected, ephemeral). Others reach outside the sandbox:
// the node's files, network file systems, block devices, CSI drivers, a git checkout run on the
// node.
bool is_confinable_volume_type(const std::string& type);

// Parses a document embedded in a string (podSpecPatch, a resource manifest): JSON or YAML,
// at most 256 KiB and 64 levels deep. Template expressions ({{...}}) are read as a placeholder
// for which is_deferred() holds, so that the rest can be checked before they are known. Returns
// false with a message in `error` when the text is not one document within those bounds.
bool parse_embedded_document(std::string_view text, nlohmann::json* out, std::string* error);

// A value decided when the step runs: a template expression or the placeholder above.
bool is_deferred(std::string_view text);

}  // namespace rampart::guard
