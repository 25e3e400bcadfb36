// Tracking table access and status computation.
#include "tracking/tracking.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

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

void assess_files(std::vector<StatusEntry>& entries, const std::string& dir, const std::string& live_hash) {
    // The state a pending file may start from besides the live one: the
    // target of the pending or incomplete file before it (applied first).
    std::string previous_target;
    for (StatusEntry& e : entries) {
        if (e.file_checksum.empty()) continue;
        try {
            MigrationFile file = read_migration((fs::path(dir) / e.name).string());
            e.baseline = file.baseline;
            e.target = file.target;
        } catch (const Error& error) {
            e.file_error = error.what();
        }
        if (e.state == FileState::incomplete) previous_target = e.target;
        if (e.state != FileState::pending) continue;
        if (!live_hash.empty() && e.file_error.empty()) {
            e.applied_by_hand = !e.target.empty() && e.target == live_hash && e.baseline != live_hash;
            e.stale = !e.applied_by_hand && !e.baseline.empty() && e.baseline != live_hash &&
                      e.baseline != previous_target;
        }
        previous_target = e.target;
    }
}

namespace {

// (schema, index) of each CREATE INDEX CONCURRENTLY among the after-commit
// statements an incomplete file has still to run: resuming it (the next
// migrate apply) drops such an index when it is invalid and builds it again.
std::map<std::pair<std::string, std::string>, std::string> indexes_to_resume(Connection& conn,
                                                                             const std::vector<StatusEntry>& entries,
                                                                             const std::string& dir) {
    std::map<std::pair<std::string, std::string>, std::string> out;
    for (const StatusEntry& e : entries) {
        if (e.state != FileState::incomplete || !e.file_error.empty()) continue;
        MigrationFile file = read_migration((fs::path(dir) / e.name).string());
        int after_commit = 0;
        for (const MigrationStatement& s : file.statements) {
            if (!s.after_commit || after_commit++ < e.row->after_commit_done) continue;
            auto parsed = pq::ParseResult::parse(s.sql);
            for (const auto& st : parsed->statements()) {
                if (!st.node.is("IndexStmt") || !st.node.flag("concurrent") || st.node.str("idxname").empty()) continue;
                pq::Msg relation = st.node.get("relation");
                std::string schema = relation.str("schemaname");
                std::string table = schema.empty() ? quote_ident(relation.str("relname"))
                                                   : qualified_name(schema, relation.str("relname"));
                QueryResult r = conn.query(
                    "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.oid = pg_catalog.to_regclass($1)",
                    {table});
                if (r.rows() == 1) out[{r.text(0, 0), st.node.str("idxname")}] = e.name;
            }
        }
    }
    return out;
}

}  // namespace

std::vector<InvalidIndex> invalid_indexes(Connection& conn, const std::vector<StatusEntry>& entries,
                                          const std::string& dir) {
    // Partitioned indexes (relkind 'I') are invalid until every partition
    // has its index: not a build that was interrupted.
    QueryResult r = conn.query(
        "SELECT n.nspname, i.relname, tn.nspname, t.relname, "
        " coalesce((SELECT p.pid::text FROM pg_catalog.pg_stat_progress_create_index p "
        "           WHERE p.index_relid = i.oid AND p.pid <> pg_catalog.pg_backend_pid() LIMIT 1), '') "
        "FROM pg_catalog.pg_index x "
        "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace "
        "JOIN pg_catalog.pg_class t ON t.oid = x.indrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
        "WHERE NOT x.indisvalid AND i.relkind = 'i' "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '_pgflux') "
        "AND n.nspname !~ '^pg_(toast_)?temp_' "
        "ORDER BY n.nspname COLLATE \"C\", i.relname COLLATE \"C\"");
    std::vector<InvalidIndex> out;
    if (r.rows() == 0) return out;
    auto resumed = indexes_to_resume(conn, entries, dir);
    for (int i = 0; i < r.rows(); ++i) {
        InvalidIndex index;
        index.schema = r.text(i, 0);
        index.name = r.text(i, 1);
        index.table_schema = r.text(i, 2);
        index.table = r.text(i, 3);
        index.building_pid = r.text(i, 4);
        auto it = resumed.find({index.schema, index.name});
        if (it != resumed.end()) index.incomplete_file = it->second;
        out.push_back(index);
    }
    return out;
}

}  // namespace pgflux
