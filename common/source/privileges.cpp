// Source reader: owners (OWNER TO, CREATE SCHEMA ... AUTHORIZATION), GRANT
// and REVOKE, ALTER DEFAULT PRIVILEGES, and role statements (skipped).
//
// ACLs follow PostgreSQL's own order: an object starts with the default
// privileges declared (without FOR ROLE) before it in reading order, then
// GRANT and REVOKE apply in reading order. Objects the files do not name an
// owner for belong to the role applying migrations; CURRENT_USER,
// CURRENT_ROLE and SESSION_USER stand for that role.
#include <algorithm>
#include <regex>

#include "model/attributes.h"
#include "privileges/privileges.h"
#include "source/reader.h"
#include "sql/quote.h"
#include "util/cli.h"

namespace pgflux::source {
namespace {

enum class RoleKind { named, applying, public_role };

struct Role {
    RoleKind kind = RoleKind::named;
    std::string name;
};

Role role_of(const pq::Msg& spec) {
    std::string type = spec.enumeration("roletype");
    if (type == "ROLESPEC_CSTRING") return {RoleKind::named, spec.str("rolename")};
    if (type == "ROLESPEC_PUBLIC") return {RoleKind::public_role, ""};
    return {RoleKind::applying, ""};
}

std::optional<Kind> owner_kind(const std::string& objtype) {
    static const std::pair<const char*, Kind> k_kinds[] = {
        {"OBJECT_TABLE", Kind::table},         {"OBJECT_VIEW", Kind::view},
        {"OBJECT_MATVIEW", Kind::materialized_view}, {"OBJECT_SEQUENCE", Kind::sequence},
        {"OBJECT_FOREIGN_TABLE", Kind::foreign_table},
        {"OBJECT_FUNCTION", Kind::function},   {"OBJECT_PROCEDURE", Kind::procedure},
        {"OBJECT_ROUTINE", Kind::function},    {"OBJECT_AGGREGATE", Kind::aggregate},
        {"OBJECT_SCHEMA", Kind::schema},       {"OBJECT_TYPE", Kind::enumeration},
        {"OBJECT_COLLATION", Kind::collation}, {"OBJECT_EVENT_TRIGGER", Kind::event_trigger},
        {"OBJECT_FDW", Kind::foreign_data_wrapper}, {"OBJECT_FOREIGN_SERVER", Kind::server},
        {"OBJECT_PUBLICATION", Kind::publication}, {"OBJECT_DOMAIN", Kind::domain},
        {"OBJECT_OPERATOR", Kind::operator_}, {"OBJECT_TSDICTIONARY", Kind::text_search_dictionary},
        {"OBJECT_TSCONFIGURATION", Kind::text_search_configuration}, {"OBJECT_STATISTIC_EXT", Kind::statistics}};
    for (const auto& [name, kind] : k_kinds)
        if (objtype == name) return kind;
    return std::nullopt;
}

std::string words_of(const std::string& objtype) {
    std::string out = objtype.substr(7);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

// ALTER DEFAULT PRIVILEGES ... ON <objtype>: the model's object type word.
std::string default_privilege_objects(const std::string& objtype) {
    if (objtype == "OBJECT_TABLE") return "tables";
    if (objtype == "OBJECT_SEQUENCE") return "sequences";
    if (objtype == "OBJECT_FUNCTION" || objtype == "OBJECT_ROUTINE" || objtype == "OBJECT_PROCEDURE") return "functions";
    if (objtype == "OBJECT_TYPE" || objtype == "OBJECT_DOMAIN") return "types";
    if (objtype == "OBJECT_SCHEMA") return "schemas";
    return "";
}

}  // namespace

void Reader::set_owner(const Stmt& s, Object& object, const pq::Msg& role_spec) {
    Role role = role_of(role_spec);
    if (role.kind == RoleKind::public_role) fail(s, "PUBLIC cannot own an object");
    if (role.kind == RoleKind::applying) object.attrs.erase("owner");
    else object.attrs["owner"] = role.name;
}

Object& Reader::owned_object(const Stmt& s, const std::string& objtype, const pq::Msg& object) {
    auto kind = owner_kind(objtype);
    if (!kind) fail(s, words_of(objtype) + " objects are not supported by pg-flux yet");
    auto in_path = [&](Kind k, const std::vector<std::string>& parts) -> Object& {
        std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
        schema = scope(s).resolve(k, schema, parts.back());
        return require(s, ObjectId{k, schema, parts.back(), ""});
    };
    switch (*kind) {
        case Kind::function:
        case Kind::procedure:
        case Kind::aggregate: return routine_of(s, *kind, object);
        case Kind::schema: {
            std::string name = pq::value_text(object);
            if (name == "public") fail(s, "the public schema is not managed by pg-flux");
            return require(s, ObjectId{Kind::schema, "", name, ""});
        }
        case Kind::operator_: return operator_of(s, object);
        case Kind::text_search_dictionary:
        case Kind::text_search_configuration: return text_search_object(s, *kind, object.strings("items"));
        case Kind::statistics: {
            auto names = object.strings("items");
            auto table = statistics_table(s, names);
            if (!table) fail(s, "statistics object " + quote_ident(names.back()) + " is not defined in the schema files");
            return require(s, ObjectId{Kind::statistics, table->schema, names.back(), table->name});
        }
        case Kind::event_trigger:
        case Kind::foreign_data_wrapper:
        case Kind::server:
        case Kind::publication: return require(s, ObjectId{*kind, "", pq::value_text(object)});
        // TYPE: an enum, range, composite type or domain; DOMAIN: a domain.
        case Kind::enumeration:
        case Kind::domain:
            return type_of(s, object.is("TypeName") ? object.strings("names") : object.strings("items"), *kind == Kind::domain);
        default: return in_path(*kind, object.strings("items"));
    }
}

void Reader::alter_owner(const Stmt& s) {
    const pq::Msg& node = s.node();
    set_owner(s, owned_object(s, node.enumeration("object_type"), node.get("object")), node.get("newowner"));
}

void Reader::alter_sequence_owner(const Stmt& s) {
    pq::Msg rv = s.node().get("relation");
    std::string schema = scope(s).resolve(Kind::sequence, rv.str("schemaname"), rv.str("relname"));
    Object& sequence = require(s, ObjectId{Kind::sequence, schema, rv.str("relname")});
    for (const pq::Msg& cmd : s.node().list("cmds")) {
        std::string type = cmd.enumeration("subtype");
        if (type == "AT_SetLogged") sequence.attrs.erase("unlogged");
        else if (type == "AT_SetUnLogged") sequence.attrs["unlogged"] = true;
        else if (type == "AT_ChangeOwner") set_owner(s, sequence, cmd.get("newowner"));
        else fail(s, "ALTER TABLE on sequence " + sequence.id.sql_name() + " may only change its owner or SET LOGGED/UNLOGGED here (use ALTER SEQUENCE)");
    }
}

// The objects a GRANT or REVOKE is on.
std::vector<Object*> Reader::grant_targets(const Stmt& s) {
    const pq::Msg& node = s.node();
    std::string objtype = node.enumeration("objtype");
    std::vector<Object*> out;
    if (node.enumeration("targtype") == "ACL_TARGET_ALL_IN_SCHEMA") {
        std::vector<Kind> kinds;
        if (objtype == "OBJECT_TABLE") kinds = {Kind::table, Kind::foreign_table, Kind::view, Kind::materialized_view};
        else if (objtype == "OBJECT_SEQUENCE") kinds = {Kind::sequence};
        else if (objtype == "OBJECT_FUNCTION") kinds = {Kind::function, Kind::aggregate};
        else if (objtype == "OBJECT_PROCEDURE") kinds = {Kind::procedure};
        else kinds = {Kind::function, Kind::procedure, Kind::aggregate};
        for (const pq::Msg& schema : node.list("objects")) {
            std::string name = pq::value_text(schema);
            require_schema(s, name);
            for (auto& [id, object] : model.objects)
                if (id.schema == name && std::find(kinds.begin(), kinds.end(), id.kind) != kinds.end())
                    out.push_back(&object);
        }
        return out;
    }
    for (const pq::Msg& target : node.list("objects")) {
        if (objtype == "OBJECT_TABLE" || objtype == "OBJECT_SEQUENCE") {
            std::string schema = target.str("schemaname"), name = target.str("relname");
            std::vector<std::string> schemas = schema.empty() ? s.search_path : std::vector<std::string>{schema};
            Object* found = nullptr;
            for (const std::string& candidate : schemas) {
                if (auto relation = declared_relation(candidate, name); relation && objtype == "OBJECT_TABLE")
                    found = &finished_table(s, *relation);
                else found = model.find(ObjectId{Kind::sequence, candidate, name});
                if (found) break;
            }
            if (!found) fail(s, static_cast<int>(target.integer("location")),
                             "relation " + quote_ident(name) + " is not defined in the schema files");
            out.push_back(found);
        } else if (objtype == "OBJECT_TYPE" || objtype == "OBJECT_DOMAIN") {
            out.push_back(&owned_object(s, objtype, target));
        } else if (objtype == "OBJECT_FUNCTION" || objtype == "OBJECT_PROCEDURE" || objtype == "OBJECT_ROUTINE" ||
                   objtype == "OBJECT_SCHEMA" || objtype == "OBJECT_FDW" || objtype == "OBJECT_FOREIGN_SERVER") {
            out.push_back(&owned_object(s, objtype, target));
        } else {
            fail(s, "GRANT and REVOKE on " + words_of(objtype) + " objects are not supported by pg-flux yet");
        }
    }
    return out;
}

void Reader::grant(const Stmt& s) {
    const pq::Msg& node = s.node();
    bool is_grant = node.flag("is_grant");
    bool option = node.flag("grant_option");
    std::vector<Object*> targets = grant_targets(s);
    for (Object* object : targets) {
        auto c = acl_class(object->id.kind);
        if (!c) fail(s, object->id.describe() + " has no privileges");
        Acl acl = object_acl(*object);
        std::map<std::string, Acl> column_acls;
        std::vector<std::string> privileges;
        std::map<std::string, std::vector<std::string>> column_privileges;
        for (const pq::Msg& p : node.list("privileges")) {
            std::string name = p.str("priv_name");
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::toupper(ch); });
            auto columns = p.list("cols");
            const auto& allowed = all_privileges(columns.empty() ? *c : AclClass::column);
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
                fail(s, "privilege " + name + " does not apply to " + object->id.describe() +
                            (columns.empty() ? "" : " columns"));
            if (columns.empty()) privileges.push_back(name);
            for (const pq::Msg& column : columns) {
                std::string col = pq::value_text(column);
                if (object->id.kind == Kind::table && column_index(object->attrs, col) < 0)
                    fail(s, "column " + quote_ident(col) + " of " + object->id.describe() + " does not exist");
                column_privileges[col].push_back(name);
            }
        }
        if (node.list("privileges").empty()) privileges = all_privileges(*c);  // ALL [PRIVILEGES]
        for (const pq::Msg& spec : node.list("grantees")) {
            Role role = role_of(spec);
            Grantee g;
            if (role.kind == RoleKind::public_role) g.type = Grantee::Type::public_role;
            else if (role.kind == RoleKind::applying || (object->attrs.value("owner", "") == role.name))
                g.type = Grantee::Type::owner;
            else g.role = role.name;
            if (role.kind == RoleKind::applying && object->attrs.contains("owner"))
                fail(s, "CURRENT_USER is the role applying migrations, which does not own " + object->id.describe() +
                            " (it is owned by " + quote_ident(object->attrs["owner"].get<std::string>()) + "): name the role");
            if (is_grant) grant_privileges(acl, g, privileges, option);
            else revoke_privileges(acl, g, privileges, option);
            for (const auto& [column, names] : column_privileges) {
                json& all = object->attrs["column_acl"];
                Acl column_acl = all.contains(column) ? acl_from_json(all[column]) : Acl{};
                if (is_grant) grant_privileges(column_acl, g, names, option);
                else revoke_privileges(column_acl, g, names, option);
                if (column_acl.empty()) all.erase(column);
                else all[column] = acl_to_json(column_acl, AclClass::column);
                if (all.empty()) object->attrs.erase("column_acl");
            }
        }
        set_object_acl(*object, acl);
    }
}

