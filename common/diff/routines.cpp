// Differs of functions, procedures and aggregates.
//
// A routine changes with CREATE OR REPLACE where PostgreSQL allows it, and
// with ALTER FUNCTION when only its attributes (volatility, STRICT, SECURITY,
// LEAKPROOF, PARALLEL, COST, ROWS, SET) change. PostgreSQL refuses OR REPLACE
// when the result type, an output parameter, an input parameter's name or
// the parameter defaults change: then the routine is dropped and created,
// and so is everything that depends on it (differ.cpp).
#include <algorithm>

#include "canon/routines.h"
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

const char* keyword(const Object& o) { return o.id.kind == Kind::procedure ? "PROCEDURE" : "FUNCTION"; }

std::string argument(const json& a, bool with_mode) {
    std::string out;
    std::string mode = a["mode"];
    if (with_mode && mode != "in") {
        std::transform(mode.begin(), mode.end(), mode.begin(), ::toupper);
        out += mode + " ";
    }
    if (a.contains("name")) out += quote_ident(a["name"].get<std::string>()) + " ";
    out += a["type"].get<std::string>();
    if (a.contains("default")) out += " DEFAULT " + a["default"].get<std::string>();
    return out;
}

// "SET search_path TO 'a', 'b'" for each "name=value" of the configuration.
std::string settings(const json& config) {
    std::string out;
    for (const json& item : config) {
        std::string text = item, name = text.substr(0, text.find('='));
        out += "\n SET " + quote_ident(name) + " TO " + setting_value_sql(name, text.substr(text.find('=') + 1));
    }
    return out;
}

// The attributes ALTER FUNCTION can change, as clauses ("" when equal).
std::string attribute_clauses(const Object* live, const Object& o) {
    const json& a = o.attrs;
    auto changed = [&](const char* key) { return !live || live->attrs.value(key, json()) != a.value(key, json()); };
    bool procedure = o.id.kind == Kind::procedure;
    std::string out;
    if (!procedure) {
        std::string volatility = a["volatility"];
        std::transform(volatility.begin(), volatility.end(), volatility.begin(), ::toupper);
        if (changed("volatility") && (live || volatility != "VOLATILE")) out += " " + volatility;
        if (changed("strict") && (live || a["strict"] == true)) out += a["strict"] == true ? " STRICT" : " CALLED ON NULL INPUT";
    }
    if (changed("security_definer") && (live || a["security_definer"] == true))
        out += a["security_definer"] == true ? " SECURITY DEFINER" : " SECURITY INVOKER";
    if (!procedure) {
        if (changed("leakproof") && (live || a["leakproof"] == true))
            out += a["leakproof"] == true ? " LEAKPROOF" : " NOT LEAKPROOF";
        std::string parallel = a["parallel"];
        std::transform(parallel.begin(), parallel.end(), parallel.begin(), ::toupper);
        if (changed("parallel") && (live || parallel != "UNSAFE")) out += " PARALLEL " + parallel;
        bool c_like = a["language"] == "c" || a["language"] == "internal";
        if (changed("cost") && (live || a["cost"] != json(c_like ? 1 : 100))) out += " COST " + a["cost"].dump();
        bool returns_set = a.value("returns", "").rfind("SETOF ", 0) == 0;
        if (changed("rows") && (live || (returns_set && a["rows"] != json(1000)))) out += " ROWS " + a["rows"].dump();
    }
    return out;
}

std::string create_routine(const Object& o, bool replace) {
    const json& a = o.attrs;
    std::string args, table_columns;
    for (const json& arg : a["arguments"]) {
        if (arg["mode"] == "table") table_columns += (table_columns.empty() ? "" : ", ") + argument(arg, false);
        else args += (args.empty() ? "" : ", ") + argument(arg, true);
    }
    std::string out = std::string("CREATE ") + (replace ? "OR REPLACE " : "") + keyword(o) + " " +
                      qualified_name(o.id.schema, o.id.name) + "(" + args + ")";
    if (!table_columns.empty()) out += "\n RETURNS TABLE(" + table_columns + ")";
    else if (a.contains("returns") && o.id.kind == Kind::function) out += "\n RETURNS " + a["returns"].get<std::string>();
    out += "\n LANGUAGE " + quote_ident(a["language"].get<std::string>());
    if (a.value("window", false)) out += " WINDOW";
    out += attribute_clauses(nullptr, o);
    out += settings(a["config"]);
    if (a.contains("sql_body")) return out + "\n" + a["sql_body"].get<std::string>() + ";";
    out += "\nAS ";
    if (a.contains("library")) out += quote_literal(a["library"].get<std::string>()) + ", ";
    return out + ddl::dollar_quote(a["body"]) + ";";
}

