// Renames: declared ones ("-- @renamed from=old" in the source, carried by
// the desired model's Object::renamed_from and renamed_columns) become
// ALTER ... RENAME steps that run before the rest of the plan, and the live
// model is renamed the same way so the rest of the diff compares the renamed
// objects with the desired ones. Undeclared ones are only suggested: a live
// object (or column) that goes while one of the same kind and definition
// comes is a rename candidate.
#pragma once

#include <string>
#include <vector>

#include "diff/plan.h"
#include "model/model.h"

namespace pgflux {

struct Renaming {
    Model live;                      // the live model once the renames ran
    std::vector<Step> steps;         // in the order they run, before everything else
    std::vector<std::string> notes;  // declared renames that were not applied, and why
};

// The declared renames whose old name the live model still has (and whose
// new name it does not). A table renamed this way takes along its
// constraints, indexes and sequences whose names change with the table's
// (users_pkey -> members_pkey) while their definitions stay the same.
Renaming declared_renames(const Model& live, const Model& desired);

// Whether the desired model declares any rename. Without one, the renamed
// live model is the live model: callers use it as it is instead of copying it.
bool declares_renames(const Model& desired);

// A live object or column dropped while a desired one of the same kind and
// definition (all but the name) is created.
struct RenameCandidate {
    ObjectId from;                       // the live object (a table for a column)
    ObjectId to;                         // the desired object (the same table for a column)
    std::string column_from, column_to;  // set for a column
    std::string question;                // "rename column users.email to email_address"
    std::string note;                    // what looks renamed and the declaration that would rename it
};
// Candidates once the declared renames ran; each pairing is unambiguous.
std::vector<RenameCandidate> rename_candidates(const Model& live, const Model& desired);
// Declares the candidate's rename in `desired`, as "-- @renamed" does.
void declare_rename(Model& desired, const RenameCandidate& candidate);

}  // namespace pgflux
