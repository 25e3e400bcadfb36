// Dependencies between model objects, derived from their attributes the same
// way for both sides: schema membership, column types, sequences named in
// defaults, a constraint's or index's table, and the key a foreign key needs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/model.h"

namespace pgflux {

std::vector<ObjectId> dependencies_of(const Model& model, const Object& object);

// Sequences a default expression takes values from: nextval('x'::regclass).
std::vector<std::vector<std::string>> sequences_in_default(const std::string& expression);

// Splits a possibly-quoted qualified name: public."My Seq" -> {public, My Seq}.
std::vector<std::string> split_qualified_name(const std::string& text);

// Constraints and indexes of each table, to look keys up without scanning the model.
class KeyIndex {
public:
    explicit KeyIndex(const Model& model);
    // The constraint or unique index that provides the key a foreign key references.
    const Object* referenced_key(const Object& foreign_key) const;

private:
    std::map<std::pair<std::string, std::string>, std::vector<const Object*>> by_table_;
};

std::vector<ObjectId> dependencies_of(const Model& model, const KeyIndex& keys, const Object& object);

// One-off lookup (builds a KeyIndex).
const Object* referenced_key(const Model& model, const Object& foreign_key);

}  // namespace pgflux
