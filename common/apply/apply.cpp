// Applying migration files.
#include "apply/apply.h"

#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>
#include <tuple>

#include "canon/definitions.h"
#include "canon/scope.h"
#include "catalog/catalog.h"
#include "diff/live_facts.h"
#include "hazards/hazards.h"
#include "migrations/migration_file.h"
#include "pgflux/version.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "tracking/tracking.h"
#include "util/error.h"
#include "util/progress.h"

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

// Where the run stands, for the message of an interruption or a lost
// connection: what is applied and how to resume.
struct Where {
    enum Phase { idle, waiting, checking, transaction, committing, after_commit } phase = idle;
    std::string name;     // the file
    std::string at;       // FILE:LINE of the statement, or ""
    int index = 0, total = 0;  // statement `index` (1-based) of `total` in its part
    std::string undo_of;       // undo_migration: the forward file being undone

    Clock::time_point file_start;  // when the run of `name` began

    void to(Phase p, const MigrationFile* f = nullptr, const MigrationStatement* s = nullptr, int i = 0, int n = 0) {
        if (f && f->name != name) file_start = Clock::now();
        phase = p;
        name = f ? f->name : "";
        at = f && s ? location(*f, *s) : "";
        index = i;
        total = n;
        if (f && s && (p == transaction || p == after_commit)) show_statement(*f, *s);
    }

    // On a terminal: "FILE: statement 3 of 40 (12.5 s): ALTER TABLE ...".
    void show_statement(const MigrationFile& f, const MigrationStatement& s) const {
        double seconds = std::chrono::duration<double>(Clock::now() - file_start).count();
        char elapsed[32];
        snprintf(elapsed, sizeof elapsed, "%.1f s", seconds);
        std::string part = phase == after_commit ? "after-commit statement " : "statement ";
        show_progress(f.name + ": " + part + std::to_string(index) + " of " + std::to_string(total) + " (" + elapsed +
                      "): " + s.sql.substr(0, s.sql.find('\n')));
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

// The same for undo_migration.
std::string describe_undo(const Where& w, const Connection& conn) {
    const std::string rerun = "Re-run `pg-flux migrate undo " + w.undo_of + "`";
    auto at_line = [&] { return w.at.empty() ? std::string() : " (" + w.at + ")"; };
    switch (w.phase) {
        case Where::idle:
        case Where::waiting:
        case Where::checking: return "nothing was undone. " + rerun + ".";
        case Where::transaction:
            return "statement " + std::to_string(w.index) + " of " + std::to_string(w.total) + " of the transaction of " +
                   w.name + at_line() + " did not complete; the transaction was rolled back: nothing was undone. " +
                   rerun + ".";
        case Where::committing: {
            std::string state = recorded_state(conn, w.undo_of);
            if (state.empty())
                return "it was committing " + w.name + "; whether the COMMIT took effect could not be checked: " +
                       "`pg-flux migrate status` tells (" + w.undo_of + " is recorded until it does).";
            if (state == "absent")
                return "the COMMIT of " + w.name + " took effect: " + w.undo_of +
                       " is no longer recorded as applied; its after-commit statements did not run (run them by hand).";
            return "the COMMIT of " + w.name + " did not take effect: nothing was undone. " + rerun + ".";
        }
        case Where::after_commit:
            return "the transactional part of " + w.name + " is committed and " + w.undo_of +
                   " is no longer recorded as applied; after-commit statement " + std::to_string(w.index) + " of " +
                   std::to_string(w.total) + at_line() +
                   " did not complete: run it and those after it by hand.";
    }
    return "";
}

std::string describe(const Where& w, const Connection& conn) {
    if (!w.undo_of.empty()) return describe_undo(w, conn);
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
// releasing the advisory lock, then the apply session's own settings: the
// limits (validated durations, passed as parameters) and the rest.
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

void reset_session(Connection& conn, const ApplyOptions& options) {
    reset_session(conn);
    conn.query("SELECT pg_catalog.set_config('lock_timeout', $1, false), "
               "pg_catalog.set_config('statement_timeout', $2, false)",
               {options.lock_timeout, options.statement_timeout});
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

// Watches, from a second connection, which sessions block the apply
// session's running statement (pg_blocking_pids), so that a lock timeout can
// name them: after the timeout the wait is over and nothing blocks any more.
// One thread serves every statement of a run (a thread per statement cost
// more than a quick statement's round trip): run() arms it for one
// statement; it connects only once a statement has run for a moment (quick
// statements cost nothing), then polls a few times a second while that
// statement runs; the last non-empty answer is the statement's. It uses its
// own connection only, with libpq's synchronous calls, kept for the run.
class BlockerWatch {
public:
    explicit BlockerWatch(Connection& conn) : conn_(conn) { thread_ = std::thread([this] { watch(); }); }
    ~BlockerWatch() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            quit_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    BlockerWatch(const BlockerWatch&) = delete;
    BlockerWatch& operator=(const BlockerWatch&) = delete;

    // Runs `sql` on the watched connection; the blockers seen while it ran.
    std::pair<std::optional<std::string>, std::vector<Blocker>> run(const std::string& sql) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            pid_ = std::to_string(PQbackendPID(conn_.raw()));  // the session may have been reset
            ++statement_;
            running_ = true;
            seen_.clear();
        }
        wake_.notify_all();
        std::optional<std::string> error = conn_.try_exec(sql);
        std::lock_guard<std::mutex> lock(mutex_);
        running_ = false;
        return {error, std::move(seen_)};
    }

private:
    // Waits `ms` (forever when 0) until `ready`, or quit; false on timeout.
    template <typename Ready>
    bool wait(std::unique_lock<std::mutex>& lock, int ms, Ready ready) {
        auto done = [&] { return quit_ || ready(); };
        if (ms == 0) {
            wake_.wait(lock, done);
            return true;
        }
        return wake_.wait_for(lock, std::chrono::milliseconds(ms), done);
    }

    void watch() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wait(lock, 0, [this] { return running_; });
            if (quit_) return;
            unsigned long long statement = statement_;
            auto over = [&] { return !running_ || statement_ != statement; };
            if (wait(lock, 300, over)) continue;
            std::string pid = pid_;
            do {
                lock.unlock();
                std::optional<std::vector<Blocker>> now = blockers_of(pid);
                lock.lock();
                if (!now) {  // no watcher connection: the report says the blocker is unknown
                    watcher_.reset();
                    break;
                }
                if (!now->empty() && !over()) seen_ = std::move(*now);
            } while (!wait(lock, 200, over));
        }
    }

