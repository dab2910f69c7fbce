#include "server/static_assets.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "server/api_routes.h"

namespace rampart::server {

namespace fs = std::filesystem;

namespace {

net::HttpResponse text(int status, const std::string& body) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = body;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// A segment of a dashboard path: letters, digits and "-_.~", not starting with a dot. This
// rules out "..", hidden files, backslashes and NUL before the filesystem is asked anything.
bool safe_segment(const std::string& s) {
  if (s.empty() || s.size() > 255 || s.front() == '.') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return static_cast<bool>(in) || in.eof();
}

bool has_index(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / "index.html", ec);
}

}  // namespace

bool is_api_path(const std::string& path) {
  return path == "/api" || path.rfind("/api/", 0) == 0 || path == "/metrics" || is_artifact_path(path);
}

std::string content_type_for(const std::string& path) {
  static const std::vector<std::pair<std::string, std::string>> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [ext, type] : types) {
    if (path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) return type;
  }
  return "application/octet-stream";
}

std::string default_ui_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  fs::path bin = self.parent_path();
  for (const fs::path& candidate : {bin / ".." / "share" / "rampart" / "ui", bin / ".." / "ui" / "dist"}) {
    if (has_index(candidate)) return candidate.lexically_normal().string();
  }
  return {};
}

StaticAssets::StaticAssets(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  if (has_index(root_)) {
    root_ = fs::canonical(root_, ec).string();
    installed_ = !ec;
  }
}

net::HttpResponse StaticAssets::serve(const net::HttpRequest& request) const {
  if (!installed_) {
    return text(404, "The rampart dashboard is not installed on this server (see --ui-dir). The API is at /api/v1/.\n");
  }
  const std::string& path = request.path;
  if (path.empty() || path.front() != '/') return text(400, "bad path\n");

  std::vector<std::string> segments;
  for (size_t start = 1; start < path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // "/workflows/argo/"
  for (const auto& s : segments) {
    if (!safe_segment(s)) return text(404, "not found\n");
  }

  fs::path relative;
  for (const auto& s : segments) relative /= s;
  const fs::path root(root_);
  fs::path file = segments.empty() ? root / "index.html" : root / relative;
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) {
    // Symbolic links inside the UI directory must not lead out of it.
    fs::path real = fs::canonical(file, ec);
    std::string prefix = root_ + "/";
    if (ec || real.string().rfind(prefix, 0) != 0) return text(404, "not found\n");
    net::HttpResponse r;
    if (!read_file(real, r.body)) return text(500, "cannot read the file\n");
    r.content_type = content_type_for(real.string());
    // Vite puts a content hash in every name under assets/, so they never change: cache for a
    // year. Everything else (index.html first) is checked again each time.
    bool hashed = !segments.empty() && segments.front() == "assets";
    bool index = real.filename() == "index.html";
    r.headers.emplace_back("Cache-Control", hashed  ? "public, max-age=31536000, immutable"
                                            : index ? "no-store"
                                                    : "no-cache");
    return r;
  }
  // Missing files (anything with an extension, and everything under assets/) are 404; other
  // paths are the app's own routes and get index.html, which routes in the browser.
  bool looks_like_file =
      !segments.empty() && (segments.front() == "assets" || segments.back().find('.') != std::string::npos);
  if (looks_like_file) return text(404, "not found\n");
  net::HttpResponse r;
  if (!read_file(root / "index.html", r.body)) return text(500, "cannot read index.html\n");
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace rampart::server
