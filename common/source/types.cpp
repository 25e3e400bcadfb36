// Source handlers for domains (CREATE DOMAIN, ALTER DOMAIN merged into the
// declaration), composite types (CREATE TYPE ... AS (...)), range types
// (CREATE TYPE ... AS RANGE) and comments on them.
#include <set>

#include "canon/expressions.h"
#include "canon/names.h"
#include "canon/types.h"
#include "source/reader.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

// The names a definition option gives: `subtype_diff = public.f`,
// `collation = "C"`, `multirange_type_name = 'x'`.
std::vector<std::string> option_names(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (!arg) return {};
    if (arg.is("TypeName")) return arg.strings("names");
    if (arg.is("List")) return arg.strings("items");
    return {pq::value_text(arg)};
}

// An operator class as the catalog reader prints it: unqualified in pg_catalog.
std::string opclass_name(const std::vector<std::string>& names) {
    if (names.size() >= 2 && names[names.size() - 2] != "pg_catalog") return qualified_name(names[names.size() - 2], names.back());
    return quote_ident(names.back());
}

}  // namespace

// makeMultirangeTypeName: "range" in the name becomes "multirange" (the
// result cut at 63 bytes), else the name's first 52 bytes (NAMEDATALEN - 12,
// cut at a byte, not a character) get "_multirange" appended.
std::string default_multirange_name(const std::string& range) {
    auto at = range.find("range");
    if (at != std::string::npos) return truncate_identifier(range.substr(0, at) + "multi" + range.substr(at));
    return truncate_identifier(range.substr(0, k_max_identifier_bytes - 11) + "_multirange");
}

// The multirange type a CREATE TYPE ... AS RANGE creates: {schema, name}.
std::pair<std::string, std::string> Reader::multirange_of(const Stmt& s, const std::string& schema,
                                                          const std::string& range) const {
    for (const pq::Msg& param : s.node().list("params")) {
        if (param.str("defname") != "multirange_type_name") continue;
        auto names = option_names(param);
        if (names.empty()) fail(s, "multirange_type_name needs a name");
        if (names.size() >= 2 && names[names.size() - 2] != schema)
            fail(s, "a multirange type in another schema than its range type is not supported (" +
                        display_name(names[names.size() - 2], names.back()) + ")");
        return {schema, names.back()};
    }
    size_t cut = k_max_identifier_bytes - 11;
    if (range.find("range") == std::string::npos && range.size() > cut &&
        (static_cast<unsigned char>(range[cut]) & 0xC0) == 0x80)
        fail(s, "range type " + display_name(schema, range) + ": PostgreSQL would cut its name inside a character at byte " +
                    std::to_string(cut) + " to name its multirange type (an invalid name); name the multirange "
                    "type with multirange_type_name");
    return {schema, default_multirange_name(range)};
}

void Reader::create_range_type(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = creation_name(s, node.strings("type_name"));
    NameScope sc = scope(s);
    json attrs = json::object();
    for (const pq::Msg& param : node.list("params")) {
        std::string option = param.str("defname");
        auto names = option_names(param);
        if (names.empty() && option != "subtype") fail(s, "range option " + option + " needs a value");
        if (option == "subtype") {
            pq::Msg arg = param.get("arg");
            if (!arg || !arg.is("TypeName")) fail(s, "subtype needs a type");
            attrs["subtype"] = canonical_type(arg, sc.type_lookup());
        } else if (option == "subtype_opclass") {
            attrs["subtype_opclass"] = opclass_name(names);
        } else if (option == "collation") {
            std::string collation = sc.collation(names);
            if (!collation.empty()) attrs["collation"] = collation;
        } else if (option == "canonical" || option == "subtype_diff") {
            attrs[option] = sc.routine_name(names);
        } else if (option != "multirange_type_name") {
            fail(s, "unsupported range type option " + option);
        }
    }
    if (!attrs.contains("subtype")) fail(s, "range type " + display_name(schema, name) + " needs a subtype");
    attrs["multirange"] = multirange_of(s, schema, name).second;
    add_object(s, Object{ObjectId{Kind::range_type, schema, name}, attrs});
}

