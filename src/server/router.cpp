#include "server/router.h"
#include "common/clock.h"

#include <strings.h>

#include <chrono>

#include <sodium.h>

#include "common/object_names.h"
#include "common/secret_masker.h"

namespace rampart::server {

namespace {

// How often a long-lived stream re-checks the credentials it was opened with.
constexpr int64_t kStreamRecheckMs = 2000;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string bearer_token(const net::HttpRequest& request) {
  std::string value = request.header("authorization");
  for (const char* scheme : {"Bearer ", "bearer "}) {
    if (value.rfind(scheme, 0) == 0) {
      std::string token = value.substr(7);
      // Argo's CLI accepts ARGO_TOKEN="Bearer v2:..."; rampart tokens have no such prefix.
      while (!token.empty() && token.front() == ' ') token.erase(0, 1);
      return token;
    }
  }
  return {};
}

// Secret values given to the server are replaced, in every form (SecretMasker), wherever they
// appear in a response. JSON, a whole body or one document per line (streams, after an optional
// "data: "), is masked string by string, so that masking never breaks a document (a short value
// is masked as a token, and a token may be a number); any other text is masked as text.
std::string redact(std::string text, const SecretMasker& masker) {
  if (masker.empty()) return text;
  std::string masked = masker.mask(text);
  if (masked == text) return text;  // nothing secret: the response goes as it was built
  auto dump = [](const Json& doc) { return doc.dump(-1, ' ', false, Json::error_handler_t::replace); };
  Json whole = Json::parse(text, nullptr, false);
  if (!whole.is_discarded()) {
    masker.mask_json(whole);
    return dump(whole);
  }
  std::string out;
  bool any_json = false;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    size_t stop = end == std::string::npos ? text.size() : end;
    std::string_view line(text.data() + start, stop - start);
    std::string_view prefix = line.substr(0, line.rfind("data: ", 0) == 0 ? 6 : 0);
    Json doc = line.size() > prefix.size() ? Json::parse(line.substr(prefix.size()), nullptr, false)
                                           : Json(Json::value_t::discarded);
    if (doc.is_discarded()) {
      out += masker.mask(line);
    } else {
      any_json = true;
      masker.mask_json(doc);
      out += std::string(prefix) + dump(doc);
    }
    if (end != std::string::npos) out += '\n';
    start = stop + 1;
  }
  return any_json ? out : masked;
}

}  // namespace

bool is_valid_object_name(const std::string& name) { return check_dns1123_subdomain(name).empty(); }

Router::Router(ApiContext& api, TokenService& tokens, AuditLog& audit, FailureLimiter& limiter, SessionLimits sessions)
    : api_(api), sessions_(sessions), tokens_(tokens), audit_(audit), limiter_(limiter) {
  add_session_routes();
}

std::string Router::address_key(const std::string& address) { return "addr:" + address; }

std::string Router::token_key(const std::string& address, const std::string& token) {
  return "token:" + address + "/" + TokenService::token_id_of(token);
}

void Router::add_session_routes() {
  // Log in: trade a bearer token for a session cookie (the dashboard then forgets the token).
  add({"POST", "/api/v1/session", Role::Viewer, Scope::Any, [this](Call& call) {
         if (call.via_session) throw ApiError(400, "already in a session; log in with a bearer token");
         std::string csrf;
         std::string cookie;
         try {
           cookie = sessions_.create(call.subject.name, *call.bearer, now_ms(), &csrf);
         } catch (const SessionStoreFull& e) {
           throw ApiError(429, e.what());
         }
         HttpResponse r = json_response({{"subject", call.subject.name}, {"csrfToken", csrf}});
         r.headers.emplace_back("Set-Cookie", std::string(SessionStore::kCookie) + "=" + cookie +
                                                  "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
                                                  std::to_string(SessionStore::kLifetimeMs / 1000));
         return r;
       }});
  add({"GET", "/api/v1/session", Role::Viewer, Scope::Any, [this](Call& call) {
         if (!call.via_session) throw ApiError(404, "no session");
         auto session = sessions_.find(SessionStore::cookie_from_header(call.request.header("cookie")), now_ms());
         if (!session) throw ApiError(404, "no session");
         return json_response({{"subject", call.subject.name}, {"csrfToken", session->csrf}});
       }});
  add({"DELETE", "/api/v1/session", Role::Viewer, Scope::Any, [this](Call& call) {
         sessions_.remove(SessionStore::cookie_from_header(call.request.header("cookie")));
         HttpResponse r = json_response(Json::object());
         r.headers.emplace_back("Set-Cookie", std::string(SessionStore::kCookie) +
                                                  "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
         return r;
       }});
}

void Router::add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::match(const std::string& method, const std::string& path, Params& params, bool& path_known) const {
  auto parts = split_path(path);
  path_known = false;
  for (const auto& route : routes_) {
    auto pattern = split_path(route.pattern);
    if (pattern.size() != parts.size()) continue;
    Params found;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        found[p.substr(1, p.size() - 2)] = parts[i];
      } else {
        ok = p == parts[i];
      }
    }
    if (!ok) continue;
    path_known = true;
    if (route.method != method) continue;
    params = std::move(found);
    return &route;
  }
  return nullptr;
}

