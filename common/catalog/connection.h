// A libpq connection with RAII results. Connection details come from a
// conninfo string or URL, else DATABASE_URL, else libpq's own PG* variables
// and service files. Messages never include a password.
//
// Statements run asynchronously: while waiting for the server, the client
// also watches for SIGINT, SIGTERM and SIGHUP (once a tool installed the
// handlers with install_interrupt_handlers). A signal that arrives while a
// statement runs cancels it on the server (PQcancel); the statement then
// fails with "canceling statement due to user request" and the caller, which
// checks interrupted() at its own checkpoints, decides what to report.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>

namespace pgflux {

class QueryResult {
public:
    explicit QueryResult(PGresult* result) : result_(result, PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    int column(const char* name) const;  // throws if absent
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
    std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
    std::optional<std::string> optional_text(int row, int column) const;

private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// Throws Error(k_exit_usage) when libpq cannot parse `conninfo` (a connection
// string or URL), naming libpq's reason (passwords redacted).
void check_conninfo(const std::string& conninfo);
// Signals. install_interrupt_handlers() makes SIGINT, SIGTERM and SIGHUP set a
// flag and wake the waiting loops (a self-pipe); nothing else happens in the
// handler. interrupted() is the signal received (0 if none).
void install_interrupt_handlers();
int interrupted();
std::string interrupt_name();  // "SIGTERM"
// True once a signal cancelled a running statement.
bool interrupt_cancelled_statement();
// Throws Error(k_exit_database, "interrupted by SIGTERM" + context) after a signal.
void throw_if_interrupted(const std::string& context = "");
// Sleeps up to `ms` milliseconds; returns early (false) when a signal arrives.
bool sleep_interruptibly(int ms);

// The conninfo to use: --db value, else $DATABASE_URL, else "" (libpq defaults).
std::string resolve_conninfo(const std::string& db_option);

class Connection {
public:
    explicit Connection(const std::string& conninfo);  // throws Error(k_exit_database)
    Connection(Connection&&) = default;

    QueryResult query(const std::string& sql, const std::vector<std::string>& params = {});
    // Runs one or more statements (simple protocol); throws on error.
    void exec(const std::string& sql);
    // Runs a statement; returns the server's error message instead of throwing.
    std::optional<std::string> try_exec(const std::string& sql);
    // "database \"app\" on /tmp/x:5432 as postgres" (no password).
    std::string describe() const;
    std::string database() const { return PQdb(conn_.get()); }
    int server_version() const { return PQserverVersion(conn_.get()); }
    PGconn* raw() { return conn_.get(); }
    // False once the server closed the connection (crash, restart, terminate).
    bool alive() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
    // Inside a transaction block (or a failed one).
    bool in_transaction() const;
    // A new connection with the same settings.
    Connection reopen() const { return Connection(conninfo_); }
    // True when the last statement was cancelled because of a signal.
    bool cancelled_by_signal() const { return cancelled_; }
    // Whether a signal cancels this connection's running statement (default).
    void cancel_on_signal(bool on) { cancel_on_signal_ = on; }
    // SQLSTATE of the last failed statement ("" after success; "08006" when
    // the connection was lost without one).
    const std::string& last_sqlstate() const { return sqlstate_; }

private:
    // Sends `sql` (with params: extended protocol, one statement) and waits,
    // cancelling the statement on a signal. Returns the first failed result,
    // else the last one.
    PGresult* run(const std::string& sql, const std::vector<std::string>* params);

    std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
    std::string conninfo_;
    bool cancelled_ = false;
    bool cancel_on_signal_ = true;
    std::string sqlstate_;
};

// Removes anything that could be a password (from `conninfo`) from a message.
std::string redact_secrets(std::string message, const std::string& conninfo);

// Quotes a conninfo value for key=value syntax.
std::string conninfo_value(const std::string& value);
// Replaces the database name in a conninfo or URL (for scratch databases).
std::string conninfo_with_database(const std::string& conninfo, const std::string& database);

}  // namespace pgflux
