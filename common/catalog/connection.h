// A libpq connection with RAII results. Connection details come from a
// conninfo string or URL, else DATABASE_URL, else libpq's own PG* variables
// and service files. Messages never include a password.
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

private:
    std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
};

// Removes anything that could be a password (from `conninfo`) from a message.
std::string redact_secrets(std::string message, const std::string& conninfo);

// Quotes a conninfo value for key=value syntax.
std::string conninfo_value(const std::string& value);
// Replaces the database name in a conninfo or URL (for scratch databases).
std::string conninfo_with_database(const std::string& conninfo, const std::string& database);

}  // namespace pgflux
