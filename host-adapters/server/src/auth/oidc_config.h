// The sites file's "oidc" object (oidc_settings.h), read as strictly as the rest of the file:
// unknown fields, a missing issuer or audience, other than exactly one key source, a JWKS address
// that is not https:// are refused, naming the field.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "auth/oidc_settings.h"

namespace kring::server {

// `path` is the object's own ("sites[0].oidc"); the problem starts with the field's path.
std::optional<std::string> readOidcSettings(const boost::json::value& value, const std::string& path,
                                            OidcSettings& out);

}  // namespace kring::server