// ALTER FUNCTION with what changed of its attributes and settings; "" when nothing did.
std::string alter_routine(const Object& l, const Object& o) {
    std::string out = attribute_clauses(&l, o);
    const json &before = l.attrs["config"], &after = o.attrs["config"];
    for (const json& item : before) {
        std::string name = item.get<std::string>().substr(0, item.get<std::string>().find('='));
        bool kept = std::any_of(after.begin(), after.end(), [&](const json& x) {
            return x.get<std::string>().rfind(name + "=", 0) == 0;
        });
        if (!kept) out += " RESET " + quote_ident(name);
    }
    for (const json& item : after)
        if (std::find(before.begin(), before.end(), item) == before.end()) out += settings(json::array({item}));
    if (out.empty()) return "";
    return std::string("ALTER ") + keyword(o) + " " + ddl::reference(o.id) + out + ";";
}

// What ALTER FUNCTION changes; anything else takes CREATE OR REPLACE.
const std::initializer_list<const char*> k_alterable = {"volatility", "strict",   "security_definer", "leakproof",
                                                        "parallel",   "cost",     "rows",             "config",
                                                        "comment"};

json arguments_of_mode(const json& arguments, bool input) {
    json out = json::array();
    for (const json& a : arguments) {
        std::string mode = a["mode"];
        bool is_input = mode == "in" || mode == "inout" || mode == "variadic";
        bool is_output = mode == "out" || mode == "inout" || mode == "table";
        if (input ? is_input : is_output) out.push_back(a);
    }
    return out;
}

std::string routine_replace_reason(Differ& d, const Object& l, const Object& o) {
    const json &la = l.attrs, &oa = o.attrs;
    if (!d.same(la.value("returns", json()), oa.value("returns", json()), "type", display(o.id)))
        return "its result type changes";
    json lout = arguments_of_mode(la["arguments"], false), oout = arguments_of_mode(oa["arguments"], false);
    if (lout != oout) return "its output parameters change";
    json lin = arguments_of_mode(la["arguments"], true), oin = arguments_of_mode(oa["arguments"], true);
    for (size_t i = 0; i < lin.size() && i < oin.size(); ++i) {
        if (lin[i].value("name", "") != oin[i].value("name", "") && lin[i].contains("name"))
            return "the name of a parameter changes";
        if (lin[i].contains("default") && !oin[i].contains("default")) return "a parameter default is removed";
    }
    return "";
}

void create_function(Differ& d, const Object& o) {
    d.create(o, create_routine(o, false), std::string("CREATE ") + keyword(o) + " " + display(o.id));
    d.comment(nullptr, o);
}

void alter_function(Differ& d, const Object& l, const Object& o) {
    if (!d.same(without(l.attrs, k_alterable), without(o.attrs, k_alterable), "", kind_words(o.id.kind) + " " + display(o.id))) {
        // The whole definition again; it stops using what the old one used.
        d.redefine(l, o, create_routine(o, true), std::string("CREATE OR REPLACE ") + keyword(o) + " " + display(o.id));
    } else if (std::string sql = alter_routine(l, o); !sql.empty()) {
        d.alter(o.id, sql, std::string("ALTER ") + keyword(o) + " " + display(o.id));
    }
    d.comment(&l, o);
}

void drop_routine(Differ& d, const Object& l) {
    d.drop(l, ddl::drop(l.id), std::string("DROP ") + ddl::kind_keyword(l.id.kind) + " " + display(l.id));
}

// --- aggregates

