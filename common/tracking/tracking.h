// The tracking table _pgflux.migrations: one row per applied migration file.
//
//   name               text PRIMARY KEY   file name (YYYYMMDD_HHMMSS_label.sql)
//   checksum           text NOT NULL      sha256 of the file when applied
//   baseline_hash      text               state hash the file was generated from
//   target_hash        text               state hash it was generated to reach
//   state              text NOT NULL      'applied' or 'after_commit_pending'
//   after_commit_done  integer NOT NULL   after-commit statements completed
//   after_commit_total integer NOT NULL   after-commit statements in the file
//   applied_at         timestamptz NOT NULL  when the transactional part committed
//   applied_by         text NOT NULL      current_user of the applying session
//   duration_ms        bigint             time spent applying the file
//   tool_version       text NOT NULL      pg-flux version that applied it
//   statements_hash    text               statements_hash() of the file when applied
//   note               text               how it was recorded when not run by apply
//                                         (baseline, applied by hand, repaired)
//
// The table is created on first use (migrate apply, migrate baseline).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/connection.h"
#include "migrations/migration_file.h"

namespace pgflux {

struct TrackingRow {
    std::string name, checksum, state, applied_at, applied_by;
    std::string baseline_hash, target_hash, statements_hash, note;
    int after_commit_done = 0, after_commit_total = 0;
};

// Key of the session-level advisory lock that serializes applies.
inline constexpr long long k_apply_lock_key = 7396238125113548110LL;  // "fluxlock"

void ensure_tracking_table(Connection& conn);
bool tracking_table_exists(Connection& conn);
std::vector<TrackingRow> read_tracking(Connection& conn);

enum class FileState { pending, applied, changed, incomplete, missing };
const char* file_state_name(FileState state);

struct StatusEntry {
    std::string name;
    FileState state = FileState::pending;
    std::optional<TrackingRow> row;
    std::string file_checksum;
    // A pending file that sorts before the newest applied one (a teammate's
    // older file merged after newer ones ran): apply refuses it unless
    // --out-of-order.
    bool out_of_order = false;
    // Filled in by assess_files: the file's header hashes ("" when absent or
    // when there is no file) and, when the file cannot be read as a migration
    // file, why (apply would refuse it).
    std::string baseline, target, file_error;
    // A pending file whose target is the live state hash (and its baseline is
    // not): it was run by hand (psql -f); migrate apply records it.
    bool applied_by_hand = false;
    // A pending file whose baseline is neither the live state hash nor the
    // target of the pending (or incomplete) file before it: generated against
    // another database state; `pg-flux migrate rebase` regenerates it.
    bool stale = false;
};

// One entry per file and per tracked row without a file, in name order.
std::vector<StatusEntry> migration_status(Connection& conn, const std::string& dir);

// Reads the header of every file of `entries` (in `dir`) and, given the live
// state hash ("" when unknown: then nothing is flagged), sets
// applied_by_hand and stale of the pending files.
void assess_files(std::vector<StatusEntry>& entries, const std::string& dir, const std::string& live_hash);

// An index PostgreSQL marks invalid (pg_index.indisvalid false), outside the
// system schemas and _pgflux: left by an interrupted CREATE INDEX
// CONCURRENTLY (or REINDEX CONCURRENTLY), or being built right now.
struct InvalidIndex {
    std::string schema, name, table_schema, table;
    // The incomplete file whose resumed after-commit part (the next migrate
    // apply) drops and builds it again; "" when none does.
    std::string incomplete_file;
    // The backend still building it ("" when none).
    std::string building_pid;
};
std::vector<InvalidIndex> invalid_indexes(Connection& conn, const std::vector<StatusEntry>& entries,
                                          const std::string& dir);

}  // namespace pgflux
