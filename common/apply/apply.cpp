// Applying migration files.
#include "apply/apply.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "catalog/catalog.h"
#include "hazards/hazards.h"
#include "migrations/migration_file.h"
#include "pgflux/version.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "tracking/tracking.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

using Clock = std::chrono::steady_clock;

long long elapsed_ms(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string location(const MigrationFile& f, const MigrationStatement& s) {
    return f.path + ":" + std::to_string(s.line);
}

// Secret user mapping options are written '${VARIABLE}' in migration files;
// the value comes from the environment when the statement runs, and is never
// printed (errors show the file's text).
const std::regex k_secret_reference(R"('\$\{([A-Za-z_][A-Za-z0-9_]*)\}')");

bool takes_secrets(const std::string& sql) {
    if (sql.find("${") == std::string::npos) return false;
    auto parsed = pq::ParseResult::parse(sql);
    if (parsed->statements().size() != 1) return false;
    const pq::Msg& node = parsed->statements()[0].node;
    return node.is("CreateUserMappingStmt") || node.is("AlterUserMappingStmt");
}

// Fails before anything runs when a variable a statement needs is not set.
void check_secrets(const MigrationFile& file) {
    for (const MigrationStatement& s : file.statements) {
        if (!takes_secrets(s.sql)) continue;
        for (std::sregex_iterator it(s.sql.begin(), s.sql.end(), k_secret_reference), end; it != end; ++it)
            if (!std::getenv((*it)[1].str().c_str()))
                fail(k_exit_database, location(file, s) + ": the environment variable " + (*it)[1].str() +
                                          " is not set; it holds a secret option of a user mapping. Set it, then "
                                          "re-run `pg-flux migrate apply` (nothing was applied).");
    }
}

std::string with_secrets(const std::string& sql) {
    if (!takes_secrets(sql)) return sql;
    std::string out;
    auto last = sql.cbegin();
    for (std::sregex_iterator it(sql.begin(), sql.end(), k_secret_reference), end; it != end; ++it) {
        out.append(last, (*it)[0].first);
        const char* value = std::getenv((*it)[1].str().c_str());
        out += quote_literal(value ? value : "");
        last = (*it)[0].second;
    }
    return out.append(last, sql.cend());
}

std::vector<Step> steps_of(const MigrationFile& file) {
    std::vector<Step> steps;
    for (const MigrationStatement& s : file.statements) {
        Step step;
        step.sql = s.sql + ";";
        step.summary = location(file, s);
        step.phase = s.after_commit ? k_phase_after_commit : k_phase_transactional;
        steps.push_back(step);
    }
    return steps;
}

void lock(Connection& conn, const std::function<void(const std::string&)>& progress) {
    std::string key = std::to_string(k_apply_lock_key);
    if (conn.query("SELECT pg_catalog.pg_try_advisory_lock(" + key + ")").text(0, 0) == "t") return;
    progress("warning: waiting for another pg-flux apply on this database to finish");
    conn.exec("SELECT pg_catalog.pg_advisory_lock(" + key + ")");
}

void check_drift(Connection& conn, const MigrationFile& file, const ApplyOptions& options, int& live_objects,
                 const std::function<void(const std::string&)>& progress) {
    Model live = read_catalog(conn);
    live_objects = live.top_level_count();
    if (file.baseline.empty()) {
        progress("warning: " + file.name + " has no baseline hash; skipping the drift check");
        return;
    }
    std::string hash = live.state_hash();
    if (hash == file.baseline) return;
    std::string drifted = "live database state has drifted since this migration was generated (expected baseline=" +
                          file.baseline + ", live=" + hash + ").";
    if (options.force_after_drift) {
        progress("warning: " + file.path + ": " + drifted + " Applying it anyway (--force-after-drift).");
        return;
    }
    fail(k_exit_refused, "refusing to apply " + file.path + ": " + drifted +
                             "\nThe database changed after this file was generated. Re-run `pg-flux migrate generate` "
                             "against the current database (remove this file first), or pass --force-after-drift to "
                             "apply it anyway.");
}

void check_hazards(const MigrationFile& file, int live_objects, const ApplyOptions& options) {
    for (const MigrationStatement& s : file.statements) {
        if (s.after_commit) continue;
        auto parsed = pq::ParseResult::parse(s.sql);
        for (const pq::Statement& st : parsed->statements())
            if (forbidden_in_transaction(st.node))
                usage_error(location(file, s) + ": this statement cannot run inside a transaction; move it after COMMIT");
    }
    std::vector<Step> steps = steps_of(file);
    classify_steps(steps, live_objects);
    auto blocked = blocking_hazards(steps, options.allowed_hazards);
    if (!blocked.empty()) fail(k_exit_refused, refusal_message(blocked, file.path));
}

// A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind; drop it
// before trying again.
void drop_invalid_index(Connection& conn, const std::string& sql) {
    auto parsed = pq::ParseResult::parse(sql);
    pq::Msg node = parsed->statements().at(0).node;
    if (!node.is("IndexStmt") || !node.flag("concurrent") || node.str("idxname").empty()) return;
    std::string schema = node.get("relation").str("schemaname");
    if (schema.empty()) schema = "public";
    QueryResult r = conn.query(
        "SELECT 1 FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace "
        "WHERE NOT x.indisvalid AND i.relname = $1 AND n.nspname = $2",
        {node.str("idxname"), schema});
    if (r.rows() > 0) conn.exec("DROP INDEX CONCURRENTLY IF EXISTS " + qualified_name(schema, node.str("idxname")));
}

void run_after_commit(Connection& conn, const MigrationFile& file, int done, Clock::time_point start) {
    std::vector<const MigrationStatement*> after;
    for (const auto& s : file.statements)
        if (s.after_commit) after.push_back(&s);
    for (size_t i = static_cast<size_t>(done); i < after.size(); ++i) {
        drop_invalid_index(conn, after[i]->sql);
        if (auto error = conn.try_exec(with_secrets(after[i]->sql))) {
            fail(k_exit_database,
                 location(file, *after[i]) + ": after-commit statement " + std::to_string(i + 1) + " of " +
                     std::to_string(after.size()) + " failed: " + *error +
                     "\nThe transactional part of " + file.name +
                     " is committed and recorded. Fix the cause, then re-run `pg-flux migrate apply`: it resumes "
                     "with this statement.");
        }
        conn.query("UPDATE _pgflux.migrations SET after_commit_done = $1 WHERE name = $2",
                   {std::to_string(i + 1), file.name});
    }
    conn.query("UPDATE _pgflux.migrations SET state = 'applied', duration_ms = coalesce(duration_ms, 0) + $1 WHERE name = $2",
               {std::to_string(elapsed_ms(start)), file.name});
}

AppliedFile apply_file(Connection& conn, const MigrationFile& file, const ApplyOptions& options,
                       const std::function<void(const std::string&)>& progress) {
    auto start = Clock::now();
    int live_objects = 0;
    check_drift(conn, file, options, live_objects, progress);
    check_hazards(file, live_objects, options);
    check_secrets(file);
    int after_total = static_cast<int>(file.statements.size() - file.transactional_count());
    conn.exec("BEGIN");
    for (const MigrationStatement& s : file.statements) {
        if (s.after_commit) continue;
        if (auto error = conn.try_exec(with_secrets(s.sql))) {
            conn.try_exec("ROLLBACK");
            fail(k_exit_database, location(file, s) + ": " + *error + "\nNothing from " + file.name +
                                      " was applied (its transaction was rolled back). Fix the file or the "
                                      "database, then re-run `pg-flux migrate apply`.");
        }
    }
    conn.query(
        "INSERT INTO _pgflux.migrations (name, checksum, baseline_hash, target_hash, state, after_commit_total, "
        "duration_ms, tool_version) VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, $7, $8)",
        {file.name, file.checksum, file.baseline, file.target, after_total > 0 ? "after_commit_pending" : "applied",
         std::to_string(after_total), std::to_string(elapsed_ms(start)), PGFLUX_VERSION});
    conn.exec("COMMIT");
    if (after_total > 0) run_after_commit(conn, file, 0, start);
    return {file.name, static_cast<int>(file.statements.size()), after_total, elapsed_ms(start), false};
}

}  // namespace

