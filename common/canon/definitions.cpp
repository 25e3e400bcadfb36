// Builders for index, constraint and sequence attributes from parse nodes.
#include "canon/definitions.h"

#include <algorithm>
#include <limits>

#include "canon/expressions.h"
#include "canon/types.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace {

std::string qualified_operator_name(const std::vector<std::string>& names) {
    if (names.size() == 2 && names[0] != "pg_catalog") return quote_ident(names[0]) + "." + names[1];
    return names.back();
}

// Operator classes in pg_catalog print unqualified; others keep their schema.
std::string opclass_name(const std::vector<std::string>& names) {
    if (names.size() == 2 && names[0] != "pg_catalog") return qualified_name(names[0], names[1]);
    return quote_ident(names.back());
}

// What an index element and a partition key element (IndexElem,
// PartitionElem) share: a column or an expression, a collation other than
// the default, an operator class.
json key_element(const pq::Msg& elem, const NameScope& scope) {
    json out = json::object();
    pq::Msg expr = elem.get("expr");
    if (expr && expr.is("ColumnRef") && expr.list("fields").size() == 1) {
        out["column"] = expr.strings("fields")[0];
    } else if (expr) {
        out["expression"] = canonical_expression(expr);
    } else {
        out["column"] = elem.str("name");
    }
    auto collation = elem.strings("collation");
    if (!collation.empty()) {
        std::string c = scope.collation(collation);
        if (!c.empty()) out["collation"] = c;
    }
    auto opclass = elem.strings("opclass");
    if (!opclass.empty()) out["opclass"] = opclass_name(opclass);
    return out;
}

json index_element(const pq::Msg& elem, const NameScope& scope) {
    json out = key_element(elem, scope);
    auto opclass_options = elem.list("opclassopts");
    if (!opclass_options.empty()) out["opclass_options"] = option_texts(opclass_options);
    std::string ordering = elem.enumeration("ordering");
    std::string nulls = elem.enumeration("nulls_ordering");
    bool descending = ordering == "SORTBY_DESC";
    out["descending"] = descending;
    out["nulls_first"] = nulls == "SORTBY_NULLS_FIRST" || (nulls != "SORTBY_NULLS_LAST" && descending);
    return out;
}

json name_list(const std::vector<pq::Msg>& items) {
    json out = json::array();
    for (const auto& item : items) {
        if (item.is("String")) out.push_back(item.str("sval"));
        else if (item.is("IndexElem")) out.push_back(item.str("name"));
    }
    return out;
}

const char* fk_action(const std::string& code) {
    if (code == "r") return "restrict";
    if (code == "c") return "cascade";
    if (code == "n") return "set null";
    if (code == "d") return "set default";
    return "no action";
}

const char* fk_match(const std::string& code) {
    if (code == "f") return "full";
    if (code == "p") return "partial";
    return "simple";
}

json key_columns(const pq::Msg& constraint, const std::string& column, const char* field) {
    json columns = name_list(constraint.list(field));
    if (columns.empty() && !column.empty()) columns.push_back(column);
    return columns;
}

void add_deferrability(json& out, const pq::Msg& constraint) {
    out["deferrable"] = constraint.flag("deferrable");
    out["initially_deferred"] = constraint.flag("initdeferred");
}

void add_index_parts(json& out, const pq::Msg& constraint) {
    out["include"] = name_list(constraint.list("including"));
    out["index_options"] = option_texts(constraint.list("options"));  // written order, as stored
    if (!constraint.str("indexspace").empty())
        usage_error("USING INDEX TABLESPACE is not supported yet");
}

json exclusion_elements(const pq::Msg& constraint, const NameScope& scope) {
    json out = json::array();
    for (const pq::Msg& pair : constraint.list("exclusions")) {
        auto items = pair.list("items");
        json element = index_element(items.at(0), scope);
        element["operator"] = qualified_operator_name(items.at(1).strings("items"));
        out.push_back(element);
    }
    return out;
}

