// Owners and privileges in a diff (privileges/privileges.h has the model side).
#pragma once

#include "diff/differ.h"
#include "model/model.h"

namespace pgflux {

// The desired model with every owner decided: an object the source names no
// owner for belongs to the default owner (the role applying migrations:
// DiffOptions::default_owner, else the role flux-snapshot connected as);
// with owners unmanaged each keeps its live owner. Default privileges
// declared without FOR ROLE become the default owner's, and a sequence owned
// by a column takes its table's owner. Fails when a role the model names does
// not exist in the live cluster.
Model resolve_owners(const Model& live, Model desired, const DiffOptions& options);

namespace diff {
class Differ;
// ALTER ... OWNER TO when the owner changes (`live` null: new, owned by the
// default owner).
void emit_owner(Differ& d, const Object* live, const Object& desired);
// ALTER ... OWNER TO and GRANT/REVOKE steps of an object (`live` null: new).
void emit_privileges(Differ& d, const Object* live, const Object& desired);
}  // namespace diff

}  // namespace pgflux
