// Source handlers for operators, casts and text search dictionaries and
// configurations. Each is read into the attributes the catalog reader builds
// (canon/operators.h); ALTER statements change the attributes of an object
// the files define, in reading order.
#include <algorithm>

#include "canon/operators.h"
#include "canon/types.h"
#include "model/dependencies.h"
#include "source/reader.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux::source {
namespace {

// Runs a builder, turning its usage errors into errors at the statement.
template <typename F>
auto at_statement(const Reader& r, const Stmt& s, F&& build) -> decltype(build()) {
    try {
        return build();
    } catch (const Error& e) {
        if (e.code != k_exit_usage) throw;
        r.fail(s, e.what());
    }
}

}  // namespace

void Reader::create_operator(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = creation_name(s, node.strings("defnames"));
    OperatorDefinition def = at_statement(*this, s, [&] { return operator_definition(node, scope(s)); });
    Object& op = add_object(s, Object{ObjectId{Kind::operator_, schema, name, "", def.signature}, def.attrs});
    for (const pq::Msg& option : node.list("definition")) {
        std::string option_name = option.str("defname");
        if (option_name == "leftarg" || option_name == "rightarg") add_references(op, option.get("arg"), s.search_path);
    }
}

Object& Reader::operator_of(const Stmt& s, const pq::Msg& object) {
    auto names = object.strings("objname");
    std::string signature = at_statement(*this, s, [&] { return operator_signature(object, scope(s)); });
    std::vector<std::string> schemas = names.size() >= 2 ? std::vector<std::string>{names[names.size() - 2]} : s.search_path;
    for (const std::string& schema : schemas)
        if (Object* found = model.find(ObjectId{Kind::operator_, schema, names.back(), "", signature})) return *found;
    fail(s, "operator " + names.back() + " (" + signature + ") is not defined in the schema files");
}

void Reader::alter_operator(const Stmt& s) {
    Object& op = operator_of(s, s.node().get("opername"));
    for (const pq::Msg& option : s.node().list("options")) {
        std::string name = option.str("defname");
        if (name != "restrict" && name != "join")
            fail(s, "ALTER OPERATOR ... SET (" + name + ") is not supported by PostgreSQL 15 (only RESTRICT and JOIN)");
        pq::Msg arg = option.get("arg");
        if (!arg) op.attrs.erase(name);
        else op.attrs[name] = scope(s).routine_name(arg.is("TypeName") ? arg.strings("names")
                                                                        : std::vector<std::string>{pq::value_text(arg)});
    }
}

void Reader::create_cast(const Stmt& s) {
    CastDefinition def = at_statement(*this, s, [&] { return cast_definition(s.node(), scope(s)); });
    bool user = in_user_schema(def.attrs["source"]) || in_user_schema(def.attrs["target"]) ||
                (def.attrs.contains("function") && in_user_schema(def.attrs["function"]));
    if (!user)
        fail(s, "cast " + def.name + " is not supported: pg-flux models casts that involve a type or function of "
                "the schema files, not casts between built-in types");
    Object& cast = add_object(s, Object{ObjectId{Kind::cast, "", def.name}, def.attrs});
    add_references(cast, s.node().get("sourcetype"), s.search_path);
    add_references(cast, s.node().get("targettype"), s.search_path);
}

Object& Reader::cast_of(const Stmt& s, const pq::Msg& list) {
    auto items = list.list("items");
    if (items.size() != 2) fail(s, "a cast is named by its source and target types");
    std::string name = at_statement(*this, s, [&] {
        return cast_name(canonical_routine_type(items[0], scope(s).type_lookup()),
                         canonical_routine_type(items[1], scope(s).type_lookup()));
    });
    return require(s, ObjectId{Kind::cast, "", name});
}

void Reader::create_ts_dictionary(const Stmt& s) {
    auto [schema, name] = creation_name(s, s.node().strings("defnames"));
    json attrs = at_statement(*this, s, [&] { return ts_dictionary_attributes(s.node(), scope(s)); });
    add_object(s, Object{ObjectId{Kind::text_search_dictionary, schema, name}, attrs});
}

Object& Reader::text_search_object(const Stmt& s, Kind kind, const std::vector<std::string>& names) {
    std::string schema = scope(s).resolve(kind, names.size() >= 2 ? names[names.size() - 2] : "", names.back());
    return require(s, ObjectId{kind, schema, names.back()});
}

void Reader::alter_ts_dictionary(const Stmt& s) {
    Object& dictionary = text_search_object(s, Kind::text_search_dictionary, s.node().strings("dictname"));
    at_statement(*this, s, [&] {
        alter_ts_dictionary_options(dictionary.attrs, s.node().list("options"));
        return 0;
    });
}

