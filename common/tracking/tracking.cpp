// Tracking table access and status computation.
#include "tracking/tracking.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace pgflux {

const char* file_state_name(FileState state) {
    switch (state) {
        case FileState::pending: return "pending";
        case FileState::applied: return "applied";
        case FileState::changed: return "changed";
        case FileState::incomplete: return "incomplete";
        case FileState::missing: return "missing";
    }
    return "?";
}

void ensure_tracking_table(Connection& conn) {
    conn.exec(
        "CREATE SCHEMA IF NOT EXISTS _pgflux;"
        "CREATE TABLE IF NOT EXISTS _pgflux.migrations ("
        " name text PRIMARY KEY,"
        " checksum text NOT NULL,"
        " baseline_hash text,"
        " target_hash text,"
        " state text NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', 'after_commit_pending')),"
        " after_commit_done integer NOT NULL DEFAULT 0,"
        " after_commit_total integer NOT NULL DEFAULT 0,"
        " applied_at timestamptz NOT NULL DEFAULT now(),"
        " applied_by text NOT NULL DEFAULT current_user,"
        " duration_ms bigint,"
        " tool_version text NOT NULL);"
        "COMMENT ON TABLE _pgflux.migrations IS 'Migrations applied by pg-flux; see pg-flux(1)';"
        // Columns added after the first release: tables made by earlier
        // versions gain them on first use.
        "ALTER TABLE _pgflux.migrations ADD COLUMN IF NOT EXISTS statements_hash text,"
        " ADD COLUMN IF NOT EXISTS note text");
}

bool tracking_table_exists(Connection& conn) {
    QueryResult r = conn.query("SELECT pg_catalog.to_regclass('_pgflux.migrations') IS NOT NULL");
    return r.text(0, 0) == "t";
}

std::vector<TrackingRow> read_tracking(Connection& conn) {
    std::vector<TrackingRow> rows;
    if (!tracking_table_exists(conn)) return rows;
    QueryResult r = conn.query(
        "SELECT name, checksum, state, "
        "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS applied_at, applied_by, "
        "after_commit_done, after_commit_total, coalesce(baseline_hash, ''), coalesce(target_hash, ''), "
        "coalesce(to_jsonb(m) ->> 'statements_hash', ''), coalesce(to_jsonb(m) ->> 'note', '') "
        "FROM _pgflux.migrations m ORDER BY name");
    for (int i = 0; i < r.rows(); ++i) {
        TrackingRow row;
        row.name = r.text(i, 0);
        row.checksum = r.text(i, 1);
        row.state = r.text(i, 2);
        row.applied_at = r.text(i, 3);
        row.applied_by = r.text(i, 4);
        row.after_commit_done = std::stoi(r.text(i, 5));
        row.after_commit_total = std::stoi(r.text(i, 6));
        row.baseline_hash = r.text(i, 7);
        row.target_hash = r.text(i, 8);
        row.statements_hash = r.text(i, 9);  // through to_jsonb: read-only users of an old table
        row.note = r.text(i, 10);
        rows.push_back(row);
    }
    return rows;
}

std::vector<StatusEntry> migration_status(Connection& conn, const std::string& dir) {
    std::map<std::string, StatusEntry> entries;
    for (const auto& path : migration_paths(dir)) {
        StatusEntry e;
        e.name = fs::path(path).filename().string();
        e.file_checksum = file_checksum(path);
        entries[e.name] = e;
    }
    for (const TrackingRow& row : read_tracking(conn)) {
        StatusEntry& e = entries[row.name];
        e.name = row.name;
        e.row = row;
        if (e.file_checksum.empty()) e.state = FileState::missing;
        else if (e.file_checksum != row.checksum) e.state = FileState::changed;
        else if (row.state == "after_commit_pending") e.state = FileState::incomplete;
        else e.state = FileState::applied;
    }
    std::string newest_applied;
    for (const auto& [name, e] : entries)
        if (e.row) newest_applied = name;  // entries are in name order
    std::vector<StatusEntry> out;
    for (auto& [name, e] : entries) {
        e.out_of_order = e.state == FileState::pending && name < newest_applied;
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace pgflux