std::vector<AppliedFile> apply_migrations(Connection& conn, const ApplyOptions& options,
                                          const std::function<void(const std::string&)>& progress) {
    migration_paths(options.dir);  // a missing or unreadable directory changes nothing
    lock(conn, progress);
    ensure_tracking_table(conn);
    std::vector<AppliedFile> applied;
    auto entries = migration_status(conn, options.dir);
    // Bad input changes nothing: every file to run is read and parsed before any runs.
    for (const StatusEntry& e : entries)
        if (e.state == FileState::pending || e.state == FileState::incomplete)
            read_migration((fs::path(options.dir) / e.name).string());
    for (const StatusEntry& e : entries) {
        if (e.state == FileState::changed)
            fail(k_exit_refused, "refusing to apply: " + (fs::path(options.dir) / e.name).string() +
                                     " was changed after it was applied (recorded checksum " + e.row->checksum +
                                     ", file now " + e.file_checksum +
                                     "). Restore the applied version, or record the edit with `pg-flux migrate repair`.");
        if (e.state == FileState::missing)
            progress("warning: " + e.name + " is recorded as applied but is not in " + options.dir);
    }
    for (const StatusEntry& e : entries) {
        std::string path = (fs::path(options.dir) / e.name).string();
        if (e.state == FileState::incomplete) {
            MigrationFile file = read_migration(path);
            progress("warning: resuming " + e.name + " at after-commit statement " + std::to_string(e.row->after_commit_done + 1));
            auto start = Clock::now();
            run_after_commit(conn, file, e.row->after_commit_done, start);
            applied.push_back({e.name, 0, e.row->after_commit_total - e.row->after_commit_done, elapsed_ms(start), true});
        } else if (e.state == FileState::pending) {
            MigrationFile file = read_migration(path);
            AppliedFile a = apply_file(conn, file, options, progress);
            progress("applied " + a.name + " (" + std::to_string(a.statements) +
                     (a.statements == 1 ? " statement, " : " statements, ") + std::to_string(a.duration_ms) + " ms)");
            applied.push_back(a);
        }
    }
    conn.exec("SELECT pg_catalog.pg_advisory_unlock(" + std::to_string(k_apply_lock_key) + ")");
    return applied;
}

json apply_result_document(const std::vector<AppliedFile>& applied, const std::string& tool) {
    json doc = document_envelope(k_format_apply_result, tool);
    json files = json::array();
    for (const AppliedFile& a : applied)
        files.push_back({{"name", a.name}, {"statements", a.statements}, {"after_commit", a.after_commit},
                         {"duration_ms", a.duration_ms}, {"resumed", a.resumed}});
    doc["applied"] = files;
    return doc;
}

}  // namespace pgflux
