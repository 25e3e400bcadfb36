// Column-level differences of a table present on both sides, and the detach
// phase that runs before any sequence or type is created or dropped.
//
// Per column, statements run in this order: DROP EXPRESSION, DROP DEFAULT
// (when the type changes, an identity is added or the default goes), TYPE,
// SET DEFAULT, SET/DROP NOT NULL, identity changes, COMMENT.
#include "diff/differ_internal.h"

#include "canon/types.h"
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
        bool live_generated = lc_.contains("generated"), generated = dc_.contains("generated");
        if (generated && (!live_generated || !same("generated"))) return replace_column();
        if (live_generated && !generated) alter("DROP EXPRESSION");

        bool type_changed = !same("type") || !same("collation") ||
                            d_.enum_recreated(element_type(lc_["type"]));
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

    // A generated column cannot gain or change its expression in place.
    void replace_column() {
        d_.add(k_tables, table_, "alter", "ALTER TABLE " + ddl::table_name(table_) + " DROP COLUMN " + quote_ident(name_) + ";",
               "DROP COLUMN " + what_ + " (to recreate it as generated)");
        d_.add(k_tables, table_, "alter", "ALTER TABLE " + ddl::table_name(table_) + " ADD COLUMN " + ddl::column_definition(dc_sql_, table_.schema) + ";",
               "ADD COLUMN " + what_ + " " + dc_["type"].get<std::string>());
        if (dc_.contains("comment"))
            d_.add(k_tables, table_, "comment", ddl::comment(table_, dc_, name_), "COMMENT ON COLUMN " + what_);
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
    const json& live_columns = live_columns_.count(l.id) ? live_columns_[l.id] : l.attrs["columns"];
    const std::string table = ddl::table_name(d.id);
    if (!options_.verify) {
        for (const json& lc : live_columns) {
            if (find_column(d.attrs["columns"], lc["name"])) continue;
            add(k_tables, d.id, "alter", "ALTER TABLE " + table + " DROP COLUMN " + quote_ident(lc["name"].get<std::string>()) + ";",
                "DROP COLUMN " + display_column(d.id, lc["name"]));
        }
    }
    if (l.attrs["unlogged"] != d.attrs["unlogged"]) {
        std::string mode = d.attrs["unlogged"] == true ? "SET UNLOGGED" : "SET LOGGED";
        add(k_tables, d.id, "alter", "ALTER TABLE " + table + " " + mode + ";", mode + " " + display(d.id));
    }
    std::vector<std::string> live_order, desired_order;
    const json& sql_columns = ddl_attributes(d)["columns"];
    for (const json& dc : d.attrs["columns"]) {
        const json* lc = find_column(live_columns, dc["name"]);
        const json* dc_sql = find_column(sql_columns, dc["name"]);
        if (!dc_sql) dc_sql = &dc;
        if (!lc) {
            std::string def = ddl::column_definition(*dc_sql, d.id.schema);
            add(k_tables, d.id, "alter", "ALTER TABLE " + table + " ADD COLUMN " + def + ";",
                "ADD COLUMN " + display_column(d.id, dc["name"]) + " " + dc["type"].get<std::string>());
            if (dc.contains("comment"))
                add(k_tables, d.id, "comment", ddl::comment(d.id, dc, dc["name"]), "COMMENT ON COLUMN " + display_column(d.id, dc["name"]));
            continue;
        }
        desired_order.push_back(dc["name"]);
        ColumnDiff(*this, d.id, *lc, dc, *dc_sql).run();
    }
    for (const json& lc : live_columns)
        if (find_column(d.attrs["columns"], lc["name"])) live_order.push_back(lc["name"]);
    if (live_order != desired_order)
        note("column order of table " + display(d.id) + " differs from the source (PostgreSQL cannot reorder columns)");
    add_comment_steps(k_tables, &l, d);
}

}  // namespace pgflux::diff
