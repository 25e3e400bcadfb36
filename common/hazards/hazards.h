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
//
// ALTER COLUMN TYPE is judged against the live catalog (LiveFacts): a change
// PostgreSQL makes without a rewrite (ATColumnChangeRequiresRewrite after
// the planner's length-coercion simplification: varchar widening,
// varchar -> text, numeric precision increases, ...) is no
// COLUMN_TYPE_CHANGE, unless an index on the column is rebuilt anyway (an
// expression or partial index, a collation or operator class change); a
// CHECK constraint on the column is checked again (CONSTRAINT_SCAN).
// Without live facts every type change counts as a rewrite.
//
// Warnings (Step::warnings, never blocking): ACCESS_EXCLUSIVE (the statement
// takes an ACCESS EXCLUSIVE lock on an existing relation), INDEX_BUILD (an
// index built on an existing table), INDEX_DROPPED, NOT_TRANSACTIONAL (runs
// after COMMIT), AUTHZ_UPDATE (GRANT/REVOKE, owners, policies, row security).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "diff/plan.h"
#include "migrations/migration_file.h"
#include "sql/message.h"

namespace pgflux {


// Classifies every step of `steps` in order (tables created by earlier steps
// count as new); sets lock, phase requirements and hazards. `live_objects`
// is the live top-level object count for MASS_DROP (0: unknown, not checked).
void classify_steps(std::vector<Step>& steps, int live_objects, const LiveFacts& live = {});

// The statements of a migration file (`name`: its path, for messages) as
// steps to classify (flux-hazards --sql, flux-apply): each summarised as
// name:line. A statement that is not valid SQL is an input error (exit 2)
// naming its line.
std::vector<Step> migration_steps(const MigrationFile& file, const std::string& name);
// classify_steps of migration_steps(file), reusing the parse trees
// read_migration made.
void classify_migration(std::vector<Step>& steps, const MigrationFile& file, int live_objects,
                        const LiveFacts& live = {});

// Does PostgreSQL rewrite a table to change a column from canonical type
// `from` to `to` (see ATColumnChangeRequiresRewrite and the length coercion
// support functions varchar_support, numeric_support, TemporalSimplify,
// varbit_support)? timestamp <-> timestamptz counts as a rewrite (it is
// not one only when the session's time zone is UTC).
bool type_change_rewrites(const std::string& from, const std::string& to,
                          const std::map<std::string, LiveDomain>& domains = {});
// Does an index on the column keep its operator class across that change
// (else PostgreSQL rebuilds it)?
bool type_change_keeps_opclass(const std::string& from, const std::string& to,
                               const std::map<std::string, LiveDomain>& domains = {});

struct RewriteOptions {
    bool auto_not_valid = true;       // FK/CHECK on existing tables: NOT VALID + VALIDATE after commit;
                                      // SET NOT NULL: through a validated CHECK (col IS NOT NULL)
    bool concurrent_indexes = true;   // CREATE INDEX, ADD PRIMARY KEY/UNIQUE on existing tables: concurrently after commit
};
// Applies the safe rewrites to a generated plan, then classifies it.
// `step_parses`: the steps' parses from plan_from_document (else each step
// is parsed here).
void rewrite_and_classify(Plan& plan, const RewriteOptions& options, StepParses step_parses = {});

// Statements PostgreSQL refuses inside a transaction block (CREATE/DROP
// INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM).
bool forbidden_in_transaction(const pq::Msg& statement);

// The helper CHECK constraint of a safe SET NOT NULL: deterministic, at most
// 63 bytes ("email__pgflux_not_null").
std::string not_null_helper_name(const std::string& column);

// --allow-hazards value: "DATA_LOSS,COLUMN_TYPE_CHANGE" or "all". Warning
// codes are accepted and change nothing (warnings never block).
std::set<std::string> parse_allowed_hazards(const std::string& value);

struct BlockedStep {
    const Step* step;
    Hazard hazard;
};
std::vector<BlockedStep> blocking_hazards(const std::vector<Step>& steps, const std::set<std::string>& allowed);
// The refusal message: headline, one line per blocked statement, and advice.
std::string refusal_message(const std::vector<BlockedStep>& blocked, const std::string& where);

}  // namespace pgflux
