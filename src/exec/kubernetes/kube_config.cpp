#include "exec/kubernetes/kube_config.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "exec/kubernetes/output_framing.h"

namespace rampart::exec::kube {

namespace fs = std::filesystem;

namespace {

bool read_whole(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

// A named entry of one of kubeconfig's lists (clusters, users, contexts): {name, <field>: {...}}.
YAML::Node find_named(const YAML::Node& list, const std::string& name, const char* field) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& entry : list) {
    if (entry.IsMap() && entry["name"] && entry["name"].IsScalar() && entry["name"].as<std::string>() == name) {
      return entry[field];
    }
  }
  return YAML::Node();
}

std::string scalar(const YAML::Node& map, const char* key) {
  if (!map || !map.IsMap() || !map[key] || !map[key].IsScalar()) return "";
  return map[key].as<std::string>();
}

// "<key>-data" (base64) wins over "<key>" (a file path, relative to the kubeconfig's directory).
bool material(const YAML::Node& map, const std::string& key, const std::string& base_dir, std::string* out,
              std::string* error, const std::string& where) {
  std::string data = scalar(map, (key + "-data").c_str());
  if (!data.empty()) {
    bool ok = false;
    *out = base64_decode(data, &ok);
    if (!ok) *error = where + ": " + key + "-data is not valid base64";
    return ok;
  }
  std::string path = scalar(map, key.c_str());
  if (path.empty()) return true;
  fs::path p = fs::path(path).is_absolute() ? fs::path(path) : fs::path(base_dir) / path;
  if (!read_whole(p, out)) {
    *error = where + ": cannot read " + key + " file " + p.string();
    return false;
  }
  return true;
}

}  // namespace

KubeConfigResult parse_kubeconfig(const std::string& yaml, const std::string& base_dir, const std::string& context_name,
                                  bool allow_insecure, const std::string& origin) {
  KubeConfigResult result;
  auto fail = [&](std::string why) {
    result.credentials.reset();
    result.error = origin + ": " + why;
    return result;
  };
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's message names the position only; it does not quote the document.
    return fail("not valid YAML (line " + std::to_string(e.mark.line + 1) + ", column " +
                std::to_string(e.mark.column + 1) + ")");
  }
  if (!root.IsMap()) return fail("not a kubeconfig (expected a mapping with clusters, users and contexts)");
  std::string context = context_name.empty() ? scalar(root, "current-context") : context_name;
  if (context.empty()) return fail("no current-context is set; name one with --kube-context");
  YAML::Node ctx = find_named(root["contexts"], context, "context");
  if (!ctx || !ctx.IsMap()) return fail("context \"" + context + "\" is not defined");
  std::string cluster_name = scalar(ctx, "cluster");
  std::string user_name = scalar(ctx, "user");
  YAML::Node cluster = find_named(root["clusters"], cluster_name, "cluster");
  if (!cluster || !cluster.IsMap())
    return fail("context \"" + context + "\" names cluster \"" + cluster_name + "\", which is not defined");

  KubeCredentials c;
  c.source = origin + " (context " + context + ")";
  c.server = scalar(cluster, "server");
  if (c.server.rfind("https://", 0) != 0) {
    return fail("cluster \"" + cluster_name + "\": server must be an https:// URL, not \"" + c.server + "\"");
  }
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  c.namespace_name = scalar(ctx, "namespace");
  if (c.namespace_name.empty()) c.namespace_name = "default";
  std::string error;
  if (!material(cluster, "certificate-authority", base_dir, &c.ca_pem, &error, "cluster \"" + cluster_name + "\""))
    return fail(error);
  std::string insecure = scalar(cluster, "insecure-skip-tls-verify");
  c.insecure_skip_tls_verify = insecure == "true";
  if (c.insecure_skip_tls_verify && !allow_insecure) {
    return fail("cluster \"" + cluster_name +
                "\" sets insecure-skip-tls-verify, which would send credentials to an "
                "unverified server; give its CA instead (or allow it explicitly with --kube-insecure-skip-tls-verify)");
  }
  if (!user_name.empty()) {
    YAML::Node user = find_named(root["users"], user_name, "user");
    if (!user || !user.IsMap())
      return fail("context \"" + context + "\" names user \"" + user_name + "\", which is not defined");
    std::string where = "user \"" + user_name + "\"";
    c.token = scalar(user, "token");
    std::string token_file = scalar(user, "tokenFile");
    if (c.token.empty() && !token_file.empty()) {
      fs::path p = fs::path(token_file).is_absolute() ? fs::path(token_file) : fs::path(base_dir) / token_file;
      if (!read_whole(p, &c.token)) return fail(where + ": cannot read tokenFile " + p.string());
      while (!c.token.empty() && (c.token.back() == '\n' || c.token.back() == '\r')) c.token.pop_back();
    }
    if (!material(user, "client-certificate", base_dir, &c.client_cert_pem, &error, where)) return fail(error);
    if (!material(user, "client-key", base_dir, &c.client_key_pem, &error, where)) return fail(error);
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
      return fail(where + ": a client certificate needs its key and a key its certificate");
    }
    if (user["exec"] || user["auth-provider"]) {
      if (c.token.empty() && c.client_cert_pem.empty()) {
        return fail(
            where +
            ": exec and auth-provider credential plugins are not supported; use a token or a client certificate");
      }
    }
    if (scalar(user, "username").size() && c.token.empty() && c.client_cert_pem.empty()) {
      return fail(where + ": basic authentication is not supported; use a token or a client certificate");
    }
  }
  result.credentials = std::move(c);
  return result;
}

