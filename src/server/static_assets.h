// The dashboard's files (ui/dist, built by Vite) served from the API's own origin, so that the
// session cookie (SameSite=Strict) and the strict CSP ('self' only) just work. Only GET reaches
// here, only for paths outside /api/ and /metrics (see is_api_path); everything else still goes
// through the Router and its authentication. The files themselves are public: the login page
// must load before anyone has logged in, so they must contain no names, versions or secrets.
#pragma once

#include <string>

#include "net/http_message.h"

namespace rampart::server {

// The security headers of every response, API and dashboard alike. The dashboard runs no inline
// script or style, so the CSP allows nothing but files from this origin (and data: images).
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Paths that belong to the Router (authenticated API), never to the dashboard's files.
// API routes, /metrics and Argo's artifact download routes: answered by the router, which
// authenticates them.
bool is_api_path(const std::string& path);

class StaticAssets {
 public:
  // root: the directory holding index.html and assets/. Empty or missing: every page answers a
  // short "dashboard not installed" note (the API works regardless).
  explicit StaticAssets(std::string root);

  bool installed() const { return installed_; }
  const std::string& root() const { return root_; }

  // GET of a dashboard path: a file under root, or index.html for the app's own routes
  // (/workflows/argo/x is a page of the single-page app, not a file).
  net::HttpResponse serve(const net::HttpRequest& request) const;

 private:
  std::string root_;
  bool installed_ = false;
};

// The default --ui-dir: <binary dir>/../share/rampart/ui when installed, else the source tree's
// ui/dist next to build/ (a developer's build); empty when neither has an index.html.
std::string default_ui_dir();

// Content type by file extension; application/octet-stream when unknown (with nosniff, a
// browser will not guess a script out of it).
std::string content_type_for(const std::string& path);

}  // namespace rampart::server