void Reader::add_domain_check(const Stmt& s, Object& domain, const pq::Msg& constraint) {
    int at = static_cast<int>(constraint.integer("location"));
    json& checks = domain.attrs["checks"];
    std::string name = constraint.str("conname");
    const std::string& schema = domain.id.schema;
    if (name.empty()) {
        // ChooseConstraintName: <domain>_check, then _check1, ... free in the schema.
        name = choose_object_name(domain.id.name, "", "check", [&](const std::string& n) {
            return constraint_name_taken(schema, n) || checks.contains(n);
        });
    } else if (checks.contains(name)) {
        fail(s, at, "constraint " + quote_ident(name) + " of " + domain.id.describe() + " is defined twice");
    }
    claim_constraint_name(schema, name);
    checks[name] = canonical_expression(constraint.get("raw_expr"));
}

void Reader::create_domain(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = creation_name(s, node.strings("domainname"));
    NameScope sc = scope(s);
    json attrs = {{"type", canonical_type(node.get("type_name"), sc.type_lookup())},
                  {"not_null", false},
                  {"checks", json::object()}};
    if (pq::Msg coll = node.get("coll_clause")) {
        std::string collation = sc.collation(coll.strings("collname"));
        if (!collation.empty()) attrs["collation"] = collation;
    }
    Object& domain = add_object(s, Object{ObjectId{Kind::domain, schema, name}, attrs});
    bool saw_nullability = false;
    for (const pq::Msg& c : node.list("constraints")) {
        std::string contype = c.enumeration("contype");
        int at = static_cast<int>(c.integer("location"));
        if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_NULL") {
            // As PostgreSQL: NULL and NOT NULL together conflict.
            if (saw_nullability && domain.attrs["not_null"] != (contype == "CONSTR_NOTNULL"))
                fail(s, at, "conflicting NULL/NOT NULL constraints on domain " + display_name(schema, name));
            saw_nullability = true;
        }
        if (contype == "CONSTR_NOTNULL") domain.attrs["not_null"] = true;
        else if (contype == "CONSTR_NULL") domain.attrs["not_null"] = false;
        else if (contype == "CONSTR_DEFAULT") domain.attrs["default"] = canonical_expression(c.get("raw_expr"));
        else if (contype == "CONSTR_CHECK") add_domain_check(s, domain, c);
        else fail(s, at, "this constraint is not supported on domain " + display_name(schema, name));
    }
}

// ALTER DOMAIN in schema files: merged into the domain's declaration.
void Reader::alter_domain(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto names = node.strings("type_name");
    std::string schema = scope(s).resolve(Kind::domain, names.size() >= 2 ? names[names.size() - 2] : "", names.back());
    Object& domain = require(s, ObjectId{Kind::domain, schema, names.back()});
    std::string subtype = node.str("subtype");
    json& attrs = domain.attrs;
    if (subtype == "T") {
        if (pq::Msg def = node.get("def")) attrs["default"] = canonical_expression(def);
        else attrs.erase("default");
    } else if (subtype == "O") {
        attrs["not_null"] = true;
    } else if (subtype == "N") {
        attrs["not_null"] = false;
    } else if (subtype == "C") {
        pq::Msg c = node.get("def");
        if (c.enumeration("contype") != "CONSTR_CHECK")
            fail(s, "ALTER DOMAIN ... ADD supports CHECK constraints only");
        add_domain_check(s, domain, c);
    } else if (subtype == "X") {
        std::string name = node.str("name");
        if (!attrs["checks"].contains(name)) {
            if (node.flag("missing_ok")) return;
            fail(s, "constraint " + quote_ident(name) + " of " + domain.id.describe() + " does not exist");
        }
        attrs["checks"].erase(name);
        if (attrs.contains("check_comments")) {
            attrs["check_comments"].erase(name);
            if (attrs["check_comments"].empty()) attrs.erase("check_comments");
        }
    } else if (subtype == "V") {
        std::string name = node.str("name");
        if (!attrs["checks"].contains(name))
            fail(s, "constraint " + quote_ident(name) + " of " + domain.id.describe() + " does not exist");
    } else {
        fail(s, statement_kind(s) + " is not supported by pg-flux yet");
    }
}

