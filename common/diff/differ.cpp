// The differ: classification (created / dropped / replaced), cascades, and
// the steps of each phase except table columns (table_diff.cpp).
#include "diff/differ_internal.h"

#include <algorithm>

#include "canon/expressions.h"
#include "canon/names.h"
#include "canon/types.h"
#include "diff/ddl.h"
#include "model/attributes.h"
#include "model/dependencies.h"
#include "sql/quote.h"

namespace pgflux {

bool version_pinned(const Object& extension) { return ddl_attributes(extension).contains("version"); }

bool parsed_without_shadow(const Model& model) {
    return model.source.value("canonical", "") == "parsed";
}

namespace diff {
namespace {

json without(json attrs, std::initializer_list<const char*> keys) {
    for (const char* k : keys) attrs.erase(k);
    return attrs;
}

bool is_subsequence(const json& small, const json& big) {
    size_t j = 0;
    for (size_t i = 0; i < big.size() && j < small.size(); ++i)
        if (big[i] == small[j]) ++j;
    return j == small.size();
}

bool is_expression_key(const std::string& key) {
    return key == "default" || key == "generated" || key == "expression" || key == "where";
}

// "public.citext" matches "citext": an unresolved name from the source.
bool loose_name_equal(const std::string& a, const std::string& b) {
    auto ends_with = [](const std::string& s, const std::string& tail) {
        return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0 &&
               s[s.size() - tail.size() - 1] == '.';
    };
    return ends_with(a, b) || ends_with(b, a);
}

bool loose_equal(const json& a, const json& b, const std::string& key) {
    if (a == b) return true;
    if (a.is_string() && b.is_string()) {
        if (is_expression_key(key)) {
            try {
                return loose_expression_key(a) == loose_expression_key(b);
            } catch (const std::exception&) {
                return false;
            }
        }
        if (key == "type" || key == "opclass" || key == "collation") return loose_name_equal(a, b);
        return false;
    }
    if (a.is_object() && b.is_object()) {
        std::set<std::string> keys;
        for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
        for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
        for (const auto& k : keys)
            if (!loose_equal(a.value(k, json()), b.value(k, json()), k)) return false;
        return true;
    }
    if (a.is_array() && b.is_array() && a.size() == b.size()) {
        for (size_t i = 0; i < a.size(); ++i)
            if (!loose_equal(a[i], b[i], key)) return false;
        return true;
    }
    return false;
}

}  // namespace

std::string display(const ObjectId& id) {
    if (id.kind == Kind::constraint || id.kind == Kind::index)
        return quote_ident(id.name) + " ON " + display_name(id.schema, id.table);
    if (id.kind == Kind::schema || id.kind == Kind::extension) return quote_ident(id.name);
    return display_name(id.schema, id.name);
}

std::string display_column(const ObjectId& table, const std::string& column) {
    return display_name(table.schema, table.name) + "." + quote_ident(column);
}

Differ::Differ(const Model& live, const Model& desired, const DiffOptions& options)
    : live_(live), desired_(desired), options_(options), loose_(parsed_without_shadow(desired)) {}

void Differ::add(Phase phase, const ObjectId& object, const std::string& action, const std::string& sql,
                 const std::string& summary) {
    Step step;
    step.sql = sql;
    step.summary = summary;
    step.action = action;
    step.object = object;
    steps_.push_back({phase, steps_.size(), std::move(step)});
}

bool Differ::same(const json& a, const json& b, const std::string& key, const std::string& what) {
    if (a == b) return true;
    if (!loose_ || !loose_equal(a, b, key)) return false;
    note("compared without a shadow database and assumed equal: " + what);
    return true;
}

bool Differ::enum_recreated(const std::string& type) const { return recreated_enums_.count(type) > 0; }

bool Differ::is_enum(const std::string& type) const {
    auto parts = split_qualified_name(type);
    if (parts.size() != 2) return false;
    ObjectId id{Kind::enumeration, parts[0], parts[1], ""};
    return live_.find(id) || desired_.find(id);
}

bool Differ::replaced(const Object& l, const Object& d) {
    switch (d.id.kind) {
        case Kind::collation:
            return !same(without(l.attrs, {"comment"}), without(d.attrs, {"comment"}), "", display(d.id));
        case Kind::index:
            return l.attrs.contains("invalid") ||
                   !same(without(l.attrs, {"comment"}), without(d.attrs, {"comment"}), "", "index " + display(d.id));
        case Kind::constraint: {
            bool fk = d.attrs["type"] == "foreign_key";
            json a = fk ? without(l.attrs, {"comment", "not_valid", "deferrable", "initially_deferred"})
                        : without(l.attrs, {"comment", "index_comment", "not_valid"});
            json b = fk ? without(d.attrs, {"comment", "not_valid", "deferrable", "initially_deferred"})
                        : without(d.attrs, {"comment", "index_comment", "not_valid"});
            return !same(a, b, "", "constraint " + display(d.id));
        }
        default:
            return false;
    }
}

void Differ::classify() {
    for (const auto& [id, d] : desired_.objects) {
        const Object* l = live_.find(id);
        if (!l) {
            created_.insert(id);
        } else if (replaced(*l, d)) {
            dropped_.insert(id);
            created_.insert(id);
        } else if (id.kind == Kind::enumeration) {
            bool grows = is_subsequence(l->attrs["values"], d.attrs["values"]);
            bool shrinks = is_subsequence(d.attrs["values"], l->attrs["values"]);
            if (!grows && !(options_.verify && shrinks)) recreated_enums_.insert(id.sql_name());
        }
    }
    if (!options_.verify)
        for (const auto& [id, l] : live_.objects)
            if (!desired_.find(id)) dropped_.insert(id);
}

// Foreign keys whose table or key goes away are dropped (and re-added when
// still wanted); so are constraints and indexes that spell a recreated enum.
void Differ::cascade_foreign_keys() {
    for (const auto& [id, l] : live_.objects) {
        if (id.kind != Kind::constraint && id.kind != Kind::index) continue;
        if (dropped(id)) continue;
        bool cascade = false;
        if (l.attrs.value("type", "") == "foreign_key")
            for (const ObjectId& dep : l.depends_on) cascade = cascade || dropped(dep);
        std::string text = l.attrs.dump();
        for (const auto& type : recreated_enums_) cascade = cascade || text.find("::" + type) != std::string::npos;
        if (!cascade) continue;
        dropped_.insert(id);
        if (desired_.find(id)) created_.insert(id);
    }
}

void Differ::add_comment_steps(Phase phase, const Object* l, const Object& d) {
    auto changed = [&](const char* key) {
        json before = l ? l->attrs.value(key, json()) : json();
        json after = d.attrs.value(key, json());
        return before != after && !(options_.verify && after.is_null());
    };
    if (changed("comment"))
        add(phase, d.id, "comment", ddl::comment(d.id, d.attrs), std::string("COMMENT ON ") + ddl::kind_keyword(d.id.kind) + " " + display(d.id));
    // The index behind a PRIMARY KEY, UNIQUE or EXCLUDE constraint has its own comment.
    if (d.id.kind == Kind::constraint && changed("index_comment"))
        add(phase, d.id, "comment", ddl::index_comment(d.id, d.attrs),
            "COMMENT ON INDEX " + display_name(d.id.schema, d.id.name));
}

void Differ::emit_drops_of_keys() {
    for (const ObjectId& id : dropped_) {
        if (id.kind != Kind::constraint && id.kind != Kind::index) continue;
        bool fk = live_.find(id)->attrs.value("type", "") == "foreign_key";
        if (!fk && table_dropped(id.schema, id.table)) continue;
        std::string what = id.kind == Kind::index ? "DROP INDEX " : "DROP CONSTRAINT ";
        add(fk ? k_drop_foreign_keys : k_drop_constraints, id, "drop", ddl::drop(id), what + display(id));
    }
}

void Differ::emit_enum(const Object* l, const Object& d) {
    const std::string name = d.id.sql_name();
    if (!l) {
        add(k_types, d.id, "create", ddl::create_enum(d), "CREATE TYPE " + display(d.id));
        add_comment_steps(k_types, nullptr, d);
        return;
    }
    const json& lv = l->attrs["values"];
    const json& dv = d.attrs["values"];
    if (enum_recreated(name)) {
        std::string old_name = make_object_name(d.id.name, "", "_pgflux_old");
        ObjectId old_id{Kind::enumeration, d.id.schema, old_name, ""};
        add(k_types, d.id, "alter", "ALTER TYPE " + name + " RENAME TO " + quote_ident(old_name) + ";",
            "RECREATE TYPE " + display(d.id) + " (values removed or reordered)");
        add(k_types, d.id, "create", ddl::create_enum(d), "CREATE TYPE " + display(d.id));
        add(k_drop_types, old_id, "drop", ddl::drop(old_id), "DROP TYPE " + display(old_id));
        add_comment_steps(k_types, nullptr, d);
        return;
    }
    for (size_t i = 0; i < dv.size(); ++i) {
        if (std::find(lv.begin(), lv.end(), dv[i]) != lv.end()) continue;
        std::string sql = "ALTER TYPE " + name + " ADD VALUE " + quote_literal(dv[i].get<std::string>());
        if (i > 0) sql += " AFTER " + quote_literal(dv[i - 1].get<std::string>());
        else if (dv.size() > 1) sql += " BEFORE " + quote_literal(dv[1].get<std::string>());
        add(k_types, d.id, "alter", sql + ";", "ADD VALUE " + quote_literal(dv[i].get<std::string>()) + " TO TYPE " + display(d.id));
    }
    add_comment_steps(k_types, l, d);
}

void Differ::emit_types() {
    for (const auto& [id, d] : desired_.objects) {
        const Object* l = created_.count(id) ? nullptr : live_.find(id);
        switch (id.kind) {
            case Kind::schema:
                if (!l) add(k_types, id, "create", ddl::create_schema(d), "CREATE SCHEMA " + display(id));
                add_comment_steps(k_types, l, d);
                break;
            case Kind::extension:
                if (!l) {
                    add(k_types, id, "create", ddl::create_extension(d), "CREATE EXTENSION " + display(id));
                } else {
                    if (l->attrs["schema"] != d.attrs["schema"])
                        add(k_types, id, "alter",
                            "ALTER EXTENSION " + quote_ident(id.name) + " SET SCHEMA " + quote_ident(d.attrs["schema"].get<std::string>()) + ";",
                            "ALTER EXTENSION " + display(id) + " SET SCHEMA " + d.attrs["schema"].get<std::string>());
                    if (version_pinned(d) && d.attrs["version"] != l->attrs["version"])
                        add(k_types, id, "alter",
                            "ALTER EXTENSION " + quote_ident(id.name) + " UPDATE TO " + quote_literal(d.attrs["version"].get<std::string>()) + ";",
                            "ALTER EXTENSION " + display(id) + " UPDATE TO " + d.attrs["version"].get<std::string>());
                    // An unpinned version: any installed version satisfies the source.
                    else if (d.attrs.contains("version") && d.attrs["version"] != l->attrs["version"])
                        note("extension " + display(id) + " is at version " + l->attrs["version"].get<std::string>() +
                             "; the source does not pin a version (" + d.attrs["version"].get<std::string>() +
                             " would be installed today)");
                }
                add_comment_steps(k_types, l, d);
                break;
            case Kind::collation:
                if (dropped(id)) add(k_types, id, "drop", ddl::drop(id), "DROP COLLATION " + display(id));
                if (!l) add(k_types, id, "create", ddl::create_collation(d), "CREATE COLLATION " + display(id));
                add_comment_steps(k_types, l, d);
                break;
            case Kind::enumeration:
                emit_enum(l, d);
                break;
            default:
                break;
        }
    }
}

void Differ::emit_sequences() {
    for (const auto& [id, d] : desired_.objects) {
        if (id.kind != Kind::sequence) continue;
        const Object* l = live_.find(id);
        if (!l) {
            add(k_sequences, id, "create", ddl::create_sequence(d), "CREATE SEQUENCE " + display(id));
        } else {
            std::string changes = ddl::sequence_option_changes(l->attrs, d.attrs);
            if (!changes.empty())
                add(k_sequences, id, "alter", "ALTER SEQUENCE " + id.sql_name() + changes + ";",
                    "ALTER SEQUENCE " + display(id) + changes);
        }
        add_comment_steps(k_sequences, l, d);
    }
    for (const ObjectId& id : dropped_) {
        if (id.kind != Kind::sequence) continue;
        const json& attrs = live_.find(id)->attrs;
        if (attrs.contains("owned_by")) {
            std::string table = attrs["owned_by"]["table"], column = attrs["owned_by"]["column"];
            const Object* dt = desired_.find(ObjectId{Kind::table, id.schema, table, ""});
            bool column_goes = !dt || column_index(dt->attrs, column) < 0;
            if (column_goes) continue;  // dropped together with its column or table
        }
        add(k_drop_sequences, id, "drop", ddl::drop(id), "DROP SEQUENCE " + display(id));
    }
}

void Differ::emit_ownership() {
    for (const auto& [id, d] : desired_.objects) {
        if (id.kind != Kind::sequence) continue;
        const Object* l = live_.find(id);
        json before = l && !ownership_cleared_.count(id) ? l->attrs.value("owned_by", json()) : json();
        json after = d.attrs.value("owned_by", json());
        if (before == after || (options_.verify && after.is_null())) continue;
        if (after.is_null()) {
            add(k_ownership, id, "alter", "ALTER SEQUENCE " + id.sql_name() + " OWNED BY NONE;",
                "ALTER SEQUENCE " + display(id) + " OWNED BY NONE");
        } else {
            ObjectId table{Kind::table, id.schema, after["table"], ""};
            std::string column = after["column"];
            add(k_ownership, id, "alter",
                "ALTER SEQUENCE " + id.sql_name() + " OWNED BY " + table.sql_name() + "." + quote_ident(column) + ";",
                "ALTER SEQUENCE " + display(id) + " OWNED BY " + display_column(table, column));
            // A new sequence for a column that already has values (serial on an existing column).
            const Object* live_table = table_dropped(table.schema, table.name) ? nullptr : live_.find(table);
            if (created_.count(id) && live_table && column_index(live_table->attrs, column) >= 0)
                add(k_ownership, id, "alter",
                    ddl::continue_after_existing_values(id.sql_name(), table.sql_name(), column, d.attrs),
                    "ALTER SEQUENCE " + display(id) + " continues after the existing values of " +
                        display_column(table, column));
        }
    }
}

void Differ::emit_tables() {
    for (const auto& [id, d] : desired_.objects) {
        if (id.kind != Kind::table) continue;
        const Object* l = live_.find(id);
        if (l) {
            alter_table(*l, d);
            continue;
        }
        std::vector<const Object*> inline_constraints;
        for (const auto& [cid, c] : desired_.objects)
            if (cid.kind == Kind::constraint && cid.schema == id.schema && cid.table == id.name &&
                c.attrs["type"] != "foreign_key")
                inline_constraints.push_back(&c);
        add(k_tables, id, "create", ddl::create_table(d, inline_constraints), "CREATE TABLE " + display(id));
        add_comment_steps(k_tables, nullptr, d);
        for (const json& column : d.attrs["columns"])
            if (column.contains("comment"))
                add(k_tables, id, "comment", ddl::comment(id, column, column["name"]),
                    "COMMENT ON COLUMN " + display_column(id, column["name"]));
        for (const Object* c : inline_constraints) add_comment_steps(k_tables, nullptr, *c);
    }
}

void Differ::emit_constraints_and_indexes() {
    for (const auto& [id, d] : desired_.objects) {
        if (id.kind != Kind::constraint && id.kind != Kind::index) continue;
        bool fk = d.attrs.value("type", "") == "foreign_key";
        Phase phase = fk ? k_foreign_keys : k_constraints;
        bool new_table = !live_.find(ObjectId{Kind::table, id.schema, id.table, ""});
        const Object* l = created_.count(id) ? nullptr : live_.find(id);
        if (!l) {
            if (id.kind == Kind::index) {
                add(phase, id, "create", ddl::create_index(d), "CREATE INDEX " + display(id));
            } else if (fk || !new_table) {
                add(phase, id, "create", ddl::add_constraint(d), "ADD CONSTRAINT " + display(id));
            } else {
                continue;  // inline in CREATE TABLE, comment included there
            }
            add_comment_steps(phase, nullptr, d);
            continue;
        }
        if (id.kind == Kind::constraint) {
            if (l->attrs.value("not_valid", false) && !d.attrs.value("not_valid", false))
                add(phase, id, "alter", "ALTER TABLE " + ddl::table_name(id) + " VALIDATE CONSTRAINT " + quote_ident(id.name) + ";",
                    "VALIDATE CONSTRAINT " + display(id));
            if (fk && (l->attrs["deferrable"] != d.attrs["deferrable"] ||
                       l->attrs["initially_deferred"] != d.attrs["initially_deferred"])) {
                std::string mode = d.attrs["deferrable"] == true ? "DEFERRABLE" : "NOT DEFERRABLE";
                mode += d.attrs["initially_deferred"] == true ? " INITIALLY DEFERRED" : " INITIALLY IMMEDIATE";
                add(phase, id, "alter", "ALTER TABLE " + ddl::table_name(id) + " ALTER CONSTRAINT " + quote_ident(id.name) + " " + mode + ";",
                    "ALTER CONSTRAINT " + display(id) + " " + mode);
            }
        }
        add_comment_steps(phase, l, d);
    }
}

void Differ::emit_final_drops() {
    for (const ObjectId& id : dropped_)
        if (id.kind == Kind::table) add(k_drop_tables, id, "drop", ddl::drop(id), "DROP TABLE " + display(id));
    for (auto it = dropped_.rbegin(); it != dropped_.rend(); ++it) {
        const ObjectId& id = *it;
        if (id.kind != Kind::enumeration && id.kind != Kind::extension && id.kind != Kind::schema &&
            !(id.kind == Kind::collation && !created_.count(id)))
            continue;
        add(k_drop_types, id, "drop", ddl::drop(id), std::string("DROP ") + ddl::kind_keyword(id.kind) + " " + display(id));
    }
}

void Differ::emit() {
    emit_drops_of_keys();
    for (const auto& [id, l] : live_.objects) {
        if (id.kind != Kind::table || dropped(id)) continue;
        detach_columns(l, desired_.find(id));
    }
    detach_sequence_owners();
    emit_types();
    emit_sequences();
    emit_tables();
    emit_ownership();
    emit_constraints_and_indexes();
    emit_final_drops();
}

// The desired model as the database will hold it after the plan: an
// extension whose version the source leaves open keeps its live version.
Model Differ::expected_state() const {
    Model expected = desired_;
    for (auto& [id, d] : expected.objects) {
        const Object* l = live_.find(id);
        if (id.kind == Kind::extension && l && !version_pinned(d) && l->attrs.contains("version"))
            d.attrs["version"] = l->attrs["version"];
    }
    return expected;
}

Plan Differ::run() {
    classify();
    cascade_foreign_keys();
    emit();
    std::stable_sort(steps_.begin(), steps_.end(), [](const Pending& a, const Pending& b) {
        return a.phase != b.phase ? a.phase < b.phase : a.sequence < b.sequence;
    });
    Plan plan;
    plan.baseline_hash = live_.state_hash();
    plan.target_hash = expected_state().state_hash();
    plan.from = live_.source;
    plan.to = desired_.source;
    plan.live_object_count = live_.top_level_count();
    // Live objects of kinds pg-flux does not model are neither compared nor dropped.
    if (live_.source.contains("unmodeled") && live_.source["unmodeled"].is_object() &&
        !live_.source["unmodeled"].empty()) {
        std::string list;
        for (auto it = live_.source["unmodeled"].begin(); it != live_.source["unmodeled"].end(); ++it)
            list += (list.empty() ? "" : ", ") + it.value().dump() + " " + it.key() + (it.value() == 1 ? "" : "s");
        note("not compared (pg-flux does not model these yet): " + list);
    }
    for (auto& p : steps_) plan.steps.push_back(std::move(p.step));
    std::set<std::string> seen;
    for (const auto& n : notes_)
        if (seen.insert(n).second) plan.notes.push_back(n);
    return plan;
}

}  // namespace diff

Plan diff_models(const Model& live, const Model& desired, const DiffOptions& options) {
    return diff::Differ(live, desired, options).run();
}

}  // namespace pgflux
