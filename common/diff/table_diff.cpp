// Column-level differences of a table present on both sides, and the detach
// phase that runs before any sequence or type is created or dropped.
//
// Per column, statements run in this order: DROP EXPRESSION, DROP DEFAULT
// (when the type changes, an identity is added or the default goes), TYPE,
// SET DEFAULT, SET/DROP NOT NULL, identity changes, COMMENT.
#include "diff/differ_internal.h"

#include "canon/expressions.h"
#include "canon/types.h"
#include "sql/parser.h"
#include "diff/ddl.h"
#include "model/attributes.h"
#include "model/dependencies.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

const json* find_column(const json& columns, const std::string& name) {
    for (const json& c : columns)
        if (c["name"] == name) return &c;
    return nullptr;
}

// Identity sequence options as ALTER COLUMN ... SET clauses.
std::string identity_option_changes(const json& before, const json& after) {
    std::string out;
    auto changed = [&](const char* key) { return before[key] != after[key]; };
    if (changed("increment")) out += " SET INCREMENT BY " + after["increment"].dump();
    if (changed("min_value")) out += " SET MINVALUE " + after["min_value"].dump();
    if (changed("max_value")) out += " SET MAXVALUE " + after["max_value"].dump();
    if (changed("start")) out += " SET START WITH " + after["start"].dump();
    if (changed("cache")) out += " SET CACHE " + after["cache"].dump();
    if (changed("cycle")) out += after["cycle"] == true ? " SET CYCLE" : " SET NO CYCLE";
    return out;
}

}  // namespace

void Differ::detach_columns(const Object& l, const Object* d) {
    json columns = l.attrs["columns"];
    const std::string table = ddl::table_name(l.id);
    for (json& lc : columns) {
        std::string name = lc["name"];
        const json* dc = d ? find_column(d->attrs["columns"], name) : nullptr;
        std::string prefix = "ALTER TABLE " + table + " ALTER COLUMN " + quote_ident(name);
        if (lc.contains("identity") && dc && !dc->contains("identity")) {
            add(k_detach, l.id, "alter", prefix + " DROP IDENTITY;", "ALTER COLUMN " + display_column(l.id, name) + " DROP IDENTITY");
            lc.erase("identity");
        }
        if (!lc.contains("default")) continue;
        bool uses_dropped_sequence = false;
        for (const auto& parts : sequences_in_default(lc["default"])) {
            std::string schema = parts.size() == 2 ? parts[0] : l.id.schema;
            ObjectId seq{Kind::sequence, schema, parts.back(), ""};
            const Object* ls = live_.find(seq);
            bool owned_here = ls && ls->attrs.contains("owned_by") && ls->attrs["owned_by"]["table"] == l.id.name &&
                              ls->attrs["owned_by"]["column"] == name;
            if (dropped(seq) && (dc || !owned_here)) uses_dropped_sequence = true;
        }
        if (uses_dropped_sequence) {
            add(k_detach, l.id, "alter", prefix + " DROP DEFAULT;", "ALTER COLUMN " + display_column(l.id, name) + " DROP DEFAULT");
            lc.erase("default");
        }
    }
    live_columns_[l.id] = columns;
}

void Differ::detach_sequence_owners() {
    for (const auto& [id, d] : desired_.objects) {
        if (id.kind != Kind::sequence) continue;
        const Object* l = live_.find(id);
        if (!l || !l->attrs.contains("owned_by")) continue;
        std::string table = l->attrs["owned_by"]["table"], column = l->attrs["owned_by"]["column"];
        const Object* dt = desired_.find(ObjectId{Kind::table, id.schema, table, ""});
        if (dt && column_index(dt->attrs, column) >= 0) continue;
        add(k_detach, id, "alter", "ALTER SEQUENCE " + id.sql_name() + " OWNED BY NONE;",
            "ALTER SEQUENCE " + display(id) + " OWNED BY NONE");
        ownership_cleared_.insert(id);
    }
}

namespace {

class ColumnDiff {
public:
    // `dc_sql`: the desired column as the source wrote it (for SQL text).
    ColumnDiff(Differ& differ, const ObjectId& table, const json& lc, const json& dc, const json& dc_sql)
        : d_(differ), table_(table), lc_(lc), dc_(dc), dc_sql_(dc_sql), name_(dc["name"]),
          prefix_("ALTER TABLE " + ddl::table_name(table) + " ALTER COLUMN " + quote_ident(name_)),
          what_(display_column(table, name_)) {}

