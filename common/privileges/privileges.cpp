// Owners and privileges: ACLs relative to the owner, their defaults, and the
// GRANT/REVOKE changes between two of them.
#include "privileges/privileges.h"

#include <algorithm>

#include "model/attribute_checks.h"
#include "util/document.h"

namespace pgflux {
namespace {

const std::string k_grant_option_suffix = " WITH GRANT OPTION";

std::vector<std::string> privilege_list(const std::map<std::string, bool>& privileges, AclClass c) {
    std::vector<std::string> out;
    for (const std::string& p : all_privileges(c)) {
        auto it = privileges.find(p);
        if (it != privileges.end()) out.push_back(it->second ? p + k_grant_option_suffix : p);
    }
    // Privileges of another class (a document may be hand-made): kept, sorted.
    for (const auto& [p, option] : privileges) {
        const auto& known = all_privileges(c);
        if (std::find(known.begin(), known.end(), p) == known.end())
            out.push_back(option ? p + k_grant_option_suffix : p);
    }
    return out;
}

// The set of privilege names an ACL of any class may hold.
bool known_privilege(const std::string& p) {
    static const char* k_names[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                                    "TRIGGER", "USAGE", "EXECUTE", "CREATE"};
    return std::any_of(std::begin(k_names), std::end(k_names), [&](const char* n) { return p == n; });
}

std::optional<std::string> default_privilege_type(Kind kind) {
    switch (kind) {
        case Kind::table:
        case Kind::foreign_table:
        case Kind::view:
        case Kind::materialized_view: return "tables";
        case Kind::sequence: return "sequences";
        case Kind::function:
        case Kind::procedure:
        case Kind::aggregate: return "functions";
        case Kind::enumeration:
        case Kind::range_type:
        case Kind::domain:
        case Kind::composite_type: return "types";
        case Kind::schema: return "schemas";
        default: return std::nullopt;
    }
}

void merge(Acl& into, const Acl& more) {
    for (const auto& [grantee, privileges] : more)
        for (const auto& [p, option] : privileges) {
            bool& held = into[grantee][p];
            held = held || option;
        }
}

}  // namespace

std::optional<AclClass> acl_class(Kind kind) {
    switch (kind) {
        case Kind::table:
        case Kind::foreign_table:
        case Kind::view:
        case Kind::materialized_view: return AclClass::relation;
        case Kind::sequence: return AclClass::sequence;
        case Kind::function:
        case Kind::procedure:
        case Kind::aggregate: return AclClass::routine;
        case Kind::schema: return AclClass::schema;
        case Kind::enumeration:
        case Kind::range_type:
        case Kind::domain:
        case Kind::composite_type: return AclClass::type;
        case Kind::foreign_data_wrapper:
        case Kind::server: return AclClass::foreign;
        default: return std::nullopt;
    }
}

bool has_owner(Kind kind) {
    return acl_class(kind).has_value() || kind == Kind::collation || kind == Kind::event_trigger ||
           kind == Kind::publication || kind == Kind::operator_ || kind == Kind::text_search_dictionary ||
           kind == Kind::text_search_configuration || kind == Kind::statistics;
}

const std::vector<std::string>& all_privileges(AclClass c) {
    static const std::vector<std::string> relation = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                                      "TRUNCATE", "REFERENCES", "TRIGGER"};
    static const std::vector<std::string> sequence = {"USAGE", "SELECT", "UPDATE"};
    static const std::vector<std::string> routine = {"EXECUTE"};
    static const std::vector<std::string> schema = {"USAGE", "CREATE"};
    static const std::vector<std::string> type = {"USAGE"};
    static const std::vector<std::string> column = {"SELECT", "INSERT", "UPDATE", "REFERENCES"};
    switch (c) {
        case AclClass::relation: return relation;
        case AclClass::sequence: return sequence;
        case AclClass::routine: return routine;
        case AclClass::schema: return schema;
        case AclClass::type: return type;
        case AclClass::column: return column;
        case AclClass::foreign: return type;  // USAGE
    }
    return column;
}

Acl acl_from_json(const json& j) {
    Acl acl;
    auto read = [&](const Grantee& g, const json& list) {
        auto& held = acl[g];
        for (const json& item : list) {
            std::string p = item.get<std::string>();
            bool option = p.size() > k_grant_option_suffix.size() &&
                          p.compare(p.size() - k_grant_option_suffix.size(), std::string::npos, k_grant_option_suffix) == 0;
            if (option) p.resize(p.size() - k_grant_option_suffix.size());
            held[p] = held[p] || option;
        }
        if (held.empty()) acl.erase(g);
    };
    if (j.contains("owner")) read({Grantee::Type::owner, ""}, j["owner"]);
    if (j.contains("public")) read({Grantee::Type::public_role, ""}, j["public"]);
    if (j.contains("roles"))
        for (auto it = j["roles"].begin(); it != j["roles"].end(); ++it) read({Grantee::Type::role, it.key()}, it.value());
    return acl;
}

