// Differ of sequences: options, ownership (OWNED BY, after the owning table
// exists; OWNED BY NONE before the owning column goes) and a new sequence for
// a column that already holds values, which must continue after them.
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "diff/privileges.h"
#include "model/attributes.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {


ObjectId owner_table(const ObjectId& sequence, const json& owned_by) {
    return ObjectId{Kind::table, sequence.schema, owned_by["table"]};
}

// Does the column that owns the live sequence stay?
bool owner_stays(Differ& d, const Object& l) {
    if (!l.attrs.contains("owned_by")) return false;
    const Object* table = d.desired().find(owner_table(l.id, l.attrs["owned_by"]));
    return table && !d.relation_dropped(l.id.schema, l.attrs["owned_by"]["table"]) &&
           column_index(table->attrs, l.attrs["owned_by"]["column"]) >= 0;
}

void set_owner(Differ& d, const Object* l, const Object& o) {
    const ObjectId& id = o.id;
    bool owner_goes = l && l->attrs.contains("owned_by") && !owner_stays(d, *l);
    json before = l && !owner_goes ? l->attrs.value("owned_by", json()) : json();
    json after = o.attrs.value("owned_by", json());
    if (before == after || (d.verify() && after.is_null())) return;
    if (after.is_null()) {
        d.alter(id, "ALTER SEQUENCE " + id.sql_name() + " OWNED BY NONE;", "ALTER SEQUENCE " + display(id) + " OWNED BY NONE")
            .releases.push_back(owner_table(id, before));
        return;
    }
    ObjectId table = owner_table(id, after);
    std::string column = after["column"];
    emit_owner(d, l, o);  // PostgreSQL links only a sequence that has its table's owner
    PlannedStep& p = d.alter(id, "ALTER SEQUENCE " + id.sql_name() + " OWNED BY " + table.sql_name() + "." + quote_ident(column) + ";",
                             "ALTER SEQUENCE " + display(id) + " OWNED BY " + display_column(table, column));
    p.requires.push_back({table, std::nullopt, false});
    p.rank = kind_rank(Kind::table) * 10 + 5;  // after the tables' changes, as pg_dump places it
    if (!before.is_null()) p.releases.push_back(owner_table(id, before));
    // A new sequence for a column that already has values (serial on an existing column).
    const Object* live_table = d.relation_dropped(table.schema, table.name) ? nullptr : d.live().find(table);
    if ((!l || d.created(id)) && live_table && column_index(live_table->attrs, column) >= 0)
        d.alter(id, ddl::continue_after_existing_values(id.sql_name(), table.sql_name(), column, o.attrs),
                "ALTER SEQUENCE " + display(id) + " continues after the existing values of " + display_column(table, column))
            .rank = p.rank;
}

void create_sequence(Differ& d, const Object& o) {
    PlannedStep& p = d.create(o, ddl::create_sequence(o), "CREATE SEQUENCE " + display(o.id));
    // The owner comes later (OWNED BY), after its table.
    p.requires.erase(std::remove_if(p.requires.begin(), p.requires.end(),
                                    [](const Dependency& dep) { return dep.id.kind == Kind::table; }),
                     p.requires.end());
    d.comment(nullptr, o);
    set_owner(d, nullptr, o);
}

void alter_sequence(Differ& d, const Object& l, const Object& o) {
    // The owning column goes while the sequence stays: detach it first.
    if (l.attrs.contains("owned_by") && !owner_stays(d, l)) {
        d.alter(o.id, "ALTER SEQUENCE " + o.id.sql_name() + " OWNED BY NONE;",
                "ALTER SEQUENCE " + display(o.id) + " OWNED BY NONE", Stage::detach)
            .releases.push_back(owner_table(o.id, l.attrs["owned_by"]));
    }
    // Persistence: also changed by ALTER TABLE SET [UN]LOGGED of the owning
    // table, which the table's differ emits; this statement is then a no-op.
    bool unlogged = o.attrs.value("unlogged", false);
    if (unlogged != l.attrs.value("unlogged", false))
        d.alter(o.id, "ALTER SEQUENCE " + o.id.sql_name() + (unlogged ? " SET UNLOGGED;" : " SET LOGGED;"),
                "ALTER SEQUENCE " + display(o.id) + (unlogged ? " SET UNLOGGED" : " SET LOGGED"));
    std::string changes = ddl::sequence_option_changes(l.attrs, o.attrs);
    // PostgreSQL checks the current value against new bounds: one outside
    // them (at the old start, as far as the plan knows) restarts at the new
    // start, in the same statement.
    bool restart = ddl::sequence_restart_needed(l.attrs, o.attrs);
    if (restart) changes += " RESTART WITH " + o.attrs["start"].dump();
    if (!changes.empty())
        d.alter(o.id, "ALTER SEQUENCE " + o.id.sql_name() + changes + ";", "ALTER SEQUENCE " + display(o.id) + changes);
    // A restarted sequence that feeds a column continues after its values.
    if (restart && o.attrs.contains("owned_by") && owner_stays(d, l)) {
        ObjectId table = owner_table(o.id, o.attrs["owned_by"]);
        std::string column = o.attrs["owned_by"]["column"];
        d.alter(o.id, ddl::continue_after_existing_values(o.id.sql_name(), table.sql_name(), column, o.attrs),
                "ALTER SEQUENCE " + display(o.id) + " continues after the existing values of " + display_column(table, column));
    }
    d.comment(&l, o);
    set_owner(d, &l, o);
}

void drop_sequence(Differ& d, const Object& l) {
    // A sequence owned by a column that goes is dropped with it.
    if (l.attrs.contains("owned_by") && !owner_stays(d, l) && !d.created(l.id)) {
        d.dropped_implicitly(l.id, owner_table(l.id, l.attrs["owned_by"]));
        return;
    }
    d.drop(l, ddl::drop(l.id), "DROP SEQUENCE " + display(l.id));
}

}  // namespace

const KindDiff k_sequence_diff{changes_in_place, create_sequence, alter_sequence, drop_sequence};

}  // namespace pgflux::diff
