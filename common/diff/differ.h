// flux-diff's engine: compares a live model with a desired one and returns
// the ordered steps that turn the first into the second.
//
// Step order (phases): drop foreign keys; drop other constraints and
// indexes; detach (identities and defaults that use what is going away);
// drop sequences; create/alter schemas, extensions, collations, enums;
// create/alter sequences; create/alter tables; sequence ownership; create constraints and
// indexes; create foreign keys; drop tables; drop enums, collations,
// extensions and schemas. Within a phase, canonical object order.
#pragma once

#include "diff/plan.h"
#include "model/model.h"

namespace pgflux {

struct DiffOptions {
    // verify: the live database may hold more than the source (extra objects,
    // columns, enum values, comments); only missing or different things count.
    bool verify = false;
};

Plan diff_models(const Model& live, const Model& desired, const DiffOptions& options = {});

// Whether the source pins an extension's version (else any version will do).
bool version_pinned(const Object& extension);

// True when the desired model's expressions came from the parse tree alone
// (no shadow database), so they are compared loosely.
bool parsed_without_shadow(const Model& model);

}  // namespace pgflux
