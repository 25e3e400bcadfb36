// Progress on a terminal: one status line on stderr, redrawn in place, for
// work that takes long (apply's statements, the shadow load, the catalog
// read). Nothing at all is written when stderr is not a terminal (CI, pipes,
// files) or TERM is "dumb", so logs and captured output never hold it.
// note(), warn() and errors (util/cli.h) clear the line before they write.
#pragma once

#include <string>

namespace pgflux {

// Draws `line` (control characters shown as spaces, cut to the terminal's
// width), at most ten times a second unless `force`.
void show_progress(const std::string& line, bool force = false);

// Erases the line, if one is drawn.
void clear_progress();

}  // namespace pgflux