KubeConfigResult load_kubeconfig(const std::string& path, const std::string& context, bool allow_insecure) {
  std::string text;
  if (!read_whole(path, &text)) return {std::nullopt, "cannot read kubeconfig " + path};
  return parse_kubeconfig(text, fs::path(path).parent_path().string(), context, allow_insecure, "kubeconfig " + path);
}

KubeConfigResult load_in_cluster(const std::string& secrets_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host)
    return {std::nullopt, "not in a cluster: KUBERNETES_SERVICE_HOST is not set and no kubeconfig was given"};
  KubeCredentials c;
  c.source = "in-cluster service account";
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 service address
  c.server = "https://" + h + ":" + (port && *port ? port : "443");
  if (!read_whole(fs::path(secrets_dir) / "token", &c.token))
    return {std::nullopt, "in-cluster: cannot read " + secrets_dir + "/token"};
  while (!c.token.empty() && (c.token.back() == '\n' || c.token.back() == '\r')) c.token.pop_back();
  if (!read_whole(fs::path(secrets_dir) / "ca.crt", &c.ca_pem))
    return {std::nullopt, "in-cluster: cannot read " + secrets_dir + "/ca.crt"};
  if (!read_whole(fs::path(secrets_dir) / "namespace", &c.namespace_name) || c.namespace_name.empty())
    c.namespace_name = "default";
  while (!c.namespace_name.empty() && std::isspace(static_cast<unsigned char>(c.namespace_name.back())))
    c.namespace_name.pop_back();
  return {std::move(c), ""};
}

KubeConfigResult load_kube_credentials(const std::string& kubeconfig, const std::string& context, bool allow_insecure) {
  if (!kubeconfig.empty()) return load_kubeconfig(kubeconfig, context, allow_insecure);
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first = env;
    first = first.substr(0, first.find(':'));  // several files are merged by kubectl; the first is enough here
    return load_kubeconfig(first, context, allow_insecure);
  }
  if (const char* home = std::getenv("HOME"); home && fs::exists(fs::path(home) / ".kube" / "config")) {
    return load_kubeconfig((fs::path(home) / ".kube" / "config").string(), context, allow_insecure);
  }
  return load_in_cluster();
}

}  // namespace rampart::exec::kube
