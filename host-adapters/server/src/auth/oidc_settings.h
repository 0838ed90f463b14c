// A site's OpenID Connect provider, from the sites file's "oidc" object (docs/auth.md, "OpenID
// Connect providers"): whose RS256/ES256 tokens the site takes, where their keys are, and how their
// claims become a member.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kring/types.h"

namespace kring::server {

struct OidcClaimMapping {
  std::string name = "name";  // the display name's claim; then preferred_username, then sub
  // Where the provider puts roles: a top-level claim (tried first, whole: URLs hold dots) or a
  // dotted path ("realm_access.roles"). Empty: every member is a member.
  std::string rolePath;
  // The provider's role → Kring's. Without it a value is taken when it is a Kring role's name.
  std::map<std::string, Role> roles;
};

struct OidcSettings {
  std::string issuer;    // iss must equal it exactly
  std::string audience;  // aud must be it, or an array holding it
  // Exactly one key source.
  std::string jwksUrl;                                // https:// (http:// only from allowHttpJwksFrom)
  std::string jwksFile;                               // a JWKS document on disk
  std::map<std::string, std::string> publicKeyFiles;  // kid → PEM public key file
  std::vector<std::string> allowHttpJwksFrom;         // hosts whose JWKS may come over plain http (tests)
  OidcClaimMapping claims;
};

}  // namespace kring::server
