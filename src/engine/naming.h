// Node ids, pod names and loop display names, formed the way Argo forms them so that users
// (and tools) find the same names in rampart as in Argo.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rampart::engine {

uint32_t fnv32a(std::string_view text);

// Argo: the root node's id is the workflow name; every other node is "<wf>-<fnv32a(name)>".
std::string node_id(std::string_view workflow_name, std::string_view node_name);

// Argo's v2 pod names: "<wf>-<template>-<fnv32a(node name)>", trimmed to Kubernetes' limits.
std::string pod_name(std::string_view workflow_name, std::string_view node_name, std::string_view template_name);

// "(0:hello)" for a string item, "(1:a:1,b:two)" for a map item, as Argo prints loop children.
std::string item_suffix(size_t index, const nlohmann::json& item);

}  // namespace rampart::engine
