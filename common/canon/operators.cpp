// Builders of operator, cast and text search attributes from parse nodes.
#include "canon/operators.h"

#include <algorithm>

#include "canon/types.h"
#include "model/dependencies.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace {

// The names a DefElem's argument spells: a TypeName (func_type), a List
// (an operator), or a single word.
std::vector<std::string> argument_names(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (!arg) usage_error("option " + def_elem.str("defname") + " needs a value");
    if (arg.is("TypeName")) return arg.strings("names");
    if (arg.is("List")) return arg.strings("items");
    return {pq::value_text(arg)};
}

bool flag_value(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (!arg) return true;
    std::string v = pq::value_text(arg);
    return v == "true" || v == "1" || v == "on";
}

}  // namespace

std::string catalog_object_name(const std::vector<std::string>& names, const std::string& unqualified_schema) {
    if (names.empty()) usage_error("a name is missing");
    if (names.size() >= 2 && names[names.size() - 2] != "pg_catalog")
        return qualified_name(names[names.size() - 2], names.back());
    if (names.size() == 1 && !unqualified_schema.empty() && unqualified_schema != "pg_catalog")
        return qualified_name(unqualified_schema, names.back());
    return names.back();
}

std::string catalog_object_sql(const std::string& canonical) {
    auto parts = split_qualified_name(canonical);
    if (parts.size() == 2) return qualified_name(parts[0], parts[1]);
    return "pg_catalog." + quote_ident(canonical);
}

bool in_user_schema(const std::string& canonical_name) {
    std::string name = canonical_name;
    if (name.rfind("SETOF ", 0) == 0) name = name.substr(6);
    return split_qualified_name(element_type(name)).size() == 2;
}

// --- operators

std::string operator_reference(const std::vector<std::string>& names, const NameScope& scope,
                               const std::string& signature) {
    std::string schema;
    if (names.size() >= 2) {
        schema = names[names.size() - 2];
    } else {
        // PostgreSQL looks the operator up on the search_path, and else makes
        // a shell operator in the first schema of it.
        if (scope.model)
            for (const std::string& candidate : scope.search_path)
                if (scope.model->find(ObjectId{Kind::operator_, candidate, names.back(), "", signature})) {
                    schema = candidate;
                    break;
                }
        if (schema.empty()) schema = scope.creation_schema();
    }
    if (schema == "pg_catalog") return names.back();
    return quote_ident(schema) + "." + names.back();
}

std::string operator_reference_sql(const std::string& canonical) {
    size_t dot = canonical.rfind('.');
    if (dot == std::string::npos) return "OPERATOR(pg_catalog." + canonical + ")";
    auto schema = split_qualified_name(canonical.substr(0, dot));
    return "OPERATOR(" + quote_ident(schema.empty() ? "" : schema[0]) + "." + canonical.substr(dot + 1) + ")";
}

void close_operator_links(Model& model) {
    std::vector<std::pair<ObjectId, std::pair<std::string, std::string>>> links;  // other, (key, this)
    for (const auto& [id, object] : model.objects) {
        if (id.kind != Kind::operator_) continue;
        const json& a = object.attrs;
        std::string left = a.value("left", std::string("NONE")), right = a["right"];
        for (const char* key : {"commutator", "negator"}) {
            if (!a.contains(key)) continue;
            std::string other = a[key];
            size_t dot = other.rfind('.');
            if (dot == std::string::npos) continue;  // a pg_catalog operator
            auto schema = split_qualified_name(other.substr(0, dot));
            if (schema.size() != 1) continue;
            std::string signature = std::string(key) == "commutator" ? right + ", " + left : left + ", " + right;
            links.push_back({ObjectId{Kind::operator_, schema[0], other.substr(dot + 1), "", signature},
                             {key, quote_ident(id.schema) + "." + id.name}});
        }
    }
    for (const auto& [other, link] : links)
        if (Object* o = model.find(other); o && !o->attrs.contains(link.first)) o->attrs[link.first] = link.second;
}

