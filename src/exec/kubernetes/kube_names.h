// Names and label values as Kubernetes accepts them. Workflow and node names are chosen by
// users; what the API server would reject is turned into something it accepts, deterministically,
// so the same step always gets the same name.
#pragma once

#include <string>

namespace rampart::exec::kube {

// A DNS-1123 name (lower case, digits and single '-'; at most `max` characters), or "" when
// nothing usable is left. Over-long names keep a hash of the whole so two long names still differ.
std::string dns_subdomain(const std::string& name, size_t max = 253);

// A label value: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric.
std::string label_value(const std::string& value);

}  // namespace rampart::exec::kube
