// Plans proven before they are written, and migration files replayed, in a
// scratch database (shadow/shadow.h): the engine of flux-apply --prove and
// --replay and of flux-track pending.
//
// The proof loads the live model into a scratch database (the DDL of the
// plan from nothing to it), renders the plan as the migration file pg-flux
// would write and runs that file's statements as flux-apply runs them (the
// transactional part in one transaction, then each after-commit statement,
// in a transaction when PostgreSQL allows it), reads the result back with
// the catalog reader and diffs it against the desired model. Owners and
// grants are neither loaded nor compared, so their statements (GRANT,
// REVOKE, ALTER DEFAULT PRIVILEGES, OWNER TO) are not run there either.
//
// The replay (pg-flux migrate rebase) runs a migration file's statements on
// top of a model the same way and returns the state they reach.
#pragma once

#include <string>
#include <vector>

#include "diff/plan.h"
#include "migrations/migration_file.h"
#include "model/model.h"
#include "shadow/shadow.h"

namespace pgflux {

struct ProofResult {
    bool proven = false;  // false: no shadow database was available
    size_t statements = 0;  // statements run
    size_t skipped = 0;     // owner and grant statements not run
    long long duration_ms = 0;
};

// Proves `plan` (from `live` to `desired`). A statement that fails, or a
// result that still differs from `desired`, is Error(k_exit_internal) naming
// the statement (its summary, SQL and PostgreSQL's error) or the remaining
// differences: nothing may write such a plan.
ProofResult prove_plan(const Plan& plan, const Model& live, const Model& desired, const ShadowChoice& choice,
                       const std::string& tool);

// The state `file` reaches when run on top of `state`. Owners and grants of
// objects that existed are carried over from `state`; new objects belong to
// `state`'s role (the role that applies migrations). A statement that fails
// there is Error(k_exit_refused) naming FILE:LINE and PostgreSQL's error; a
// statement outside the database (roles, databases, tablespaces, ALTER
// SYSTEM) is not replayed: Error(k_exit_refused).
Model replay_migration(const MigrationFile& file, const Model& state, const ShadowChoice& choice,
                       const std::string& tool);

// The pending files of a migrations directory, in order, each with whether
// it is stale: its baseline is not the state the database reaches when the
// files before it are applied (the live state for the first one, else the
// previous pending file's target); every file after a stale one is stale.
// Incomplete files (after-commit part not finished) are listed too.
struct PendingFile {
    std::string name;
    bool stale = false;
    bool incomplete = false;
};
std::vector<PendingFile> pending_files(Connection& conn, const std::string& dir, const std::string& live_hash);

}  // namespace pgflux