HttpResponse Router::handle(net::HttpRequest& request) {
  store::AuditRecord audit;
  audit.time_ms = now_ms();
  audit.source = request.client_address;
  audit.method = request.method;
  audit.route = request.path.substr(0, 200);
  HttpResponse response = dispatch(request, audit);
  if (request.method != "GET") bump_write_generation();
  if (api_.masker && !api_.masker->empty()) {
    response.body = redact(std::move(response.body), *api_.masker);
    if (response.stream) {
      // Each poll of a stream produces whole lines (log lines, events): masked as they go.
      response.stream = [inner = std::move(response.stream), masker = api_.masker](std::string& out) {
        bool more = inner(out);
        out = redact(std::move(out), *masker);
        return more;
      };
    }
  }
  // Whatever a handler set, nothing the API answers may be stored by a browser or a proxy.
  std::erase_if(response.headers, [](const auto& header) {
    return strcasecmp(header.first.c_str(), "Cache-Control") == 0 || strcasecmp(header.first.c_str(), "Pragma") == 0;
  });
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Pragma", "no-cache");
  audit.status = response.status;
  bool changes_state = request.method != "GET" && request.method != "HEAD" && request.method != "OPTIONS";
  if (audit.decision.empty()) audit.decision = response.status < 400 ? "allowed" : "failed";
  if (changes_state || (audit.decision != "allowed" && audit.decision != "failed")) audit_.append(audit);
  return response;
}