void Reader::create_composite_type(const Stmt& s) {
    const pq::Msg& node = s.node();
    pq::Msg rv = node.get("typevar");
    std::string schema = rv.str("schemaname");
    if (schema.empty()) schema = creation_schema(s);
    require_schema(s, schema);
    NameScope sc = scope(s);
    json attributes = json::array();
    std::set<std::string> seen;
    for (const pq::Msg& def : node.list("coldeflist")) {
        std::string name = def.str("colname");
        int at = static_cast<int>(def.integer("location"));
        if (!seen.insert(name).second) fail(s, at, "attribute " + quote_ident(name) + " is defined twice");
        if (!def.list("constraints").empty()) fail(s, at, "attributes of composite types have no constraints");
        json attribute = {{"name", name}, {"type", canonical_type(def.get("type_name"), sc.type_lookup())}};
        if (pq::Msg coll = def.get("coll_clause")) {
            std::string collation = sc.collation(coll.strings("collname"));
            if (!collation.empty()) attribute["collation"] = collation;
        }
        attributes.push_back(attribute);
    }
    add_object(s, Object{ObjectId{Kind::composite_type, schema, rv.str("relname")}, {{"attributes", attributes}}});
}

// The type COMMENT ON TYPE / DOMAIN names.
Object& Reader::type_of(const Stmt& s, const std::vector<std::string>& names, bool domain) {
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
    // COMMENT ON TYPE names a domain too; COMMENT ON DOMAIN only a domain.
    std::vector<Kind> kinds = domain ? std::vector<Kind>{Kind::domain}
                                     : std::vector<Kind>{Kind::enumeration, Kind::range_type, Kind::composite_type, Kind::domain};
    for (const std::string& candidate : schema.empty() ? s.search_path : std::vector<std::string>{schema})
        for (Kind kind : kinds)
            if (Object* found = model.find(ObjectId{kind, candidate, names.back()})) return *found;
    fail(s, std::string(domain ? "domain " : "type ") + quote_ident(names.back()) + " is not defined in the schema files");
}

bool Reader::comment_on_type(const Stmt& s) {
    const pq::Msg& node = s.node();
    std::string type = node.enumeration("objtype");
    pq::Msg object = node.get("object");
    std::string text = node.str("comment");
    auto set = [&](json& attrs, const std::string& key) {
        if (text.empty()) attrs.erase(key);
        else attrs[key] = text;
    };
    auto set_in_map = [&](json& attrs, const char* map, const std::string& key) {
        json& comments = attrs[map];
        if (text.empty()) comments.erase(key);
        else comments[key] = text;
        if (comments.empty()) attrs.erase(map);
    };
    if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
        set(type_of(s, object.strings("names"), type == "OBJECT_DOMAIN").attrs, "comment");
        return true;
    }
    if (type == "OBJECT_DOMCONSTRAINT") {
        auto items = object.list("items");
        Object& domain = type_of(s, items.at(0).strings("names"), true);
        std::string name = pq::value_text(items.at(1));
        if (!domain.attrs["checks"].contains(name))
            fail(s, "constraint " + quote_ident(name) + " of " + domain.id.describe() + " does not exist");
        set_in_map(domain.attrs, "check_comments", name);
        return true;
    }
    if (type == "OBJECT_COLUMN" && !s.table) {
        // COMMENT ON COLUMN type.attribute
        auto names = object.strings("items");
        if (names.size() < 2) return false;
        std::vector<std::string> type_names(names.begin(), names.end() - 1);
        std::string schema = type_names.size() >= 2 ? type_names[type_names.size() - 2] : "";
        for (const std::string& candidate : schema.empty() ? s.search_path : std::vector<std::string>{schema}) {
            Object* composite = model.find(ObjectId{Kind::composite_type, candidate, type_names.back()});
            if (!composite) continue;
            for (json& attribute : composite->attrs["attributes"])
                if (attribute["name"] == names.back()) {
                    set(attribute, "comment");
                    return true;
                }
            fail(s, "attribute " + quote_ident(names.back()) + " of " + composite->id.describe() + " does not exist");
        }
    }
    return false;
}

}  // namespace pgflux::source