json acl_to_json(const Acl& acl, AclClass c) {
    json out = json::object();
    for (const auto& [g, privileges] : acl) {
        if (privileges.empty()) continue;
        json list = privilege_list(privileges, c);
        if (g.type == Grantee::Type::owner) out["owner"] = list;
        else if (g.type == Grantee::Type::public_role) out["public"] = list;
        else out["roles"][g.role] = list;
    }
    return out;
}

Acl default_acl(AclClass c) {
    Acl acl;
    if (c == AclClass::column) return acl;
    for (const std::string& p : all_privileges(c)) acl[{Grantee::Type::owner, ""}][p] = false;
    if (c == AclClass::routine) acl[{Grantee::Type::public_role, ""}]["EXECUTE"] = false;
    if (c == AclClass::type) acl[{Grantee::Type::public_role, ""}]["USAGE"] = false;
    return acl;
}

void grant_privileges(Acl& acl, const Grantee& to, const std::vector<std::string>& privileges, bool with_grant_option) {
    for (const std::string& p : privileges) {
        bool& held = acl[to][p];
        held = held || with_grant_option;
    }
}

void revoke_privileges(Acl& acl, const Grantee& from, const std::vector<std::string>& privileges, bool grant_option_only) {
    auto it = acl.find(from);
    if (it == acl.end()) return;
    for (const std::string& p : privileges) {
        if (grant_option_only) {
            if (auto held = it->second.find(p); held != it->second.end()) held->second = false;
        } else {
            it->second.erase(p);
        }
    }
    if (it->second.empty()) acl.erase(it);
}

