// The Differ's state, shared by differ.cpp (objects, phases) and
// table_diff.cpp (columns of tables present on both sides).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "diff/differ.h"

namespace pgflux::diff {

enum Phase {
    k_drop_foreign_keys,
    k_drop_constraints,
    k_detach,
    k_drop_sequences,
    k_types,
    k_sequences,
    k_tables,
    k_ownership,
    k_constraints,
    k_foreign_keys,
    k_drop_tables,
    k_drop_types,
};

class Differ {
public:
    Differ(const Model& live, const Model& desired, const DiffOptions& options);
    Plan run();

    // --- shared with table_diff.cpp
    void add(Phase phase, const ObjectId& object, const std::string& action, const std::string& sql,
             const std::string& summary);
    // Attribute equality; in loose mode expressions and type names compare by
    // their loose keys, and a loose match is noted against `what`.
    bool same(const json& a, const json& b, const std::string& key, const std::string& what);
    void note(const std::string& text) { notes_.push_back(text); }
    bool dropped(const ObjectId& id) const { return dropped_.count(id) > 0; }
    bool table_dropped(const std::string& schema, const std::string& table) const {
        return dropped(ObjectId{Kind::table, schema, table, ""});
    }
    bool enum_recreated(const std::string& type) const;
    // Is this qualified type name an enum on either side?
    bool is_enum(const std::string& type) const;
    void alter_table(const Object& live, const Object& desired);
    // Does the column's type (or collation) change, or its enum get recreated?
    bool type_changes(const json& live_column, const json& desired_column);
    // Does the expression read any of these columns?
    bool reads_any(const std::string& expression, const std::set<std::string>& columns);
    void detach_columns(const Object& live, const Object* desired);
    void add_comment_steps(Phase phase, const Object* live, const Object& desired);

    const Model& live_;
    const Model& desired_;
    DiffOptions options_;
    bool loose_;
    std::set<ObjectId> dropped_, created_;   // replaced objects are in both
    std::set<std::string> recreated_enums_;  // qualified names
    std::set<ObjectId> ownership_cleared_;        // sequences detached from a vanishing owner
    std::map<ObjectId, json> live_columns_;        // live columns after the detach phase

private:
    void classify();
    void cascade_foreign_keys();
    void emit();
    void emit_drops_of_keys();
    void emit_types();
    void emit_enum(const Object* live, const Object& desired);
    void emit_sequences();
    void emit_tables();
    void emit_ownership();
    void emit_constraints_and_indexes();
    void emit_final_drops();
    void detach_sequence_owners();
    bool replaced(const Object& live, const Object& desired);
    Model expected_state() const;

    struct Pending {
        Phase phase;
        size_t sequence;
        Step step;
    };
    std::vector<Pending> steps_;
    std::vector<std::string> notes_;
};

std::string display(const ObjectId& id);          // users, other.users, idx on users
std::string display_column(const ObjectId& table, const std::string& column);

}  // namespace pgflux::diff
