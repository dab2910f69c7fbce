// Where the Kubernetes API is and how to prove who we are: from a kubeconfig file (the user's
// current context, or one named) or from inside a Pod (the service account's token and CA).
// Credentials are held in memory only; no error message ever contains a token or a key.
#pragma once

#include <optional>
#include <string>

namespace rampart::exec::kube {

struct KubeCredentials {
  std::string server;           // https://host:port
  std::string namespace_name;   // the context's namespace, else "default"
  std::string ca_pem;           // empty: the system's CAs
  std::string token;            // bearer token (secret)
  std::string client_cert_pem;  // client certificate ...
  std::string client_key_pem;   // ... and its key (secret)
  bool insecure_skip_tls_verify = false;
  std::string source;  // "kubeconfig /path (context x)" or "in-cluster", for messages
};

struct KubeConfigResult {
  std::optional<KubeCredentials> credentials;
  std::string error;
};

// `allow_insecure`: accept insecure-skip-tls-verify: true (refused otherwise: a token sent to an
// unverified server is a token given away). `context`: empty for current-context.
KubeConfigResult load_kubeconfig(const std::string& path, const std::string& context, bool allow_insecure = false);
// The same from YAML text; relative file paths resolve against `base_dir`.
KubeConfigResult parse_kubeconfig(const std::string& yaml, const std::string& base_dir, const std::string& context,
                                  bool allow_insecure = false, const std::string& origin = "kubeconfig");

// In a Pod: KUBERNETES_SERVICE_HOST/PORT and the files under `secrets_dir`
// (/var/run/secrets/kubernetes.io/serviceaccount) — token, ca.crt, namespace.
KubeConfigResult load_in_cluster(const std::string& secrets_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// What `--kubeconfig` (or $KUBECONFIG, ~/.kube/config, then in-cluster) points at.
KubeConfigResult load_kube_credentials(const std::string& kubeconfig, const std::string& context,
                                       bool allow_insecure = false);

}  // namespace rampart::exec::kube
