// Undo files: `pg-flux migrate generate --generate-undo` writes NAME.undo.sql
// beside NAME.sql, the best-effort reverse of the forward migration, planned
// by diffing in the other direction (flux-diff --reverse: from the forward
// file's target state back to its baseline state). What the undo cannot bring
// back is marked, never left out: each forward step that loses data (a
// DATA_LOSS hazard: a dropped column or table comes back empty) gives an
// IRREVERSIBLE hazard on the undo step that recreates the object (or, when no
// step does, on the file's header), and an undo step that removes enum values
// the forward migration added (PostgreSQL recreates the type; rows holding
// them make the undo fail) is IRREVERSIBLE too.
#pragma once

#include <string>
#include <vector>

#include "diff/plan.h"

namespace pgflux {

inline constexpr const char* k_hazard_irreversible = "IRREVERSIBLE";

struct UndoHeader {
    std::string forward_name;  // NAME.sql, the file this one undoes
    // Forward steps whose loss no undo step stands for: "summary: message".
    std::vector<std::string> irreversible;
};

// Adds the IRREVERSIBLE hazards to `undo` (the classified reverse plan) for
// what `forward` (the classified forward plan) destroys; returns the header
// of the undo file.
UndoHeader mark_irreversible(Plan& undo, const Plan& forward, const std::string& forward_name);

}  // namespace pgflux
