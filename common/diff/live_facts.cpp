// Live facts for the hazard classifier, from a live model and as JSON.
#include "diff/live_facts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "canon/expressions.h"
#include "sql/parser.h"
#include "sql/quote.h"

namespace pgflux {
namespace {

// Columns an expression stored in the model names ("" parses to none). An
// expression that does not parse counts as naming every column ("*").
std::vector<std::string> expression_columns(const json& expression) {
    if (!expression.is_string()) return {};
    try {
        pq::ParsedExpression parsed = pq::parse_expression(expression.get<std::string>());
        return referenced_columns(parsed.expr);
    } catch (const std::exception&) {
        return {"*"};
    }
}

void add_all(std::vector<std::string>& to, const std::vector<std::string>& more) {
    for (const auto& c : more)
        if (std::find(to.begin(), to.end(), c) == to.end()) to.push_back(c);
}

std::vector<std::string> strings_of(const json& list) {
    std::vector<std::string> out;
    if (!list.is_array()) return out;
    for (const json& v : list)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// An index object's (or index-backed constraint's) columns and whether it
// has expressions or a predicate.
LiveIndex index_of(const Object& o) {
    LiveIndex index;
    index.name = o.id.name;
    const json& a = o.attrs;
    if (o.id.kind == Kind::index) {
        for (const json& e : a.value("elements", json::array())) {
            if (e.contains("column")) add_all(index.columns, {e["column"].get<std::string>()});
            if (e.contains("expression")) {
                add_all(index.columns, expression_columns(e["expression"]));
                index.expression_or_partial = true;
            }
        }
    } else {  // primary key, unique, exclusion constraint
        add_all(index.columns, strings_of(a.value("columns", json::array())));
        for (const json& e : a.value("elements", json::array())) {
            if (e.contains("column")) add_all(index.columns, {e["column"].get<std::string>()});
            if (e.contains("expression")) {
                add_all(index.columns, expression_columns(e["expression"]));
                index.expression_or_partial = true;
            }
        }
    }
    add_all(index.columns, strings_of(a.value("include", json::array())));
    if (a.contains("where")) {
        add_all(index.columns, expression_columns(a["where"]));
        index.expression_or_partial = true;
    }
    return index;
}

std::string thousands(double value) {
    std::string digits = std::to_string(static_cast<long long>(std::llround(value)));
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

const LiveTable* LiveFacts::table(const std::string& qualified) const {
    auto it = tables.find(qualified);
    return it == tables.end() ? nullptr : &it->second;
}

LiveFacts live_facts(const Model& live, const std::set<std::string>& wanted) {
    LiveFacts facts;
    facts.known = true;
    auto want = [&](const std::string& schema, const std::string& table) {
        return wanted.empty() || wanted.count(qualified_name(schema, table)) > 0;
    };
    for (const auto& [id, o] : live.objects) {
        if (id.kind == Kind::domain) {
            LiveDomain d;
            d.base = o.attrs.value("type", "");
            d.constrained = o.attrs.value("not_null", false) || !o.attrs.value("checks", json::object()).empty();
            facts.domains[qualified_name(id.schema, id.name)] = d;
            continue;
        }
        if (id.kind == Kind::table && want(id.schema, id.name)) {
            LiveTable& t = facts.tables[qualified_name(id.schema, id.name)];
            for (const json& c : o.attrs.value("columns", json::array())) {
                LiveColumn column;
                column.type = c.value("type", "");
                column.collation = c.value("collation", "");
                column.generated = c.contains("generated");
                t.columns[c.value("name", "")] = column;
            }
            if (o.size) {
                t.bytes = o.size->bytes;
                t.rows = o.size->rows;
            }
            continue;
        }
        if ((id.kind == Kind::index || id.kind == Kind::constraint) && want(id.schema, id.table)) {
            LiveTable& t = facts.tables[qualified_name(id.schema, id.table)];
            std::string type = o.attrs.value("type", "");
            if (id.kind == Kind::index || type == "primary_key" || type == "unique" || type == "exclude")
                t.indexes.push_back(index_of(o));
            else if (type == "check" && !o.attrs.value("not_valid", false))
                t.checks.push_back({id.name, expression_columns(o.attrs.value("expression", json()))});
        }
    }
    return facts;
}

json live_facts_to_json(const LiveFacts& facts) {
    json tables = json::object();
    for (const auto& [name, t] : facts.tables) {
        json columns = json::object();
        for (const auto& [c, column] : t.columns) {
            json j = {{"type", column.type}};
            if (!column.collation.empty()) j["collation"] = column.collation;
            if (column.generated) j["generated"] = true;
            columns[c] = j;
        }
        json indexes = json::array();
        for (const LiveIndex& i : t.indexes)
            indexes.push_back({{"name", i.name}, {"columns", i.columns}, {"expression_or_partial", i.expression_or_partial}});
        json checks = json::array();
        for (const LiveCheck& c : t.checks) checks.push_back({{"name", c.name}, {"columns", c.columns}});
        json table = {{"columns", columns}, {"indexes", indexes}, {"checks", checks}};
        if (t.bytes) table["bytes"] = *t.bytes;
        if (t.rows) table["rows"] = *t.rows;
        tables[name] = table;
    }
    json domains = json::object();
    for (const auto& [name, d] : facts.domains) domains[name] = {{"base", d.base}, {"constrained", d.constrained}};
    return {{"tables", tables}, {"domains", domains}};
}

LiveFacts live_facts_from_json(const JsonField& f) {
    LiveFacts facts;
    facts.known = true;
    auto strings = [](const JsonField& list) {
        std::vector<std::string> out;
        for (size_t i = 0; i < list.array().size(); ++i) out.push_back(list[i].string());
        return out;
    };
    auto number = [](const JsonField& v) {
        if (!v.value().is_number() || v.value().get<double>() < 0) v.fail("expected a number, 0 or more");
        return v.value().get<double>();
    };
    const json& tables = f["tables"].object();
    for (auto it = tables.begin(); it != tables.end(); ++it) {
        JsonField tf = f["tables"][it.key()];
        LiveTable& t = facts.tables[it.key()];
        const json& columns = tf["columns"].object();
        for (auto c = columns.begin(); c != columns.end(); ++c) {
            JsonField cf = tf["columns"][c.key()];
            LiveColumn& column = t.columns[c.key()];
            column.type = cf["type"].string();
            if (cf.has("collation")) column.collation = cf["collation"].string();
            if (cf.has("generated")) column.generated = cf["generated"].boolean();
        }
        for (size_t i = 0; i < tf["indexes"].array().size(); ++i) {
            JsonField x = tf["indexes"][i];
            t.indexes.push_back({x["name"].string(), strings(x["columns"]), x["expression_or_partial"].boolean()});
        }
        for (size_t i = 0; i < tf["checks"].array().size(); ++i) {
            JsonField x = tf["checks"][i];
            t.checks.push_back({x["name"].string(), strings(x["columns"])});
        }
        if (tf.has("bytes")) t.bytes = number(tf["bytes"]);
        if (tf.has("rows")) t.rows = number(tf["rows"]);
    }
    const json& domains = f["domains"].object();
    for (auto it = domains.begin(); it != domains.end(); ++it) {
        JsonField df = f["domains"][it.key()];
        facts.domains[it.key()] = {df["base"].string(), df["constrained"].boolean()};
    }
    return facts;
}

std::string size_text(const LiveTable& t) {
    if (!t.bytes && !t.rows) return "";
    std::string out;
    if (t.bytes) {
        static const char* k_units[] = {"bytes", "kB", "MB", "GB", "TB"};
        double v = *t.bytes;
        int unit = 0;
        while (v >= 1024 && unit < 4) {
            v /= 1024;
            ++unit;
        }
        char buf[32];
        if (unit == 0) std::snprintf(buf, sizeof buf, "%.0f %s", v, k_units[unit]);
        else std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, k_units[unit]);
        out = std::string("~") + buf;
    }
    if (t.rows) out += (out.empty() ? "~" : ", ~") + thousands(*t.rows) + " rows";
    return out;
}

}  // namespace pgflux