    // The sessions blocking backend `pid`, or nothing when the watcher's
    // connection cannot be made or was lost.
    std::optional<std::vector<Blocker>> blockers_of(const std::string& pid) {
        if (!watcher_) {
            try {
                watcher_.emplace(conn_.reopen());
            } catch (const Error&) {
                return std::nullopt;
            }
            PQclear(PQexec(watcher_->raw(), "SET application_name = 'pg-flux apply (lock watch)'"));
        }
        PGconn* c = watcher_->raw();
        const char* sql =
            "SELECT a.pid::text, coalesce(a.state, ''), "
            "coalesce(pg_catalog.to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
            "coalesce(pg_catalog.to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
            "pg_catalog.left(pg_catalog.regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120) "
            "FROM pg_catalog.pg_stat_activity a WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1::integer)) "
            "ORDER BY a.xact_start NULLS LAST, a.pid LIMIT 3";
        const char* params[] = {pid.c_str()};
        PGresult* r = PQexecParams(c, sql, 1, nullptr, params, nullptr, nullptr, 0);
        std::vector<Blocker> now;
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            for (int i = 0; i < PQntuples(r); ++i)
                now.push_back({PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                               PQgetvalue(r, i, 4)});
        PQclear(r);
        if (PQstatus(c) != CONNECTION_OK) return std::nullopt;
        return now;
    }

    Connection& conn_;
    std::optional<Connection> watcher_;  // used by the thread only
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool quit_ = false, running_ = false;
    unsigned long long statement_ = 0;
    std::string pid_;
    std::vector<Blocker> seen_;
};

// "backend 4711 (idle in transaction; transaction started 2026-...Z; last
// query started 2026-...Z: UPDATE ...)", one per blocker.
std::string describe_blockers(const std::vector<Blocker>& blockers) {
    if (blockers.empty()) return "the blocking session could not be identified (it may have finished)";
    std::string out = blockers.size() == 1 ? "blocked by " : "blocked by the sessions ";
    for (size_t i = 0; i < blockers.size(); ++i) {
        const Blocker& b = blockers[i];
        if (i) out += ", ";
        out += "backend " + b.pid + " (" + (b.state.empty() ? "state unknown" : b.state);
        if (!b.xact_start.empty()) out += "; transaction started " + b.xact_start;
        if (!b.query_start.empty()) out += "; " + std::string(b.state == "active" ? "query" : "last query") +
                                           " started " + b.query_start;
        if (!b.query.empty()) out += ": " + b.query;
        out += ")";
    }
    return out;
}

