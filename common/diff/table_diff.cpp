// Differ of tables: CREATE TABLE (with its constraints inline), the columns
// of a table present on both sides, and the detach steps that run before
// anything a table stops using is dropped.
//
// Per column, statements run in this order: DROP EXPRESSION, DROP DEFAULT
// (when the type changes, an identity is added or the default goes), TYPE,
// SET DEFAULT, SET/DROP NOT NULL, identity changes, COMMENT. Each step
// requires what its new definition names and releases what the old one did.
#include <algorithm>
#include <limits>
#include <tuple>

#include "canon/definitions.h"
#include "canon/expressions.h"
#include "canon/types.h"
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "kinds/kinds.h"
#include "model/attributes.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux::diff {
namespace {

const json* find_column(const json& columns, const std::string& name) {
    for (const json& c : columns)
        if (c["name"] == name) return &c;
    return nullptr;
}

std::vector<ObjectId> ids_of(const std::vector<Dependency>& deps) {
    std::vector<ObjectId> out;
    for (const auto& d : deps) out.push_back(d.id);
    return out;
}

// What the live column's default names (released when the default goes).
std::vector<ObjectId> live_default_uses(Differ& d, const ObjectId& table, const json& column) {
    if (!column.contains("default")) return {};
    return ids_of(expression_dependencies(d.live(), d.live_index(), column["default"], table.schema));
}

// What the live table uses through one column, as the catalog says (a type
// an extension created, say), beyond what the attributes name.
std::vector<ObjectId> column_uses(const Object& live_table, const std::string& column) {
    std::vector<ObjectId> out;
    for (const Dependency& dep : live_table.depends_on)
        if (std::find(dep.through.begin(), dep.through.end(), column) != dep.through.end()) out.push_back(dep.id);
    return out;
}

void add_ids(std::vector<ObjectId>& to, const std::vector<ObjectId>& more) { to.insert(to.end(), more.begin(), more.end()); }

ObjectId table_id(const json& ref) { return ObjectId{Kind::table, ref["schema"], ref["table"]}; }

// The tables a table inherits its columns from: its partitioned table, or
// its INHERITS list in order.
std::vector<ObjectId> parents_of(const Object& table) {
    std::vector<ObjectId> out;
    if (table.attrs.contains("partition_of")) out.push_back(table_id(table.attrs["partition_of"]));
    for (const json& p : table.attrs.value("inherits", json::array())) out.push_back(table_id(p));
    return out;
}


// A column as a parent gives it to a new child: no identity, no comment.
json inherited_copy(json column) {
    column.erase("identity");
    column.erase("comment");
    column["inherited"] = true;
    return column;
}

std::string partition_key_text(const json& attrs) {
    return attrs.contains("partition_by") ? "PARTITION BY " + partition_key_sql(attrs["partition_by"]) : "not partitioned";
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

// Does the expression read any of these columns?
bool reads_any(const std::string& expression, const std::set<std::string>& columns) {
    if (columns.empty()) return false;
    for (const auto& c : referenced_columns(pq::parse_expression(expression).expr))
        if (columns.count(c)) return true;
    return false;
}

// Does a default call a routine of the model (which may in turn read the table)?
bool calls_a_routine(const std::vector<Dependency>& deps) {
    for (const auto& dep : deps)
        if (kind_spec(dep.id.kind).naming == Naming::routine) return true;
    return false;
}

// ALTER TABLE ... ENABLE / DISABLE / FORCE / NO FORCE ROW LEVEL SECURITY.
void row_security(Differ& d, const Object* l, const Object& o) {
    for (const auto& [key, on, off] : {std::tuple<const char*, const char*, const char*>{
                                           "row_security", "ENABLE ROW LEVEL SECURITY", "DISABLE ROW LEVEL SECURITY"},
                                       {"force_row_security", "FORCE ROW LEVEL SECURITY", "NO FORCE ROW LEVEL SECURITY"}}) {
        bool before = l && l->attrs.value(key, false), after = o.attrs.value(key, false);
        if (before == after || (d.verify() && !after)) continue;
        std::string clause = after ? on : off;
        d.alter(o.id, "ALTER TABLE " + ddl::table_name(o.id) + " " + clause + ";", clause + " " + display(o.id));
    }
}

// ALTER COLUMN ... SET STORAGE / SET STATISTICS where they differ from the
// live column (`lc` null: a new column). A type change resets the storage to
// the new type's; going back to the default storage names the type's default
// (the live snapshot knows it).
void storage_and_statistics(Differ& d, const ObjectId& table, const json* lc, const json& dc, bool type_changed) {
    std::string name = dc["name"];
    std::string prefix = "ALTER TABLE " + ddl::table_name(table) + " ALTER COLUMN " + quote_ident(name);
    std::string what = "ALTER COLUMN " + display_column(table, name);
    json before = lc && !type_changed ? lc->value("storage", json()) : json();
    json after = dc.value("storage", json());
    if (before != after && !(d.verify() && after.is_null())) {
        std::string storage;
        if (after.is_null()) {
            const json& defaults = d.live().source.value("type_storage", json::object());
            storage = defaults.value((*lc)["type"].get<std::string>(), "");
            if (storage.empty()) d.note("the default storage of type " + (*lc)["type"].get<std::string>() + " is unknown: " +
                                        what + " keeps storage " + before.get<std::string>());
        } else {
            storage = after;
        }
        if (!storage.empty()) {
            std::string upper;
            for (char c : storage) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            d.alter(table, prefix + " SET STORAGE " + upper + ";", what + " SET STORAGE " + upper);
        }
    }
    int stats_before = lc ? lc->value("statistics", -1) : -1, stats_after = dc.value("statistics", -1);
    if (stats_before != stats_after && !(d.verify() && stats_after == -1))
        d.alter(table, prefix + " SET STATISTICS " + std::to_string(stats_after) + ";",
                what + " SET STATISTICS " + std::to_string(stats_after));
}

// ALTER TABLE ... REPLICA IDENTITY. An index (or constraint) created or
// recreated by the plan sets it itself, right after its creation
// (replica_identity_after_index): PostgreSQL forgets a dropped index's role,
// and the index may be built after the commit.
void replica_identity(Differ& d, const Object* l, const Object& o) {
    std::string before = l ? l->attrs.value("replica_identity", "default") : "default";
    std::string after = o.attrs.value("replica_identity", "default");
    std::string before_index = l ? l->attrs.value("replica_identity_index", "") : "";
    std::string index = o.attrs.value("replica_identity_index", "");
    ObjectId index_id{Kind::index, o.id.schema, index, o.id.name};
    if (after == "index" && !d.desired().find(index_id)) index_id.kind = Kind::constraint;
    if (after == "index" && d.created(index_id)) return;
    if (before == after && before_index == index) return;
    if (d.verify() && after == "default") return;
    std::string clause = after == "index" ? "USING INDEX " + quote_ident(index) : after == "full" ? "FULL"
                         : after == "nothing"                                   ? "NOTHING"
                                                                                : "DEFAULT";
    PlannedStep& p = d.alter(o.id, "ALTER TABLE " + ddl::table_name(o.id) + " REPLICA IDENTITY " + clause + ";",
                             "REPLICA IDENTITY " + clause + " " + display(o.id));
    if (after == "index") p.requires.push_back({index_id, std::nullopt, false});
}

class ColumnDiff {
public:
    // `dc_sql`: the desired column as the source wrote it (for SQL text).
    ColumnDiff(Differ& differ, const Object& live_table, const json& lc, const json& dc, const json& dc_sql)
        : d_(differ), live_table_(live_table), table_(live_table.id), lc_(lc), dc_(dc), dc_sql_(dc_sql), name_(dc["name"]),
          prefix_("ALTER TABLE " + ddl::table_name(table_) + " ALTER COLUMN " + quote_ident(name_)),
          what_(display_column(table_, name_)) {}

    void run() {
        bool type_changed = d_.type_changes(lc_, dc_);
        bool identity_added = dc_.contains("identity") && !lc_.contains("identity");
        json live_default = lc_.value("default", json());
        bool default_changed = !same("default");
        if (!live_default.is_null() && (type_changed || identity_added || (default_changed && !dc_.contains("default")))) {
            alter("DROP DEFAULT").releases = live_default_uses(d_, table_, lc_);
            live_default = json();
        }
        bool options_first = type_changed && lc_.contains("identity") && dc_.contains("identity") && bounds_fit_live_type();
        if (options_first) identity_options();
        if (type_changed) change_type();
        if (dc_.contains("default") && (live_default.is_null() || default_changed)) {
            PlannedStep& p = alter("SET DEFAULT " + dc_sql_["default"].get<std::string>(), "SET DEFAULT");
            p.requires = expression_dependencies(d_.desired(), d_.desired_index(), dc_["default"], table_.schema);
            if (!live_default.is_null()) p.releases = live_default_uses(d_, table_, lc_);
        }
        if (lc_["not_null"] != dc_["not_null"] && !(d_.verify() && dc_["not_null"] == false))
            alter(dc_["not_null"] == true ? "SET NOT NULL" : "DROP NOT NULL");
        if (identity_added) {
            alter("ADD " + ddl::identity_clause(dc_sql_["identity"], table_.schema, dc_sql_["type"]), "ADD IDENTITY");
            const json& sequence = dc_["identity"]["sequence"];
            d_.alter(table_,
                     ddl::continue_after_existing_values(qualified_name(table_.schema, sequence["name"].get<std::string>()),
                                                         ddl::table_name(table_), name_, sequence),
                     "ALTER COLUMN " + what_ + " identity continues after the existing values");
        } else if (dc_.contains("identity")) {
            change_identity(!options_first);
        }
        storage_and_statistics(d_, table_, &lc_, dc_, type_changed);
        json before = lc_.value("comment", json()), after = dc_.value("comment", json());
        if (before != after && !(d_.verify() && after.is_null()))
            d_.alter(table_, ddl::comment(table_, dc_, name_), "COMMENT ON COLUMN " + what_).step.action = "comment";
    }

    // A column a parent gives the child: only what the child may set on its own.
    void run_inherited() {
        json live_default = lc_.value("default", json());
        if (!same("default")) {
            if (dc_.contains("default")) {
                PlannedStep& p = alter("SET DEFAULT " + dc_sql_["default"].get<std::string>(), "SET DEFAULT");
                p.requires.push_back(Dependency{table_});
                auto more = expression_dependencies(d_.desired(), d_.desired_index(), dc_["default"], table_.schema);
                p.requires.insert(p.requires.end(), more.begin(), more.end());
            } else {
                alter("DROP DEFAULT");
            }
        }
        if (lc_["not_null"] != dc_["not_null"]) alter(dc_["not_null"] == true ? "SET NOT NULL" : "DROP NOT NULL");
        json before = lc_.value("comment", json()), after = dc_.value("comment", json());
        if (before != after && !(d_.verify() && after.is_null()))
            d_.alter(table_, ddl::comment(table_, dc_, name_), "COMMENT ON COLUMN " + what_).step.action = "comment";
    }

private:
    bool same(const char* key) {
        return d_.same(lc_.value(key, json()), dc_.value(key, json()), key, "column " + what_);
    }

public:
    // A child's column: its steps wait for the parents' (which recurse to
    // it). A parent's column: its steps are waited for.
    ColumnDiff& after(const std::vector<ObjectId>& parents, bool waited_for) {
        for (const ObjectId& p : parents) requires_.push_back(Dependency{p});
        structural_ = waited_for;
        return *this;
    }

private:
    PlannedStep& alter(const std::string& clause, const std::string& summary = "") {
        PlannedStep& p = d_.alter(table_, prefix_ + " " + clause + ";",
                                  "ALTER COLUMN " + what_ + " " + (summary.empty() ? clause : summary));
        p.requires.insert(p.requires.end(), requires_.begin(), requires_.end());
        if (structural_) p.structural = true;
        return p;
    }

    void change_type() {
        std::string type = dc_sql_["type"];
        // Enums and range types have no casts to other types but text: go through text.
        std::string via;
        std::string live_element = element_type(lc_["type"]);
        if (d_.converts_through_text(live_element) || d_.converts_through_text(element_type(dc_["type"])))
            via = lc_["type"] == live_element ? "::text" : "::text[]";
        std::string clause = "TYPE " + type;
        if (dc_sql_.contains("collation")) clause += " COLLATE " + dc_sql_["collation"].get<std::string>();
        // A generated column is computed again: PostgreSQL refuses a USING.
        if (!dc_.contains("generated")) clause += " USING " + quote_ident(name_) + via + "::" + type;
        PlannedStep& p = alter(clause, "TYPE " + short_type_name(dc_["type"].get<std::string>()));
        json live_type = without(lc_, {"default", "generated"}), desired_type = without(dc_, {"default", "generated"});
        p.requires = column_dependencies(d_.desired(), d_.desired_index(), table_.schema, desired_type);
        p.releases = ids_of(column_dependencies(d_.live(), d_.live_index(), table_.schema, live_type));
        add_ids(p.releases, column_uses(live_table_, name_));
        p.changed_columns = {name_};
        p.structural = true;
    }

    void change_identity(bool with_options) {
        const json& li = lc_["identity"];
        const json& di = dc_["identity"];
        if (li["always"] != di["always"])
            alter(di["always"] == true ? "SET GENERATED ALWAYS" : "SET GENERATED BY DEFAULT");
        if (with_options) identity_options();
        if (li["sequence"]["name"] != di["sequence"]["name"]) {
            ObjectId seq{Kind::sequence, table_.schema, li["sequence"]["name"]};
            d_.alter(table_,
                     "ALTER SEQUENCE " + seq.sql_name() + " RENAME TO " +
                         quote_ident(di["sequence"]["name"].get<std::string>()) + ";",
                     "RENAME SEQUENCE " + display(seq));
        }
    }

    // Do the desired identity's bounds fit the live column's type? Then its
    // options change before a type change (which narrows the sequence's
    // type too), else after it (a MAXVALUE only the new type holds).
    bool bounds_fit_live_type() {
        const json& seq = dc_["identity"]["sequence"];
        std::string type = lc_["type"];
        int64_t max = type == "smallint" ? std::numeric_limits<int16_t>::max()
                      : type == "integer" ? std::numeric_limits<int32_t>::max()
                                          : std::numeric_limits<int64_t>::max();
        return seq["max_value"].get<int64_t>() <= max && seq["min_value"].get<int64_t>() >= -max - 1;
    }

    void identity_options() {
        const json& li = lc_["identity"];
        const json& di = dc_["identity"];
        std::string options = identity_option_changes(li["sequence"], di["sequence"]);
        // New bounds that exclude the old start restart at the new one (see
        // ddl::sequence_restart_needed), then continue after the existing values.
        bool restart = ddl::sequence_restart_needed(li["sequence"], di["sequence"]);
        if (restart) options += " RESTART WITH " + di["sequence"]["start"].dump();
        if (!options.empty()) alter(options.substr(1), "SET identity options");
        if (restart)
            d_.alter(table_,
                     ddl::continue_after_existing_values(qualified_name(table_.schema, li["sequence"]["name"].get<std::string>()),
                                                         ddl::table_name(table_), name_, di["sequence"]),
                     "ALTER COLUMN " + what_ + " identity continues after the existing values");
    }

    Differ& d_;
    const Object& live_table_;
    const ObjectId& table_;
    const json& lc_;
    const json& dc_;
    const json& dc_sql_;
    std::string name_, prefix_, what_;
    std::vector<Dependency> requires_;
    bool structural_ = false;
};

// The columns' ADD COLUMN, DROP COLUMN and the table's own attributes.
class TableDiff {
public:
    TableDiff(Differ& d, const Object& l, const Object& o)
        : d_(d), l_(l), o_(o), table_(ddl::table_name(o.id)), live_columns_(d.live_columns(l)),
          sql_columns_(ddl_attributes(o)["columns"]), parent_(d.desired_index().has_children(o.id)) {}

    void run() {
        leave_parents();
        propagate_from_parents();
        if (!d_.verify()) drop_columns();
        if (l_.attrs["unlogged"] != o_.attrs["unlogged"]) {
            std::string mode = o_.attrs["unlogged"] == true ? "SET UNLOGGED" : "SET LOGGED";
            alter(mode, mode + " " + display(o_.id));
        }
        row_security(d_, &l_, o_);
        if (l_.attrs.value("options", json::array()) != o_.attrs.value("options", json::array()))
            alter_relation_options(d_, l_, o_);
        std::set<std::string> rebuilt = drop_changed_generated_columns();
        std::vector<std::string> live_order, desired_order;
        for (const json& dc : o_.attrs["columns"]) {
            const json* lc = find_column(live_columns_, dc["name"]);
            if (rebuilt.count(dc["name"])) continue;
            if (!lc) {
                if (const json* pc = kept_parent_column(dc["name"]); pc && dc.value("inherited", false)) {
                    // The parent's ADD COLUMN gives it to this table.
                    json given = inherited_copy(*pc);
                    ColumnDiff(d_, l_, given, dc, sql_column(dc)).after(kept_, parent_).run_inherited();
                    continue;
                }
                add_column(dc);
                continue;
            }
            desired_order.push_back(dc["name"]);
            if (managed_.count(dc["name"])) {
                ColumnDiff(d_, l_, *lc, dc, sql_column(dc)).after(kept_, parent_).run_inherited();
                continue;
            }
            ColumnDiff(d_, l_, *lc, dc, sql_column(dc)).after({}, parent_).run();
        }
        for (const json& dc : o_.attrs["columns"])
            if (rebuilt.count(dc["name"])) add_column(dc);
        for (const json& lc : live_columns_)
            if (find_column(o_.attrs["columns"], lc["name"]) && !rebuilt.count(lc["name"])) live_order.push_back(lc["name"]);
        if (live_order != desired_order && parents_of(o_).empty())
            d_.note("column order of table " + display(o_.id) + " differs from the source (PostgreSQL cannot reorder columns)");
        replica_identity(d_, &l_, o_);
        d_.comment(&l_, o_);
        join_parents();
    }

private:
    PlannedStep& alter(const std::string& clause, const std::string& summary) {
        return d_.alter(o_.id, "ALTER TABLE " + table_ + " " + clause + ";", summary);
    }

    const json& sql_column(const json& dc) {
        const json* c = find_column(sql_columns_, dc["name"]);
        return c ? *c : dc;
    }

    void drop_column(const json& lc, const std::string& summary) {
        std::string name = lc["name"];
        PlannedStep& p = alter("DROP COLUMN " + quote_ident(name), summary);
        p.releases = ids_of(column_dependencies(d_.live(), d_.live_index(), o_.id.schema, lc));
        add_ids(p.releases, column_uses(l_, name));
        p.changed_columns = {name};
        p.structural = true;
    }

    void drop_columns() {
        for (const json& lc : live_columns_)
            if (!find_column(o_.attrs["columns"], lc["name"]) && !managed_.count(lc["name"]))
                drop_column(lc, "DROP COLUMN " + display_column(o_.id, lc["name"]));
    }

    // --- partitions and inheritance

    bool same_partition() const {
        return l_.attrs.value("partition_of", json()) == o_.attrs.value("partition_of", json()) &&
               l_.attrs.value("bound", json()) == o_.attrs.value("bound", json());
    }

    // How many leading INHERITS entries stay as they are.
    size_t kept_inherits() const {
        json before = l_.attrs.value("inherits", json::array()), after = o_.attrs.value("inherits", json::array());
        size_t n = 0;
        while (n < before.size() && n < after.size() && before[n] == after[n]) ++n;
        return n;
    }

    // DETACH PARTITION and NO INHERIT run first: the columns become the
    // table's own, and the old parent's changes no longer reach it.
    void leave_parents() {
        if (l_.attrs.contains("partition_of") && !same_partition()) {
            ObjectId parent = table_id(l_.attrs["partition_of"]);
            PlannedStep& p = d_.alter(o_.id,
                                      "ALTER TABLE " + parent.sql_name() + " DETACH PARTITION " + table_ + ";",
                                      "DETACH PARTITION " + display(o_.id) + " FROM " + display(parent), Stage::detach);
            p.releases.push_back(parent);
        } else if (l_.attrs.contains("partition_of")) {
            kept_.push_back(table_id(l_.attrs["partition_of"]));
        }
        const json before = l_.attrs.value("inherits", json::array());
        size_t keep = kept_inherits();
        for (size_t i = 0; i < before.size(); ++i) {
            ObjectId parent = table_id(before[i]);
            if (i < keep) {
                kept_.push_back(parent);
                continue;
            }
            d_.alter(o_.id, "ALTER TABLE " + table_ + " NO INHERIT " + parent.sql_name() + ";",
                     "NO INHERIT " + display(parent) + " FOR " + display(o_.id), Stage::detach)
                .releases.push_back(parent);
            // The parent's CHECK constraints stay behind as the table's own.
            for (const Object* c : inheritable_checks(d_.live(), d_.live_index(), parent))
                if (!d_.desired().find(ObjectId{Kind::constraint, o_.id.schema, c->id.name, o_.id.name}))
                    d_.alter(o_.id, "ALTER TABLE " + table_ + " DROP CONSTRAINT " + quote_ident(c->id.name) + ";",
                             "DROP CONSTRAINT " + quote_ident(c->id.name) + " ON " + display(o_.id) +
                                 " (left behind by NO INHERIT)",
                             Stage::detach);
        }
    }

    // CHECK constraints a parent passes on to its children.
    static std::vector<const Object*> inheritable_checks(const Model& model, const ModelIndex& index,
                                                         const ObjectId& parent) {
        std::vector<const Object*> out;
        if (!model.find(parent)) return out;
        for (const Object* c : index.objects_of(parent.schema, parent.name))
            if (c->id.kind == Kind::constraint && c->attrs.value("type", "") == "check" &&
                !c->attrs.value("no_inherit", false))
                out.push_back(c);
        return out;
    }

    // ATTACH PARTITION and INHERIT run last, once the table has the
    // parent's columns.
    void join_parents() {
        if (o_.attrs.contains("partition_of") && !same_partition()) {
            ObjectId parent = table_id(o_.attrs["partition_of"]);
            PlannedStep& p = d_.alter(o_.id,
                                      "ALTER TABLE " + parent.sql_name() + " ATTACH PARTITION " + table_ + " " +
                                          ddl_attributes(o_)["bound"].get<std::string>() + ";",
                                      "ATTACH PARTITION " + display(o_.id) + " TO " + display(parent));
            p.requires.push_back(Dependency{parent});
            p.structural = true;
        }
        const json after = o_.attrs.value("inherits", json::array());
        for (size_t i = kept_inherits(); i < after.size(); ++i) {
            ObjectId parent = table_id(after[i]);
            // INHERIT requires the parent's CHECK constraints on the table
            // (validated: they merge into the parent's), so the same
            // statement adds them first.
            std::string checks;
            std::vector<Dependency> needs{Dependency{parent}};
            for (const Object* c : inheritable_checks(d_.desired(), d_.desired_index(), parent)) {
                if (d_.desired().find(ObjectId{Kind::constraint, o_.id.schema, c->id.name, o_.id.name})) continue;
                checks += " ADD CONSTRAINT " + quote_ident(c->id.name) + " " +
                          ddl::constraint_definition(ddl_attributes(*c)) + ",";
                needs.push_back(Dependency{c->id});
            }
            PlannedStep& p = d_.alter(o_.id, "ALTER TABLE " + table_ + checks + " INHERIT " + parent.sql_name() + ";",
                                      "INHERIT " + display(parent) + " FOR " + display(o_.id));
            p.requires = needs;
            p.structural = true;
        }
    }

    // The column of a parent that stays a parent, as the parent will have it.
    const json* kept_parent_column(const std::string& name) const {
        for (const ObjectId& parent : kept_)
            if (const Object* p = d_.desired().find(parent))
                if (const json* c = find_column(p->attrs["columns"], name)) return c;
        return nullptr;
    }

    // Inherited columns that a parent which stays keeps giving: the parent's
    // own changes reach them (PostgreSQL recurses), so they are compared as
    // the parent leaves them; they are never added or dropped here.
    void propagate_from_parents() {
        // A column the parent drops goes from this table too (unless it is
        // also the table's own): one the table keeps is added back after.
        json kept = json::array();
        for (const json& lc : live_columns_) {
            bool vanishes = false;
            if (lc.value("inherited", false))
                for (const ObjectId& parent_id : kept_) {
                    const Object* live_parent = d_.live().find(parent_id);
                    const Object* desired_parent = d_.desired().find(parent_id);
                    if (live_parent && desired_parent && find_column(d_.live_columns(*live_parent), lc["name"]) &&
                        !find_column(desired_parent->attrs["columns"], lc["name"]) &&
                        find_column(o_.attrs["columns"], lc["name"]))
                        vanishes = true;
                }
            if (vanishes) re_added_.insert(lc["name"]);
            else kept.push_back(lc);
        }
        live_columns_ = kept;
        for (json& lc : live_columns_) {
            if (!lc.value("inherited", false)) continue;
            for (const ObjectId& parent_id : kept_) {
                const Object* live_parent = d_.live().find(parent_id);
                const Object* desired_parent = d_.desired().find(parent_id);
                if (!live_parent || !desired_parent) continue;
                const json* before = find_column(d_.live_columns(*live_parent), lc["name"]);
                const json* after = find_column(desired_parent->attrs["columns"], lc["name"]);
                if (!before) continue;
                managed_.insert(lc["name"]);
                if (!after) break;
                for (const char* key : {"type", "collation", "not_null", "default", "generated"}) {
                    json b = before->value(key, json()), a = after->value(key, json());
                    if (b == a) continue;
                    if (a.is_null()) lc.erase(key);
                    else lc[key] = a;
                }
                break;
            }
        }
    }

    // PostgreSQL cannot give a column a generation expression, change one, or
    // change the type of a column a generation expression reads: such
    // generated columns are dropped here and added back after the other
    // changes. Expressions that go away are dropped here too, before the
    // columns they read change.
    std::set<std::string> drop_changed_generated_columns() {
        std::set<std::string> retyped, rebuilt;
        for (const json& dc : o_.attrs["columns"])
            if (const json* lc = find_column(live_columns_, dc["name"]); lc && d_.type_changes(*lc, dc))
                retyped.insert(dc["name"]);
        for (const json& dc : o_.attrs["columns"]) {
            json* lc = nullptr;
            for (json& c : live_columns_)
                if (c["name"] == dc["name"]) lc = &c;
            if (!lc || managed_.count(dc["name"])) continue;
            std::string name = dc["name"];
            std::string what = display_column(o_.id, name);
            bool live_generated = lc->contains("generated"), generated = dc.contains("generated");
            if (generated && (!live_generated || !d_.same((*lc)["generated"], dc["generated"], "generated", "column " + what) ||
                              reads_any(dc["generated"], retyped))) {
                drop_column(*lc, "DROP COLUMN " + what + " (to add it back as generated)");
                rebuilt.insert(name);
            } else if (live_generated && !generated) {
                alter("ALTER COLUMN " + quote_ident(name) + " DROP EXPRESSION", "ALTER COLUMN " + what + " DROP EXPRESSION")
                    .releases = ids_of(expression_dependencies(d_.live(), d_.live_index(), (*lc)["generated"], o_.id.schema));
                lc->erase("generated");
            }
        }
        return rebuilt;
    }

    void add_column(const json& dc) {
        std::string name = dc["name"];
        std::string if_not_exists = re_added_.count(name) ? "IF NOT EXISTS " : "";
        PlannedStep& p = alter("ADD COLUMN " + if_not_exists + ddl::column_definition(sql_column(dc), o_.id.schema),
                               "ADD COLUMN " + display_column(o_.id, name) + " " + short_type_name(dc["type"].get<std::string>()));
        p.requires = column_dependencies(d_.desired(), d_.desired_index(), o_.id.schema, dc);
        p.structural = true;
        for (const ObjectId& parent : kept_) p.requires.push_back(Dependency{parent});
        storage_and_statistics(d_, o_.id, nullptr, dc, false);
        if (dc.contains("comment"))
            d_.alter(o_.id, ddl::comment(o_.id, dc, name), "COMMENT ON COLUMN " + display_column(o_.id, name))
                .step.action = "comment";
    }

    Differ& d_;
    const Object& l_;
    const Object& o_;
    const std::string table_;
    json& live_columns_;
    const json& sql_columns_;
    bool parent_;                     // partitions or children get its columns
    std::vector<ObjectId> kept_;      // parents that stay parents
    std::set<std::string> managed_;   // live columns a kept parent gives
    std::set<std::string> re_added_;  // inherited columns the parent drops and this table keeps
};


// CREATE TABLE with its constraints inline where they need nothing but the
// table (foreign keys, and CHECKs calling routines, come as their own steps).
// A default that calls a routine is set by its own step too, after the
// routine: the routine may read the table, and the new table is empty.
void create_table(Differ& d, const Object& o) {
    std::vector<const Object*> inline_constraints;
    for (const Object* c : d.desired_index().objects_of(o.id.schema, o.id.name))
        if (c->id.kind == Kind::constraint && inline_in_create_table(*c)) inline_constraints.push_back(c);
    Object table = o;
    json& sql_columns = table.ddl.is_null() ? table.attrs["columns"] : table.ddl["columns"];
    std::vector<std::pair<json, std::vector<Dependency>>> later_defaults;
    std::set<ObjectId> inline_routines;
    for (size_t i = 0; i < o.attrs["columns"].size(); ++i) {
        json column = o.attrs["columns"][i];
        if (column.value("inherited", false)) continue;  // given by a parent
        if (column.contains("default")) {
            auto needs = expression_dependencies(d.desired(), d.desired_index(), column["default"], o.id.schema);
            if (calls_a_routine(needs)) {
                later_defaults.push_back({sql_columns[i], needs});
                sql_columns[i].erase("default");
                column.erase("default");
            }
        }
        for (const Dependency& dep : column_dependencies(d.desired(), d.desired_index(), o.id.schema, column))
            inline_routines.insert(dep.id);
    }
    PlannedStep& p = d.create(o, ddl::create_table(table, inline_constraints), "CREATE TABLE " + display(o.id));
    p.requires.clear();
    for (const Dependency& dep : o.depends_on)
        if (kind_spec(dep.id.kind).naming != Naming::routine || inline_routines.count(dep.id)) p.requires.push_back(dep);
    for (const Object* c : inline_constraints)
        for (const Dependency& dep : c->depends_on)
            if (dep.id != o.id) p.requires.push_back(dep);
    row_security(d, nullptr, o);
    for (const json& column : o.attrs["columns"]) storage_and_statistics(d, o.id, nullptr, column, false);
    replica_identity(d, nullptr, o);
    d.comment(nullptr, o);
    // What the table sets on an inherited column on its own (a partition's
    // DEFAULT or NOT NULL), after the parents' columns.
    std::vector<ObjectId> parents = parents_of(o);
    bool waited_for = d.desired_index().has_children(o.id);
    for (const json& column : o.attrs["columns"]) {
        if (!column.value("inherited", false)) continue;
        for (const ObjectId& parent_id : parents) {
            const Object* parent = d.desired().find(parent_id);
            const json* pc = parent ? find_column(parent->attrs["columns"], column["name"]) : nullptr;
            if (!pc) continue;
            json given = inherited_copy(*pc);
            const json* sql = find_column(sql_columns, column["name"]);
            ColumnDiff(d, o, given, column, sql ? *sql : column).after(parents, waited_for).run_inherited();
            break;
        }
    }
    for (const json& column : o.attrs["columns"])
        if (column.contains("comment") && !column.value("inherited", false))
            d.alter(o.id, ddl::comment(o.id, column, column["name"]), "COMMENT ON COLUMN " + display_column(o.id, column["name"]))
                .step.action = "comment";
    for (const auto& [column, needs] : later_defaults) {
        std::string name = column["name"];
        d.alter(o.id,
                "ALTER TABLE " + ddl::table_name(o.id) + " ALTER COLUMN " + quote_ident(name) + " SET DEFAULT " +
                    column["default"].get<std::string>() + ";",
                "ALTER COLUMN " + display_column(o.id, name) + " SET DEFAULT")
            .requires = needs;
    }
    for (const Object* c : inline_constraints) {
        d.comment(nullptr, *c);
        if (c->attrs.contains("index_comment"))
            d.alter(c->id, ddl::index_comment(c->id, c->attrs), "COMMENT ON INDEX " + display_name(c->id.schema, c->id.name))
                .step.action = "comment";
    }
}

void alter_table(Differ& d, const Object& l, const Object& o) { TableDiff(d, l, o).run(); }

// PostgreSQL cannot change a table's partition key (or make a table
// partitioned, or not): the table is dropped and created again, its rows
// lost (a DATA_LOSS hazard), and its partitions with it.
std::string table_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (l.attrs.value("partition_by", json()) == o.attrs.value("partition_by", json())) return "";
    for (const auto& [id, child] : d.live().objects)
        if (id.kind == Kind::table && child.attrs.contains("inherits"))
            for (const ObjectId& p : parents_of(child))
                if (p == l.id)
                    usage_error("the partition key of table " + display(o.id) + " changes (" +
                                partition_key_text(l.attrs) + " -> " + partition_key_text(o.attrs) +
                                "), which means recreating it, but table " + display(id) +
                                " inherits from it; detach the child first");
    return "its partition key changes (" + partition_key_text(l.attrs) + " -> " + partition_key_text(o.attrs) + ")";
}

void drop_table(Differ& d, const Object& l) { d.drop(l, ddl::drop(l.id), "DROP TABLE " + display(l.id)); }

}  // namespace

