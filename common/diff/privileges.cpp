// Owners, privileges and default privileges in a diff: ALTER ... OWNER TO,
// GRANT and REVOKE after an object is created or when they changed, and the
// differ of ALTER DEFAULT PRIVILEGES entries.
#include "diff/privileges.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "kinds/kinds.h"
#include "privileges/privileges.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace diff {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

// How GRANT names the object: TABLE public.t, FUNCTION public.f(integer).
std::string grant_target(const ObjectId& id) {
    switch (id.kind) {
        case Kind::table:
        case Kind::foreign_table:
        case Kind::view:
        case Kind::materialized_view: return "TABLE " + id.sql_name();
        case Kind::aggregate: return "ROUTINE " + ddl::reference(id);
        case Kind::enumeration: return "TYPE " + id.sql_name();
        case Kind::server: return "FOREIGN SERVER " + id.sql_name();
        default: return std::string(kind_spec(id.kind).keyword) + " " + ddl::reference(id);
    }
}

// `owner`: the role holding the owner's privileges; empty when not known
// (two parsed models compared): the applying role then.
std::string grantee_sql(const Grantee& g, const std::string& owner) {
    switch (g.type) {
        case Grantee::Type::owner: return owner.empty() ? "CURRENT_USER" : quote_ident(owner);
        case Grantee::Type::public_role: return "PUBLIC";
        case Grantee::Type::role: return quote_ident(g.role);
    }
    return "PUBLIC";
}

// GRANT/REVOKE statements, `on` being what follows ON (with the column list
// already in `privilege_suffix` for columns).
std::vector<std::string> acl_statements(const Acl& from, const Acl& to, AclClass acl_class, const std::string& prefix,
                                        const std::string& on, const std::string& owner, const std::string& columns,
                                        bool verify) {
    std::vector<std::string> out;
    for (const AclChange& c : acl_changes(from, to, acl_class)) {
        if (verify && !c.grant) continue;  // verify: the database may hold more
        std::vector<std::string> privileges;
        for (const std::string& p : c.privileges) privileges.push_back(p + columns);
        std::string grantee = grantee_sql(c.grantee, owner);
        if (c.grant)
            out.push_back(prefix + "GRANT " + join(privileges) + " ON " + on + " TO " + grantee +
                          (c.grant_option ? " WITH GRANT OPTION" : "") + ";");
        else
            out.push_back(prefix + "REVOKE " + (c.grant_option ? "GRANT OPTION FOR " : "") + join(privileges) + " ON " +
                          on + " FROM " + grantee + ";");
    }
    return out;
}

std::string without_semicolon(const std::string& sql) { return sql.substr(0, sql.size() - 1); }

std::string owner_of(const Object& o) { return o.attrs.value("owner", ""); }

// --- default privileges -------------------------------------------------------

// `d`'s options decide whether the default owner's own are written FOR ROLE
// (migrations) or without it (a dump, as schema files declare them).
std::vector<std::string> default_privilege_statements(const Differ& d, const ObjectId& id, const Acl& from,
                                                      const Acl& to, bool verify) {
    std::string prefix = "ALTER DEFAULT PRIVILEGES " + id.sql_name() + " ";
    bool own = id.name.empty() || (d.options().as_schema_files && id.name == d.options().default_owner);
    if (own) prefix = "ALTER DEFAULT PRIVILEGES " + (id.schema.empty() ? "" : "IN SCHEMA " + quote_ident(id.schema) + " ");
    return acl_statements(from, to, default_privilege_class(id.signature), prefix, upper(id.signature),
                          own ? "" : id.name, "", verify);
}

void create_default_privilege(Differ& d, const Object& o) {
    bool first = true;
    for (const std::string& sql : default_privilege_statements(d, o.id, default_privileges_baseline(o.id), object_acl(o), false)) {
        if (first) d.create(o, sql, without_semicolon(sql));
        else d.alter(o.id, sql, without_semicolon(sql));
        first = false;
    }
}

void alter_default_privilege(Differ& d, const Object& l, const Object& o) {
    for (const std::string& sql : default_privilege_statements(d, o.id, object_acl(l), object_acl(o), d.verify()))
        d.alter(o.id, sql, without_semicolon(sql));
}

void drop_default_privilege(Differ& d, const Object& l) {
    for (const std::string& sql : default_privilege_statements(d, l.id, object_acl(l), default_privileges_baseline(l.id), false))
        d.drop(l, sql, without_semicolon(sql));
}

}  // namespace

void emit_owner(Differ& d, const Object* live, const Object& desired) {
    if (!d.options().privileges || !has_owner(desired.id.kind)) return;
    std::string owner = owner_of(desired);
    std::string live_owner = live ? owner_of(*live) : d.options().default_owner;
    if (owner.empty() || live_owner.empty() || owner == live_owner) return;
    std::string sql = "ALTER " + std::string(kind_spec(desired.id.kind).keyword) + " " + ddl::reference(desired.id) +
                      " OWNER TO " + quote_ident(owner) + ";";
    d.alter(desired.id, sql, without_semicolon(sql)).structural = true;
}

