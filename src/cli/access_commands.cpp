// Local administration of who may use the server: `rampart token`, `rampart role` and
// `rampart audit`. They work on <state>/access.db directly, so they need the same access to the
// state dir as the server itself (which is mode 0700): being able to run them is the root of trust.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "common/clock.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output_format.h"
#include "engine/node.h"
#include "server/audit_log.h"
#include "server/token_service.h"
#include "spec/units.h"
#include "store/access_store.h"

namespace rampart::cli {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct Access {
  std::string state_dir;
  std::unique_ptr<store::AccessStore> db;
  std::unique_ptr<store::AccessStore> audit_db;
  std::unique_ptr<server::AuditLog> audit;

  explicit Access(const StateOptions& state) : state_dir(resolve_state_dir(state)) {
    // Opening access.db creates a missing state dir with mode 0700 (it holds credentials).
    db = store::open_sqlite_access((fs::path(state_dir) / "access.db").string());
    audit_db = store::open_sqlite_access((fs::path(state_dir) / "access.db").string());
    audit = std::make_unique<server::AuditLog>(*audit_db, (fs::path(state_dir) / "audit.jsonl").string());
  }

  // Local commands are audited too, under the name of the local user who ran them.
  void record(const std::string& route, const std::string& object) {
    store::AuditRecord r;
    struct passwd* pw = getpwuid(getuid());
    r.subject = pw ? std::string("local:") + pw->pw_name : "local:" + std::to_string(getuid());
    r.source = "local";
    r.method = "cli";
    r.route = route;
    r.object = object;
    r.decision = "allowed";
    audit->append(r);
  }
};

// Go durations ("12h", "90m", "1h30m") plus days, which Go lacks: "30d", "1.5d", "1d12h"; "0" =
// never. Seconds, or -1 when malformed or beyond 100 years.
int64_t parse_ttl(const std::string& text) {
  constexpr double kMaxSeconds = 100.0 * 366 * 86400;
  double seconds = 0;
  std::string rest = text;
  if (size_t d = text.find('d'); d != std::string::npos) {
    std::string days = text.substr(0, d);
    if (days.empty() || days.find_first_not_of("0123456789.") != std::string::npos) return -1;
    try {
      size_t used = 0;
      double n = std::stod(days, &used);
      if (used != days.size()) return -1;
      seconds = n * 86400;
    } catch (const std::exception&) {
      return -1;
    }
    rest = text.substr(d + 1);
  }
  if (!rest.empty()) {
    if (rest[0] == '-' || rest[0] == '+') return -1;
    auto more = spec::parse_duration(rest, true);
    if (!more) return -1;
    seconds += *more;
  }
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxSeconds) return -1;
  return static_cast<int64_t>(std::ceil(seconds));
}

