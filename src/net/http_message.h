// Plain request/response values handed between the HTTP transport (http_server.cpp, the only
// place that knows Beast) and the handlers, so that handlers compile without Boost.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rampart::net {

struct HttpRequest {
  std::string method;                             // GET, POST, ...
  std::string target;                             // as sent: path and query
  std::string path;                               // percent-decoded path, without the query
  std::multimap<std::string, std::string> query;  // percent-decoded
  std::map<std::string, std::string> headers;     // names lower-cased; repeated headers joined by ", "
  std::string body;
  std::string client_address;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string query_value(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // Streaming responses (server-sent events, followed logs): when set, the body is sent with
  // chunked encoding. The transport calls `stream` with an empty string; it appends what is
  // ready and returns whether more may follow. Between calls the transport waits
  // `stream_interval_ms`. Called on a server thread: it must not block.
  std::function<bool(std::string& out)> stream;
  int64_t stream_interval_ms = 200;
};

// Splits "a=b&c=d" into decoded pairs; '+' is a space, as browsers and Go's url package send.
std::multimap<std::string, std::string> parse_query(const std::string& query);
// %XX decoding; false when an escape is malformed.
bool percent_decode(const std::string& in, std::string& out, bool plus_is_space);

}  // namespace rampart::net
