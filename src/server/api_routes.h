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
void add_audit_routes(Router& router);  // rampart's own: the audit log, for admins
void add_lint_yaml_route(Router& router);  // rampart's own: lint YAML text with positions

// Registers every route above.
void add_all_routes(Router& router);

}  // namespace rampart::server