OperatorDefinition operator_definition(const pq::Msg& stmt, const NameScope& scope) {
    OperatorDefinition def;
    json& a = def.attrs;
    std::vector<std::pair<std::string, std::vector<std::string>>> references;
    a["hashes"] = false;
    a["merges"] = false;
    for (const pq::Msg& opt : stmt.list("definition")) {
        std::string name = opt.str("defname");
        if (name == "leftarg" || name == "rightarg") {
            pq::Msg arg = opt.get("arg");
            if (!arg || !arg.is("TypeName")) usage_error("operator option " + name + " needs a type");
            if (arg.flag("setof")) usage_error("SETOF type not allowed for operator argument");
            a[name == "leftarg" ? "left" : "right"] = canonical_routine_type(arg, scope.type_lookup());
        } else if (name == "function" || name == "procedure") {
            a["function"] = scope.routine_name(argument_names(opt));
        } else if (name == "restrict" || name == "join") {
            a[name] = scope.routine_name(argument_names(opt));
        } else if (name == "commutator" || name == "negator") {
            references.emplace_back(name, argument_names(opt));
        } else if (name == "hashes" || name == "merges") {
            a[name] = flag_value(opt);
        } else {
            usage_error("operator option " + name + " is not supported by pg-flux");
        }
    }
    if (!a.contains("right")) usage_error("an operator needs RIGHTARG (postfix operators do not exist in PostgreSQL 15)");
    if (!a.contains("function")) usage_error("an operator needs FUNCTION");
    def.signature = a.value("left", std::string("NONE")) + ", " + a["right"].get<std::string>();
    // The commutator takes the operands the other way round.
    std::string swapped = a["right"].get<std::string>() + ", " + a.value("left", std::string("NONE"));
    for (const auto& [name, names] : references)
        a[name] = operator_reference(names, scope, name == "commutator" ? swapped : def.signature);
    return def;
}

std::string operator_signature(const pq::Msg& object, const NameScope& scope) {
    std::vector<std::string> types;
    for (const pq::Msg& arg : object.list("objargs"))
        types.push_back(arg && arg.is("TypeName") ? canonical_routine_type(arg, scope.type_lookup()) : "NONE");
    if (types.size() != 2) usage_error("an operator is named with its two operand types (NONE for a prefix operator)");
    return types[0] + ", " + types[1];
}

// --- casts

std::string cast_name(const std::string& source, const std::string& target) {
    return "(" + source + " AS " + target + ")";
}

CastDefinition cast_definition(const pq::Msg& stmt, const NameScope& scope) {
    CastDefinition def;
    json& a = def.attrs;
    std::string source = canonical_routine_type(stmt.get("sourcetype"), scope.type_lookup());
    std::string target = canonical_routine_type(stmt.get("targettype"), scope.type_lookup());
    a["source"] = source;
    a["target"] = target;
    if (pq::Msg func = stmt.get("func")) {
        a["method"] = "function";
        auto names = func.strings("objname");
        std::string signature;
        if (func.flag("args_unspecified")) {
            std::string schema = names.size() >= 2 ? names[names.size() - 2] : scope.routine_schema(names.back()).value_or("");
            std::vector<ObjectId> found = scope.model && !schema.empty() ? scope.model->routines_named(schema, names.back())
                                                                          : std::vector<ObjectId>{};
            if (found.size() != 1)
                usage_error("cast function " + quote_ident(names.back()) + ": give its argument types");
            signature = found[0].signature;
        } else {
            for (const pq::Msg& p : func.list("objfuncargs"))
                signature += (signature.empty() ? "" : ", ") + canonical_routine_type(p.get("arg_type"), scope.type_lookup());
        }
        a["function"] = scope.routine_name(names) + "(" + signature + ")";
    } else {
        a["method"] = stmt.flag("inout") ? "inout" : "binary";
    }
    std::string context = stmt.enumeration("context");
    a["context"] = context == "COERCION_IMPLICIT" ? "implicit" : context == "COERCION_ASSIGNMENT" ? "assignment" : "explicit";
    def.name = cast_name(source, target);
    return def;
}

