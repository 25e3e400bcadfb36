// flux-diff's engine: compares a live model with a desired one and returns
// the ordered steps that turn the first into the second.
//
// The steps are ordered by their dependencies (diff/order.cpp).
#pragma once

#include "diff/plan.h"
#include "model/model.h"

namespace pgflux {

struct DiffOptions {
    // verify: the live database may hold more than the source (extra objects,
    // columns, enum values, comments); only missing or different things count.
    bool verify = false;
    // Owners and privileges are compared (off for loading a shadow database).
    bool privileges = true;
    // The owner of objects the source names none for: the role that applies
    // migrations. Empty: the role flux-snapshot connected as (the live
    // model's source.role).
    std::string default_owner;
    // Owners are left as they are: OWNER TO in the source is ignored and
    // every object keeps its live owner.
    bool owners_unmanaged = false;
    // The plan is written as schema files (a dump, flux-diff --from-nothing):
    // the default owner's default privileges are declared without FOR ROLE,
    // and its own privileges granted to CURRENT_USER, as schema files
    // declare the applying role's.
    bool as_schema_files = false;
};

Plan diff_models(const Model& live, Model desired, const DiffOptions& options = {});

// The reverse of diff_models(live, desired): the steps from the desired state
// (owners resolved as the forward diff resolves them) back to the live one,
// for undo files. Its baseline is the forward plan's target (unpinned
// extensions at their live version) and its target the forward plan's baseline.
Plan diff_models_reverse(const Model& live, const Model& desired, const DiffOptions& options = {});

// Whether the source pins an extension's version (else any version will do).
bool version_pinned(const Object& extension);

// True when the desired model's expressions came from the parse tree alone
// (no shadow database), so they are compared loosely.
bool parsed_without_shadow(const Model& model);

}  // namespace pgflux