void emit_privileges(Differ& d, const Object* live, const Object& desired) {
    if (!d.options().privileges || !has_owner(desired.id.kind)) return;
    const std::string& creator = d.options().default_owner;
    std::string owner = owner_of(desired);
    // A sequence linked to a column follows its table's owner (ALTER TABLE
    // OWNER TO changes both, and PostgreSQL refuses to change it alone); a
    // new link gets its owner just before (sequences.cpp).
    if (desired.id.kind != Kind::sequence || !desired.attrs.contains("owned_by")) emit_owner(d, live, desired);
    auto c = acl_class(desired.id.kind);
    if (!c) return;
    // A new object starts with the default privileges of the role creating it.
    Acl from = live ? object_acl(*live) : initial_acl(d.desired(), desired.id.kind, desired.id.schema, creator);
    std::string on = grant_target(desired.id);
    // A dump names the applying role's own privileges as schema files do:
    // CURRENT_USER (its name is not known when the files are read).
    std::string grantee_owner = d.options().as_schema_files && owner == creator ? "" : owner;
    for (const std::string& sql : acl_statements(from, object_acl(desired), *c, "", on, grantee_owner, "", d.verify()))
        d.alter(desired.id, sql, without_semicolon(sql));
    json no_columns = json::object();
    const json& live_columns = live && live->attrs.contains("column_acl") ? live->attrs["column_acl"] : no_columns;
    const json& columns = desired.attrs.contains("column_acl") ? desired.attrs["column_acl"] : no_columns;
    std::set<std::string> names;
    for (auto it = live_columns.begin(); it != live_columns.end(); ++it) names.insert(it.key());
    for (auto it = columns.begin(); it != columns.end(); ++it) names.insert(it.key());
    for (const std::string& column : names) {
        bool kept = false;
        for (const json& dc : desired.attrs.value("columns", json::array())) kept = kept || dc.value("name", "") == column;
        if (!kept && !columns.contains(column)) continue;  // goes with its column
        Acl before = live_columns.contains(column) ? acl_from_json(live_columns[column]) : Acl{};
        Acl after = columns.contains(column) ? acl_from_json(columns[column]) : Acl{};
        for (const std::string& sql :
             acl_statements(before, after, AclClass::column, "", on, grantee_owner, " (" + quote_ident(column) + ")", d.verify()))
            d.alter(desired.id, sql, without_semicolon(sql));
    }
}

const KindDiff k_default_privilege_diff{changes_in_place, create_default_privilege, alter_default_privilege,
                                        drop_default_privilege};

}  // namespace diff

namespace {

// The roles of the cluster, when the live model says (flux-snapshot).
std::optional<std::set<std::string>> cluster_roles(const Model& live) {
    if (!live.source.contains("roles") || !live.source["roles"].is_array()) return std::nullopt;
    std::set<std::string> out;
    for (const json& r : live.source["roles"])
        if (r.is_string()) out.insert(r.get<std::string>());
    return out;
}

}  // namespace

Model resolve_owners(const Model& live, Model desired, const DiffOptions& options) {
    // In place: `desired` is the caller's copy, or moved in (flux-diff), so a
    // large model is not copied a second time.
    std::vector<Object> renamed;  // default privileges of the applying role, under its name
    for (auto it = desired.objects.begin(); it != desired.objects.end();) {
        const ObjectId id = it->first;
        Object& o = it->second;
        if (!options.privileges) {
            if (id.kind == Kind::default_privilege) {
                it = desired.objects.erase(it);
                continue;
            }
            for (const char* key : {"owner", "acl", "column_acl"}) {
                o.attrs.erase(key);
                if (o.ddl.is_object()) o.ddl.erase(key);
            }
            ++it;
            continue;
        }
        if (has_owner(id.kind)) {
            const Object* l = live.find(id);
            if (options.owners_unmanaged) {
                if (l && l->attrs.contains("owner")) o.attrs["owner"] = l->attrs["owner"];
                else if (!options.default_owner.empty()) o.attrs["owner"] = options.default_owner;
                else o.attrs.erase("owner");
            } else if (!o.attrs.contains("owner") && !options.default_owner.empty()) {
                o.attrs["owner"] = options.default_owner;
            }
        }
        if (id.kind == Kind::default_privilege && id.name.empty() && !options.default_owner.empty()) {
            ObjectId named = id;
            named.name = options.default_owner;
            if (desired.find(named))
                usage_error((o.location ? o.location->text() + ": " : "") + named.describe() +
                            " is declared both with and without FOR ROLE");
            Object moved = std::move(o);
            moved.id = named;
            renamed.push_back(std::move(moved));
            it = desired.objects.erase(it);
            continue;
        }
        ++it;
    }
    for (Object& o : renamed) desired.add(std::move(o));
    // A sequence owned by a column has its table's owner.
    for (auto& [id, o] : desired.objects) {
        if (id.kind != Kind::sequence || !o.attrs.contains("owned_by")) continue;
        const Object* table = desired.relation(id.schema, o.attrs["owned_by"].value("table", ""));
        if (table && table->attrs.contains("owner")) o.attrs["owner"] = table->attrs["owner"];
    }
    if (options.privileges)
        for (auto& [id, o] : desired.objects)
            fold_owner_grants(o, id.kind == Kind::default_privilege ? id.name : o.attrs.value("owner", ""));
    if (options.privileges)
        if (auto roles = cluster_roles(live))
            for (const auto& [role, object] : roles_named(desired))
                if (!roles->count(role))
                    usage_error((object->location ? object->location->text() + ": " : "") + "role " +
                                quote_ident(role) + " does not exist (named by " + object->id.describe() +
                                "); roles are cluster-wide and pg-flux does not create them: create it first, "
                                "e.g. CREATE ROLE " + quote_ident(role) + " NOLOGIN");
    return desired;
}

}  // namespace pgflux