ApplyFailure failure(const std::string& reason, const std::string& file, const std::string& at = "") {
    ApplyFailure f;
    f.reason = reason;
    f.file = file;
    f.location = at;
    return f;
}

// The drift refusal; `undo`: of an undo file (other advice).
void check_drift(const std::string& hash, const MigrationFile& file, const ApplyOptions& options,
                 const std::function<void(const std::string&)>& progress, const std::string& forward = "") {
    if (file.baseline.empty()) {
        progress("warning: " + file.name + " has no baseline hash; skipping the drift check");
        return;
    }
    if (hash == file.baseline) return;
    std::string drifted = forward.empty()
                              ? "live database state has drifted since this migration was generated (expected baseline=" +
                                    file.baseline + ", live=" + hash + ")."
                              : "live database state is not the one " + forward +
                                    " left (expected baseline=" + file.baseline + ", live=" + hash + ").";
    if (options.force_after_drift) {
        progress("warning: " + file.path + ": " + drifted + " " + (forward.empty() ? "Applying" : "Running") +
                 " it anyway (--force-after-drift).");
        return;
    }
    if (!forward.empty())
        throw ApplyError(k_exit_refused, failure("drift", file.name),
                         "refusing to undo " + forward + " with " + file.path + ": " + drifted,
                         "the database changed after " + forward +
                             " was applied. Check that the undo file still fits, then pass --force-after-drift to run "
                             "it anyway.");
    throw ApplyError(k_exit_refused, failure("drift", file.name), "refusing to apply " + file.path + ": " + drifted,
                     "Re-run `pg-flux migrate generate` to rebase the migration, or pass --force-after-drift to "
                     "apply anyway.");
}

