// Hazard classification from each statement's parse tree (so hand-edited
// migration files are checked too), the safe rewrites applied to generated
// plans, and the gate that refuses blocking hazards unless allowed.
//
// Blocking hazards: DATA_LOSS (DROP TABLE/SEQUENCE/EXTENSION, DROP COLUMN,
// any DROP ... CASCADE, TRUNCATE, DELETE), COLUMN_TYPE_CHANGE (a table
// rewrite: ALTER COLUMN TYPE, or ADD COLUMN computed for every existing row),
// MASS_DROP (more than 25% of the live top-level objects dropped),
// CONSTRAINT_SCAN (ADD FOREIGN KEY/CHECK without NOT VALID,
// or SET NOT NULL, on a table that existed before the migration),
// PARTITION_CHANGE (DETACH PARTITION, or ATTACH PARTITION of a table that
// existed before: rows move in or out of the partitioned table).
// UNCLASSIFIABLE (a DO block, CALL, EXECUTE, or a call of a routine the same
// file creates or replaces whose body may change the database: dynamic SQL,
// DML or DDL in it, or a language pg-flux cannot read).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "diff/plan.h"
#include "sql/message.h"

namespace pgflux {


// Classifies every step of `steps` in order (tables created by earlier steps
// count as new); sets lock, phase requirements and hazards. `live_objects`
// is the live top-level object count for MASS_DROP (0: unknown, not checked).
void classify_steps(std::vector<Step>& steps, int live_objects);

struct RewriteOptions {
    bool auto_not_valid = true;       // FK/CHECK on existing tables: NOT VALID + VALIDATE after commit
    bool concurrent_indexes = true;   // CREATE INDEX, ADD PRIMARY KEY/UNIQUE on existing tables: concurrently after commit
};
// Applies the safe rewrites to a generated plan, then classifies it.
void rewrite_and_classify(Plan& plan, const RewriteOptions& options);

// Statements PostgreSQL refuses inside a transaction block (CREATE/DROP
// INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM).
bool forbidden_in_transaction(const pq::Msg& statement);

// --allow-hazards value: "DATA_LOSS,COLUMN_TYPE_CHANGE" or "all".
std::set<std::string> parse_allowed_hazards(const std::string& value);

struct BlockedStep {
    const Step* step;
    Hazard hazard;
};
std::vector<BlockedStep> blocking_hazards(const std::vector<Step>& steps, const std::set<std::string>& allowed);
// The refusal message: headline, one line per blocked statement, and advice.
std::string refusal_message(const std::vector<BlockedStep>& blocked, const std::string& where);

}  // namespace pgflux