// --- text search

std::string ts_option_value(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (!arg) usage_error("text search option " + def_elem.str("defname") + " needs a value");
    if (arg.is("TypeName") || arg.is("List")) {
        std::string out;
        for (const std::string& n : argument_names(def_elem)) out += (out.empty() ? "" : ".") + n;
        return out;
    }
    return pq::value_text(arg);
}

json ts_dictionary_attributes(const pq::Msg& stmt, const NameScope& scope) {
    static const char* k_builtin_templates[] = {"simple", "synonym", "thesaurus", "ispell", "snowball"};
    json a = {{"options", json::object()}};
    for (const pq::Msg& opt : stmt.list("definition")) {
        std::string name = opt.str("defname");
        if (name == "template") {
            auto names = argument_names(opt);
            bool builtin = names.size() == 1 && std::find(std::begin(k_builtin_templates), std::end(k_builtin_templates),
                                                          names[0]) != std::end(k_builtin_templates);
            std::string schema = builtin || scope.search_path.empty() ? "pg_catalog" : scope.search_path.front();
            a["template"] = catalog_object_name(names, schema);
        } else {
            a["options"][name] = ts_option_value(opt);
        }
    }
    if (!a.contains("template")) usage_error("a text search dictionary needs a TEMPLATE");
    return a;
}

void alter_ts_dictionary_options(json& attrs, const std::vector<pq::Msg>& options) {
    for (const pq::Msg& opt : options) {
        std::string name = opt.str("defname");
        if (name == "template") usage_error("the template of a text search dictionary cannot be changed");
        if (opt.get("arg")) attrs["options"][name] = ts_option_value(opt);
        else attrs["options"].erase(name);
    }
}

const std::vector<std::string>& default_parser_token_types() {
    static const std::vector<std::string> k_tokens = {
        "asciiword", "word",  "numword",  "asciihword", "hword",    "numhword", "hword_asciipart", "hword_part",
        "hword_numpart", "email", "protocol", "url",     "host",     "url_path", "file",            "sfloat",
        "float",     "int",   "uint",     "version",    "tag",      "entity",   "blank"};
    return k_tokens;
}

json builtin_ts_configuration(const std::string& name) {
    // As PostgreSQL 15's snowball_create.sql makes them: numbers, addresses
    // and files map to simple; words to the language's stemmer (ASCII words
    // to english_stem for languages in another script).
    static const char* k_languages[] = {"arabic", "armenian", "basque",   "catalan",    "danish",   "dutch",
                                        "english", "finnish", "french",   "german",     "greek",    "hindi",
                                        "hungarian", "indonesian", "irish", "italian",  "lithuanian", "nepali",
                                        "norwegian", "portuguese", "romanian", "russian", "serbian", "spanish",
                                        "swedish", "tamil",   "turkish",  "yiddish"};
    std::string words, ascii;
    if (name == "simple") {
        words = ascii = "simple";
    } else if (std::find(std::begin(k_languages), std::end(k_languages), name) != std::end(k_languages)) {
        words = name + "_stem";
        ascii = name == "hindi" || name == "russian" ? "english_stem" : words;
    } else {
        return json();
    }
    json mappings = json::object();
    for (const char* t : {"numword", "email", "url", "host", "sfloat", "version", "hword_numpart", "numhword",
                          "url_path", "file", "float", "int", "uint"})
        mappings[t] = json::array({"simple"});
    for (const char* t : {"asciiword", "hword_asciipart", "asciihword"}) mappings[t] = json::array({ascii});
    for (const char* t : {"word", "hword_part", "hword"}) mappings[t] = json::array({words});
    return {{"parser", "default"}, {"mappings", mappings}};
}

}  // namespace pgflux