void check_hazards(const MigrationFile& file, int live_objects, const LiveFacts& facts, const ApplyOptions& options) {
    std::vector<Step> steps = migration_steps(file, file.path);
    classify_migration(steps, file, live_objects, facts);
    auto blocked = blocking_hazards(steps, options.allowed_hazards);
    if (blocked.empty()) return;
    ApplyFailure f = failure("hazards", file.name);
    for (const BlockedStep& b : blocked)
        if (std::find(f.hazards.begin(), f.hazards.end(), b.hazard.code) == f.hazards.end())
            f.hazards.push_back(b.hazard.code);
    throw ApplyError(k_exit_refused, f, refusal_message(blocked, file.path));
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

// One statement run while a BlockerWatch looks at what blocks it.
struct Outcome {
    std::optional<std::string> error;
    std::string sqlstate;
    std::vector<Blocker> blockers;
};

Outcome run_watched(Connection& conn, BlockerWatch& watch, const std::string& sql) {
    Outcome o;
    std::tie(o.error, o.blockers) = watch.run(sql);
    o.sqlstate = o.error ? conn.last_sqlstate() : "";
    if (!o.error && interrupted()) o.error = "interrupted";
    return o;
}

// An interruption or a lost connection: reported by the caller of the run
// with the state the file is in.
bool lost(const Connection& conn, const std::string& sqlstate) {
    return interrupted() || !conn.alive() || sqlstate.rfind("57P", 0) == 0 || sqlstate.rfind("08", 0) == 0;
}

// A lock timeout of attempt `attempt`: waits before the next attempt and
// returns true, or (after the last attempt) returns false.
bool retry_after_lock_timeout(const Outcome& o, int attempt, const std::string& at, const ApplyOptions& options,
                              const std::function<void(const std::string&)>& progress) {
    if (attempt >= k_lock_attempts) return false;
    int wait_ms = k_lock_backoff_ms[attempt - 1];
    progress("warning: " + at + ": no lock within lock_timeout " + options.lock_timeout + " (" +
             describe_blockers(o.blockers) + "); rolled back, retrying in " + std::to_string(wait_ms / 1000) +
             " s (attempt " + std::to_string(attempt + 1) + " of " + std::to_string(k_lock_attempts) + ")");
    if (!sleep_interruptibly(wait_ms)) throw_if_interrupted();
    return true;
}

// The error for a statement that failed for good. `what`: "" in the
// transactional part, "after-commit statement 2 of 3" after it;
// `consequence` says what that left, `rerun` how to go on
// ("re-run `pg-flux migrate apply`").
[[noreturn]] void statement_failed(const Outcome& o, const MigrationFile& file, const MigrationStatement& s,
                                   const ApplyOptions& options, const std::string& what,
                                   const std::string& consequence, const std::string& rerun) {
    std::string at = location(file, s);
    ApplyFailure f = failure("statement_error", file.name, at);
    std::string failed = at + ": " + (what.empty() ? "" : what + " failed: ") + *o.error;
    if (o.sqlstate == "55P03") {
        f.reason = "lock_timeout";
        f.blockers = o.blockers;
        throw ApplyError(k_exit_database, f,
                         at + ": " + (what.empty() ? "" : what + ": ") + "gave up after " +
                             std::to_string(k_lock_attempts) + " attempts to get a lock within lock_timeout " +
                             options.lock_timeout + ": " + describe_blockers(o.blockers) + ".\n" + consequence +
                             " When the blocking session is done, " + rerun +
                             " (or allow longer waits with --lock-timeout).");
    }
    if (o.sqlstate == "57014") {
        f.reason = "statement_timeout";
        throw ApplyError(k_exit_database, f,
                         failed + " (statement_timeout " + options.statement_timeout + ")\n" + consequence +
                             " Allow longer statements with --statement-timeout (0: no limit), then " + rerun + ".");
    }
    throw ApplyError(k_exit_database, f, failed + "\n" + consequence + " Fix the cause, then " + rerun + ".");
}

// Runs the transactional part of `file`, then `record` (the change of the
// tracking table), and commits; a lock timeout rolls the whole transaction
// back and runs it again, up to k_lock_attempts times.
void run_transaction(Connection& conn, const MigrationFile& file, const ApplyOptions& options, Where& where,
                     const std::function<void(const std::string&)>& progress, const std::function<void()>& record,
                     const std::string& nothing_done, const std::string& rerun) {
    int transactional = static_cast<int>(file.transactional_count());
    BlockerWatch watch(conn);
    for (int attempt = 1;; ++attempt) {
        throw_if_interrupted();
        conn.exec("BEGIN");
        int k = 0;
        bool again = false;
        for (const MigrationStatement& s : file.statements) {
            if (s.after_commit) continue;
            where.to(Where::transaction, &file, &s, ++k, transactional);
            Outcome o = run_watched(conn, watch, with_secrets(s.sql));
            if (!o.error) continue;
            if (conn.alive()) conn.try_exec("ROLLBACK");
            if (lost(conn, o.sqlstate)) fail(k_exit_database, *o.error);  // reported with the run's state
            if (o.sqlstate == "55P03" && retry_after_lock_timeout(o, attempt, location(file, s), options, progress)) {
                reset_session(conn, options);
                again = true;
                break;
            }
            statement_failed(o, file, s, options, "", nothing_done, rerun);
        }
        if (again) continue;
        where.to(Where::transaction, &file, nullptr, transactional, transactional);
        record();
        where.to(Where::committing, &file);
        if (auto error = conn.try_exec("COMMIT")) {
            if (conn.alive() && conn.in_transaction()) conn.try_exec("ROLLBACK");
            if (stopped(conn)) fail(k_exit_database, *error);
            throw ApplyError(k_exit_database, failure("statement_error", file.name),
                             file.path + ": COMMIT failed: " + *error + "\n" + nothing_done + " Fix the cause, then " +
                                 rerun + ".");
        }
        return;
    }
}

// After-commit statements from `done` on. One that PostgreSQL allows in a
// transaction runs in one with the update of its progress (atomic: a crash
// leaves it either done and recorded or neither); one it forbids there (a
// concurrent index build, VACUUM) runs on its own, then its progress is
// recorded, and already_done() recognises work a crash left unrecorded.
// They run without statement_timeout (they take locks that let reads and
// writes go on, and may run long on big tables) but under lock_timeout; a
// lock timeout is retried like the transactional part's. `tracked`: false
// for an undo file (its tracking row is gone; nothing records progress).
void run_after_commit(Connection& conn, const MigrationFile& file, int done, Clock::time_point start, Where& where,
                      const ApplyOptions& options, const std::function<void(const std::string&)>& progress,
                      bool tracked = true) {
    std::vector<const MigrationStatement*> after;
    for (const auto& s : file.statements)
        if (s.after_commit) after.push_back(&s);
    if (static_cast<size_t>(done) < after.size()) {
        reset_session(conn, options);
        conn.exec("SET statement_timeout = 0");
    }
    std::string undo_of = where.undo_of;
    BlockerWatch watch(conn);
    for (size_t i = static_cast<size_t>(done); i < after.size(); ++i) {
        const MigrationStatement& s = *after[i];
        std::string what = "after-commit statement " + std::to_string(i + 1) + " of " + std::to_string(after.size());
        std::string consequence = tracked ? "The transactional part of " + file.name + " is committed and recorded."
                                          : "The transactional part of " + file.name + " is committed and " + undo_of +
                                                " is no longer recorded as applied.";
        std::string rerun = tracked ? "re-run `pg-flux migrate apply`: it resumes with this statement"
                                    : "run this statement and those after it by hand";
        auto parsed = pq::ParseResult::parse(s.sql);
        const pq::Msg& node = parsed->statements().at(0).node;
        std::string sql = with_secrets(s.sql);
        std::string record = tracked ? record_sql(file, static_cast<int>(i + 1), start) : "";
        for (int attempt = 1;; ++attempt) {
            where.to(Where::after_commit, &file, &s, static_cast<int>(i + 1), static_cast<int>(after.size()));
            where.undo_of = undo_of;
            throw_if_interrupted();
            Outcome o;
            bool run_alone = forbidden_in_transaction(node);
            if (!run_alone) {
                conn.exec("BEGIN");
                o = run_watched(conn, watch, sql);
                if (!o.error && tracked) o.error = conn.try_exec(record), o.sqlstate = conn.last_sqlstate();
                if (!o.error) o.error = conn.try_exec("COMMIT"), o.sqlstate = conn.last_sqlstate();
                if (!o.error) break;
                if (conn.alive()) conn.try_exec("ROLLBACK");
                run_alone = o.sqlstate == "25001";  // cannot run inside a transaction block
            }
            if (run_alone) {
                o = Outcome();
                if (!already_done(conn, file, s, node, progress)) o = run_watched(conn, watch, sql);
            }
            if (o.error) {
                if (lost(conn, o.sqlstate)) fail(k_exit_database, *o.error);  // reported with the run's state
                if (o.sqlstate == "55P03" && retry_after_lock_timeout(o, attempt, location(file, s), options, progress))
                    continue;
                statement_failed(o, file, s, options, what, consequence, rerun);
            }
            if (!tracked) break;
            // The statement is done: its record is not cancelled by a signal
            // (the loop stops before the next statement).
            conn.cancel_on_signal(false);
            auto error = conn.try_exec("BEGIN; " + record + "; COMMIT");
            conn.cancel_on_signal(true);
            if (error) fail(k_exit_database, "database error: " + *error);
            break;
        }
    }
    if (tracked && (after.empty() || static_cast<size_t>(done) >= after.size()))
        conn.exec("BEGIN; " + record_sql(file, done, start) + "; COMMIT");
}

const char* k_by_hand_note = "applied by hand: the database already matched the target";

// A pending file whose target is the live state (and differs from its
// baseline) was applied by hand (psql -f): recorded as applied, not run.
bool applied_by_hand(const MigrationFile& file, const std::string& hash) {
    return !file.target.empty() && hash == file.target && hash != file.baseline;
}

AppliedFile apply_file(Connection& conn, const MigrationFile& file, const ApplyOptions& options, Where& where,
                       const std::function<void(const std::string&)>& progress) {
    auto start = Clock::now();
    where.to(Where::checking, &file);
    Model live = read_catalog(conn);
    std::string hash = live.state_hash();
    int after_total = static_cast<int>(file.statements.size() - file.transactional_count());
    int statements = static_cast<int>(file.statements.size());
    auto insert_row = [&](const std::string& state, int done, const std::string& note) {
        conn.exec(k_own_settings);
        conn.query(
            "INSERT INTO _pgflux.migrations (name, checksum, baseline_hash, target_hash, state, after_commit_done, "
            "after_commit_total, duration_ms, tool_version, statements_hash, note) "
            "VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, $7, $8, $9, $10, nullif($11, ''))",
            {file.name, file.checksum, file.baseline, file.target, state, std::to_string(done),
             std::to_string(after_total), std::to_string(elapsed_ms(start)), PGFLUX_VERSION, statements_hash(file),
             note});
    };
    if (applied_by_hand(file, hash)) {
        conn.exec("BEGIN");
        insert_row("applied", after_total, k_by_hand_note);
        conn.exec("COMMIT");
        where.to(Where::idle);
        return {file.name, "recorded", statements, after_total, elapsed_ms(start), false, k_by_hand_note};
    }
    check_drift(hash, file, options, progress);
    check_hazards(file, live.top_level_count(), live_facts(live), options);
    check_secrets(file);
    run_transaction(
        conn, file, options, where, progress,
        [&] { insert_row(after_total > 0 ? "after_commit_pending" : "applied", 0, ""); },
        "Nothing from " + file.name + " was applied (its transaction was rolled back).",
        "re-run `pg-flux migrate apply`");
    if (after_total > 0) run_after_commit(conn, file, 0, start, where, options, progress);
    where.to(Where::idle);
    return {file.name, "applied", statements, after_total, elapsed_ms(start), false, ""};
}

void report(const AppliedFile& a, const std::function<void(const std::string&)>& progress) {
    if (a.state == "recorded")
        progress("recorded " + a.name + " as applied without running it (" + a.note + ")");
    else if (a.state == "applied")
        progress("applied " + a.name + " (" + std::to_string(a.statements) +
                 (a.statements == 1 ? " statement, " : " statements, ") + std::to_string(a.duration_ms) + " ms)");
}

void apply_locked(Connection& conn, const ApplyOptions& options, ApplyRun& run, Where& where,
                  const std::function<void(const std::string&)>& progress) {
    ensure_tracking_table(conn);
    auto entries = migration_status(conn, options.dir);
    // Bad input changes nothing: every file to run is read and parsed before any runs.
    for (const StatusEntry& e : entries)
        if (e.state == FileState::pending || e.state == FileState::incomplete)
            read_migration((fs::path(options.dir) / e.name).string());
    std::string newest;  // the newest applied file
    for (const StatusEntry& e : entries) {
        if (e.row) newest = e.name;
        if (e.state == FileState::changed)
            throw ApplyError(k_exit_refused, failure("changed_file", e.name),
                             "refusing to apply: " + (fs::path(options.dir) / e.name).string() +
                                 " was changed after it was applied (recorded checksum " + e.row->checksum +
                                 ", file now " + e.file_checksum +
                                 "). Restore the applied version, or record the edit with `pg-flux migrate repair`.");
        if (e.state == FileState::missing)
            progress("warning: " + e.name + " is recorded as applied but is not in " + options.dir);
    }
    std::vector<std::string> out_of_order;
    for (const StatusEntry& e : entries)
        if (e.out_of_order) out_of_order.push_back(e.name);
    if (!out_of_order.empty() && !options.out_of_order) {
        std::string list;
        for (const auto& name : out_of_order) list += (list.empty() ? "" : ", ") + (fs::path(options.dir) / name).string();
        throw ApplyError(
            k_exit_refused, failure("out_of_order", out_of_order.front()),
            "refusing to apply: " + list + (out_of_order.size() == 1 ? " sorts" : " sort") + " before " + newest +
                ", which is already applied (out of order: probably merged after newer files ran). Nothing was "
                "applied. Regenerate it on top of the applied files with `pg-flux migrate rebase`, or pass "
                "--out-of-order to apply it as it is (its drift check still applies).");
    }
    for (const auto& name : out_of_order)
        progress("warning: applying " + name + " out of order (it sorts before " + newest +
                 ", already applied; --out-of-order)");
    for (const StatusEntry& e : entries) {
        std::string path = (fs::path(options.dir) / e.name).string();
        if (e.state == FileState::incomplete) {
            MigrationFile file = read_migration(path);
            progress("warning: resuming " + e.name + " at after-commit statement " + std::to_string(e.row->after_commit_done + 1));
            auto start = Clock::now();
            run_after_commit(conn, file, e.row->after_commit_done, start, where, options, progress);
            where.to(Where::idle);
            run.files.push_back({e.name, "resumed", 0, e.row->after_commit_total - e.row->after_commit_done,
                                 elapsed_ms(start), true, ""});
        } else if (e.state == FileState::pending) {
            MigrationFile file = read_migration(path);
            reset_session(conn, options);
            AppliedFile a = apply_file(conn, file, options, where, progress);
            report(a, progress);
            run.files.push_back(a);
        }
    }
}

const char* reason_of(ExitCode code) {
    switch (code) {
        case k_exit_usage: return "invalid_input";
        case k_exit_refused: return "refused";
        case k_exit_database: return "database_error";
        default: return "internal_error";
    }
}

// Runs `body`; on an error, records in `run` why it stopped (an
// interruption or a lost connection with the state the file is in).
void guarded(Connection& conn, Where& where, ApplyRun& run, const std::function<void()>& body) {
    try {
        body();
    } catch (const Error& e) {
        std::string file = where.name;
        if (interrupted()) {
            run.failure = failure("interrupted", file, where.at);
            fail(k_exit_database, "interrupted by " + interrupt_name() +
                                      (interrupt_cancelled_statement() ? " (the running statement was cancelled)" : "") +
                                      ": " + describe(where, conn));
        }
        if (auto* known = dynamic_cast<const ApplyError*>(&e)) {
            run.failure = known->failure;
            throw;
        }
        if (!conn.alive() || conn.last_sqlstate().rfind("57P", 0) == 0 || conn.last_sqlstate().rfind("08", 0) == 0) {
            run.failure = failure("connection_lost", file, where.at);
            std::string message = e.what();
            if (message.rfind("database error: ", 0) == 0) message = message.substr(16);
            fail(k_exit_database, "lost the connection to the database (" + message + "): " + describe(where, conn));
        }
        run.failure = failure(reason_of(e.code), file, where.at);
        throw;
    }
}

}  // namespace