    void run() {
        bool type_changed = d_.type_changes(lc_, dc_);
        bool identity_added = dc_.contains("identity") && !lc_.contains("identity");
        json live_default = lc_.value("default", json());
        bool default_changed = !same("default");
        if (!live_default.is_null() && (type_changed || identity_added || (default_changed && !dc_.contains("default")))) {
            alter("DROP DEFAULT");
            live_default = json();
        }
        if (type_changed) change_type();
        if (dc_.contains("default") && (live_default.is_null() || default_changed))
            alter("SET DEFAULT " + dc_sql_["default"].get<std::string>(), "SET DEFAULT");
        if (lc_["not_null"] != dc_["not_null"] && !(d_.options_.verify && dc_["not_null"] == false))
            alter(dc_["not_null"] == true ? "SET NOT NULL" : "DROP NOT NULL");
        if (identity_added) {
            alter("ADD " + ddl::identity_clause(dc_sql_["identity"], table_.schema, dc_sql_["type"]), "ADD IDENTITY");
            const json& sequence = dc_["identity"]["sequence"];
            d_.add(k_tables, table_, "alter",
                   ddl::continue_after_existing_values(qualified_name(table_.schema, sequence["name"].get<std::string>()),
                                                       ddl::table_name(table_), name_, sequence),
                   "ALTER COLUMN " + what_ + " identity continues after the existing values");
        } else if (dc_.contains("identity")) {
            change_identity();
        }
        json before = lc_.value("comment", json()), after = dc_.value("comment", json());
        if (before != after && !(d_.options_.verify && after.is_null()))
            d_.add(k_tables, table_, "comment", ddl::comment(table_, dc_, name_), "COMMENT ON COLUMN " + what_);
    }

private:
    bool same(const char* key) {
        return d_.same(lc_.value(key, json()), dc_.value(key, json()), key, "column " + what_);
    }

    void alter(const std::string& clause, const std::string& summary = "") {
        d_.add(k_tables, table_, "alter", prefix_ + " " + clause + ";",
               "ALTER COLUMN " + what_ + " " + (summary.empty() ? clause : summary));
    }

    void change_type() {
        std::string type = dc_sql_["type"];
        // Enums have no casts to other types but text: go through text.
        std::string via;
        std::string live_element = element_type(lc_["type"]);
        if (d_.is_enum(live_element) || d_.is_enum(element_type(dc_["type"])))
            via = lc_["type"] == live_element ? "::text" : "::text[]";
        std::string clause = "TYPE " + type;
        if (dc_sql_.contains("collation")) clause += " COLLATE " + dc_sql_["collation"].get<std::string>();
        clause += " USING " + quote_ident(name_) + via + "::" + type;
        alter(clause, "TYPE " + type);
    }

    void change_identity() {
        const json& li = lc_["identity"];
        const json& di = dc_["identity"];
        if (li["always"] != di["always"])
            alter(di["always"] == true ? "SET GENERATED ALWAYS" : "SET GENERATED BY DEFAULT");
        std::string options = identity_option_changes(li["sequence"], di["sequence"]);
        if (!options.empty()) alter(options.substr(1), "SET identity options");
        if (li["sequence"]["name"] != di["sequence"]["name"]) {
            ObjectId seq{Kind::sequence, table_.schema, li["sequence"]["name"], ""};
            d_.add(k_tables, table_, "alter",
                   "ALTER SEQUENCE " + seq.sql_name() + " RENAME TO " + quote_ident(di["sequence"]["name"].get<std::string>()) + ";",
                   "RENAME SEQUENCE " + display(seq));
        }
    }

    Differ& d_;
    const ObjectId& table_;
    const json& lc_;
    const json& dc_;
    const json& dc_sql_;
    std::string name_, prefix_, what_;
};

}  // namespace