void replica_identity_after_index(Differ& d, const Object& index) {
    const Object* table = d.desired().find(ObjectId{Kind::table, index.id.schema, index.id.table});
    if (!table || table->attrs.value("replica_identity", "") != "index" ||
        table->attrs.value("replica_identity_index", "") != index.id.name)
        return;
    std::string clause = "REPLICA IDENTITY USING INDEX " + quote_ident(index.id.name);
    d.alter(index.id, "ALTER TABLE " + ddl::table_name(table->id) + " " + clause + ";", clause + " " + display(table->id))
        .requires.push_back({table->id, std::nullopt, false});
}

bool inline_in_create_table(const Object& constraint) {
    // CREATE TABLE validates what it holds, NOT VALID or not.
    if (constraint.attrs.value("type", "") == "foreign_key" || constraint.attrs.value("not_valid", false)) return false;
    for (const Dependency& dep : constraint.depends_on) {
        bool own_table = dep.id == ObjectId{Kind::table, constraint.id.schema, constraint.id.table};
        bool other_relation = kind_spec(dep.id.kind).in_schema && !own_table && dep.id.kind == Kind::table;
        if (other_relation || kind_spec(dep.id.kind).naming == Naming::routine) return false;
    }
    return true;
}

// Identities that go, and defaults that use something being dropped: these
// steps run before anything is dropped (Stage::detach).
void detach_columns(Differ& d, const Object& l, const Object& o) {
    json& columns = d.live_columns(l);
    const std::string table = ddl::table_name(l.id);
    for (json& lc : columns) {
        std::string name = lc["name"];
        const json* dc = find_column(o.attrs["columns"], name);
        std::string prefix = "ALTER TABLE " + table + " ALTER COLUMN " + quote_ident(name);
        if (lc.contains("identity") && dc && !dc->contains("identity")) {
            d.alter(l.id, prefix + " DROP IDENTITY;", "ALTER COLUMN " + display_column(l.id, name) + " DROP IDENTITY",
                    Stage::detach);
            lc.erase("identity");
        }
        if (!lc.contains("default")) continue;
        bool uses_dropped = false;
        for (const ObjectId& used : live_default_uses(d, l.id, lc)) {
            if (!d.dropped(used)) continue;
            // A sequence owned by this very column goes with it when the column goes.
            const Object* seq = used.kind == Kind::sequence ? d.live().find(used) : nullptr;
            bool owned_here = seq && seq->attrs.contains("owned_by") && seq->attrs["owned_by"]["table"] == l.id.name &&
                              seq->attrs["owned_by"]["column"] == name;
            if (dc || !owned_here) uses_dropped = true;
        }
        if (uses_dropped) {
            d.alter(l.id, prefix + " DROP DEFAULT;", "ALTER COLUMN " + display_column(l.id, name) + " DROP DEFAULT",
                    Stage::detach)
                .releases = live_default_uses(d, l.id, lc);
            lc.erase("default");
        }
    }
}

const KindDiff k_table_diff{table_replace_reason, create_table, alter_table, drop_table};

}  // namespace pgflux::diff
