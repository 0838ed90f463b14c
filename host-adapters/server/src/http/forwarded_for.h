// Which client a trusted reverse proxy forwards for, from the standard Forwarded header (RFC 7239)
// or the older X-Forwarded-For.
#pragma once

#include <string>

#include "auth/trusted_proxies.h"
#include "http/http_message.h"

namespace kring::server {

// The rightmost forwarded address that is not itself a trusted proxy (entries left of it are the
// client's to forge), normalised ("::ffff:10.0.0.1" is "10.0.0.1"). Forwarded's for= values are
// read when the request has one, X-Forwarded-For's entries otherwise; a port is dropped. `proxy`
// (the peer) when every entry is trusted, or when the first untrusted one is no address at all
// ("unknown", an obfuscated name, garbage). Call it only for a peer that is a trusted proxy.
std::string forwardedClient(const HttpRequest& request, const TrustedProxies& proxies, const std::string& proxy);

}  // namespace kring::server