void Reader::alter_default_privileges(const Stmt& s) {
    const pq::Msg& node = s.node();
    std::vector<std::string> roles, schemas;
    for (const pq::Msg& option : node.list("options")) {
        std::string name = option.str("defname");
        for (const pq::Msg& item : option.get("arg").list("items")) {
            if (name == "roles") {
                Role role = role_of(item);
                roles.push_back(role.kind == RoleKind::named ? role.name : "");
            } else {
                schemas.push_back(pq::value_text(item));
            }
        }
    }
    if (roles.empty()) roles.push_back("");
    if (schemas.empty()) schemas.push_back("");
    const pq::Msg action = node.get("action");
    std::string objects = default_privilege_objects(action.enumeration("objtype"));
    if (objects.empty()) fail(s, "default privileges on " + words_of(action.enumeration("objtype")) + " are not supported");
    for (const std::string& role : roles) {
        for (const std::string& schema : schemas) {
            if (!schema.empty()) require_schema(s, schema);
            ObjectId id{Kind::default_privilege, schema, role, "", objects};
            Object* object = model.find(id);
            if (!object) {
                Object fresh(id);
                fresh.location = location(s);
                object = &model.add(std::move(fresh));
            }
            Acl acl = object_acl(*object);
            AclClass c = default_privilege_class(objects);
            std::vector<std::string> privileges;
            for (const pq::Msg& p : action.list("privileges")) {
                std::string name = p.str("priv_name");
                std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::toupper(ch); });
                privileges.push_back(name);
            }
            if (privileges.empty()) privileges = all_privileges(c);
            for (const pq::Msg& spec : action.list("grantees")) {
                Role grantee = role_of(spec);
                Grantee g;
                if (grantee.kind == RoleKind::public_role) g.type = Grantee::Type::public_role;
                else if (grantee.kind == RoleKind::applying || grantee.name == role) g.type = Grantee::Type::owner;
                else g.role = grantee.name;
                if (action.flag("is_grant")) grant_privileges(acl, g, privileges, action.flag("grant_option"));
                else revoke_privileges(acl, g, privileges, action.flag("grant_option"));
            }
            set_object_acl(*object, acl);
            if (!object->attrs.contains("acl")) model.objects.erase(id);  // back to the default
        }
    }
}

