// Differs of operators, casts and text search dictionaries and configurations.
//
// PostgreSQL 15 changes an operator's RESTRICT and JOIN estimators in place
// (ALTER OPERATOR ... SET); anything else means drop and create, and so does
// any change of a cast. A dictionary's options change in place, its template
// does not; a configuration's mappings change in place (ADD, ALTER and DROP
// MAPPING), its parser does not. What depends on a replaced object (a view
// or index using an operator, a configuration using a dictionary) is
// replaced with it (differ.cpp).
#include <map>

#include "canon/operators.h"
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

void drop_plainly(Differ& d, const Object& l) {
    d.drop(l, ddl::drop(l.id), std::string("DROP ") + ddl::kind_keyword(l.id.kind) + " " + display(l.id));
}

std::string definition_change(Differ& d, const Object& l, const Object& o, std::initializer_list<const char*> in_place) {
    json before = without(l.attrs, in_place), after = without(o.attrs, in_place);
    before.erase("comment");
    after.erase("comment");
    return d.same(before, after, "", display(o.id)) ? "" : "its definition changes";
}

// --- operators

std::string create_operator(const Object& o) {
    const json& a = ddl_attributes(o);
    // schema.name: the signature's type names may hold " (" themselves.
    std::string out = "CREATE OPERATOR " + quote_ident(o.id.schema) + "." + o.id.name + " (";
    if (a.contains("left")) out += "\n    LEFTARG = " + a["left"].get<std::string>() + ",";
    out += "\n    RIGHTARG = " + a["right"].get<std::string>() + ",\n    FUNCTION = " + a["function"].get<std::string>();
    for (const char* key : {"commutator", "negator"})
        if (a.contains(key)) {
            std::string clause = key;
            for (char& c : clause) c = static_cast<char>(toupper(c));
            out += ",\n    " + clause + " = " + operator_reference_sql(a[key]);
        }
    if (a.contains("restrict")) out += ",\n    RESTRICT = " + a["restrict"].get<std::string>();
    if (a.contains("join")) out += ",\n    JOIN = " + a["join"].get<std::string>();
    if (a["hashes"] == true) out += ",\n    HASHES";
    if (a["merges"] == true) out += ",\n    MERGES";
    return out + "\n);";
}

std::string operator_replace_reason(Differ& d, const Object& l, const Object& o) {
    return definition_change(d, l, o, {"restrict", "join"});
}

void create_operator_step(Differ& d, const Object& o) {
    d.create(o, create_operator(o), "CREATE OPERATOR " + display(o.id));
    d.comment(nullptr, o);
}

void alter_operator(Differ& d, const Object& l, const Object& o) {
    std::string changes;
    for (const char* key : {"restrict", "join"}) {
        json before = l.attrs.value(key, json()), after = o.attrs.value(key, json());
        if (before == after) continue;
        std::string clause = key;
        for (char& c : clause) c = static_cast<char>(toupper(c));
        changes += (changes.empty() ? "" : ", ") + clause + " = " + (after.is_null() ? "NONE" : after.get<std::string>());
    }
    if (!changes.empty())
        d.redefine(l, o, "ALTER OPERATOR " + ddl::reference(o.id) + " SET (" + changes + ");",
                   "ALTER OPERATOR " + display(o.id) + " SET (" + changes + ")");
    d.comment(&l, o);
}

// --- casts

std::string create_cast(const Object& o) {
    const json& a = ddl_attributes(o);
    std::string out = "CREATE CAST " + o.id.name;
    std::string method = a["method"];
    if (method == "function") out += " WITH FUNCTION " + a["function"].get<std::string>();
    else if (method == "inout") out += " WITH INOUT";
    else out += " WITHOUT FUNCTION";
    if (a["context"] == "assignment") out += " AS ASSIGNMENT";
    if (a["context"] == "implicit") out += " AS IMPLICIT";
    return out + ";";
}

std::string cast_replace_reason(Differ& d, const Object& l, const Object& o) { return definition_change(d, l, o, {}); }

void create_cast_step(Differ& d, const Object& o) {
    d.create(o, create_cast(o), "CREATE CAST " + display(o.id));
    d.comment(nullptr, o);
}

void comment_only(Differ& d, const Object& l, const Object& o) { d.comment(&l, o); }

// --- text search dictionaries

