// Applying migration files.
#include "apply/apply.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "canon/definitions.h"
#include "canon/scope.h"
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

// Where the run stands, for the message of an interruption or a lost
// connection: what is applied and how to resume.
struct Where {
    enum Phase { idle, waiting, checking, transaction, committing, after_commit } phase = idle;
    std::string name;     // the file
    std::string at;       // FILE:LINE of the statement, or ""
    int index = 0, total = 0;  // statement `index` (1-based) of `total` in its part

    void to(Phase p, const MigrationFile* f = nullptr, const MigrationStatement* s = nullptr, int i = 0, int n = 0) {
        phase = p;
        name = f ? f->name : "";
        at = f && s ? location(*f, *s) : "";
        index = i;
        total = n;
    }
};

const char* k_rerun = "Re-run `pg-flux migrate apply`";

// What the tracking table says about `name`, through a new connection (the
// old one is gone); "" when it cannot be read.
std::string recorded_state(const Connection& conn, const std::string& name) {
    try {
        Connection fresh = conn.reopen();
        if (!tracking_table_exists(fresh)) return "absent";
        QueryResult r = fresh.query(
            "SELECT state || ' ' || after_commit_done || ' ' || after_commit_total FROM _pgflux.migrations WHERE name = $1",
            {name});
        return r.rows() == 0 ? "absent" : r.text(0, 0);
    } catch (const Error&) {
        return "";
    }
}

std::string describe(const Where& w, const Connection& conn) {
    const std::string& name = w.name;
    auto at_line = [&] { return w.at.empty() ? std::string() : " (" + w.at + ")"; };
    switch (w.phase) {
        case Where::idle: return "files applied before stay applied; nothing else ran.";
        case Where::waiting:
            return "nothing was applied (it was waiting for the advisory lock). " + std::string(k_rerun) + ".";
        case Where::checking:
            return "nothing from " + name + " was applied (it was being checked). " + k_rerun + " to apply it.";
        case Where::transaction:
            return "statement " + std::to_string(w.index) + " of " + std::to_string(w.total) + " of the transaction of " +
                   name + at_line() + " did not complete; the transaction was rolled back: nothing from " + name +
                   " was applied. " + k_rerun + " to apply it.";
        case Where::committing: {
            std::string state = recorded_state(conn, name);
            if (state == "absent")
                return "the COMMIT of " + name + " did not take effect: nothing from it was applied. " + k_rerun +
                       " to apply it.";
            if (state.empty())
                return "it was committing " + name + "; whether the COMMIT took effect could not be checked. " +
                       "`pg-flux migrate status` tells (the tracking row commits with the transaction); " + k_rerun +
                       " to apply or resume it.";
            return "the COMMIT of " + name + " took effect: its transactional part is applied and recorded. " + k_rerun +
                   " to run its after-commit statements.";
        }
        case Where::after_commit:
            return "the transactional part of " + name + " is committed and recorded, and " +
                   std::to_string(w.index - 1) + " of its " + std::to_string(w.total) +
                   " after-commit statements are done; after-commit statement " + std::to_string(w.index) + at_line() +
                   " did not complete. " + k_rerun +
                   " to resume with it (an index it left behind is recognised: a valid one with the same definition "
                   "is kept, an invalid one is dropped and built again).";
    }
    return "";
}

// A statement failed: an interruption or a lost connection is reported by
// apply_migrations with the state of the run; other errors here.
bool stopped(Connection& conn) {
    const std::string& state = conn.last_sqlstate();
    return interrupted() || !conn.alive() || state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0;
}

// Each file starts from a clean session: what DISCARD ALL does except
// releasing the advisory lock, then the apply session's own settings.
void reset_session(Connection& conn) {
    conn.exec(
        "CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; "
        "DISCARD PLANS; DISCARD SEQUENCES; DISCARD TEMP");
    // RESET ALL went back to PGCLIENTENCODING and the database's settings:
    // files are UTF-8 and their literals standard, as every connection says.
    conn.exec("SET client_encoding = 'UTF8'; SET standard_conforming_strings = on");
    // Shown in pg_stat_activity (unless the connection names itself).
    conn.exec("SELECT pg_catalog.set_config('application_name', 'pg-flux apply', false) "
              "WHERE pg_catalog.current_setting('application_name') = ''");
    // A backend whose client died (kill -9) stops within a second instead of
    // finishing the statement alone (PostgreSQL 14 and later).
    if (conn.server_version() >= 140000) conn.exec("SET client_connection_check_interval = 1000");
}