int64_t parse_int64(const pq::Msg& value, const std::string& option) {
    std::string text = pq::value_text(value);
    try {
        size_t used = 0;
        int64_t v = std::stoll(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    usage_error("sequence option " + option + ": not an integer: " + text);
}

}  // namespace

json index_attributes(const pq::Msg& stmt, const NameScope& scope) {
    json out = json::object();
    out["unique"] = stmt.flag("unique");
    std::string method = stmt.str("access_method");
    out["method"] = method.empty() ? "btree" : method;
    json elements = json::array();
    for (const pq::Msg& elem : stmt.list("index_params")) elements.push_back(index_element(elem, scope));
    out["elements"] = elements;
    out["include"] = name_list(stmt.list("index_including_params"));
    pq::Msg where = stmt.get("where_clause");
    if (where) out["where"] = canonical_expression(where);
    out["nulls_not_distinct"] = stmt.flag("nulls_not_distinct");
    out["options"] = option_texts(stmt.list("options"));  // written order, as stored
    if (!stmt.str("table_space").empty()) usage_error("index TABLESPACE is not supported yet");
    return out;
}

json constraint_attributes(const pq::Msg& c, const NameScope& scope, const std::string& column) {
    json out = json::object();
    std::string type = c.enumeration("contype");
    if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") {
        out["type"] = type == "CONSTR_PRIMARY" ? "primary_key" : "unique";
        out["columns"] = key_columns(c, column, "keys");
        add_index_parts(out, c);
        if (type == "CONSTR_UNIQUE") out["nulls_not_distinct"] = c.flag("nulls_not_distinct");
        add_deferrability(out, c);
    } else if (type == "CONSTR_CHECK") {
        out["type"] = "check";
        out["expression"] = canonical_expression(c.get("raw_expr"));
        out["no_inherit"] = c.flag("is_no_inherit");
        out["not_valid"] = c.flag("skip_validation");
        out["deferrable"] = false;
        out["initially_deferred"] = false;
    } else if (type == "CONSTR_FOREIGN") {
        out["type"] = "foreign_key";
        out["columns"] = key_columns(c, column, "fk_attrs");
        pq::Msg pk = c.get("pktable");
        out["references"] = {{"schema", scope.resolve(Kind::table, pk)},
                             {"table", pk.str("relname")},
                             {"columns", name_list(c.list("pk_attrs"))}};
        out["match"] = fk_match(c.str("fk_matchtype"));
        out["on_update"] = fk_action(c.str("fk_upd_action"));
        out["on_delete"] = fk_action(c.str("fk_del_action"));
        json set_columns = name_list(c.list("fk_del_set_cols"));
        if (!set_columns.empty()) out["on_delete_columns"] = set_columns;
        out["not_valid"] = c.flag("skip_validation");
        add_deferrability(out, c);
    } else if (type == "CONSTR_EXCLUSION") {
        out["type"] = "exclusion";
        std::string method = c.str("access_method");
        out["method"] = method.empty() ? "btree" : method;
        out["elements"] = exclusion_elements(c, scope);
        add_index_parts(out, c);
        pq::Msg where = c.get("where_clause");
        if (where) out["where"] = canonical_expression(where);
        add_deferrability(out, c);
    } else {
        usage_error("unsupported constraint type " + type);
    }
    return out;
}

SequenceOptions default_sequence_options(const std::string& data_type) {
    SequenceOptions o;
    o.data_type = data_type;
    o.min_value = 1;
    if (data_type == "smallint") o.max_value = std::numeric_limits<int16_t>::max();
    else if (data_type == "integer") o.max_value = std::numeric_limits<int32_t>::max();
    else o.max_value = std::numeric_limits<int64_t>::max();
    o.start = 1;
    return o;
}

SequenceOptions sequence_options(const std::vector<pq::Msg>& options, const std::string& data_type) {
    SequenceOptions o;
    o.data_type = data_type;
    std::optional<int64_t> start, min_value, max_value;
    for (const pq::Msg& opt : options) {
        std::string name = opt.str("defname");
        pq::Msg arg = opt.get("arg");
        if (name == "as") {
            o.data_type = canonical_type(arg, nullptr);
            if (o.data_type != "smallint" && o.data_type != "integer" && o.data_type != "bigint")
                usage_error("sequence type must be smallint, integer or bigint, not " + o.data_type);
        } else if (name == "increment") {
            o.increment = parse_int64(arg, name);
        } else if (name == "start") {
            start = parse_int64(arg, name);
        } else if (name == "minvalue") {
            if (arg) min_value = parse_int64(arg, name);
        } else if (name == "maxvalue") {
            if (arg) max_value = parse_int64(arg, name);
        } else if (name == "cache") {
            o.cache = parse_int64(arg, name);
        } else if (name == "cycle") {
            o.cycle = pq::value_text(arg) == "true";
        } else if (name == "owned_by") {
            o.owned_by = arg.strings("items");
        } else if (name == "sequence_name") {
            o.sequence_name = arg.strings("items");
        } else if (name == "restart") {
            // RESTART changes the current value only, not the definition.
        } else {
            usage_error("unsupported sequence option " + name);
        }
    }
    SequenceOptions defaults = default_sequence_options(o.data_type);
    bool ascending = o.increment > 0;
    o.max_value = max_value.value_or(ascending ? defaults.max_value : -1);
    int64_t type_min = o.data_type == "smallint"  ? std::numeric_limits<int16_t>::min()
                       : o.data_type == "integer" ? std::numeric_limits<int32_t>::min()
                                                  : std::numeric_limits<int64_t>::min();
    o.min_value = min_value.value_or(ascending ? 1 : type_min);
    o.start = start.value_or(ascending ? o.min_value : o.max_value);
    return o;
}

