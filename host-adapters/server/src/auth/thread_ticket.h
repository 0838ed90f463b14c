// A host's approval of one thread (docs/protocol.md "Thread tickets"): HS256 over the site, the
// thread's key, kind and title, with the site's token secret. A widget sends it with its
// CreateThread; the server marks the op hostApproved only when the ticket names exactly that op.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kring/op.h"
#include "kring/reason.h"

namespace kring::server {

inline constexpr std::size_t kMaxTicketBytes = 4096;

// Ok when the ticket is good for `thread` on `site` at `nowSeconds`; otherwise bad_thread_ticket and why.
// exp (seconds) is optional: a ticket can only ever create the one thread it names.
Status checkThreadTicket(std::string_view ticket, std::string_view secret, std::string_view site,
                         const CreateThread& thread, std::int64_t nowSeconds);

// The ticket checkThreadTicket accepts; for tests and the demo (hosts sign their own).
// expiresAt 0: none. Empty when the secret is empty.
std::string signThreadTicket(std::string_view site, const CreateThread& thread, std::string_view secret,
                             std::int64_t expiresAt = 0);

}  // namespace kring::server