// CREATE ROLE, or the DO block that creates a role when it is missing:
// roles are cluster-wide, so pg-flux neither creates nor drops them. The
// statement is skipped with a note; the role must exist where migrations
// are generated and applied.
bool Reader::skip_role_statement(const Stmt& s) {
    const pq::Msg& node = s.node();
    std::vector<std::string> roles;
    if (node.is("CreateRoleStmt")) {
        roles.push_back(node.str("role"));
    } else if (node.is("DoStmt")) {
        std::string body;
        for (const pq::Msg& arg : node.list("args"))
            if (arg.str("defname") == "as") body = pq::value_text(arg.get("arg"));
        body = std::regex_replace(body, std::regex("--[^\n]*"), " ");
        static const std::regex k_create_if_missing(
            "IF\\s+NOT\\s+EXISTS\\s*\\(\\s*SELECT\\s[^;()]*?FROM\\s+(pg_catalog\\.)?pg_roles\\s+WHERE\\s+rolname\\s*=\\s*"
            "'([^']+)'\\s*\\)\\s*THEN\\s+(CREATE\\s+(ROLE|USER)\\s+[^;]*;)\\s*END\\s+IF\\s*;",
            std::regex::icase);
        std::smatch m;
        std::string rest = body;
        while (std::regex_search(rest, m, k_create_if_missing)) {
            auto created = pq::ParseResult::parse(m[3].str());
            if (created->statements().size() != 1 || !created->statements()[0].node.is("CreateRoleStmt") ||
                created->statements()[0].node.str("role") != m[2].str())
                return false;
            roles.push_back(m[2].str());
            rest = m.prefix().str() + " " + m.suffix().str();
        }
        if (roles.empty() || !std::regex_match(rest, std::regex("\\s*BEGIN\\s+END\\s*;?\\s*", std::regex::icase)))
            return false;
    } else {
        return false;
    }
    for (const std::string& role : roles)
        warn("flux-parse", location(s).text() + ": role " + quote_ident(role) +
                               " is not created by pg-flux (roles are cluster-wide): the statement is skipped, and the "
                               "role must exist where migrations are applied");
    return true;
}

