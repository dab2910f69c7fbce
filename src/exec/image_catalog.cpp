#include "exec/image_catalog.h"

#include <fnmatch.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

namespace rampart::exec {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kDefaultPath = {"/usr/local/bin", "/usr/bin", "/bin"};

[[noreturn]] void fail(const std::string& source, const YAML::Node& node, const std::string& what) {
  std::string where = source;
  if (node.IsDefined() && node.Mark().line >= 0) {
    where += ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
  }
  throw CatalogError(where + ": " + what);
}

std::vector<std::string> string_list(const std::string& source, const YAML::Node& node, const std::string& field) {
  if (!node.IsSequence()) fail(source, node, field + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar()) fail(source, item, field + " must be a list of strings");
    out.push_back(item.as<std::string>());
  }
  return out;
}

// "busybox" matches every tag; "python:3.*" matches tags by glob.
ImageReference parse_pattern(const std::string& pattern) {
  ImageReference ref = parse_image_reference(pattern);
  std::string bare = pattern.substr(0, pattern.find('@'));
  size_t slash = bare.rfind('/');
  size_t colon = bare.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag) ref.tag = "*";
  return ref;
}

}  // namespace

std::string ImageRuntime::path_variable(bool host) const {
  std::string out;
  for (const auto& dir : path) out += (out.empty() ? "" : ":") + (host ? dir.host_dir : dir.container_dir);
  return out;
}

ImageCatalog ImageCatalog::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CatalogError("cannot read the image catalog " + path);
  std::stringstream text;
  text << in.rdbuf();
  fs::path base = fs::absolute(fs::path(path)).parent_path();
  return parse(text.str(), path, base.string());
}

std::shared_ptr<const ImageCatalog> ImageCatalog::load_shared(const std::string& path) {
  struct Entry {
    dev_t device;
    ino_t inode;
    off_t size;
    struct timespec mtime;
    std::shared_ptr<const ImageCatalog> catalog;
  };
  static std::mutex mutex;
  static std::map<std::string, Entry> cache;  // a process reads one catalog or very few
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::make_shared<const ImageCatalog>(load(path));  // says why
  auto same = [&st](const Entry& e) {
    return e.device == st.st_dev && e.inode == st.st_ino && e.size == st.st_size &&
           e.mtime.tv_sec == st.st_mtim.tv_sec && e.mtime.tv_nsec == st.st_mtim.tv_nsec;
  };
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(path); it != cache.end() && same(it->second)) return it->second.catalog;
  }
  auto catalog = std::make_shared<const ImageCatalog>(load(path));
  std::lock_guard lock(mutex);
  if (cache.size() >= 16) cache.clear();
  cache[path] = Entry{st.st_dev, st.st_ino, st.st_size, st.st_mtim, catalog};
  return catalog;
}

ImageCatalog ImageCatalog::parse(const std::string& yaml_text, const std::string& source_name,
                                 const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw CatalogError(source_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  ImageCatalog catalog;
  catalog.source_ = source_name;
  if (!root.IsMap() || !root["images"] || !root["images"].IsSequence()) {
    fail(source_name, root, "expected a map with a list `images`");
  }
  for (const auto& key : root) {
    auto name = key.first.as<std::string>();
    if (name != "images") fail(source_name, key.first, "unknown field `" + name + "`");
  }
  static const std::set<std::string> known = {"match", "entrypoint", "cmd", "path", "env", "workdir"};
  for (const auto& item : root["images"]) {
    if (!item.IsMap()) fail(source_name, item, "each image entry must be a map");
    for (const auto& key : item) {
      auto name = key.first.as<std::string>();
      if (!known.count(name))
        fail(source_name, key.first,
             "unknown field `" + name + "` (expected one of match, entrypoint, cmd, path, env, workdir)");
    }
    Entry entry;
    if (!item["match"]) fail(source_name, item, "an image entry needs `match`, a list of image patterns");
    for (const auto& pattern : string_list(source_name, item["match"], "match"))
      entry.patterns.push_back(parse_pattern(pattern));
    if (entry.patterns.empty()) fail(source_name, item["match"], "`match` must list at least one image pattern");
    ImageRuntime& rt = entry.runtime;
    if (item["entrypoint"]) rt.entrypoint = string_list(source_name, item["entrypoint"], "entrypoint");
    if (item["cmd"]) rt.cmd = string_list(source_name, item["cmd"], "cmd");
    std::vector<std::string> path = item["path"] ? string_list(source_name, item["path"], "path") : kDefaultPath;
    for (const auto& dir : path) {
      if (!dir.empty() && dir[0] == '/') {
        rt.path.push_back({dir, dir});
        continue;
      }
      // A tool directory shipped next to the catalog: it must exist, or steps would fail later
      // with a confusing "not found".
      fs::path host = (fs::path(base_dir) / dir).lexically_normal();
      std::error_code ec;
      if (!fs::is_directory(host, ec))
        fail(source_name, item["path"], "tool directory " + host.string() + " does not exist");
      rt.path.push_back({(fs::path(kToolsMountPoint) / dir).lexically_normal().string(), host.string()});
    }
    if (item["env"]) {
      if (!item["env"].IsMap()) fail(source_name, item["env"], "env must be a map of strings");
      for (const auto& kv : item["env"]) rt.env.emplace_back(kv.first.as<std::string>(), kv.second.as<std::string>());
    }
    if (item["workdir"]) {
      rt.workdir = item["workdir"].as<std::string>();
      if (rt.workdir.empty() || rt.workdir[0] != '/')
        fail(source_name, item["workdir"], "workdir must be an absolute path");
    }
    catalog.entries_.push_back(std::move(entry));
  }
  return catalog;
}

ImageResolution ImageCatalog::resolve(const std::string& image) const {
  ImageReference ref = parse_image_reference(image);
  if (ref.repository.empty()) return {std::nullopt, "the step names no image"};
  for (const auto& entry : entries_) {
    for (const auto& pattern : entry.patterns) {
      if (pattern.repository != ref.repository) continue;
      if (fnmatch(pattern.tag.c_str(), ref.tag.c_str(), 0) != 0) continue;
      ImageRuntime runtime = entry.runtime;
      runtime.image = ref.to_string();
      return {std::move(runtime), ""};
    }
  }
  return {std::nullopt, "image \"" + image + "\" is not in the image catalog " + source_ +
                            "; add an entry for it, or run the step in a real container with --executor container "
                            "(docs/containers.md)"};
}

}  // namespace rampart::exec