void Differ::alter_table(const Object& l, const Object& d) {
    json live_columns = live_columns_.count(l.id) ? live_columns_[l.id] : l.attrs["columns"];
    const std::string table = ddl::table_name(d.id);
    auto alter = [&](const std::string& clause, const std::string& summary) {
        add(k_tables, d.id, "alter", "ALTER TABLE " + table + " " + clause + ";", summary);
    };
    if (!options_.verify) {
        for (const json& lc : live_columns) {
            if (find_column(d.attrs["columns"], lc["name"])) continue;
            alter("DROP COLUMN " + quote_ident(lc["name"].get<std::string>()), "DROP COLUMN " + display_column(d.id, lc["name"]));
        }
    }
    if (l.attrs["unlogged"] != d.attrs["unlogged"]) {
        std::string mode = d.attrs["unlogged"] == true ? "SET UNLOGGED" : "SET LOGGED";
        alter(mode, mode + " " + display(d.id));
    }
    // Generated columns first. PostgreSQL cannot give a column a generation
    // expression, change one, or change the type of a column a generation
    // expression reads: such generated columns are dropped here and added
    // back after the other changes. Expressions that go away are dropped
    // here too, before the columns they read change.
    std::set<std::string> retyped, rebuilt;
    for (const json& dc : d.attrs["columns"])
        if (const json* lc = find_column(live_columns, dc["name"]); lc && type_changes(*lc, dc)) retyped.insert(dc["name"]);
    for (const json& dc : d.attrs["columns"]) {
        json* lc = nullptr;
        for (json& c : live_columns)
            if (c["name"] == dc["name"]) lc = &c;
        if (!lc) continue;
        std::string name = dc["name"];
        std::string what = display_column(d.id, name);
        bool live_generated = lc->contains("generated"), generated = dc.contains("generated");
        if (generated && (!live_generated || !same((*lc)["generated"], dc["generated"], "generated", "column " + what) ||
                          reads_any(dc["generated"], retyped))) {
            alter("DROP COLUMN " + quote_ident(name), "DROP COLUMN " + what + " (to add it back as generated)");
            rebuilt.insert(name);
        } else if (live_generated && !generated) {
            alter("ALTER COLUMN " + quote_ident(name) + " DROP EXPRESSION", "ALTER COLUMN " + what + " DROP EXPRESSION");
            lc->erase("generated");
        }
    }
    std::vector<std::string> live_order, desired_order;
    const json& sql_columns = ddl_attributes(d)["columns"];
    auto add_column = [&](const json& dc, const json& dc_sql) {
        std::string name = dc["name"];
        alter("ADD COLUMN " + ddl::column_definition(dc_sql, d.id.schema),
              "ADD COLUMN " + display_column(d.id, name) + " " + dc["type"].get<std::string>());
        if (dc.contains("comment"))
            add(k_tables, d.id, "comment", ddl::comment(d.id, dc, name), "COMMENT ON COLUMN " + display_column(d.id, name));
    };
    for (const json& dc : d.attrs["columns"]) {
        const json* lc = find_column(live_columns, dc["name"]);
        const json* dc_sql = find_column(sql_columns, dc["name"]);
        if (!dc_sql) dc_sql = &dc;
        if (rebuilt.count(dc["name"])) continue;
        if (!lc) {
            add_column(dc, *dc_sql);
            continue;
        }
        desired_order.push_back(dc["name"]);
        ColumnDiff(*this, d.id, *lc, dc, *dc_sql).run();
    }
    for (const json& dc : d.attrs["columns"]) {
        if (!rebuilt.count(dc["name"])) continue;
        const json* dc_sql = find_column(sql_columns, dc["name"]);
        add_column(dc, dc_sql ? *dc_sql : dc);
    }
    for (const json& lc : live_columns)
        if (find_column(d.attrs["columns"], lc["name"]) && !rebuilt.count(lc["name"])) live_order.push_back(lc["name"]);
    if (live_order != desired_order)
        note("column order of table " + display(d.id) + " differs from the source (PostgreSQL cannot reorder columns)");
    add_comment_steps(k_tables, &l, d);
}

bool Differ::type_changes(const json& lc, const json& dc) {
    std::string what = "column " + lc["name"].get<std::string>();
    return !same(lc.value("type", json()), dc.value("type", json()), "type", what) ||
           !same(lc.value("collation", json()), dc.value("collation", json()), "collation", what) ||
           enum_recreated(element_type(lc["type"]));
}

bool Differ::reads_any(const std::string& expression, const std::set<std::string>& columns) {
    if (columns.empty()) return false;
    for (const auto& c : referenced_columns(pq::parse_expression(expression).expr))
        if (columns.count(c)) return true;
    return false;
}

}  // namespace pgflux::diff
