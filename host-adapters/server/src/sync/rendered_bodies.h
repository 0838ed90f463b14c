// The HTML of the post text an Events message or a snapshot carries (docs/protocol.md): derived
// from exactly what that client is sent, so nothing reaches it through the HTML that its projection
// did not already hold.
#pragma once

#include <string>
#include <vector>

#include "kring/outcome.h"
#include "kring/records.h"
#include "kring/sync.h"

namespace kring::server {

std::vector<RenderedBody> renderedBodies(const std::vector<Event>& events);
std::vector<RenderedBody> renderedBodies(const std::vector<PostRecord>& posts);

}  // namespace kring::server
