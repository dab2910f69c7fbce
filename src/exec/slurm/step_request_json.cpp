#include "exec/slurm/step_request_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/secret_masker.h"

namespace rampart::exec::slurm {
namespace {

using Json = nlohmann::json;

// Reading is strict about types and lenient about absent optional fields, so a request written
// by an older rampart on the engine still runs on a node with a newer one.
template <typename T>
void read_field(const Json& json, const char* name, T& out) {
  if (!json.contains(name)) return;
  try {
    out = json.at(name).get<T>();
  } catch (const Json::exception&) {
    throw std::invalid_argument(std::string("step request field \"") + name + "\" has the wrong type");
  }
}

template <typename T>
void read_optional(const Json& json, const char* name, std::optional<T>& out) {
  if (!json.contains(name) || json.at(name).is_null()) return;
  T value{};
  read_field(json, name, value);
  out = value;
}

template <typename T>
void write_optional(Json& json, const char* name, const std::optional<T>& value) {
  if (value) json[name] = *value;
}

const char* outcome_name(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::Exited: return "Exited";
    case StepOutcome::Killed: return "Killed";
    case StepOutcome::StartError: return "StartError";
  }
  return "StartError";
}

}  // namespace

Json request_to_json(const StepRequest& r) {
  Json j;
  j["id"] = r.id;
  j["image"] = r.image;
  j["command"] = r.command;
  j["args"] = r.args;
  j["env"] = Json::array();
  for (const auto& [name, value] : r.env) j["env"].push_back({name, value});
  // Which of those variables hold a secret value, by name only: the node masks their values in
  // the step's output. The values travel in "env" as they always did, and nowhere else.
  Json secret_env = Json::array();
  for (const auto& [name, value] : r.env) {
    if (r.masker && r.masker->is_secret_value(value)) secret_env.push_back(name);
  }
  if (!secret_env.empty()) j["secret_env"] = secret_env;
  j["working_dir"] = r.working_dir;
  write_optional(j, "script_source", r.script_source);
  j["mounts"] = Json::array();
  for (const auto& m : r.mounts) {
    j["mounts"].push_back(
        {{"host_path", m.host_path}, {"container_path", m.container_path}, {"read_only", m.read_only}});
  }
  j["network"] = r.network;
  j["pod_network"] = r.pod_network;
  Json limits = Json::object();
  write_optional(limits, "cpu_cores", r.limits.cpu_cores);
  write_optional(limits, "memory_bytes", r.limits.memory_bytes);
  write_optional(limits, "max_processes", r.limits.max_processes);
  j["limits"] = limits;
  const auto& s = r.security;
  Json security = {{"privileged", s.privileged},
                   {"read_only_root", s.read_only_root},
                   {"run_as_non_root", s.run_as_non_root},
                   {"add_capabilities", s.add_capabilities},
                   {"host_network", s.host_network},
                   {"host_pid", s.host_pid},
                   {"host_ipc", s.host_ipc}};
  write_optional(security, "run_as_user", s.run_as_user);
  write_optional(security, "run_as_group", s.run_as_group);
  j["security"] = security;
  j["image_pull_policy"] = r.image_pull_policy;
  j["registry_auth"] = r.registry_auth;
  j["step_dir"] = r.step_dir;
  j["stdout_path"] = r.stdout_path;
  j["log_path"] = r.log_path;
  j["max_log_bytes"] = r.max_log_bytes;
  return j;
}

