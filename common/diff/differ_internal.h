// The differ's shared state and the API the kinds' differs emit through.
//
// differ.cpp classifies every object (created, dropped, replaced, altered),
// spreads replacements to what depends on them, asks each kind's differ for
// its steps, and orders them (order.h). A kind's differ (diff/<kind>.cpp)
// says when a change needs drop + create, and emits CREATE, ALTER, DROP and
// COMMENT steps; each step carries what must exist before it (requires),
// what may only be dropped after it (releases) and, for a table, the columns
// it retypes or removes. Ordering is derived from these and the objects'
// dependencies, never from the order the kinds are visited in.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "diff/differ.h"
#include "model/dependencies.h"

namespace pgflux::diff {

class Differ;

// What a kind contributes to a diff.
struct KindDiff {
    // Why the live object has to be dropped and created again to become the
    // desired one; "" when it can change in place.
    std::string (*replace_reason)(Differ& d, const Object& live, const Object& desired);
    void (*create)(Differ& d, const Object& desired);
    // Both sides exist and the object is not replaced; emits nothing when equal.
    void (*alter)(Differ& d, const Object& live, const Object& desired);
    void (*drop)(Differ& d, const Object& live);
};

// The replace_reason of a kind whose objects always change in place.
inline std::string changes_in_place(Differ&, const Object&, const Object&) { return ""; }

// Differs of the kinds (kinds/kinds.cpp puts them in the table).
extern const KindDiff k_schema_diff, k_extension_diff, k_collation_diff, k_enum_diff, k_range_type_diff, k_domain_diff,
    k_composite_type_diff, k_sequence_diff,
    k_function_diff, k_procedure_diff, k_aggregate_diff, k_table_diff, k_view_diff, k_materialized_view_diff,
    k_constraint_diff, k_index_diff, k_rule_diff, k_trigger_diff, k_policy_diff, k_event_trigger_diff,
    k_default_privilege_diff, k_operator_diff, k_cast_diff, k_ts_dictionary_diff, k_ts_configuration_diff,
    k_foreign_data_wrapper_diff, k_server_diff, k_user_mapping_diff, k_publication_diff, k_foreign_table_diff,
    k_statistics_diff;

// Priority of a step where no dependency decides: what releases comes first,
// then drops (reverse kind rank), then creates and alters (kind rank).
enum class Stage { detach = 0, drop = 1, create = 2 };

struct PlannedStep {
    Step step;
    Stage stage = Stage::create;
    int rank = 0;  // the kind's rank times ten, plus what sorts a step within its kind's neighbours
    std::vector<Dependency> requires;          // created (and reshaped) before this step
    std::vector<ObjectId> releases;            // dropped only after this step
    std::vector<std::string> changed_columns;  // a table alter: columns it retypes or removes
    bool structural = false;                   // steps that require the object wait for this one
};

class Differ {
public:
    Differ(const Model& live, const Model& desired, const DiffOptions& options);
    Plan run();

    const Model& live() const { return live_; }
    const Model& desired() const { return desired_; }
    const ModelIndex& live_index() const { return live_index_; }
    const ModelIndex& desired_index() const { return desired_index_; }
    bool verify() const { return options_.verify; }
    const DiffOptions& options() const { return options_; }

    // --- emitting steps (summaries as drift prints them)
    // Creates the object: structural, requires its desired dependencies.
    PlannedStep& create(const Object& desired, const std::string& sql, const std::string& summary);
    // Drops the object: releases its live dependencies.
    PlannedStep& drop(const Object& live, const std::string& sql, const std::string& summary);
    // Changes the object; the caller adds what it requires and releases.
    PlannedStep& alter(const ObjectId& id, const std::string& sql, const std::string& summary,
                       Stage stage = Stage::create);
    // Defines the object again in place (CREATE OR REPLACE, ALTER POLICY):
    // structural, requires what the new definition names and releases what
    // the old one named.
    PlannedStep& redefine(const Object& live, const Object& desired, const std::string& sql, const std::string& summary);
    // COMMENT ON the object when its comment changed (`live` null: new).
    void comment(const Object* live, const Object& desired);
    void note(const std::string& text) { notes_.push_back(text); }

