// format_type()-compatible spelling of TypeName nodes: builtin aliases mapped
// to SQL names, typmods rendered the way each type's typmodout does.
#include "canon/types.h"

#include <set>

#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace {

// pg_catalog types a user can name without a schema (PostgreSQL 15).
const std::set<std::string> k_builtin_types = {
    "aclitem", "any", "anyarray", "anycompatible", "anycompatiblearray", "anyelement", "anyenum",
    "anymultirange", "anynonarray", "anyrange", "bit", "bool", "box", "bpchar", "bytea", "char",
    "cid", "cidr", "circle", "cstring", "date", "datemultirange", "daterange", "float4", "float8",
    "gtsvector", "inet", "int2", "int2vector", "int4", "int4multirange", "int4range", "int8",
    "int8multirange", "int8range", "internal", "interval", "json", "jsonb", "jsonpath", "line",
    "lseg", "macaddr", "macaddr8", "money", "name", "numeric", "nummultirange", "numrange", "oid",
    "oidvector", "path", "pg_lsn", "pg_node_tree", "pg_snapshot", "point", "polygon", "record",
    "refcursor", "regclass", "regcollation", "regconfig", "regdictionary", "regnamespace",
    "regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype", "text", "tid",
    "time", "timestamp", "timestamptz", "timetz", "trigger", "tsmultirange", "tsquery", "tsrange",
    "tstzmultirange", "tstzrange", "tsvector", "txid_snapshot", "uuid", "varbit", "varchar",
    "void", "xid", "xid8", "xml"};

// Internal names that format_type prints with their SQL spelling.
const char* sql_spelling(const std::string& internal) {
    static const std::pair<const char*, const char*> k_spellings[] = {
        {"int2", "smallint"},
        {"int4", "integer"},
        {"int8", "bigint"},
        {"float4", "real"},
        {"float8", "double precision"},
        {"bool", "boolean"},
        {"varchar", "character varying"},
        {"bpchar", "character"},
        {"varbit", "bit varying"},
        {"timestamp", "timestamp"},
        {"timestamptz", "timestamp"},
        {"time", "time"},
        {"timetz", "time"},
        {"numeric", "numeric"},
        {"bit", "bit"},
        {"interval", "interval"},
    };
    for (const auto& [from, to] : k_spellings)
        if (internal == from) return to;
    return nullptr;
}

const char* time_zone_suffix(const std::string& internal) {
    if (internal == "timestamp" || internal == "time") return " without time zone";
    if (internal == "timestamptz" || internal == "timetz") return " with time zone";
    return "";
}

std::vector<std::string> typmod_values(const pq::Msg& type_name) {
    std::vector<std::string> out;
    for (const pq::Msg& mod : type_name.list("typmods")) {
        if (mod.is("A_Const") && mod.get("sval")) {
            // A string modifier stays a literal: the type's typmodin reads it.
            out.push_back(quote_literal(pq::value_text(mod.get("sval"))));
        } else if (mod.is("A_Const")) {
            out.push_back(pq::value_text(mod.get("ival")) + pq::value_text(mod.get("fval")));
        } else if (mod.is("ColumnRef")) {
            out.push_back(join_idents(mod.strings("fields")));
        } else {
            out.push_back(pq::deparse_expression(mod));
        }
    }
    return out;
}

std::string join_comma(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
    return out;
}

// interval's typmod: a field mask, then an optional precision.
std::string interval_typmod(const std::vector<std::string>& mods) {
    if (mods.empty()) return "";
    constexpr int k_month = 1 << 1, k_year = 1 << 2, k_day = 1 << 3, k_hour = 1 << 10,
                  k_minute = 1 << 11, k_second = 1 << 12, k_full_range = 0x7FFF;
    static const std::pair<int, const char*> k_fields[] = {
        {k_year, " year"},
        {k_month, " month"},
        {k_day, " day"},
        {k_hour, " hour"},
        {k_minute, " minute"},
        {k_second, " second"},
        {k_year | k_month, " year to month"},
        {k_day | k_hour, " day to hour"},
        {k_day | k_hour | k_minute, " day to minute"},
        {k_day | k_hour | k_minute | k_second, " day to second"},
        {k_hour | k_minute, " hour to minute"},
        {k_hour | k_minute | k_second, " hour to second"},
        {k_minute | k_second, " minute to second"},
        {k_full_range, ""},
    };
    int mask = std::stoi(mods[0]);
    std::string out;
    for (const auto& [bits, text] : k_fields)
        if (bits == mask) out = text;
    if (mods.size() > 1) out += "(" + mods[1] + ")";
    return out;
}

