// Kubernetes' rules for names, one implementation for every layer: the spec checks them at parse
// time (lint), the server at the API, and the engine and stores again before any name becomes a
// path or a key. Each check returns "" when the value is valid, else a message for people that
// names the rule ("must be a DNS-1123 label: ...") without repeating hostile input at length.
#pragma once

#include <string>
#include <string_view>

namespace rampart {

// Namespaces, volume names, container names: at most 63 characters of a-z, 0-9 and '-',
// starting and ending with a letter or digit.
std::string check_dns1123_label(std::string_view value);

// Object names (workflows, templates, claims, ConfigMaps, Secrets): at most 253 characters of
// DNS-1123 labels joined by '.'.
std::string check_dns1123_subdomain(std::string_view value);

// metadata.generateName: a prefix that, with 5 random characters appended, is a valid object
// name (so it may end in '-').
std::string check_generate_name(std::string_view value);

// Label and annotation keys: [prefix/]name, the prefix a DNS-1123 subdomain, the name at most 63
// characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
std::string check_qualified_name(std::string_view value);

// Label values: empty, or at most 63 characters like a qualified name's name part.
std::string check_label_value(std::string_view value);

// Keys of ConfigMap and Secret data (file names in their volumes): letters, digits, '-', '_'
// and '.', at most 253 characters, and not "." or "..".
std::string check_config_key(std::string_view value);

// Shortens `value` for quoting in a message (hostile names may be megabytes long).
std::string shown_name(std::string_view value);

}  // namespace rampart