long long parse_duration(const std::string& option, const std::string& value) {
    static const std::regex form(R"(([0-9]{1,10})(ms|s|min|h|d)?)");
    std::smatch m;
    auto bad = [&](const std::string& why) {
        usage_error("--" + option + " \"" + value + "\": " + why +
                    " (a PostgreSQL duration such as 250ms, 5s, 2min, 1h, or 0 for no limit)");
    };
    if (!std::regex_match(value, m, form)) bad("not a duration");
    long long n = std::stoll(m[1].str());
    std::string unit = m[2].str();
    if (unit.empty() && n != 0) bad("needs a unit");
    long long factor = unit == "s" ? 1000 : unit == "min" ? 60000 : unit == "h" ? 3600000 : unit == "d" ? 86400000 : 1;
    long long ms = n * factor;
    if (ms > INT_MAX) bad("too long (PostgreSQL's limit is 2147483647ms, about 24 days)");
    return ms;
}

void apply_migrations(Connection& conn, const ApplyOptions& options, ApplyRun& run,
                      const std::function<void(const std::string&)>& progress) {
    Where where;
    guarded(conn, where, run, [&] {
        migration_paths(options.dir);  // a missing or unreadable directory changes nothing
        where.to(Where::waiting);
        reset_session(conn, options);
        ApplyLock lock(conn, progress);
        where.to(Where::idle);
        apply_locked(conn, options, run, where, progress);
    });
}

