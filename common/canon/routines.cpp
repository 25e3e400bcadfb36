// Builders of function, procedure and aggregate attributes from parse nodes.
#include "canon/routines.h"

#include <cstdint>
#include <stdexcept>

#include <algorithm>
#include <cmath>

#include "canon/expressions.h"
#include "canon/types.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace {

const char* parameter_mode(const std::string& mode) {
    if (mode == "FUNC_PARAM_OUT") return "out";
    if (mode == "FUNC_PARAM_INOUT") return "inout";
    if (mode == "FUNC_PARAM_VARIADIC") return "variadic";
    if (mode == "FUNC_PARAM_TABLE") return "table";
    return "in";  // FUNC_PARAM_IN, FUNC_PARAM_DEFAULT
}

bool is_input(const std::string& mode) { return mode == "in" || mode == "inout" || mode == "variadic"; }

// Parameters as attributes, and the signature of the input ones.
json parameters(const std::vector<pq::Msg>& params, const NameScope& scope, std::string& signature) {
    json out = json::array();
    for (const pq::Msg& p : params) {
        json arg = {{"mode", parameter_mode(p.enumeration("mode"))},
                    {"type", canonical_routine_type(p.get("arg_type"), scope.type_lookup())}};
        if (!p.str("name").empty()) arg["name"] = p.str("name");
        if (pq::Msg def = p.get("defexpr")) arg["default"] = canonical_expression(def);
        if (is_input(arg["mode"])) signature += (signature.empty() ? "" : ", ") + arg["type"].get<std::string>();
        out.push_back(arg);
    }
    return out;
}

// A number option (COST, ROWS) as a JSON number: integral values as integers.
json number_value(const pq::Msg& value) {
    std::string text = pq::value_text(value);
    double v = 0;
    try {
        v = std::stod(text);
    } catch (const std::logic_error&) {
        usage_error("not a number PostgreSQL can store: " + text);
    }
    if (std::floor(v) == v && std::fabs(v) < 1e15) return static_cast<int64_t>(v);
    return v;
}

std::string text_value(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (arg.is("TypeName")) return arg.strings("names").back();
    if (arg.is("List")) return arg.strings("items").back();
    return pq::value_text(arg);
}

bool boolean_value(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (!arg) return true;
    std::string v = pq::value_text(arg);
    return v == "true" || v == "1" || v == "on" || v.empty();
}

const char* modify_name(const std::string& value) {
    if (value == "read_only" || value == "r") return "read_only";
    if (value == "shareable" || value == "s") return "shareable";
    if (value == "read_write" || value == "w") return "read_write";
    usage_error("unknown FINALFUNC_MODIFY value " + value);
}

// An operator name as pg_catalog prints it with an empty search_path.
std::string operator_name(const pq::Msg& arg) {
    std::vector<std::string> names = arg.is("List") ? arg.strings("items") : std::vector<std::string>{text_value(arg)};
    if (names.size() == 2 && names[0] != "pg_catalog") return quote_ident(names[0]) + "." + names[1];
    return names.back();
}

}  // namespace

bool is_list_setting(const std::string& name) {
    return name == "search_path" || name == "temp_tablespaces" || name == "session_preload_libraries" ||
           name == "shared_preload_libraries" || name == "local_preload_libraries";
}

std::string setting_text(const pq::Msg& set) {
    std::string name = set.str("name");
    if (set.enumeration("kind") != "VAR_SET_VALUE")
        usage_error("SET " + name + " in a routine must give a value (FROM CURRENT and DEFAULT are not supported)");
    std::string value;
    for (const pq::Msg& arg : set.list("args")) {
        pq::Msg v = arg.is("A_Const") ? arg : pq::Msg();
        std::string text;
        if (v && v.get("sval")) {
            text = pq::value_text(v.get("sval"));
            if (is_list_setting(name)) text = text.empty() ? "\"\"" : quote_ident(text);
        } else if (v) {
            text = pq::value_text(v.get("ival")) + pq::value_text(v.get("fval"));
            if (text.empty()) text = "0";
        } else {
            usage_error("SET " + name + ": unsupported value");
        }
        value += (value.empty() ? "" : ", ") + text;
    }
    return name + "=" + value;
}

std::string setting_value_sql(const std::string& name, const std::string& value) {
    if (!is_list_setting(name)) return quote_literal(value);
    std::string out;
    for (const std::string& item : split_identifiers(value, ','))
        out += (out.empty() ? "" : ", ") + quote_literal(item);
    return out;
}

std::string sql_body_text(const pq::Msg& body) {
    if (body.is("ReturnStmt")) return "RETURN " + canonical_expression(body.get("returnval"));
    std::string out = "BEGIN ATOMIC\n";
    auto items = body.list("items");
    if (!items.empty() && items[0].is("List"))
        for (const pq::Msg& stmt : items[0].list("items")) out += pq::deparse_statement(stmt) + ";\n";
    return out + "END";
}