HttpResponse Router::dispatch(net::HttpRequest& request, store::AuditRecord& audit) {
  int64_t now = audit.time_ms;
  std::string token = bearer_token(request);
  bool via_session = false;
  if (token.empty()) {
    // A browser session: the cookie stands for a token, and writes must prove they come from
    // the dashboard's own pages (SameSite=Strict already blocks most cross-site requests).
    std::string cookie = SessionStore::cookie_from_header(request.header("cookie"));
    if (!cookie.empty()) {
      auto session = sessions_.find(cookie, now);
      if (!session) {
        audit.decision = "unauthenticated";
        return error_response(401, "session expired; log in again");
      }
      token = session->token;
      via_session = true;
      bool reading = request.method == "GET" || request.method == "HEAD";
      std::string csrf = request.header("x-csrf-token");
      if (!reading &&
          (csrf.size() != session->csrf.size() || sodium_memcmp(csrf.data(), session->csrf.data(), csrf.size()) != 0)) {
        audit.decision = "denied";
        return error_response(403, "CSRF token missing or wrong (send X-CSRF-Token)");
      }
    }
  }
  if (token.empty()) {
    // Nothing was guessed, so nothing to throttle: every route answers 401 alike.
    audit.decision = "unauthenticated";
    return error_response(401, "authentication required: send Authorization: Bearer <token>");
  }
  // Guessing is throttled per address, and per token id only as guessed from this address: the
  // id is not secret, and counting it alone would let anyone lock its owner out.
  std::string by_address = address_key(request.client_address);
  std::string by_token = token_key(request.client_address, token);
  if (!limiter_.allowed(by_address, now) || !limiter_.allowed(by_token, now)) {
    audit.decision = "rate-limited";
    const FailureLimits& limits = limiter_.limits();
    std::string lockout = std::to_string((limits.lockout_ms + 999) / 1000);
    HttpResponse r =
        error_response(429, "too many failed token checks from this address (" + std::to_string(limits.max_failures) +
                                " within " + std::to_string(limits.window_ms / 1000) +
                                " s, rampart server --auth-failure-limit); try again in " + lockout + " s");
    r.headers.emplace_back("Retry-After", lockout);
    return r;
  }
  auto subject = tokens_.authenticate(token, now);
  if (!subject) {
    limiter_.record_failure(by_address, now);
    limiter_.record_failure(by_token, now);
    audit.decision = "unauthenticated";
    // The same answer for unknown, expired and revoked tokens: nothing to learn from it.
    return error_response(401, "token not valid");
  }
  audit.subject = subject->name;

  Params params;
  bool path_known = false;
  const Route* route = match(request.method, request.path, params, path_known);
  if (!route) {
    if (path_known) return error_response(405, "method " + request.method.substr(0, 16) + " not allowed here");
    return error_response(404, "no such API path");
  }
  audit.route = route->pattern;
  for (const auto& [key, value] : params) {
    if (key == "namespace" && value.empty() && route->scope == Scope::Listing) continue;
    if (!is_valid_object_name(value)) {
      return error_response(400, key + " is not a valid name (lower-case letters, digits, '-' and '.')");
    }
  }

  // Authorization. A namespace the caller holds no role in is reported as not found, so that
  // its existence is not revealed.
  const std::string& ns = params.count("namespace") ? params.at("namespace") : std::string();
  switch (route->scope) {
    case Scope::Namespaced:
      if (subject->role_in(ns) == Role::None) {
        audit.decision = "denied";
        audit.object = ns;
        return error_response(404, "namespace \"" + ns + "\" not found");
      }
      if (!subject->can(ns, route->role)) {
        audit.decision = "denied";
        audit.object = ns;
        return error_response(403, "permission denied: " + std::string(role_name(route->role)) +
                                       " role needed in namespace \"" + ns + "\"");
      }
      break;
    case Scope::Listing:
      if (!ns.empty() && subject->role_in(ns) == Role::None) {
        audit.decision = "denied";
        audit.object = ns;
        return error_response(404, "namespace \"" + ns + "\" not found");
      }
      break;
    case Scope::Cluster: {
      bool reading = request.method == "GET";
      bool anywhere = subject->all_namespaces() || !subject->namespaces().empty();
      if (reading ? !anywhere : !subject->can("*", route->role)) {
        audit.decision = "denied";
        return error_response(
            403, "permission denied: " + std::string(role_name(route->role)) + " role needed in every namespace");
      }
      break;
    }
    case Scope::Any:
      if (!subject->all_namespaces() && subject->namespaces().empty()) {
        audit.decision = "denied";
        return error_response(403, "permission denied: no role in any namespace");
      }
      break;
  }

  std::string object;
  Call call{api_, request, params, *subject, object, &token, via_session};
  HttpResponse response;
  try {
    response = route->handler(call);
  } catch (const ApiError& e) {
    response = error_response(e.status, e.what());
  } catch (const std::invalid_argument& e) {
    response = error_response(400, e.what());
  }
  if (response.stream) {
    // A stream outlives the request that was authorized: it ends once the token is revoked or
    // expires, the session ends, or the caller loses the role the route needs.
    auto inner = std::move(response.stream);
    auto last_check = std::make_shared<int64_t>(now);
    std::string cookie = via_session ? SessionStore::cookie_from_header(request.header("cookie")) : std::string();
    Role needed = route->role;
    std::string stream_ns = route->scope == Scope::Namespaced ? ns : std::string();
    response.stream = [this, inner = std::move(inner), last_check, token, cookie, needed, stream_ns](std::string& out) {
      int64_t t = now_ms();
      if (t - *last_check >= kStreamRecheckMs) {
        *last_check = t;
        if (!cookie.empty() && !sessions_.find(cookie, t)) return false;
        auto current = tokens_.authenticate(token, t);
        if (!current || (!stream_ns.empty() && !current->can(stream_ns, needed))) return false;
      }
      return inner(out);
    };
  }
  if (response.status == 403) audit.decision = "denied";  // e.g. the admission policy said no
  audit.object = object.empty() ? (params.count("name") ? ns + "/" + params.at("name") : ns) : object;
  return response;
}

}  // namespace rampart::server
