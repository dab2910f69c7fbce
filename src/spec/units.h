// Durations and Kubernetes quantities, as Argo and Kubernetes write them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rampart::spec {

// Go's time.ParseDuration syntax ("1h30m", "300ms", "-1.5h", "0"); Argo also accepts a bare
// number of seconds ("30") in several fields (suspend.duration, backoff.duration).
// Returns seconds, or nullopt with `error` set.
std::optional<double> parse_duration(std::string_view text, bool allow_bare_seconds, std::string* error = nullptr);

// Kubernetes resource.Quantity: "100m", "1.5", "2Gi", "1e3", "500M". Returns the value in base
// units (cores, bytes), or nullopt with `error` set.
std::optional<double> parse_quantity(std::string_view text, std::string* error = nullptr);

}  // namespace rampart::spec