RoutineDefinition function_definition(const pq::Msg& stmt, const NameScope& scope) {
    RoutineDefinition def;
    json& a = def.attrs;
    bool procedure = stmt.flag("is_procedure");
    a["arguments"] = parameters(stmt.list("parameters"), scope, def.signature);
    bool returns_set = false;
    if (pq::Msg returns = stmt.get("return_type")) {
        a["returns"] = canonical_routine_type(returns, scope.type_lookup());
        returns_set = returns.flag("setof");
    } else if (!procedure) {
        // No RETURNS: the OUT parameters make the result (record for several).
        int outs = 0;
        std::string type;
        for (const json& arg : a["arguments"])
            if (arg["mode"] == "out" || arg["mode"] == "inout") ++outs, type = arg["type"];
        if (outs == 0) usage_error("function result type must be specified");
        a["returns"] = outs == 1 ? type : "record";
    }
    std::string language = "sql";
    a["volatility"] = "volatile";
    a["strict"] = false;
    a["security_definer"] = false;
    a["leakproof"] = false;
    a["parallel"] = "unsafe";
    a["window"] = false;
    json config = json::array();
    std::optional<json> cost, rows;
    for (const pq::Msg& opt : stmt.list("options")) {
        std::string name = opt.str("defname");
        if (name == "language") language = text_value(opt);
        else if (name == "volatility") a["volatility"] = text_value(opt);
        else if (name == "strict") a["strict"] = boolean_value(opt);
        else if (name == "security") a["security_definer"] = boolean_value(opt);
        else if (name == "leakproof") a["leakproof"] = boolean_value(opt);
        else if (name == "parallel") a["parallel"] = text_value(opt);
        else if (name == "window") a["window"] = boolean_value(opt);
        else if (name == "cost") cost = number_value(opt.get("arg"));
        else if (name == "rows") rows = number_value(opt.get("arg"));
        else if (name == "set") config.push_back(setting_text(opt.get("arg")));
        else if (name == "as") {
            auto items = opt.get("arg").strings("items");
            if (items.size() == 2) {
                a["library"] = items[0];
                a["body"] = items[1];
            } else if (items.size() == 1) {
                a["body"] = items[0];
            }
        } else {
            usage_error(std::string(procedure ? "procedure" : "function") + " option " + name +
                        " is not supported by pg-flux yet");
        }
    }
    std::transform(language.begin(), language.end(), language.begin(), ::tolower);
    a["language"] = language;
    if (pq::Msg body = stmt.get("sql_body")) a["sql_body"] = sql_body_text(body);
    if (!a.contains("body") && !a.contains("sql_body")) usage_error("no function body specified");
    bool c_like = language == "c" || language == "internal";
    a["cost"] = cost.value_or(json(c_like ? 1 : 100));
    a["rows"] = rows.value_or(json(returns_set ? 1000 : 0));
    std::sort(config.begin(), config.end());
    a["config"] = config;
    return def;
}

RoutineDefinition aggregate_definition(const pq::Msg& stmt, const NameScope& scope) {
    RoutineDefinition def;
    json& a = def.attrs;
    auto args = stmt.list("args");
    if (args.size() != 2) usage_error("old-style CREATE AGGREGATE (BASETYPE = ...) is not supported; write CREATE AGGREGATE name (type) (...)");
    int64_t direct = std::stoll(pq::value_text(args[1]) == "" ? "0" : pq::value_text(args[1]));
    a["arguments"] = args[0] ? parameters(args[0].list("items"), scope, def.signature) : json::array();
    bool hypothetical = false;
    std::string modify, mmodify;
    a["sspace"] = 0;
    a["msspace"] = 0;
    a["finalfunc_extra"] = false;
    a["mfinalfunc_extra"] = false;
    a["parallel"] = "unsafe";
    for (const pq::Msg& opt : stmt.list("definition")) {
        std::string name = opt.str("defname");
        pq::Msg arg = opt.get("arg");
        if (name == "sfunc" || name == "finalfunc" || name == "combinefunc" || name == "serialfunc" ||
            name == "deserialfunc" || name == "msfunc" || name == "minvfunc" || name == "mfinalfunc") {
            std::vector<std::string> names = arg.is("TypeName") ? arg.strings("names") : std::vector<std::string>{text_value(opt)};
            a[name] = scope.routine_name(names);
        } else if (name == "stype" || name == "mstype") {
            if (!arg.is("TypeName")) usage_error("an aggregate's " + name + " must be a type name, not a string");
            a[name] = canonical_routine_type(arg, scope.type_lookup());
        } else if (name == "sspace" || name == "msspace") {
            std::string text = pq::value_text(arg);
            size_t used = 0;
            long long value = -1;
            try {
                value = std::stoll(text, &used);
            } catch (const std::logic_error&) {
            }
            if (value < 0 || value > INT32_MAX || used != text.size())
                usage_error("an aggregate's " + name + " must be a byte count, not " + text);
            a[name] = value;
        } else if (name == "initcond" || name == "minitcond") {
            a[name] = pq::value_text(arg);
        } else if (name == "finalfunc_extra" || name == "mfinalfunc_extra") {
            a[name] = boolean_value(opt);
        } else if (name == "finalfunc_modify") {
            modify = modify_name(text_value(opt));
        } else if (name == "mfinalfunc_modify") {
            mmodify = modify_name(text_value(opt));
        } else if (name == "sortop") {
            a["sortop"] = operator_name(arg);
        } else if (name == "parallel") {
            a["parallel"] = text_value(opt);
        } else if (name == "hypothetical") {
            hypothetical = true;
        } else {
            usage_error("aggregate option " + name + " is not supported by pg-flux yet");
        }
    }
    if (!a.contains("sfunc") || !a.contains("stype")) usage_error("an aggregate needs SFUNC and STYPE");
    std::string kind = direct < 0 ? "normal" : hypothetical ? "hypothetical" : "ordered_set";
    a["kind"] = kind;
    a["direct_arguments"] = direct < 0 ? 0 : direct;
    std::string default_modify = kind == "normal" ? "read_only" : "read_write";
    a["finalfunc_modify"] = modify.empty() ? default_modify : modify;
    a["mfinalfunc_modify"] = mmodify.empty() ? default_modify : mmodify;
    return def;
}

}  // namespace pgflux
