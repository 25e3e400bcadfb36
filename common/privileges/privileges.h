// Owners and privileges: the ACL attributes every ownable object carries.
//
// An object's `owner` is a role name. Its `acl` is its effective access
// control list *relative to its owner* (PostgreSQL moves the owner's own
// privileges to a new owner, so they are kept under the key "owner"), and is
// absent when it equals the default PostgreSQL gives a new object of its kind
// (the owner holds everything; PUBLIC may EXECUTE functions and use types).
// Both sides normalise the same way, so the same privileges written
// differently compare equal. Column privileges are the table's `column_acl`
// (column -> ACL; a column's default is no privileges at all).
//
// JSON form of an ACL: {"owner": [...], "public": [...], "roles": {"r": [...]}}
// where each list holds privilege keywords ("SELECT") or, with the grant
// option, "SELECT WITH GRANT OPTION"; absent keys hold nothing.
#pragma once

#include <map>
#include <set>
#include <tuple>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"

namespace pgflux {

class JsonField;

// What kind of object an ACL is on: decides the privileges ALL stands for
// and the default ACL.
enum class AclClass { relation, sequence, routine, schema, type, column, foreign };

// The ACL class of a kind; nullopt for kinds without privileges.
std::optional<AclClass> acl_class(Kind kind);
// Kinds that have an owner (ALTER ... OWNER TO).
bool has_owner(Kind kind);
// The privileges GRANT ALL stands for, in canonical order.
const std::vector<std::string>& all_privileges(AclClass c);

struct Grantee {
    enum class Type { owner, public_role, role };
    Type type = Type::role;
    std::string role;  // Type::role

    bool operator<(const Grantee& o) const { return std::tie(type, role) < std::tie(o.type, o.role); }
    bool operator==(const Grantee& o) const { return type == o.type && role == o.role; }
};

// Grantee -> privilege -> with grant option.
using Acl = std::map<Grantee, std::map<std::string, bool>>;

Acl acl_from_json(const json& acl);
json acl_to_json(const Acl& acl, AclClass c);
// The ACL a new object of the class gets (without default privileges).
Acl default_acl(AclClass c);

void grant_privileges(Acl& acl, const Grantee& to, const std::vector<std::string>& privileges, bool with_grant_option);
// `grant_option_only`: REVOKE GRANT OPTION FOR (the privilege itself stays).
void revoke_privileges(Acl& acl, const Grantee& from, const std::vector<std::string>& privileges, bool grant_option_only);

// One GRANT or REVOKE that is part of turning one ACL into another.
struct AclChange {
    bool grant = true;
    Grantee grantee;
    std::vector<std::string> privileges;
    bool grant_option = false;  // GRANT ... WITH GRANT OPTION / REVOKE GRANT OPTION FOR
};
// The statements that turn `from` into `to`: per grantee, revokes first.
std::vector<AclChange> acl_changes(const Acl& from, const Acl& to, AclClass c);

// The object's ACL as the model holds it (its default when absent).
Acl object_acl(const Object& object);
// Stores `acl` as the object's attribute (removed when it is the default).
void set_object_acl(Object& object, const Acl& acl);

// Default privileges (Kind::default_privilege): the identity's signature is
// the object type they apply to.
inline constexpr const char* k_default_privilege_types[] = {"tables", "sequences", "functions", "types", "schemas"};
AclClass default_privilege_class(const std::string& object_type);
// The ACL PostgreSQL gives a new object of kind `kind` that role `creator`
// creates in `schema`, from the model's default privileges.
Acl initial_acl(const Model& model, Kind kind, const std::string& schema, const std::string& creator);
// The default ACL of a default-privileges object: the hard-wired one for
// entries for all schemas, nothing for entries of one schema.
Acl default_privileges_baseline(const ObjectId& id);

// Grants the ACLs name the owner's role in (written before the owner was
// known: GRANT ... TO postgres where postgres applies the migrations) become
// the owner's own. `owner`: the object's owner (default privileges: their role).
void fold_owner_grants(Object& object, const std::string& owner);

// Model document checks of `owner`, `acl` and `column_acl`.
void check_privilege_attributes(Kind kind, const JsonField& attributes);

// Every role the model names (owners, grantees, default-privilege roles,
// policy roles), with the first object that names it.
std::map<std::string, const Object*> roles_named(const Model& model);

}  // namespace pgflux