std::string builtin_type(const std::string& internal, const std::vector<std::string>& mods) {
    // Without a length, "character" and "bit" would mean length 1: PostgreSQL
    // spells these types by their own names (bpchar, "bit").
    if (mods.empty() && (internal == "bpchar" || internal == "bit")) return quote_ident(internal);
    const char* spelled = sql_spelling(internal);
    if (!spelled) {
        std::string out = quote_ident(internal);
        return mods.empty() ? out : out + "(" + join_comma(mods) + ")";
    }
    std::string out = spelled;
    if (internal == "interval") return out + interval_typmod(mods);
    if (internal == "numeric" && mods.size() == 1) return out + "(" + mods[0] + ",0)";
    if (!mods.empty()) out += "(" + join_comma(mods) + ")";
    return out + time_zone_suffix(internal);
}

}  // namespace

bool is_builtin_type(const std::string& name) { return k_builtin_types.count(name) > 0; }

std::string canonical_type(const pq::Msg& type_name, const TypeLookup& lookup) {
    if (type_name.flag("setof") || type_name.flag("pct_type"))
        usage_error("SETOF and %TYPE are not supported in column types");
    std::vector<std::string> names = type_name.strings("names");
    std::vector<std::string> mods = typmod_values(type_name);
    std::string out;
    if (names.size() == 2 && names[0] == "pg_catalog") {
        out = builtin_type(names[1], mods);
    } else if (names.size() == 1 && is_builtin_type(names[0])) {
        out = builtin_type(names[0], mods);
    } else {
        std::string schema;
        std::string name = names.back();
        if (names.size() >= 2) {
            schema = names[names.size() - 2];
        } else if (auto found = lookup ? lookup(name) : std::nullopt) {
            schema = *found;
        }
        out = qualified_name(schema, name);
        if (!mods.empty()) out += "(" + join_comma(mods) + ")";
    }
    if (!type_name.list("array_bounds").empty()) out += "[]";
    return out;
}

std::string canonical_routine_type(const pq::Msg& type_name, const TypeLookup& lookup) {
    if (type_name.flag("pct_type"))
        usage_error("%TYPE is not supported in routine signatures (write the type itself)");
    std::vector<std::string> names = type_name.strings("names");
    std::string out;
    bool builtin = (names.size() == 2 && names[0] == "pg_catalog") || (names.size() == 1 && is_builtin_type(names[0]));
    if (builtin) {
        const std::string& internal = names.back();
        const char* spelled = sql_spelling(internal);
        out = spelled ? std::string(spelled) + time_zone_suffix(internal) : quote_ident(internal);
    } else {
        std::string schema;
        const std::string& name = names.back();
        if (names.size() >= 2) schema = names[names.size() - 2];
        else if (auto found = lookup ? lookup(name) : std::nullopt) schema = *found;
        out = qualified_name(schema, name);
    }
    if (!type_name.list("array_bounds").empty()) out += "[]";
    return type_name.flag("setof") ? "SETOF " + out : out;
}

std::string canonical_type_text(const std::string& text, const TypeLookup& lookup) {
    auto parsed = pq::parse_expression("NULL::" + text);
    if (!parsed.expr.is("TypeCast")) usage_error("not a type: " + text);
    return canonical_type(parsed.expr.get("type_name"), lookup);
}

std::string element_type(const std::string& canonical) {
    if (canonical.size() > 2 && canonical.compare(canonical.size() - 2, 2, "[]") == 0)
        return canonical.substr(0, canonical.size() - 2);
    return canonical;
}

std::string short_type_name(const std::string& canonical) {
    std::string base = canonical, dims;
    while (base.size() > 2 && base.compare(base.size() - 2, 2, "[]") == 0) {
        base.resize(base.size() - 2);
        dims += "[]";
    }
    auto strip = [&](const std::string& suffix) {
        if (base.size() <= suffix.size() || base.compare(base.size() - suffix.size(), suffix.size(), suffix) != 0)
            return false;
        base.resize(base.size() - suffix.size());
        return true;
    };
    // "name" or "name(n)" exactly: the modifier, or "" when absent; nullopt otherwise.
    auto modifier = [&](const std::string& name) -> std::optional<std::string> {
        if (base == name) return std::string();
        if (base.size() > name.size() + 2 && base.compare(0, name.size() + 1, name + "(") == 0 && base.back() == ')' &&
            base.find_first_not_of("0123456789", name.size() + 1) == base.size() - 1)
            return base.substr(name.size());
        return std::nullopt;
    };
    std::string original = base;
    if (strip(" with time zone")) {
        if (auto m = modifier("timestamp")) return "timestamptz" + *m + dims;
        if (auto m = modifier("time")) return "timetz" + *m + dims;
    } else if (strip(" without time zone")) {
        if (auto m = modifier("timestamp")) return "timestamp" + *m + dims;
        if (auto m = modifier("time")) return "time" + *m + dims;
    }
    base = original;
    if (auto m = modifier("character varying")) return "varchar" + *m + dims;
    if (auto m = modifier("character")) return "char" + *m + dims;
    if (auto m = modifier("bit varying")) return "varbit" + *m + dims;
    return canonical;
}

}  // namespace pgflux