    // --- what classification decided
    bool dropped(const ObjectId& id) const { return dropped_.count(id) > 0; }  // dropped or replaced
    bool created(const ObjectId& id) const { return created_.count(id) > 0; }  // created or replaced
    // An object dropped without a statement of its own (with its relation or owner).
    void dropped_implicitly(const ObjectId& id, const ObjectId& with);
    bool relation_dropped(const std::string& schema, const std::string& relation) const;
    // The relation (table, view, materialized view) an object belongs to.
    ObjectId relation_of(const ObjectId& child) const;
    bool enum_recreated(const std::string& qualified_type) const { return recreated_enums_.count(qualified_type) > 0; }
    bool is_enum(const std::string& type) const;
    // Is the type (an element type) converted through text when a column
    // changes to or from it (enums, range and multirange types)?
    bool converts_through_text(const std::string& type) const;
    // Is the type (or the element type of an array) an enum, domain, range,
    // multirange or composite type that is recreated?
    bool type_recreated(const std::string& type) const;
    // Why a replaced object is replaced ("" when it is not).
    std::string replace_reason(const ObjectId& id) const;
    // The live columns of a table once the detach steps ran (table_diff.cpp).
    json& live_columns(const Object& table);

    // Attribute equality; in loose mode expressions and type names compare by
    // their loose keys, and a loose match is noted against `what`.
    bool same(const json& a, const json& b, const std::string& key, const std::string& what);
    // Does the column's type (or collation) change, or its enum get recreated?
    bool type_changes(const json& live_column, const json& desired_column);

private:
    void classify();
    void spread_replacements();
    void replace(const ObjectId& id, const std::string& reason, bool cascaded);
    std::vector<std::string> changed_columns(const Object& live_table, const Object& desired_table);
    void emit();
    std::string with_reason(const ObjectId& id, const std::string& summary) const;
    std::vector<size_t> order() const;
    Model expected_state() const;

    const Model& live_;
    const Model& desired_;
    DiffOptions options_;
    bool loose_;
    ModelIndex live_index_, desired_index_;
    std::set<ObjectId> dropped_, created_;                 // replaced objects are in both
    std::map<ObjectId, std::string> replace_reasons_;      // why a replaced object is replaced
    std::map<ObjectId, std::vector<ObjectId>> implicit_drops_;  // relation -> what goes with it
    std::set<std::string> recreated_enums_;                // qualified names
    std::map<ObjectId, json> live_columns_;                // after the detach steps
    std::deque<PlannedStep> steps_;  // references to steps stay valid as more are added
    std::vector<std::string> notes_;
};

// Names for summaries: users, other.users, idx ON users, f(integer).
std::string display(const ObjectId& id);
std::string display_column(const ObjectId& table, const std::string& column);
// The attributes without `keys` and without owner and privileges (which
// emit_privileges compares), for comparing definitions.
json without(json attrs, std::initializer_list<const char*> keys);

// views.cpp: ALTER TABLE / [MATERIALIZED] VIEW ... SET (...) / RESET (...)
// for changed storage parameters ("options").
void alter_relation_options(Differ& d, const Object& live, const Object& desired);

// keys.cpp: DROP INDEX / STATISTICS, or nothing when its relation is dropped.
void drop_with_relation(Differ& d, const Object& live);

// table_diff.cpp: REPLICA IDENTITY USING INDEX for an index or constraint
// just created, when its table's desired replica identity names it.
void replica_identity_after_index(Differ& d, const Object& index_or_constraint);

// table_diff.cpp: whether CREATE TABLE holds a constraint of a new table
// (one that needs nothing but its table), else it is added by its own step.
bool inline_in_create_table(const Object& constraint);
// table_diff.cpp: the detach steps of a live table that stays (identities
// that go, defaults that use what is dropped), run before anything else.
void detach_columns(Differ& d, const Object& live_table, const Object& desired_table);

}  // namespace pgflux::diff