std::vector<AclChange> acl_changes(const Acl& from, const Acl& to, AclClass c) {
    std::set<Grantee> grantees;
    for (const auto& [g, p] : from) grantees.insert(g);
    for (const auto& [g, p] : to) grantees.insert(g);
    std::vector<AclChange> revokes, grants;
    for (const Grantee& g : grantees) {
        static const std::map<std::string, bool> k_none;
        auto f = from.count(g) ? from.at(g) : k_none;
        auto t = to.count(g) ? to.at(g) : k_none;
        AclChange gone{false, g, {}, false}, option_gone{false, g, {}, true};
        AclChange plain{true, g, {}, false}, with_option{true, g, {}, true};
        for (const auto& [p, option] : f) {
            auto it = t.find(p);
            if (it == t.end()) gone.privileges.push_back(p);
            else if (option && !it->second) option_gone.privileges.push_back(p);
        }
        for (const auto& [p, option] : t) {
            auto it = f.find(p);
            if (option && (it == f.end() || !it->second)) with_option.privileges.push_back(p);
            else if (!option && it == f.end()) plain.privileges.push_back(p);
        }
        const auto& order = all_privileges(c);
        auto rank = [&](const std::string& p) { return std::find(order.begin(), order.end(), p) - order.begin(); };
        for (AclChange* change : {&gone, &option_gone, &plain, &with_option}) {
            std::stable_sort(change->privileges.begin(), change->privileges.end(),
                             [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
            if (change->privileges.empty()) continue;
            (change->grant ? grants : revokes).push_back(*change);
        }
    }
    revokes.insert(revokes.end(), grants.begin(), grants.end());
    return revokes;
}

Acl object_acl(const Object& object) {
    if (object.attrs.contains("acl")) return acl_from_json(object.attrs["acl"]);
    if (object.id.kind == Kind::default_privilege) return default_privileges_baseline(object.id);
    auto c = acl_class(object.id.kind);
    return c ? default_acl(*c) : Acl{};
}

void set_object_acl(Object& object, const Acl& acl) {
    Acl baseline = object.id.kind == Kind::default_privilege ? default_privileges_baseline(object.id)
                                                              : default_acl(*acl_class(object.id.kind));
    AclClass c = object.id.kind == Kind::default_privilege ? default_privilege_class(object.id.signature)
                                                           : *acl_class(object.id.kind);
    if (acl == baseline) object.attrs.erase("acl");
    else object.attrs["acl"] = acl_to_json(acl, c);
}

AclClass default_privilege_class(const std::string& object_type) {
    if (object_type == "sequences") return AclClass::sequence;
    if (object_type == "functions") return AclClass::routine;
    if (object_type == "types") return AclClass::type;
    if (object_type == "schemas") return AclClass::schema;
    return AclClass::relation;
}

Acl default_privileges_baseline(const ObjectId& id) {
    return id.schema.empty() ? default_acl(default_privilege_class(id.signature)) : Acl{};
}

Acl initial_acl(const Model& model, Kind kind, const std::string& schema, const std::string& creator) {
    auto c = acl_class(kind);
    if (!c) return {};
    auto type = default_privilege_type(kind);
    if (!type) return default_acl(*c);
    Acl acl = default_acl(*c);
    if (const Object* all = model.find(ObjectId{Kind::default_privilege, "", creator, "", *type}))
        acl = object_acl(*all);
    if (!schema.empty() && kind != Kind::schema)
        if (const Object* in_schema = model.find(ObjectId{Kind::default_privilege, schema, creator, "", *type}))
            merge(acl, object_acl(*in_schema));
    return acl;
}

void fold_owner_grants(Object& object, const std::string& owner) {
    if (owner.empty()) return;
    const Grantee as_role{Grantee::Type::role, owner}, as_owner{Grantee::Type::owner, ""};
    auto fold = [&](Acl& acl) {
        auto it = acl.find(as_role);
        if (it == acl.end()) return false;
        for (const auto& [p, option] : it->second) {
            bool& held = acl[as_owner][p];
            held = held || option;
        }
        acl.erase(as_role);
        return true;
    };
    if (object.attrs.contains("acl")) {
        Acl acl = object_acl(object);
        if (fold(acl)) set_object_acl(object, acl);
    }
    if (object.attrs.contains("column_acl"))
        for (auto& [column, column_acl] : object.attrs["column_acl"].items()) {
            Acl acl = acl_from_json(column_acl);
            if (fold(acl)) column_acl = acl_to_json(acl, AclClass::column);
        }
}

namespace {

void check_acl(const JsonField& acl) {
    check_fields(acl, {{"owner", FieldType::strings, false}, {"public", FieldType::strings, false},
                       {"roles", FieldType::object, false}});
    auto check_list = [](const JsonField& list) {
        for (size_t i = 0; i < list.array().size(); ++i) {
            std::string p = list[i].string();
            if (p.size() > k_grant_option_suffix.size() &&
                p.compare(p.size() - k_grant_option_suffix.size(), std::string::npos, k_grant_option_suffix) == 0)
                p.resize(p.size() - k_grant_option_suffix.size());
            if (!known_privilege(p)) list[i].fail("unknown privilege \"" + list[i].string() + "\"");
        }
    };
    for (const char* key : {"owner", "public"})
        if (acl.has(key)) check_list(acl[key]);
    if (acl.has("roles"))
        for (auto it = acl["roles"].object().begin(); it != acl["roles"].object().end(); ++it) {
            check_fields(acl["roles"], {{it.key().c_str(), FieldType::strings, true}});
            check_list(acl["roles"][it.key()]);
        }
}

}  // namespace

void check_privilege_attributes(Kind kind, const JsonField& a) {
    if (a.has("owner")) {
        if (!has_owner(kind)) a["owner"].fail("a " + std::string(kind_name(kind)) + " has no owner");
        if (a["owner"].string().empty()) a["owner"].fail("an owner is a role name");
    }
    if (a.has("acl")) {
        if (!acl_class(kind) && kind != Kind::default_privilege)
            a["acl"].fail("a " + std::string(kind_name(kind)) + " has no privileges");
        check_acl(a["acl"]);
    }
    if (a.has("column_acl")) {
        if (kind != Kind::table && kind != Kind::view && kind != Kind::materialized_view)
            a["column_acl"].fail("only relations have column privileges");
        for (auto it = a["column_acl"].object().begin(); it != a["column_acl"].object().end(); ++it)
            check_acl(a["column_acl"][it.key()]);
    }
}

std::map<std::string, const Object*> roles_named(const Model& model) {
    std::map<std::string, const Object*> out;
    auto add_acl = [&](const json& acl, const Object& o) {
        if (acl.contains("roles"))
            for (auto it = acl["roles"].begin(); it != acl["roles"].end(); ++it) out.emplace(it.key(), &o);
    };
    for (const auto& [id, o] : model.objects) {
        if (o.attrs.contains("owner")) out.emplace(o.attrs["owner"].get<std::string>(), &o);
        if (o.attrs.contains("acl")) add_acl(o.attrs["acl"], o);
        if (o.attrs.contains("column_acl"))
            for (const auto& [column, acl] : o.attrs["column_acl"].items()) add_acl(acl, o);
        if (id.kind == Kind::default_privilege && !id.name.empty()) out.emplace(id.name, &o);
        if (id.kind == Kind::policy && o.attrs.contains("roles"))
            for (const json& r : o.attrs["roles"])
                if (r != "public") out.emplace(r.get<std::string>(), &o);
    }
    return out;
}

}  // namespace pgflux