void undo_migration(Connection& conn, const ApplyOptions& options, const std::string& forward, ApplyRun& run,
                    const std::function<void(const std::string&)>& progress) {
    Where where;
    fs::path given(forward);
    std::string name = given.filename().string();
    const std::string undo_suffix = k_undo_suffix;
    if (is_undo_file_name(name)) name = name.substr(0, name.size() - undo_suffix.size()) + k_migration_suffix;
    where.undo_of = name;
    guarded(conn, where, run, [&] {
        if (name.size() <= 4 || name.compare(name.size() - 4, 4, k_migration_suffix) != 0)
            usage_error("migrate undo: \"" + forward + "\" does not name a migration file (NAME.sql)");
        fs::path dir = given.has_parent_path() ? given.parent_path() : fs::path(options.dir);
        std::string undo_path = (dir / undo_file_name(name)).string();
        if (!fs::is_regular_file(undo_path))
            throw ApplyError(k_exit_usage, failure("no_undo_file", name),
                             "cannot undo " + name + ": its undo file " + undo_path +
                                 " does not exist (write it with `pg-flux migrate generate --generate-undo`, or by "
                                 "hand). Nothing was changed.");
        MigrationFile undo = read_migration(undo_path);
        where.to(Where::waiting);
        where.undo_of = name;
        reset_session(conn, options);
        ApplyLock lock(conn, progress);
        ensure_tracking_table(conn);
        auto rows = read_tracking(conn);
        auto row = std::find_if(rows.begin(), rows.end(), [&](const TrackingRow& r) { return r.name == name; });
        if (row == rows.end())
            throw ApplyError(k_exit_refused, failure("not_applied", name),
                             "refusing to undo " + name + ": it is not recorded as applied in _pgflux.migrations. "
                             "Nothing was changed.");
        if (row->state == "after_commit_pending")
            throw ApplyError(k_exit_refused, failure("incomplete", name),
                             "refusing to undo " + name + ": its after-commit part is incomplete; finish it with "
                             "`pg-flux migrate apply` first. Nothing was changed.");
        if (rows.back().name != name)
            throw ApplyError(k_exit_refused, failure("not_newest", name),
                             "refusing to undo " + name + ": " + rows.back().name +
                                 " was applied after it; undo files run newest first (undo " + rows.back().name +
                                 " first). Nothing was changed.");
        auto start = Clock::now();
        where.to(Where::checking, &undo);
        where.undo_of = name;
        Model live = read_catalog(conn);
        std::string hash = live.state_hash();
        int statements = static_cast<int>(undo.statements.size());
        int after_total = static_cast<int>(undo.statements.size() - undo.transactional_count());
        auto delete_row = [&] {
            conn.exec(k_own_settings);
            conn.query("DELETE FROM _pgflux.migrations WHERE name = $1", {name});
        };
        if (applied_by_hand(undo, hash)) {
            const char* note = "undone by hand: the database already matched the undo file's target";
            conn.exec("BEGIN");
            delete_row();
            conn.exec("COMMIT");
            run.files.push_back({name, "undone", statements, after_total, elapsed_ms(start), false, note});
            progress("undone " + name + " without running " + undo.name + " (" + note + ")");
            return;
        }
        check_drift(hash, undo, options, progress, name);
        check_hazards(undo, live.top_level_count(), live_facts(live), options);
        check_secrets(undo);
        reset_session(conn, options);
        run_transaction(conn, undo, options, where, progress, delete_row,
                        "Nothing was undone (the transaction of " + undo.name + " was rolled back).",
                        "re-run `pg-flux migrate undo " + name + "`");
        if (after_total > 0) run_after_commit(conn, undo, 0, start, where, options, progress, false);
        where.to(Where::idle);
        run.files.push_back({name, "undone", statements, after_total, elapsed_ms(start), false, ""});
        progress("undone " + name + " with " + undo.name + " (" + std::to_string(statements) +
                 (statements == 1 ? " statement, " : " statements, ") + std::to_string(elapsed_ms(start)) + " ms)");
    });
}

