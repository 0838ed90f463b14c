#include "auth/oidc_config.h"

#include "auth/json_fields.h"
#include "auth/jwks_fetch.h"
#include "kring/names.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

namespace kring::server {

namespace json = boost::json;

namespace {

using Problem = FieldProblem;

Problem at(const std::string& path, std::string_view problem) { return fieldProblem(path, problem); }

Problem readText(const json::value& value, const std::string& path, std::string& out) {
  if (!value.is_string()) return at(path, "must be a string");
  out = fieldView(value.get_string());
  if (out.empty() || out.size() > 2000 ||
      std::any_of(out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return at(path, "must be one line of 1 to 2000 bytes");
  }
  return std::nullopt;
}

Problem readClaims(const json::value& value, const std::string& path, OidcClaimMapping& out) {
  if (!value.is_object()) return at(path, "must be an object");
  const json::object& object = value.get_object();
  if (Problem error = onlyKnownFields(object, path, {"name", "rolePath", "roles"})) {
    return error;
  }
  if (const json::value* name = object.if_contains("name")) {
    if (Problem error = readText(*name, path + ".name", out.name)) return error;
  }
  if (const json::value* rolePath = object.if_contains("rolePath")) {
    if (Problem error = readText(*rolePath, path + ".rolePath", out.rolePath)) return error;
  }
  if (const json::value* roles = object.if_contains("roles")) {
    if (!roles->is_object()) return at(path + ".roles", "must be an object of the provider's role → Kring's");
    for (const auto& [key, role] : roles->get_object()) {
      const std::string field = path + ".roles." + std::string(fieldView(key));
      std::optional<Role> parsed = role.is_string() ? parseRole(fieldView(role.get_string())) : std::nullopt;
      if (!parsed) return at(field, "must be \"member\", \"moderator\", \"staff\" or \"admin\"");
      out.roles.emplace(std::string(fieldView(key)), *parsed);
    }
    if (out.rolePath.empty()) return at(path + ".roles", "needs rolePath: where the token holds its roles");
  }
  return std::nullopt;
}

Problem readKeySources(const json::object& object, const std::string& path, OidcSettings& out) {
  if (const json::value* hosts = object.if_contains("allowHttpJwksFrom")) {
    const std::string field = path + ".allowHttpJwksFrom";
    if (!hosts->is_array()) return at(field, "must be an array of host names or addresses");
    for (std::size_t i = 0; i < hosts->get_array().size(); ++i) {
      std::string host;
      if (Problem error = readText(hosts->get_array()[i], field + "[" + std::to_string(i) + "]", host)) return error;
      out.allowHttpJwksFrom.push_back(urlHost("http://" + host));
    }
  }
  const int sources =
      int(object.contains("jwksUrl")) + int(object.contains("jwksFile")) + int(object.contains("publicKeyFiles"));
  if (sources != 1) return at(path, "needs exactly one of jwksUrl, jwksFile and publicKeyFiles");
  if (const json::value* url = object.if_contains("jwksUrl")) {
    if (Problem error = readText(*url, path + ".jwksUrl", out.jwksUrl)) return error;
    if (!jwksUrlAllowed(out.jwksUrl, out.allowHttpJwksFrom)) {
      return at(path + ".jwksUrl", "must be an https:// address (http:// only from a host in allowHttpJwksFrom)");
    }
  }
  if (const json::value* file = object.if_contains("jwksFile")) {
    if (Problem error = readText(*file, path + ".jwksFile", out.jwksFile)) return error;
  }
  if (const json::value* files = object.if_contains("publicKeyFiles")) {
    const std::string field = path + ".publicKeyFiles";
    if (!files->is_object() || files->get_object().empty()) {
      return at(field, "must be an object of kid → PEM file, with at least one key");
    }
    for (const auto& [kid, file] : files->get_object()) {
      std::string name;
      if (Problem error = readText(file, field + "." + std::string(fieldView(kid)), name)) return error;
      out.publicKeyFiles.emplace(std::string(fieldView(kid)), std::move(name));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> readOidcSettings(const json::value& value, const std::string& path, OidcSettings& out) {
  if (!value.is_object()) return at(path, "must be an object");
  const json::object& object = value.get_object();
  if (Problem error = onlyKnownFields(
          object, path,
          {"issuer", "audience", "jwksUrl", "jwksFile", "publicKeyFiles", "allowHttpJwksFrom", "claims"})) {
    return error;
  }
  for (auto [name, field] :
       {std::pair{"issuer", &OidcSettings::issuer}, std::pair{"audience", &OidcSettings::audience}}) {
    const json::value* text = object.if_contains(name);
    if (text == nullptr) return at(path + "." + name, "missing");
    if (Problem error = readText(*text, path + "." + name, out.*field)) return error;
  }
  if (Problem error = readKeySources(object, path, out)) return error;
  if (const json::value* claims = object.if_contains("claims")) {
    if (Problem error = readClaims(*claims, path + ".claims", out.claims)) return error;
  }
  return std::nullopt;
}

}  // namespace kring::server
