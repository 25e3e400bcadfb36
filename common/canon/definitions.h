// Canonical attributes of indexes, constraints and sequence options, built
// from parse-tree nodes. The source side feeds its statements here; the
// catalog side feeds pg_get_indexdef()/pg_get_constraintdef() text, parsed,
// so both sides share one definition of every attribute.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "canon/scope.h"
#include "model/model.h"
#include "sql/message.h"

namespace pgflux {

// Attributes of an IndexStmt (without name and table).
json index_attributes(const pq::Msg& index_stmt, const NameScope& scope);

// Attributes of a table constraint. `column` is the column a column-level
// constraint was written on ("" for table constraints).
json constraint_attributes(const pq::Msg& constraint, const NameScope& scope,
                           const std::string& column);

// A table's partition key from a PartitionSpec (PARTITION BY ...):
// {"strategy": "range"|"list"|"hash", "elements": [{column|expression,
// collation?, opclass?}]}. The catalog side parses pg_get_partkeydef().
json partition_key_attributes(const pq::Msg& partition_spec, const NameScope& scope);
// The key as DDL writes it: "RANGE (a, (lower(b)))".
std::string partition_key_sql(const json& key);
// A partition's bound from a PartitionBoundSpec, as pg_get_expr(relpartbound)
// prints it: "FOR VALUES FROM (1) TO (10)", "FOR VALUES IN ('a')",
// "FOR VALUES WITH (modulus 4, remainder 0)", "DEFAULT".
std::string partition_bound_text(const pq::Msg& bound);

// Sequence options from CREATE/ALTER SEQUENCE or an identity column's
// option list, with PostgreSQL's defaults filled in for `data_type`.
struct SequenceOptions {
    std::string data_type = "bigint";
    int64_t start = 0, increment = 1, min_value = 0, max_value = 0, cache = 1;
    bool cycle = false;
    std::optional<std::vector<std::string>> owned_by;  // names as written; {"none"} for NONE
    std::optional<std::vector<std::string>> sequence_name;
    json to_json() const;  // data_type..cycle
};
SequenceOptions sequence_options(const std::vector<pq::Msg>& options, const std::string& data_type);
// Options with PostgreSQL's defaults for the data type.
SequenceOptions default_sequence_options(const std::string& data_type);

// "fillfactor=70" for a DefElem.
std::string option_text(const pq::Msg& def_elem);
std::vector<std::string> option_texts(const std::vector<pq::Msg>& def_elems);

}  // namespace pgflux
