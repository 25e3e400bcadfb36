// Source handlers for functions, procedures and aggregates. A function's
// dependencies are its argument and result types and, for a body PostgreSQL
// parses at creation (BEGIN ATOMIC, RETURN), everything the body names; a
// SQL body in a string is parsed too, for a soft order (it is not checked at
// creation: migrations create functions with check_function_bodies off).
// plpgsql bodies are opaque.
#include "canon/routines.h"
#include "canon/types.h"
#include "model/dependencies.h"
#include "source/reader.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

// The search_path a routine's body runs with: its own SET search_path, else
// the statement's.
std::vector<std::string> body_search_path(const json& attrs, const std::vector<std::string>& statement_path) {
    for (const json& setting : attrs["config"]) {
        std::string text = setting;
        if (text.rfind("search_path=", 0) != 0) continue;
        std::vector<std::string> path;
        for (const std::string& schema : split_identifiers(text.substr(12), ','))
            if (!schema.empty() && schema != "$user") path.push_back(schema);
        return path;
    }
    return statement_path;
}

}  // namespace

std::pair<std::string, std::string> Reader::creation_name(const Stmt& s, const std::vector<std::string>& names) {
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : creation_schema(s);
    require_schema(s, schema);
    return {schema, names.back()};
}

void Reader::create_function(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = creation_name(s, node.strings("funcname"));
    RoutineDefinition def = function_definition(node, scope(s));
    Kind kind = node.flag("is_procedure") ? Kind::procedure : Kind::function;
    ObjectId id{kind, schema, name, "", def.signature};
    // CREATE OR REPLACE of a routine defined earlier replaces it, as psql would.
    if (node.flag("replace") && model.find(id)) model.objects.erase(id);
    for (const ObjectId& other : model.routines_named(schema, name))
        if (other.signature == def.signature && other.kind != kind)
            fail(s, id.describe() + " has the same signature as " + other.describe());
    Object& routine = add_object(s, Object{id, def.attrs});
    // Argument, result and body references.
    for (const pq::Msg& p : node.list("parameters")) add_references(routine, p.get("arg_type"), s.search_path);
    if (pq::Msg returns = node.get("return_type")) add_references(routine, returns, s.search_path);
    if (pq::Msg body = node.get("sql_body")) add_references(routine, body, body_search_path(def.attrs, s.search_path));
    if (def.attrs["language"] == "sql" && def.attrs.contains("body")) {
        try {
            auto parsed = pq::ParseResult::parse(def.attrs["body"].get<std::string>());
            for (const pq::Statement& st : parsed->statements())
                add_references(routine, st.node, body_search_path(def.attrs, s.search_path), true);
        } catch (const pq::SqlSyntaxError& e) {
            fail(s, "the body of " + id.describe() + " is not valid SQL: " + e.what());
        }
    }
}

void Reader::create_aggregate(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = creation_name(s, node.strings("defnames"));
    require_option_values(s, "CREATE AGGREGATE", {"hypothetical"});
    RoutineDefinition def = aggregate_definition(node, scope(s));
    ObjectId id{Kind::aggregate, schema, name, "", def.signature};
    if (node.flag("replace") && model.find(id)) model.objects.erase(id);
    Object& aggregate = add_object(s, Object{id, def.attrs});
    if (pq::Msg params = node.list("args").at(0))
        for (const pq::Msg& p : params.list("items")) add_references(aggregate, p.get("arg_type"), s.search_path);
    for (const pq::Msg& option : node.list("definition")) {
        std::string option_name = option.str("defname");
        if (option_name == "stype" || option_name == "mstype") add_references(aggregate, option.get("arg"), s.search_path);
        if (option_name.size() > 4 && option_name.compare(option_name.size() - 4, 4, "func") == 0) {
            auto parts = split_qualified_name(def.attrs[option_name].get<std::string>());
            if (parts.size() == 2)
                for (const ObjectId& routine : model.routines_named(parts[0], parts[1])) aggregate.depend_on({routine});
        }
    }
}

Object& Reader::routine_of(const Stmt& s, Kind kind, const pq::Msg& object) {
    auto names = object.strings("objname");
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
    std::vector<std::string> schemas = schema.empty() ? s.search_path : std::vector<std::string>{schema};
    std::vector<Kind> kinds = {kind};
    if (kind == Kind::function) kinds = {Kind::function, Kind::procedure, Kind::aggregate};
    if (object.flag("args_unspecified")) {
        for (const std::string& candidate : schemas) {
            std::vector<ObjectId> found;
            for (const ObjectId& id : model.routines_named(candidate, names.back()))
                if (std::find(kinds.begin(), kinds.end(), id.kind) != kinds.end()) found.push_back(id);
            if (found.size() > 1) fail(s, "routine " + quote_ident(names.back()) + " is not unique: give its argument types");
            if (found.size() == 1) return *model.find(found[0]);
        }
        fail(s, kind_words(kind) + " " + quote_ident(names.back()) + " is not defined in the schema files");
    }
    std::string signature;
    for (const pq::Msg& p : object.list("objfuncargs")) {
        std::string mode = p.enumeration("mode");
        if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_TABLE") continue;
        signature += (signature.empty() ? "" : ", ") + canonical_routine_type(p.get("arg_type"), scope(s).type_lookup());
    }
    for (const std::string& candidate : schemas)
        for (Kind k : kinds)
            if (Object* found = model.find(ObjectId{k, candidate, names.back(), "", signature})) return *found;
    fail(s, kind_words(kind) + " " + quote_ident(names.back()) + "(" + signature + ") is not defined in the schema files");
}

}  // namespace pgflux::source