StepRequest request_from_json(const Json& j) {
  if (!j.is_object()) throw std::invalid_argument("step request is not a JSON object");
  StepRequest r;
  read_field(j, "id", r.id);
  if (r.id.empty()) throw std::invalid_argument("step request has no \"id\"");
  read_field(j, "image", r.image);
  read_field(j, "command", r.command);
  read_field(j, "args", r.args);
  std::vector<std::vector<std::string>> env;
  read_field(j, "env", env);
  for (const auto& pair : env) {
    if (pair.size() != 2) throw std::invalid_argument("step request \"env\" entries must be [name, value] pairs");
    r.env.emplace_back(pair[0], pair[1]);
  }
  std::vector<std::string> secret_env;
  read_field(j, "secret_env", secret_env);
  std::vector<std::string> secret_values;
  for (const auto& [name, value] : r.env) {
    if (std::find(secret_env.begin(), secret_env.end(), name) != secret_env.end()) secret_values.push_back(value);
  }
  if (!secret_values.empty()) r.masker = std::make_shared<const SecretMasker>(secret_values);
  read_field(j, "working_dir", r.working_dir);
  read_optional(j, "script_source", r.script_source);
  if (j.contains("mounts")) {
    if (!j["mounts"].is_array()) throw std::invalid_argument("step request field \"mounts\" has the wrong type");
    for (const auto& m : j["mounts"]) {
      Mount mount;
      read_field(m, "host_path", mount.host_path);
      read_field(m, "container_path", mount.container_path);
      read_field(m, "read_only", mount.read_only);
      r.mounts.push_back(mount);
    }
  }
  read_field(j, "network", r.network);
  read_field(j, "pod_network", r.pod_network);
  if (j.contains("limits")) {
    const Json& l = j["limits"];
    read_optional(l, "cpu_cores", r.limits.cpu_cores);
    read_optional(l, "memory_bytes", r.limits.memory_bytes);
    read_optional(l, "max_processes", r.limits.max_processes);
  }
  if (j.contains("security")) {
    const Json& s = j["security"];
    auto& out = r.security;
    read_field(s, "privileged", out.privileged);
    read_field(s, "read_only_root", out.read_only_root);
    read_optional(s, "run_as_user", out.run_as_user);
    read_optional(s, "run_as_group", out.run_as_group);
    read_field(s, "run_as_non_root", out.run_as_non_root);
    read_field(s, "add_capabilities", out.add_capabilities);
    read_field(s, "host_network", out.host_network);
    read_field(s, "host_pid", out.host_pid);
    read_field(s, "host_ipc", out.host_ipc);
  }
  read_field(j, "image_pull_policy", r.image_pull_policy);
  read_field(j, "registry_auth", r.registry_auth);
  read_field(j, "step_dir", r.step_dir);
  read_field(j, "stdout_path", r.stdout_path);
  read_field(j, "log_path", r.log_path);
  read_field(j, "max_log_bytes", r.max_log_bytes);
  return r;
}

Json result_to_json(const StepResult& r) {
  return {{"outcome", outcome_name(r.outcome)},
          {"exit_code", r.exit_code},
          {"message", r.message},
          {"output_truncated", r.output_truncated}};
}

StepResult result_from_json(const Json& j) {
  if (!j.is_object()) throw std::invalid_argument("step result is not a JSON object");
  StepResult r;
  std::string outcome;
  read_field(j, "outcome", outcome);
  if (outcome == "Exited")
    r.outcome = StepOutcome::Exited;
  else if (outcome == "Killed")
    r.outcome = StepOutcome::Killed;
  else if (outcome == "StartError")
    r.outcome = StepOutcome::StartError;
  else
    throw std::invalid_argument("step result has an unknown outcome \"" + outcome + "\"");
  read_field(j, "exit_code", r.exit_code);
  read_field(j, "message", r.message);
  read_field(j, "output_truncated", r.output_truncated);
  return r;
}

void write_file_atomically(const std::string& path, const std::string& text, unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);  // the umask must not widen or narrow what the caller asked for
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(e));
    }
    written += static_cast<size_t>(n);
  }
  // The reader may be on another machine: the data must be durable before the name appears.
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(e));
  }
}

Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str());
  } catch (const Json::exception& e) {
    throw std::runtime_error(path + " is not valid JSON: " + e.what());
  }
}

}  // namespace rampart::exec::slurm