// Text tables show names that came from elsewhere (subjects, routes): no control characters.
std::string printable(const std::string& text, size_t width) {
  std::string out;
  for (unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (out.size() > width) out = out.substr(0, width - 1) + "~";
  return out;
}

std::string show_time(int64_t ms) { return ms ? engine::format_time(ms) : "-"; }

struct TokenCreate {
  StateOptions state;
  std::string subject, role, ttl = "0", description, output = "text";
};

CommandAction add_token(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("token", "Create, list and revoke API tokens");
  cmd->require_subcommand(1);
  cmd->footer("Every token subcommand takes --state DIR (default: $XDG_STATE_HOME/rampart or ~/.local/state/rampart).");
  auto create = std::make_shared<TokenCreate>();
  CLI::App* c = cmd->add_subcommand("create", "Create a token (printed once) and optionally bind a role");
  c->add_option("--subject", create->subject, "Who the token speaks for, e.g. alice or ci-bot")->required();
  c->add_option("--role", create->role, "Also bind this role: viewer, submitter, author or admin");
  c->add_option("--ttl", create->ttl, "Lifetime, e.g. 30d, 12h, 1d12h; 0 = never expires")->capture_default_str();
  c->add_option("--description", create->description, "A note shown in `token list`");
  add_state_options(*c, create->state);
  add_output_option(*c, create->output, "text,json", "text");

  auto list = std::make_shared<StateOptions>();
  auto list_output = std::make_shared<std::string>("text");
  CLI::App* l = cmd->add_subcommand("list", "List tokens (never their secrets)");
  add_state_options(*l, *list);
  add_output_option(*l, *list_output, "text,json", "text");

  auto revoke = std::make_shared<StateOptions>();
  auto revoke_id = std::make_shared<std::string>();
  CLI::App* r = cmd->add_subcommand("revoke", "Revoke a token by id; takes effect within a second");
  r->add_option("id", *revoke_id, "Token id (the part after rampart_)")->required();
  add_state_options(*r, *revoke);

  return [=]() -> int {
    if (c->parsed()) {
      std::optional<server::Role> role;
      if (!create->role.empty()) {
        role = server::parse_role(create->role);
        if (!role) {
          std::cerr << "rampart token create: unknown role \"" << printable(create->role, 40)
                    << "\" (viewer, submitter, author, admin)\n";
          return kUsage;
        }
      }
      if (!server::is_valid_subject(create->subject)) {
        std::cerr << "rampart token create: invalid --subject (1 to 128 letters, digits or . _ @ + -)\n";
        return kUsage;
      }
      if (role && !server::is_valid_binding_namespace(create->state.namespace_)) {
        std::cerr << "rampart token create: invalid namespace \"" << printable(create->state.namespace_, 64)
                  << "\" (a Kubernetes namespace name, or '*' for every namespace)\n";
        return kUsage;
      }
      int64_t ttl = parse_ttl(create->ttl);
      if (ttl < 0) {
        std::cerr << "rampart token create: invalid --ttl \"" << printable(create->ttl, 40)
                  << "\" (e.g. 30d, 12h, 1d12h; 0 = never; at most 100 years)\n";
        return kUsage;
      }
      Access access(create->state);
      server::TokenService tokens(*access.db, (fs::path(access.state_dir) / "token.key").string());
      auto made = tokens.create(create->subject, ttl, create->description, now_ms());
      std::string ns = create->state.namespace_;
      if (role) access.db->put_binding({create->subject, ns, std::string(server::role_name(*role))});
      access.record("token create", create->subject + " " + made.record.id);
      if (create->output == "json") {
        Json out = {{"id", made.record.id},
                    {"subject", made.record.subject},
                    {"expires", made.record.expires_ms ? engine::format_time(made.record.expires_ms) : ""},
                    {"token", made.token}};
        if (role) out["role"] = {{"namespace", ns}, {"role", server::role_name(*role)}};
        std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
      } else {
        std::cout << made.token << "\n";
        std::cerr << "token " << made.record.id << " for " << made.record.subject
                  << (role ? " (" + std::string(server::role_name(*role)) + " in " +
                                 (ns == "*" ? std::string("every namespace") : ns) + ")"
                           : std::string())
                  << (made.record.expires_ms ? ", expires " + show_time(made.record.expires_ms)
                                             : std::string(", never expires"))
                  << "; it is not shown again\n";
      }
      return kOk;
    }
    if (l->parsed()) {
      Access access(*list);
      auto all = access.db->list_tokens();
      if (*list_output == "json") {
        Json out = Json::array();
        for (const auto& t : all) {
          out.push_back({{"id", t.id},
                         {"subject", t.subject},
                         {"description", t.description},
                         {"created", show_time(t.created_ms)},
                         {"expires", t.expires_ms ? show_time(t.expires_ms) : ""},
                         {"revoked", t.revoked_ms ? show_time(t.revoked_ms) : ""}});
        }
        std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
        return kOk;
      }
      std::cout << std::left << std::setw(18) << "ID" << std::setw(16) << "SUBJECT" << std::setw(22) << "CREATED"
                << std::setw(22) << "EXPIRES"
                << "STATE\n";
      int64_t now = now_ms();
      for (const auto& t : all) {
        std::string state = t.revoked_ms ? "revoked" : (t.expires_ms && t.expires_ms <= now) ? "expired" : "active";
        std::cout << std::setw(18) << t.id << std::setw(16) << printable(t.subject, 15) << std::setw(22)
                  << show_time(t.created_ms) << std::setw(22) << (t.expires_ms ? show_time(t.expires_ms) : "never")
                  << state << "\n";
      }
      return kOk;
    }
    Access access(*revoke);
    if (!access.db->revoke_token(*revoke_id, now_ms())) {
      std::cerr << "rampart token revoke: no token with id \"" << printable(*revoke_id, 40) << "\"\n";
      return kFailed;
    }
    access.record("token revoke", *revoke_id);
    std::cerr << "token " << *revoke_id << " revoked\n";
    return kOk;
  };
}

struct RoleOptions {
  StateOptions state;
  std::string subject, role, output = "text";
};

CommandAction add_role(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("role", "Bind roles to subjects per namespace (-n '*' for every namespace)");
  cmd->require_subcommand(1);
  cmd->footer("Every role subcommand takes --state DIR and -n/--namespace NS.");
  auto bind = std::make_shared<RoleOptions>();
  CLI::App* b = cmd->add_subcommand("bind", "Give SUBJECT a ROLE in the namespace");
  b->add_option("subject", bind->subject, "Subject")->required();
  b->add_option("role", bind->role, "viewer, submitter, author or admin")->required();
  add_state_options(*b, bind->state);
  auto unbind = std::make_shared<RoleOptions>();
  CLI::App* u = cmd->add_subcommand("unbind", "Remove SUBJECT's role in the namespace");
  u->add_option("subject", unbind->subject, "Subject")->required();
  add_state_options(*u, unbind->state);
  auto list = std::make_shared<RoleOptions>();
  CLI::App* l = cmd->add_subcommand("list", "List role bindings");
  add_state_options(*l, list->state);
  add_output_option(*l, list->output, "text,json", "text");

  return [=]() -> int {
    if (b->parsed()) {
      if (!server::parse_role(bind->role)) {
        std::cerr << "rampart role bind: unknown role \"" << printable(bind->role, 40)
                  << "\" (viewer, submitter, author, admin)\n";
        return kUsage;
      }
      if (!server::is_valid_subject(bind->subject)) {
        std::cerr << "rampart role bind: invalid subject (1 to 128 letters, digits or . _ @ + -)\n";
        return kUsage;
      }
      if (!server::is_valid_binding_namespace(bind->state.namespace_)) {
        std::cerr << "rampart role bind: invalid namespace \"" << printable(bind->state.namespace_, 64)
                  << "\" (a Kubernetes namespace name, or '*' for every namespace)\n";
        return kUsage;
      }
      Access access(bind->state);
      access.db->put_binding({bind->subject, bind->state.namespace_, bind->role});
      access.record("role bind", bind->subject + " " + bind->role + " " + bind->state.namespace_);
      std::cerr << bind->subject << " is " << bind->role << " in "
                << (bind->state.namespace_ == "*" ? "every namespace" : bind->state.namespace_)
                << " (a running server sees it within a second)\n";
      return kOk;
    }
    if (u->parsed()) {
      Access access(unbind->state);
      if (!access.db->delete_binding(unbind->subject, unbind->state.namespace_)) {
        std::cerr << "rampart role unbind: " << printable(unbind->subject, 128) << " has no role in "
                  << printable(unbind->state.namespace_, 64) << "\n";
        return kFailed;
      }
      access.record("role unbind", unbind->subject + " " + unbind->state.namespace_);
      return kOk;
    }
    Access access(list->state);
    auto all = access.db->list_bindings();
    if (list->output == "json") {
      Json out = Json::array();
      for (const auto& x : all) out.push_back({{"subject", x.subject}, {"namespace", x.namespace_}, {"role", x.role}});
      std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
      return kOk;
    }
    std::cout << std::left << std::setw(24) << "SUBJECT" << std::setw(24) << "NAMESPACE"
              << "ROLE\n";
    for (const auto& x : all) {
      std::cout << std::setw(24) << printable(x.subject, 23) << std::setw(24) << printable(x.namespace_, 23) << x.role
                << "\n";
    }
    return kOk;
  };
}

struct AuditOptions {
  StateOptions state;
  std::string since;
  int64_t limit = 1000;
  std::string output = "text";
};

// "1h" / "7d" (ago) or an RFC 3339 time: "2026-11-28T10:00:00Z", with optional fraction and a
// "Z" or "+hh:mm" offset ("2026-11-28" alone means its midnight UTC). Unix ms, or -1.
int64_t parse_since(const std::string& text, int64_t now) {
  if (text.empty()) return 0;
  if (text.size() >= 10 && text[4] == '-') {
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, text.size() == 10 ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) return -1;
    int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
    std::string rest;
    std::getline(in, rest);
    size_t pos = 0;
    if (pos < rest.size() && rest[pos] == '.') {
      size_t start = ++pos;
      while (pos < rest.size() && std::isdigit(static_cast<unsigned char>(rest[pos]))) ++pos;
      if (pos == start) return -1;
      std::string fraction = (rest.substr(start, pos - start) + "00").substr(0, 3);
      ms += std::stoi(fraction);
    }
    if (text.size() == 10 && rest.empty()) return ms;
    if (rest.substr(pos) == "Z" || rest.substr(pos) == "z") return ms;
    std::string offset = rest.substr(pos);
    if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && offset[3] == ':' &&
        std::isdigit(static_cast<unsigned char>(offset[1])) && std::isdigit(static_cast<unsigned char>(offset[2])) &&
        std::isdigit(static_cast<unsigned char>(offset[4])) && std::isdigit(static_cast<unsigned char>(offset[5]))) {
      int64_t minutes = std::stoi(offset.substr(1, 2)) * 60 + std::stoi(offset.substr(4, 2));
      return ms - (offset[0] == '+' ? 1 : -1) * minutes * 60'000;
    }
    return -1;
  }
  int64_t seconds = parse_ttl(text);
  if (seconds < 0) return -1;
  return std::max<int64_t>(0, now - seconds * 1000);
}