json SequenceOptions::to_json() const {
    return {{"data_type", data_type}, {"start", start},         {"increment", increment},
            {"min_value", min_value}, {"max_value", max_value}, {"cache", cache},
            {"cycle", cycle}};
}

std::string option_text(const pq::Msg& def_elem) {
    std::string name = def_elem.str("defname");
    std::string ns = def_elem.str("defnamespace");
    if (!ns.empty()) name = ns + "." + name;
    pq::Msg arg = def_elem.get("arg");
    if (!arg) return name;
    std::string value = pq::value_text(arg);
    if (arg.is("TypeName")) value = canonical_type(arg, nullptr);
    return name + "=" + value;
}

std::vector<std::string> option_texts(const std::vector<pq::Msg>& def_elems) {
    std::vector<std::string> out;
    for (const auto& d : def_elems) out.push_back(option_text(d));
    return out;
}

json partition_key_attributes(const pq::Msg& spec, const NameScope& scope) {
    std::string strategy = spec.str("strategy");
    std::transform(strategy.begin(), strategy.end(), strategy.begin(), [](unsigned char c) { return std::tolower(c); });
    if (strategy != "range" && strategy != "list" && strategy != "hash")
        usage_error("unknown partitioning strategy \"" + strategy + "\"");
    json elements = json::array();
    for (const pq::Msg& elem : spec.list("part_params")) elements.push_back(key_element(elem, scope));
    return {{"strategy", strategy}, {"elements", elements}};
}

std::string partition_key_sql(const json& key) {
    std::string strategy = key["strategy"], out;
    for (auto& c : strategy) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const json& e : key["elements"]) {
        std::string item = e.contains("column") ? quote_ident(e["column"].get<std::string>())
                                                : "(" + e["expression"].get<std::string>() + ")";
        if (e.contains("collation")) item += " COLLATE " + e["collation"].get<std::string>();
        if (e.contains("opclass")) item += " " + e["opclass"].get<std::string>();
        out += (out.empty() ? "" : ", ") + item;
    }
    return strategy + " (" + out + ")";
}

namespace {

// One bound value: MINVALUE / MAXVALUE, or a constant expression; a
// negative number prints quoted, as PostgreSQL prints it.
std::string bound_value(const pq::Msg& value) {
    if (value.is("ColumnRef") && value.list("fields").size() == 1) {
        std::string name = value.strings("fields")[0];
        if (name == "minvalue") return "MINVALUE";
        if (name == "maxvalue") return "MAXVALUE";
    }
    std::string text = canonical_expression(value);
    if (!text.empty() && text[0] == '-' && text.find_first_not_of("-0123456789.") == std::string::npos)
        return quote_literal(text);
    return text;
}

std::string bound_values(const std::vector<pq::Msg>& values) {
    std::string out;
    for (const pq::Msg& v : values) out += (out.empty() ? "" : ", ") + bound_value(v);
    return "(" + out + ")";
}

}  // namespace

std::string partition_bound_text(const pq::Msg& bound) {
    if (bound.flag("is_default")) return "DEFAULT";
    std::string strategy = bound.str("strategy");
    if (strategy == "l") return "FOR VALUES IN " + bound_values(bound.list("listdatums"));
    if (strategy == "r")
        return "FOR VALUES FROM " + bound_values(bound.list("lowerdatums")) + " TO " +
               bound_values(bound.list("upperdatums"));
    if (strategy == "h")
        return "FOR VALUES WITH (modulus " + std::to_string(bound.integer("modulus")) + ", remainder " +
               std::to_string(bound.integer("remainder")) + ")";
    usage_error("unknown partition bound strategy \"" + strategy + "\"");
}

}  // namespace pgflux
