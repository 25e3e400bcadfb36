// Dependencies derived from attributes, the same way for both sides: schema
// membership, column types and collations, sequences and functions named in
// expressions, a constraint's or index's table, and the key a foreign key
// needs. The catalog adds pg_depend's (catalog/read_dependencies.cpp) and
// the source reader the references it resolved with a search_path.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/model.h"

namespace pgflux {

// Lookups over a model that would otherwise need a scan per question.
class ModelIndex {
public:
    explicit ModelIndex(const Model& model);
    // The constraint or unique index that provides the key a foreign key references.
    const Object* referenced_key(const Object& foreign_key) const;
    // Types (enums) and routines by unqualified name, in any schema.
    const std::vector<ObjectId>& types_named(const std::string& name) const;
    const std::vector<ObjectId>& routines_named(const std::string& name) const;
    const std::vector<ObjectId>& operators_named(const std::string& name) const;
    const std::map<std::string, std::vector<ObjectId>>& all_operators() const { return operators_; }
    // Constraints, indexes and other objects that belong to a relation.
    const std::vector<const Object*>& objects_of(const std::string& schema, const std::string& relation) const;
    // Does a table of the model name this table as its partitioned table
    // (partition_of) or among its parents (inherits)?
    bool has_children(const ObjectId& table) const { return parents_.count(table) > 0; }
    // expression_dependencies' answers so far, by (expression, schema): a
    // large schema repeats the same defaults and checks on many tables.
    mutable std::map<std::pair<std::string, std::string>, std::vector<Dependency>> expression_dependencies_;

private:
    const Model& model_;
    std::map<std::pair<std::string, std::string>, std::vector<const Object*>> by_relation_;
    std::map<std::string, std::vector<ObjectId>> types_, routines_, operators_;
    std::set<ObjectId> parents_;  // tables that have a partition or a child
};

std::vector<Dependency> derived_dependencies(const Model& model, const ModelIndex& index, const Object& object);

// What a column needs: its type (the element type of an array), its
// collation, and what its default or generation expression names.
std::vector<Dependency> column_dependencies(const Model& model, const ModelIndex& index,
                                            const std::string& schema, const json& column);

// What an expression in canonical text names: sequences in nextval('...'),
// functions it calls, operators it applies and types it casts to that the
// model holds. A name
// without a schema matches in every schema.
std::vector<Dependency> expression_dependencies(const Model& model, const ModelIndex& index,
                                                const std::string& expression, const std::string& schema);

// Sequences a default expression takes values from: nextval('x'::regclass).
std::vector<std::vector<std::string>> sequences_in_default(const std::string& expression);

// Splits a possibly-quoted qualified name: public."My Seq" -> {public, My Seq}.
std::vector<std::string> split_qualified_name(const std::string& text);

// One-off lookup (builds a ModelIndex).
const Object* referenced_key(const Model& model, const Object& foreign_key);

}  // namespace pgflux