// Each object gets the ACL a new object gets from the default privileges
// (declared without FOR ROLE) that come before it in reading order.
void Reader::apply_default_privileges() {
    // A file's position in reading order (the first file of that path), by a
    // map rather than a scan per object.
    std::map<std::string, size_t> file_order;
    for (size_t i = 0; i < files_.size(); ++i) file_order.emplace(files_[i].path, i);
    auto position = [&](const SourceLocation& l) {
        auto it = file_order.find(l.file);
        size_t file = it == file_order.end() ? files_.size() : it->second;
        return std::make_tuple(file, l.line, l.column);
    };
    std::vector<std::pair<std::tuple<size_t, int, int>, ObjectId>> objects;
    for (const auto& [id, object] : model.objects)
        if (acl_class(id.kind) && object.location) objects.emplace_back(position(*object.location), id);
    std::sort(objects.begin(), objects.end());
    // The default privilege statements, replayed in reading order.
    std::vector<std::pair<std::tuple<size_t, int, int>, const Stmt*>> statements;
    for (const auto& s : stmts_)
        if (s->node().is("AlterDefaultPrivilegesStmt")) statements.emplace_back(position(location(*s)), s.get());
    size_t next = 0;
    auto assign_until = [&](const std::tuple<size_t, int, int>& limit, bool all) {
        for (; next < objects.size() && (all || objects[next].first < limit); ++next) {
            Object& object = *model.find(objects[next].second);
            Acl acl = initial_acl(model, object.id.kind, object.id.schema, "");
            set_object_acl(object, acl);
        }
    };
    for (const auto& [pos, stmt] : statements) {
        assign_until(pos, false);
        alter_default_privileges(*stmt);
    }
    assign_until({}, true);
}

}  // namespace pgflux::source