// A dictionary a mapping names: the schema files' when they define it on
// the search_path, else the built-in one.
std::string Reader::dictionary_name(const Stmt& s, const std::vector<std::string>& names) {
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : "pg_catalog";
    if (names.size() == 1)
        for (const std::string& candidate : s.search_path)
            if (model.find(ObjectId{Kind::text_search_dictionary, candidate, names.back()})) {
                schema = candidate;
                break;
            }
    if (schema != "pg_catalog") require(s, ObjectId{Kind::text_search_dictionary, schema, names.back()});
    return catalog_object_name({schema, names.back()}, "");
}

void Reader::create_ts_configuration(const Stmt& s) {
    auto [schema, name] = creation_name(s, s.node().strings("defnames"));
    json attrs;
    for (const pq::Msg& option : s.node().list("definition")) {
        std::string option_name = option.str("defname");
        pq::Msg arg = option.get("arg");
        std::vector<std::string> names;
        if (arg && arg.is("TypeName")) names = arg.strings("names");
        else if (arg && arg.is("List")) names = arg.strings("items");
        else if (arg && !pq::value_text(arg).empty()) names = {pq::value_text(arg)};
        if (names.empty()) fail(s, "text search configuration option " + option_name + " needs a name");
        if (option_name == "parser") {
            if (names.size() == 1 && names[0] != "default")
                fail(s, "text search parser " + quote_ident(names[0]) + " is not supported (only the built-in default parser)");
            if (names.size() == 2 && !(names[0] == "pg_catalog" && names[1] == "default"))
                fail(s, "text search parser " + qualified_name(names[0], names[1]) +
                        " is not supported (only the built-in default parser)");
            attrs = {{"parser", "default"}, {"mappings", json::object()}};
        } else if (option_name == "copy") {
            std::string from_schema = names.size() >= 2 ? names[names.size() - 2] : "";
            const Object* source = nullptr;
            for (const std::string& candidate : from_schema.empty() ? s.search_path : std::vector<std::string>{from_schema})
                if ((source = model.find(ObjectId{Kind::text_search_configuration, candidate, names.back()}))) break;
            if (source) {
                attrs = {{"parser", source->attrs["parser"]}, {"mappings", source->attrs["mappings"]}};
            } else if (from_schema.empty() || from_schema == "pg_catalog") {
                attrs = builtin_ts_configuration(names.back());
            }
            if (attrs.is_null())
                fail(s, "text search configuration " + quote_ident(names.back()) +
                        " is neither built in nor defined earlier in the schema files");
        } else {
            fail(s, "text search configuration option " + option_name + " is not supported");
        }
    }
    if (attrs.is_null()) fail(s, "a text search configuration needs PARSER or COPY");
    add_object(s, Object{ObjectId{Kind::text_search_configuration, schema, name}, attrs});
}

void Reader::alter_ts_configuration(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& config = text_search_object(s, Kind::text_search_configuration, node.strings("cfgname"));
    json& mappings = config.attrs["mappings"];
    std::string kind = node.enumeration("kind");
    std::vector<std::string> tokens = node.strings("tokentype");
    for (const std::string& token : tokens) {
        const auto& known = default_parser_token_types();
        if (std::find(known.begin(), known.end(), token) == known.end())
            fail(s, "token type " + quote_ident(token) + " does not exist in the default parser");
    }
    std::vector<std::string> dictionaries;
    for (const pq::Msg& d : node.list("dicts")) dictionaries.push_back(dictionary_name(s, d.strings("items")));
    if (kind == "ALTER_TSCONFIG_ADD_MAPPING" || kind == "ALTER_TSCONFIG_ALTER_MAPPING_FOR_TOKEN") {
        for (const std::string& token : tokens) {
            if (kind == "ALTER_TSCONFIG_ADD_MAPPING" && mappings.contains(token))
                fail(s, "token type " + quote_ident(token) + " is already mapped (use ALTER MAPPING)");
            mappings[token] = dictionaries;
        }
    } else if (kind == "ALTER_TSCONFIG_DROP_MAPPING") {
        for (const std::string& token : tokens) {
            if (!mappings.contains(token) && !node.flag("missing_ok"))
                fail(s, "mapping for token type " + quote_ident(token) + " does not exist");
            mappings.erase(token);
        }
    } else if (kind == "ALTER_TSCONFIG_REPLACE_DICT" || kind == "ALTER_TSCONFIG_REPLACE_DICT_FOR_TOKEN") {
        if (dictionaries.size() != 2) fail(s, "ALTER MAPPING REPLACE names one dictionary and its replacement");
        for (auto& [token, list] : mappings.items()) {
            if (!tokens.empty() && std::find(tokens.begin(), tokens.end(), token) == tokens.end()) continue;
            for (json& d : list)
                if (d == dictionaries[0]) d = dictionaries[1];
        }
    } else {
        fail(s, statement_kind(s) + " is not supported by pg-flux yet");
    }
}

}  // namespace pgflux::source
