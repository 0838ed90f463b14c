// `kring-server import --dry-run`: what importing a Disqus or WordPress export would bring in, printed
// before anything is written (docs/import.md, "The dry run"): each page's thread key, the counts by
// state, and every problem. Writing the records as the core's ops is still to come, so the command
// refuses to run without --dry-run.
#pragma once

#include <optional>

namespace kring::server {

// The exit status when argv[1] is "import"; nullopt for any other command.
std::optional<int> runImportCommand(int argc, char** argv);

}  // namespace kring::server
