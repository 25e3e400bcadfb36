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
};

// One entry per file and per tracked row without a file, in name order.
std::vector<StatusEntry> migration_status(Connection& conn, const std::string& dir);

}  // namespace pgflux
