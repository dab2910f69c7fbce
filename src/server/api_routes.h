// Registration of each group of Argo API routes (one file per group).
#pragma once

#include "server/router.h"

namespace rampart::server {

void add_info_routes(Router& router);
void add_workflow_routes(Router& router);
void add_stream_routes(Router& router);
void add_template_routes(Router& router);
void add_archive_routes(Router& router);
void add_guard_routes(Router& router);
void add_audit_routes(Router& router);     // rampart's own: the audit log, for admins
void add_lint_yaml_route(Router& router);  // rampart's own: lint YAML text with positions
void add_artifact_routes(Router& router);  // Argo's artifact downloads (not under /api)

// Whether `path` is one of Argo's artifact download routes (served by the router, with
// authentication, rather than as a dashboard page).
bool is_artifact_path(const std::string& path);

// Registers every route above.
void add_all_routes(Router& router);

}  // namespace rampart::server