std::string option_list(const json& before, const json& after) {
    std::string out;
    for (const auto& [name, value] : after.items())
        if (!before.contains(name) || before[name] != value)
            out += (out.empty() ? "" : ", ") + quote_ident(name) + " = " + quote_literal(value.get<std::string>());
    for (const auto& [name, value] : before.items())
        if (!after.contains(name)) out += (out.empty() ? "" : ", ") + quote_ident(name);
    return out;
}

std::string ts_dictionary_replace_reason(Differ& d, const Object& l, const Object& o) {
    return definition_change(d, l, o, {"options"});
}

void create_ts_dictionary(Differ& d, const Object& o) {
    const json& a = ddl_attributes(o);
    std::string options = option_list(json::object(), a["options"]);
    d.create(o,
             "CREATE TEXT SEARCH DICTIONARY " + o.id.sql_name() + " (TEMPLATE = " +
                 catalog_object_sql(a["template"]) + (options.empty() ? "" : ", " + options) + ");",
             "CREATE TEXT SEARCH DICTIONARY " + display(o.id));
    d.comment(nullptr, o);
}

void alter_ts_dictionary(Differ& d, const Object& l, const Object& o) {
    std::string changes = option_list(l.attrs["options"], o.attrs["options"]);
    if (!changes.empty())
        d.alter(o.id, "ALTER TEXT SEARCH DICTIONARY " + o.id.sql_name() + " (" + changes + ");",
                "ALTER TEXT SEARCH DICTIONARY " + display(o.id) + " (" + changes + ")");
    d.comment(&l, o);
}

// --- text search configurations

std::string dictionary_list(const json& dictionaries) {
    std::string out;
    for (const json& name : dictionaries) out += (out.empty() ? "" : ", ") + catalog_object_sql(name);
    return out;
}

// ADD, ALTER and DROP MAPPING statements that take `before` to `after`,
// tokens with the same dictionaries in one statement.
void mapping_steps(Differ& d, const Object* l, const Object& o) {
    json none = json::object();
    const json& before = l ? l->attrs["mappings"] : none;
    const json& after = l ? o.attrs["mappings"] : ddl_attributes(o)["mappings"];
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> groups;  // (action, dictionaries) -> tokens
    for (const auto& [token, dictionaries] : after.items()) {
        if (before.contains(token) && before[token] == dictionaries) continue;
        groups[{before.contains(token) ? "ALTER" : "ADD", dictionary_list(dictionaries)}].push_back(token);
    }
    for (const auto& [token, dictionaries] : before.items())
        if (!after.contains(token)) groups[{"DROP", ""}].push_back(token);
    for (const auto& [key, tokens] : groups) {
        std::string list;
        for (const std::string& t : tokens) list += (list.empty() ? "" : ", ") + quote_ident(t);
        std::string sql = "ALTER TEXT SEARCH CONFIGURATION " + o.id.sql_name() + " " + key.first + " MAPPING FOR " + list;
        if (key.first != "DROP") sql += " WITH " + key.second;
        PlannedStep& p = d.alter(o.id, sql + ";", key.first + " MAPPING FOR " + list + " OF TEXT SEARCH CONFIGURATION " + display(o.id));
        p.requires = o.depends_on;
        if (l)
            for (const Dependency& dep : l->depends_on) p.releases.push_back(dep.id);
    }
}

std::string ts_configuration_replace_reason(Differ& d, const Object& l, const Object& o) {
    return definition_change(d, l, o, {"mappings"});
}

void create_ts_configuration(Differ& d, const Object& o) {
    d.create(o,
             "CREATE TEXT SEARCH CONFIGURATION " + o.id.sql_name() + " (PARSER = " +
                 catalog_object_sql(ddl_attributes(o)["parser"]) + ");",
             "CREATE TEXT SEARCH CONFIGURATION " + display(o.id));
    mapping_steps(d, nullptr, o);
    d.comment(nullptr, o);
}

void alter_ts_configuration(Differ& d, const Object& l, const Object& o) {
    mapping_steps(d, &l, o);
    d.comment(&l, o);
}

}  // namespace

const KindDiff k_operator_diff{operator_replace_reason, create_operator_step, alter_operator, drop_plainly};
const KindDiff k_cast_diff{cast_replace_reason, create_cast_step, comment_only, drop_plainly};
const KindDiff k_ts_dictionary_diff{ts_dictionary_replace_reason, create_ts_dictionary, alter_ts_dictionary, drop_plainly};
const KindDiff k_ts_configuration_diff{ts_configuration_replace_reason, create_ts_configuration, alter_ts_configuration,
                                       drop_plainly};

}  // namespace pgflux::diff