// The session-level advisory lock that serializes applies. Waiting polls
// pg_try_advisory_lock from the client, outside any transaction: a waiter
// holds no snapshot and no lock that a concurrent index build of the holder
// waits for (blocking in pg_advisory_lock would, and deadlocks with it).
class ApplyLock {
public:
    ApplyLock(Connection& conn, const std::function<void(const std::string&)>& progress) : conn_(conn) {
        std::string key = std::to_string(k_apply_lock_key);
        for (bool said = false;; said = true) {
            throw_if_interrupted();
            if (conn.query("SELECT pg_catalog.pg_try_advisory_lock(" + key + ")").text(0, 0) == "t") break;
            if (!said) progress("warning: waiting for another pg-flux apply on this database to finish" + holder());
            sleep_interruptibly(100 + std::rand() % 200);
        }
        held_ = true;
    }
    ~ApplyLock() {
        // Closing the connection releases it too; released here so that a
        // caller going on with the connection does not keep it.
        if (!held_ || !conn_.alive()) return;
        if (conn_.in_transaction()) conn_.try_exec("ROLLBACK");
        conn_.try_exec("SELECT pg_catalog.pg_advisory_unlock(" + std::to_string(k_apply_lock_key) + ")");
    }
    ApplyLock(const ApplyLock&) = delete;
    ApplyLock& operator=(const ApplyLock&) = delete;

private:
    // " (backend 123, running: CREATE INDEX ...)" for the session holding the lock.
    std::string holder() {
        unsigned long long key = static_cast<unsigned long long>(k_apply_lock_key);
        QueryResult r = conn_.query(
            "SELECT a.pid::text, coalesce(a.state, ''), pg_catalog.left(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), 80) "
            "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::text = $1 AND l.objid::text = $2 "
            "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())",
            {std::to_string(key >> 32), std::to_string(key & 0xffffffffULL)});
        if (r.rows() == 0) return "";
        std::string out = " (backend " + r.text(0, 0);
        if (r.text(0, 1) == "active") out += ", running: " + r.text(0, 2);
        else if (!r.text(0, 1).empty()) out += ", " + r.text(0, 1);
        return out + ")";
    }

    Connection& conn_;
    bool held_ = false;
};

