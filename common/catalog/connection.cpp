// libpq wrappers.
#include "catalog/connection.h"

#include <cstdlib>
#include <regex>

#include "util/error.h"

namespace pgflux {
namespace {

std::optional<std::string> result_error(PGconn* conn, PGresult* result) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        return std::nullopt;
    if (!result || !PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
        std::string message = PQerrorMessage(conn);
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        return message;
    }
    std::string message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL))
        message += std::string(" (") + detail + ")";
    if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT))
        message += std::string("; hint: ") + hint;
    return message;
}

}  // namespace

int QueryResult::column(const char* name) const {
    int c = PQfnumber(result_.get(), name);
    if (c < 0) throw std::logic_error(std::string("query result has no column ") + name);
    return c;
}

std::optional<std::string> QueryResult::optional_text(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return text(row, column);
}

std::string resolve_conninfo(const std::string& db_option) {
    if (!db_option.empty()) return db_option;
    if (const char* url = std::getenv("DATABASE_URL"); url && *url) return url;
    return "";
}

std::string redact_secrets(std::string message, const std::string& conninfo) {
    // Whatever could be a password: the whole conninfo, a URL's user:password,
    // and every password=... value. libpq may quote a malformed URL whole.
    std::vector<std::string> secrets = {conninfo};
    static const std::regex k_url_password(R"(://[^:/@\s]*:([^@\s]+)@)");
    static const std::regex k_keyword_password(R"(password\s*=\s*('(?:[^'\\]|\\.)*'|\S+))");
    for (const auto* re : {&k_url_password, &k_keyword_password})
        for (std::sregex_iterator it(conninfo.begin(), conninfo.end(), *re), end; it != end; ++it)
            secrets.push_back((*it)[1]);
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at))
            message.replace(at, secret.size(), secret == conninfo ? "(the connection string)" : "***");
    }
    return message;
}

// A connection string or URL libpq cannot parse is a usage error (exit 2),
// not a database one.
void check_conninfo(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options) {
        PQconninfoFree(options);
        return;
    }
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    usage_error("invalid connection string or URL: " + redact_secrets(message, conninfo));
}

Connection::Connection(const std::string& conninfo) : conn_(nullptr, PQfinish) {
    check_conninfo(conninfo);
    conn_.reset(PQconnectdb(conninfo.c_str()));
    if (!conn_) fail(k_exit_database, "cannot connect: out of memory");
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn_.get());
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        // libpq checks option values before connecting: "invalid port number",
        // "invalid sslmode value", "invalid integer value ... for connection option".
        bool bad_value = message.rfind("invalid ", 0) == 0 || message.rfind("could not match ", 0) == 0 ||
                         message.find("failed: invalid integer value \"") != std::string::npos;
        fail(bad_value ? k_exit_usage : k_exit_database,
             std::string(bad_value ? "invalid connection string or URL: " : "cannot connect to the database: ") +
                 redact_secrets(message, conninfo));
    }
    PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
    // Names and texts are UTF-8 whatever the database's encoding or
    // PGCLIENTENCODING, and string literals mean what they say whatever a
    // database or role setting says about backslashes.
    if (PQsetClientEncoding(conn_.get(), "UTF8") != 0)
        fail(k_exit_database, "cannot set client_encoding to UTF8: " + std::string(PQerrorMessage(conn_.get())));
    exec("SET standard_conforming_strings = on");
}

QueryResult Connection::query(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* raw = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    QueryResult result(raw);
    if (auto error = result_error(conn_.get(), raw)) fail(k_exit_database, "database error: " + *error);
    return result;
}

void Connection::exec(const std::string& sql) {
    if (auto error = try_exec(sql)) fail(k_exit_database, "database error: " + *error);
}

std::optional<std::string> Connection::try_exec(const std::string& sql) {
    PGresult* raw = PQexec(conn_.get(), sql.c_str());
    QueryResult result(raw);
    return result_error(conn_.get(), raw);
}

std::string Connection::describe() const {
    std::string host = PQhost(conn_.get()) ? PQhost(conn_.get()) : "";
    std::string out = "database \"" + std::string(PQdb(conn_.get())) + "\"";
    if (!host.empty()) out += " on " + host + ":" + PQport(conn_.get());
    return out + " as " + PQuser(conn_.get());
}

std::string conninfo_value(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string conninfo_with_database(const std::string& conninfo, const std::string& database) {
    // libpq lets a later dbname override an earlier one only in key=value
    // form, so expand the original (URL or not) and rebuild it.
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (!options) {
        std::string message = error ? error : "invalid connection string";
        PQfreemem(error);
        usage_error("invalid connection string: " + redact_secrets(message, conninfo));
    }
    std::string out;
    for (PQconninfoOption* o = options; o->keyword; ++o) {
        if (!o->val || std::string(o->keyword) == "dbname") continue;
        out += std::string(o->keyword) + "=" + conninfo_value(o->val) + " ";
    }
    PQconninfoFree(options);
    return out + "dbname=" + conninfo_value(database);
}

}  // namespace pgflux
