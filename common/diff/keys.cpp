// Differs of constraints and indexes. A changed definition means drop and
// create (flux-hazards then builds indexes concurrently and swaps them in);
// VALIDATE, a foreign key's deferrability and comments change in place.
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

bool is_foreign_key(const Object& o) { return o.attrs.value("type", "") == "foreign_key"; }

std::string constraint_replace_reason(Differ& d, const Object& l, const Object& o) {
    json a = is_foreign_key(o) ? without(l.attrs, {"comment", "not_valid", "deferrable", "initially_deferred"})
                               : without(l.attrs, {"comment", "index_comment", "not_valid"});
    json b = is_foreign_key(o) ? without(o.attrs, {"comment", "not_valid", "deferrable", "initially_deferred"})
                               : without(o.attrs, {"comment", "index_comment", "not_valid"});
    if (!d.same(a, b, "", "constraint " + display(o.id))) return "its definition changes";
    // PostgreSQL cannot mark a validated constraint NOT VALID again (when
    // verifying, a validated one holds more than the source asks for).
    if (!d.verify() && !l.attrs.value("not_valid", false) && o.attrs.value("not_valid", false))
        return "the source declares it NOT VALID";
    return "";
}

void index_comment(Differ& d, const Object* l, const Object& o) {
    json before = l ? l->attrs.value("index_comment", json()) : json();
    json after = o.attrs.value("index_comment", json());
    if (before == after || (d.verify() && after.is_null())) return;
    d.alter(o.id, ddl::index_comment(o.id, o.attrs), "COMMENT ON INDEX " + display_name(o.id.schema, o.id.name))
        .step.action = "comment";
}

void create_constraint(Differ& d, const Object& o) {
    // A new table's CREATE TABLE holds it, comment included (table_diff.cpp).
    if (d.created(d.relation_of(o.id)) && inline_in_create_table(o)) return replica_identity_after_index(d, o);
    d.create(o, ddl::add_constraint(o), "ADD CONSTRAINT " + display(o.id));
    replica_identity_after_index(d, o);
    d.comment(nullptr, o);
    index_comment(d, nullptr, o);
}

void alter_constraint(Differ& d, const Object& l, const Object& o) {
    const ObjectId& id = o.id;
    if (l.attrs.value("not_valid", false) && !o.attrs.value("not_valid", false))
        d.alter(id, "ALTER TABLE " + ddl::table_name(id) + " VALIDATE CONSTRAINT " + quote_ident(id.name) + ";",
                "VALIDATE CONSTRAINT " + display(id));
    if (is_foreign_key(o) && (l.attrs["deferrable"] != o.attrs["deferrable"] ||
                              l.attrs["initially_deferred"] != o.attrs["initially_deferred"])) {
        std::string mode = o.attrs["deferrable"] == true ? "DEFERRABLE" : "NOT DEFERRABLE";
        mode += o.attrs["initially_deferred"] == true ? " INITIALLY DEFERRED" : " INITIALLY IMMEDIATE";
        d.alter(id, "ALTER TABLE " + ddl::table_name(id) + " ALTER CONSTRAINT " + quote_ident(id.name) + " " + mode + ";",
                "ALTER CONSTRAINT " + display(id) + " " + mode);
    }
    d.comment(&l, o);
    index_comment(d, &l, o);
}

void drop_constraint(Differ& d, const Object& l) {
    // Foreign keys are dropped by name even with their table, so that tables
    // referencing each other can go in any order.
    if (!is_foreign_key(l) && d.relation_dropped(l.id.schema, l.id.table))
        return d.dropped_implicitly(l.id, d.relation_of(l.id));
    d.drop(l, ddl::drop(l.id), "DROP CONSTRAINT " + display(l.id));
}

// An index's definition: its attributes but the comment and the statistics
// targets of its columns (which change in place).
json index_definition(const Object& index) {
    json out = without(index.attrs, {"comment"});
    for (json& element : out["elements"]) element.erase("statistics");
    return out;
}

std::string index_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (l.attrs.contains("invalid")) return "it is invalid";
    return d.same(index_definition(l), index_definition(o), "", "index " + display(o.id)) ? "" : "its definition changes";
}

// ALTER INDEX ... ALTER COLUMN n SET STATISTICS where a column's target
// differs from the live one (`l` null: a new index).
void index_statistics(Differ& d, const Object* l, const Object& o) {
    const json& elements = o.attrs["elements"];
    for (size_t k = 0; k < elements.size(); ++k) {
        int before = l && k < l->attrs["elements"].size() ? l->attrs["elements"][k].value("statistics", -1) : -1;
        int after = elements[k].value("statistics", -1);
        if (before == after || (d.verify() && after == -1)) continue;
        std::string clause = " ALTER COLUMN " + std::to_string(k + 1) + " SET STATISTICS " + std::to_string(after);
        d.alter(o.id, "ALTER INDEX " + qualified_name(o.id.schema, o.id.name) + clause + ";",
                "ALTER INDEX " + display(o.id) + clause);
    }
}

void create_index(Differ& d, const Object& o) {
    d.create(o, ddl::create_index(o), "CREATE INDEX " + display(o.id));
    replica_identity_after_index(d, o);
    index_statistics(d, nullptr, o);
    d.comment(nullptr, o);
}

void alter_index(Differ& d, const Object& l, const Object& o) {
    index_statistics(d, &l, o);
    d.comment(&l, o);
}

}  // namespace

void drop_with_relation(Differ& d, const Object& l) {
    if (d.relation_dropped(l.id.schema, l.id.table)) return d.dropped_implicitly(l.id, d.relation_of(l.id));
    d.drop(l, ddl::drop(l.id), std::string("DROP ") + ddl::kind_keyword(l.id.kind) + " " + display(l.id));
}

const KindDiff k_constraint_diff{constraint_replace_reason, create_constraint, alter_constraint, drop_constraint};
const KindDiff k_index_diff{index_replace_reason, create_index, alter_index, drop_with_relation};

}  // namespace pgflux::diff