void check_drift(Connection& conn, const MigrationFile& file, const ApplyOptions& options, int& live_objects,
                 LiveFacts& facts, const std::function<void(const std::string&)>& progress) {
    Model live = read_catalog(conn);
    live_objects = live.top_level_count();
    facts = live_facts(live);
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

void check_hazards(const MigrationFile& file, int live_objects, const LiveFacts& facts, const ApplyOptions& options) {
    std::vector<Step> steps = steps_of(file);
    classify_steps(steps, live_objects, facts);
    auto blocked = blocking_hazards(steps, options.allowed_hazards);
    if (!blocked.empty()) fail(k_exit_refused, refusal_message(blocked, file.path));
}

// The RangeVar as SQL text: "s.t" or "t" (resolved by the session's search_path).
std::string range_var_text(const pq::Msg& rv) {
    std::string schema = rv.str("schemaname");
    return schema.empty() ? quote_ident(rv.str("relname")) : qualified_name(schema, rv.str("relname"));
}

// Canonical attributes of an index definition, or null when they cannot be
// computed (then the definitions count as different).
json index_definition(const pq::Msg& index_stmt) {
    try {
        return index_attributes(index_stmt, catalog_scope());
    } catch (const Error&) {
        return nullptr;
    }
}

// Work an interrupted earlier run may have left for after-commit statement
// `s`: its statement was cut short (or completed by the orphaned backend
// after the client died) before its progress was recorded. Returns true when
// the statement's work is already done.
//
// CREATE INDEX CONCURRENTLY: while another backend still builds the index,
// wait for it; a VALID index of that name on the same table with the same
// definition (pg_get_indexdef and the statement compared through the index
// definition code the model uses) is the statement's work; an INVALID one is
// dropped (concurrently) and built again; a valid one that differs is an
// error. DROP INDEX CONCURRENTLY of an index that is gone is done.
bool already_done(Connection& conn, const MigrationFile& file, const MigrationStatement& s, const pq::Msg& node,
                  const std::function<void(const std::string&)>& progress) {
    if (node.is("DropStmt") && node.flag("concurrent") && node.enumeration("remove_type") == "OBJECT_INDEX" &&
        !node.flag("missing_ok")) {
        for (const pq::Msg& object : node.list("objects")) {
            std::vector<std::string> names = object.strings("items");
            if (names.empty()) return false;
            std::string text = names.size() == 2 ? qualified_name(names[0], names[1]) : quote_ident(names.back());
            if (conn.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", {text}).text(0, 0) == "t") return false;
        }
        progress("warning: " + location(file, s) + ": the index is already dropped (by an interrupted earlier run)");
        return true;
    }
    if (!node.is("IndexStmt") || !node.flag("concurrent") || node.str("idxname").empty()) return false;
    const std::string index = node.str("idxname");
    QueryResult table = conn.query(
        "SELECT c.oid::text, c.relnamespace::text FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)",
        {range_var_text(node.get("relation"))});
    if (table.rows() == 0) return false;  // the statement reports the missing table
    for (bool said = false;; said = true) {
        QueryResult r = conn.query(
            "SELECT i.oid::text, x.indisvalid, x.indrelid::text = $3, pg_catalog.pg_get_indexdef(i.oid), "
            "(SELECT p.pid::text FROM pg_catalog.pg_stat_progress_create_index p "
            " WHERE p.index_relid = i.oid AND p.pid <> pg_catalog.pg_backend_pid() LIMIT 1) "
            "FROM pg_catalog.pg_class i JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid "
            "WHERE i.relname = $1 AND i.relnamespace::text = $2",
            {index, table.text(0, 1), table.text(0, 0)});
        if (r.rows() == 0) return false;
        if (!r.is_null(0, 4)) {
            // An orphaned backend still builds it: its client is gone, but it
            // finishes (or fails) on its own; cancelling it would waste the work.
            if (!said)
                progress("warning: " + location(file, s) + ": backend " + r.text(0, 4) + " is still building index " +
                         quote_ident(index) + " (left by an interrupted run); waiting for it to finish");
            if (!sleep_interruptibly(500)) throw_if_interrupted();
            continue;
        }
        if (r.text(0, 1) != "t") {
            progress("warning: " + location(file, s) + ": dropping index " + quote_ident(index) +
                     ", left invalid by an interrupted build, to build it again");
            conn.exec("DROP INDEX CONCURRENTLY IF EXISTS " + qualified_name(
                conn.query("SELECT nspname FROM pg_catalog.pg_namespace WHERE oid::text = $1", {table.text(0, 1)}).text(0, 0),
                index));
            return false;
        }
        auto existing = pq::ParseResult::parse(r.text(0, 3));
        json have = index_definition(existing->statements().at(0).node);
        json want = index_definition(node);
        if (r.text(0, 2) == "t" && !have.is_null() && have == want) {
            progress("warning: " + location(file, s) + ": index " + quote_ident(index) +
                     " is already built as the statement defines it (by an interrupted earlier run); "
                     "counting the statement as done");
            return true;
        }
        fail(k_exit_database, location(file, s) + ": index " + quote_ident(index) +
                                  " already exists and is not the one this statement builds (it is: " + r.text(0, 3) +
                                  "). Drop or rename it, then re-run `pg-flux migrate apply`.");
    }
}

// Records after-commit statement `done` as completed (and the file as
// applied after its last one).
// Statements of the file may have changed the session (SET ROLE, SET
// search_path, a statement_timeout): the tracking table is written with the
// connection's own identity and no limits, for this transaction only (SET
// LOCAL), leaving what the file set in place for its next statements.
const char* k_own_settings =
    "SET LOCAL SESSION AUTHORIZATION DEFAULT; SET LOCAL ROLE NONE; SET LOCAL search_path = pg_catalog; "
    "SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; SET LOCAL transaction_read_only = off; ";

std::string record_sql(const MigrationFile& file, int done, Clock::time_point start) {
    return std::string(k_own_settings) + "UPDATE _pgflux.migrations SET after_commit_done = " + std::to_string(done) +
           ", state = CASE WHEN " + std::to_string(done) +
           " >= after_commit_total THEN 'applied' ELSE state END, duration_ms = coalesce(duration_ms, 0) + " +
           std::to_string(elapsed_ms(start)) + " WHERE name = " + quote_literal(file.name);
}

[[noreturn]] void after_commit_failed(Connection& conn, const MigrationFile& file, const MigrationStatement& s, size_t i,
                                      size_t total, const std::string& error) {
    if (stopped(conn)) fail(k_exit_database, error);  // reported with the run's state
    fail(k_exit_database, location(file, s) + ": after-commit statement " + std::to_string(i + 1) + " of " +
                              std::to_string(total) + " failed: " + error + "\nThe transactional part of " + file.name +
                              " is committed and recorded. Fix the cause, then re-run `pg-flux migrate apply`: it "
                              "resumes with this statement.");
}

// After-commit statements from `done` on. One that PostgreSQL allows in a
// transaction runs in one with the update of its progress (atomic: a crash
// leaves it either done and recorded or neither); one it forbids there (a
// concurrent index build, VACUUM) runs on its own, then its progress is
// recorded, and already_done() recognises work a crash left unrecorded.
void run_after_commit(Connection& conn, const MigrationFile& file, int done, Clock::time_point start, Where& where,
                      const std::function<void(const std::string&)>& progress) {
    std::vector<const MigrationStatement*> after;
    for (const auto& s : file.statements)
        if (s.after_commit) after.push_back(&s);
    if (static_cast<size_t>(done) < after.size()) reset_session(conn);
    for (size_t i = static_cast<size_t>(done); i < after.size(); ++i) {
        const MigrationStatement& s = *after[i];
        where.to(Where::after_commit, &file, &s, static_cast<int>(i + 1), static_cast<int>(after.size()));
        throw_if_interrupted();
        auto parsed = pq::ParseResult::parse(s.sql);
        const pq::Msg& node = parsed->statements().at(0).node;
        std::string sql = with_secrets(s.sql);
        std::string record = record_sql(file, static_cast<int>(i + 1), start);
        if (!forbidden_in_transaction(node)) {
            conn.exec("BEGIN");
            auto error = conn.try_exec(sql);
            if (!error) error = conn.try_exec(record);
            if (!error) error = conn.try_exec("COMMIT");
            if (!error) continue;
            bool not_in_block = conn.last_sqlstate() == "25001";  // cannot run inside a transaction block
            if (conn.alive()) conn.try_exec("ROLLBACK");
            if (!not_in_block) after_commit_failed(conn, file, s, i, after.size(), *error);
        }
        if (!already_done(conn, file, s, node, progress))
            if (auto error = conn.try_exec(sql)) after_commit_failed(conn, file, s, i, after.size(), *error);
        // The statement is done: its record is not cancelled by a signal
        // (the loop stops before the next statement).
        conn.cancel_on_signal(false);
        auto error = conn.try_exec("BEGIN; " + record + "; COMMIT");
        conn.cancel_on_signal(true);
        if (error) fail(k_exit_database, "database error: " + *error);
    }
    if (after.empty() || static_cast<size_t>(done) >= after.size())
        conn.exec("BEGIN; " + record_sql(file, done, start) + "; COMMIT");
}

AppliedFile apply_file(Connection& conn, const MigrationFile& file, const ApplyOptions& options, Where& where,
                       const std::function<void(const std::string&)>& progress) {
    auto start = Clock::now();
    int live_objects = 0;
    where.to(Where::checking, &file);
    LiveFacts facts;
    check_drift(conn, file, options, live_objects, facts, progress);
    check_hazards(file, live_objects, facts, options);
    check_secrets(file);
    int after_total = static_cast<int>(file.statements.size() - file.transactional_count());
    int transactional = static_cast<int>(file.transactional_count());
    throw_if_interrupted();
    conn.exec("BEGIN");
    int k = 0;
    for (const MigrationStatement& s : file.statements) {
        if (s.after_commit) continue;
        where.to(Where::transaction, &file, &s, ++k, transactional);
        auto error = conn.try_exec(with_secrets(s.sql));
        if (!error && interrupted()) error = "interrupted";
        if (error) {
            if (conn.alive()) conn.try_exec("ROLLBACK");
            if (stopped(conn)) fail(k_exit_database, *error);
            fail(k_exit_database, location(file, s) + ": " + *error + "\nNothing from " + file.name +
                                      " was applied (its transaction was rolled back). Fix the file or the "
                                      "database, then re-run `pg-flux migrate apply`.");
        }
    }
    where.to(Where::transaction, &file, nullptr, transactional, transactional);
    conn.exec(k_own_settings);
    conn.query(
        "INSERT INTO _pgflux.migrations (name, checksum, baseline_hash, target_hash, state, after_commit_total, "
        "duration_ms, tool_version, statements_hash) VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, $7, $8, $9)",
        {file.name, file.checksum, file.baseline, file.target, after_total > 0 ? "after_commit_pending" : "applied",
         std::to_string(after_total), std::to_string(elapsed_ms(start)), PGFLUX_VERSION, statements_hash(file)});
    where.to(Where::committing, &file);
    if (auto error = conn.try_exec("COMMIT")) {
        if (conn.alive() && conn.in_transaction()) conn.try_exec("ROLLBACK");
        if (stopped(conn)) fail(k_exit_database, *error);
        fail(k_exit_database, file.path + ": COMMIT failed: " + *error + "\nNothing from " + file.name +
                                  " was applied (its transaction was rolled back). Fix the file or the database, "
                                  "then re-run `pg-flux migrate apply`.");
    }
    if (after_total > 0) run_after_commit(conn, file, 0, start, where, progress);
    where.to(Where::idle);
    return {file.name, static_cast<int>(file.statements.size()), after_total, elapsed_ms(start), false};
}

std::vector<AppliedFile> apply_locked(Connection& conn, const ApplyOptions& options, Where& where,
                                      const std::function<void(const std::string&)>& progress) {
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
            run_after_commit(conn, file, e.row->after_commit_done, start, where, progress);
            where.to(Where::idle);
            applied.push_back({e.name, 0, e.row->after_commit_total - e.row->after_commit_done, elapsed_ms(start), true});
        } else if (e.state == FileState::pending) {
            MigrationFile file = read_migration(path);
            reset_session(conn);
            AppliedFile a = apply_file(conn, file, options, where, progress);
            progress("applied " + a.name + " (" + std::to_string(a.statements) +
                     (a.statements == 1 ? " statement, " : " statements, ") + std::to_string(a.duration_ms) + " ms)");
            applied.push_back(a);
        }
    }
    return applied;
}

}  // namespace

std::vector<AppliedFile> apply_migrations(Connection& conn, const ApplyOptions& options,
                                          const std::function<void(const std::string&)>& progress) {
    migration_paths(options.dir);  // a missing or unreadable directory changes nothing
    Where where;
    try {
        where.to(Where::waiting);
        reset_session(conn);
        ApplyLock lock(conn, progress);
        where.to(Where::idle);
        return apply_locked(conn, options, where, progress);
    } catch (const Error& e) {
        if (interrupted())
            fail(k_exit_database, "interrupted by " + interrupt_name() +
                                      (interrupt_cancelled_statement() ? " (the running statement was cancelled)" : "") +
                                      ": " + describe(where, conn));
        if (!conn.alive() || conn.last_sqlstate().rfind("57P", 0) == 0 || conn.last_sqlstate().rfind("08", 0) == 0) {
            std::string message = e.what();
            if (message.rfind("database error: ", 0) == 0) message = message.substr(16);
            fail(k_exit_database, "lost the connection to the database (" + message + "): " + describe(where, conn));
        }
        throw;
    }
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