std::string aggregate_arguments(const json& a) {
    if (a["arguments"].empty()) return "*";
    size_t direct = a["kind"] == "normal" ? 0 : a["direct_arguments"].get<size_t>();
    std::vector<std::string> args;
    for (const json& arg : a["arguments"]) args.push_back(argument(arg, true));
    if (a["kind"] == "normal") {
        std::string out;
        for (const auto& x : args) out += (out.empty() ? "" : ", ") + x;
        return out;
    }
    std::string direct_list, ordered_list;
    for (size_t i = 0; i < args.size(); ++i)
        (i < direct ? direct_list : ordered_list) += ((i < direct ? direct_list : ordered_list).empty() ? "" : ", ") + args[i];
    // PostgreSQL keeps "VARIADIC x ORDER BY VARIADIC x" as one argument.
    if (ordered_list.empty() && !args.empty()) ordered_list = args.back();
    return direct_list + " ORDER BY " + ordered_list;
}

std::string create_aggregate(const Object& o, bool replace) {
    const json& a = o.attrs;
    std::string out = std::string("CREATE ") + (replace ? "OR REPLACE " : "") + "AGGREGATE " +
                      qualified_name(o.id.schema, o.id.name) + "(" + aggregate_arguments(a) + ") (\n    SFUNC = " +
                      a["sfunc"].get<std::string>() + ",\n    STYPE = " + a["stype"].get<std::string>();
    auto text = [&](const char* key, const char* clause) {
        if (a.contains(key)) out += std::string(",\n    ") + clause + " = " + a[key].get<std::string>();
    };
    auto literal = [&](const char* key, const char* clause) {
        if (a.contains(key)) out += std::string(",\n    ") + clause + " = " + quote_literal(a[key].get<std::string>());
    };
    auto upper = [](std::string v) {
        std::transform(v.begin(), v.end(), v.begin(), ::toupper);
        return v;
    };
    if (a["sspace"] != 0) out += ",\n    SSPACE = " + a["sspace"].dump();
    text("finalfunc", "FINALFUNC");
    if (a["finalfunc_extra"] == true) out += ",\n    FINALFUNC_EXTRA";
    out += ",\n    FINALFUNC_MODIFY = " + upper(a["finalfunc_modify"]);
    text("combinefunc", "COMBINEFUNC");
    text("serialfunc", "SERIALFUNC");
    text("deserialfunc", "DESERIALFUNC");
    literal("initcond", "INITCOND");
    text("msfunc", "MSFUNC");
    text("minvfunc", "MINVFUNC");
    text("mstype", "MSTYPE");
    if (a["msspace"] != 0) out += ",\n    MSSPACE = " + a["msspace"].dump();
    text("mfinalfunc", "MFINALFUNC");
    if (a["mfinalfunc_extra"] == true) out += ",\n    MFINALFUNC_EXTRA";
    if (a.contains("mstype")) out += ",\n    MFINALFUNC_MODIFY = " + upper(a["mfinalfunc_modify"]);
    literal("minitcond", "MINITCOND");
    if (a.contains("sortop")) {
        std::string op = a["sortop"];
        out += ",\n    SORTOP = " + (op.find('.') == std::string::npos ? op : "OPERATOR(" + op + ")");
    }
    if (a["kind"] == "hypothetical") out += ",\n    HYPOTHETICAL";
    out += ",\n    PARALLEL = " + upper(a["parallel"]);
    return out + "\n);";
}

std::string aggregate_replace_reason(Differ& d, const Object& l, const Object& o) {
    // OR REPLACE keeps the arguments, the result and the kind.
    for (const char* key : {"arguments", "kind", "direct_arguments", "finalfunc", "stype"})
        if (!d.same(l.attrs.value(key, json()), o.attrs.value(key, json()), "type", display(o.id)))
            return "its " + std::string(key) + " changes";
    return "";
}

void create_aggregate_step(Differ& d, const Object& o) {
    d.create(o, create_aggregate(o, false), "CREATE AGGREGATE " + display(o.id));
    d.comment(nullptr, o);
}

void alter_aggregate(Differ& d, const Object& l, const Object& o) {
    if (!d.same(without(l.attrs, {"comment"}), without(o.attrs, {"comment"}), "", "aggregate " + display(o.id))) {
        d.redefine(l, o, create_aggregate(o, true), "CREATE OR REPLACE AGGREGATE " + display(o.id));
    }
    d.comment(&l, o);
}

}  // namespace

const KindDiff k_function_diff{routine_replace_reason, create_function, alter_function, drop_routine};
const KindDiff k_procedure_diff{routine_replace_reason, create_function, alter_function, drop_routine};
const KindDiff k_aggregate_diff{aggregate_replace_reason, create_aggregate_step, alter_aggregate, drop_routine};

}  // namespace pgflux::diff