CommandAction add_audit(CLI::App& app) {
  auto o = std::make_shared<AuditOptions>();
  CLI::App* cmd = app.add_subcommand("audit", "Show the audit log: state changes and denied requests");
  cmd->add_option("--since", o->since,
                  "Only records after this: a duration ago (1h, 7d) or a time (2026-11-28T10:00:00Z)");
  cmd->add_option("--limit", o->limit, "At most this many (newest)")->capture_default_str();
  cmd->add_option("--state", o->state.state_dir, "State directory");
  add_output_option(*cmd, o->output, "text,json", "text");
  return [o]() -> int {
    int64_t since = parse_since(o->since, now_ms());
    if (since < 0) {
      std::cerr << "rampart audit: invalid --since \"" << printable(o->since, 40)
                << "\" (e.g. 1h, 7d, 2026-11-28T10:00:00Z)\n";
      return kUsage;
    }
    Access access(o->state);
    auto records = access.db->audit_since(since, o->limit);
    if (o->output == "json") {
      Json out = Json::array();
      for (const auto& r : records) {
        Json record = server::AuditLog::to_json(r);  // the shape of audit.jsonl, plus seq
        record["seq"] = r.seq;
        out.push_back(std::move(record));
      }
      std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
      return kOk;
    }
    // 20 + 1 + 13 + 1 + 6 + 1 + 3 + 1 + 15 + 1 + 38 = 100 columns at most.
    std::cout << std::left << std::setw(21) << "TIME" << std::setw(14) << "SUBJECT" << std::setw(7) << "METHOD"
              << std::setw(4) << "ST" << std::setw(16) << "DECISION"
              << "ROUTE OBJECT\n";
    for (const auto& r : records) {
      std::cout << std::setw(21) << engine::format_time(r.time_ms) << std::setw(14)
                << (r.subject.empty() ? "-" : printable(r.subject, 13)) << std::setw(7) << printable(r.method, 6)
                << std::setw(4) << (r.status ? std::to_string(r.status) : "-") << std::setw(16)
                << printable(r.decision, 15) << printable(r.route + " " + r.object, 38) << "\n";
    }
    return kOk;
  };
}

}  // namespace

CommandAction add_token_command(CLI::App& app) { return add_token(app); }
CommandAction add_role_command(CLI::App& app) { return add_role(app); }
CommandAction add_audit_command(CLI::App& app) { return add_audit(app); }

}  // namespace rampart::cli