json apply_result_document(const ApplyRun& run, const std::string& tool, const Error* error) {
    json doc = document_envelope(k_format_apply_result, tool);
    json files = json::array();
    for (const AppliedFile& a : run.files) {
        json f = {{"name", a.name}, {"state", a.state}, {"statements", a.statements}, {"after_commit", a.after_commit},
                  {"duration_ms", a.duration_ms}, {"resumed", a.resumed}};
        if (!a.note.empty()) f["note"] = a.note;
        files.push_back(f);
    }
    doc["applied"] = files;
    if (error) {
        ApplyFailure f = run.failure ? *run.failure : failure(reason_of(error->code), "");
        json e = {{"exit_code", static_cast<int>(error->code)}, {"reason", f.reason}, {"message", error->hint.empty() ? std::string(error->what()) : error->what() + std::string("\n") + error->hint},
                  {"file", f.file.empty() ? json(nullptr) : json(f.file)}};
        if (!f.location.empty()) e["location"] = f.location;
        if (f.reason == "hazards") e["hazards"] = f.hazards;
        if (f.reason == "lock_timeout") {
            json blockers = json::array();
            for (const Blocker& b : f.blockers)
                blockers.push_back({{"pid", std::stoll(b.pid)}, {"state", b.state}, {"query_start", b.query_start},
                                    {"xact_start", b.xact_start}, {"query", b.query}});
            e["blockers"] = blockers;
        }
        doc["error"] = e;
    }
    return doc;
}

}  // namespace pgflux
