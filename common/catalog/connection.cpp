// libpq wrappers.
#include "catalog/connection.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/select.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
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

// Signal state: written by the handler, read by the waiting loops.
volatile sig_atomic_t g_signal = 0;      // last signal received
volatile sig_atomic_t g_signal_count = 0;  // signals received so far
int g_wake[2] = {-1, -1};
bool g_cancelled_any = false;            // a signal cancelled a statement                // self-pipe: the handler writes a byte

extern "C" void on_interrupt(int signal) {
    int saved = errno;
    if (!g_signal) g_signal = signal;  // the first one names the interruption
    g_signal_count = g_signal_count + 1;
    if (g_wake[1] >= 0) {
        char byte = 1;
        ssize_t ignored = write(g_wake[1], &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

void drain_wake_pipe() {
    if (g_wake[0] < 0) return;
    char buf[64];
    while (read(g_wake[0], buf, sizeof buf) > 0) {
    }
}

// Waits until `fd` is readable (when >= 0) or a signal arrives or `timeout_ms`
// passes (-1: no timeout). Returns true when fd is readable.
bool wait_readable(int fd, int timeout_ms) {
    fd_set set;
    FD_ZERO(&set);
    int top = -1;
    if (fd >= 0) {
        FD_SET(fd, &set);
        top = fd;
    }
    if (g_wake[0] >= 0) {
        FD_SET(g_wake[0], &set);
        top = std::max(top, g_wake[0]);
    }
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int n = select(top + 1, &set, nullptr, nullptr, timeout_ms < 0 ? nullptr : &tv);
    if (n <= 0) return false;
    if (g_wake[0] >= 0 && FD_ISSET(g_wake[0], &set)) drain_wake_pipe();
    return fd >= 0 && FD_ISSET(fd, &set);
}

}  // namespace

void install_interrupt_handlers() {
    if (g_wake[0] < 0 && pipe(g_wake) == 0) {
        for (int fd : g_wake) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // blocking reads elsewhere (child processes) carry on
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

int interrupted() { return g_signal; }
bool interrupt_cancelled_statement() { return g_cancelled_any; }

std::string interrupt_name() {
    switch (g_signal) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP";
        case 0: return "";
    }
    return "signal " + std::to_string(g_signal);
}

void throw_if_interrupted(const std::string& context) {
    if (g_signal) fail(k_exit_database, "interrupted by " + interrupt_name() + context);
}

bool sleep_interruptibly(int ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!g_signal) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) return true;
        wait_readable(-1, static_cast<int>(left));
    }
    return false;
}

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

Connection::Connection(const std::string& conninfo) : conn_(nullptr, PQfinish), conninfo_(conninfo) {
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

bool Connection::in_transaction() const {
    PGTransactionStatusType status = PQtransactionStatus(conn_.get());
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

PGresult* Connection::run(const std::string& sql, const std::vector<std::string>* params) {
    PGconn* c = conn_.get();
    cancelled_ = false;
    int sent;
    if (params) {
        std::vector<const char*> values;
        for (const auto& p : *params) values.push_back(p.c_str());
        sent = PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                 nullptr, 0);
    } else {
        sent = PQsendQuery(c, sql.c_str());
    }
    if (!sent) {
        sqlstate_ = PQstatus(c) == CONNECTION_BAD ? "08006" : "";
        return nullptr;  // the caller reports PQerrorMessage
    }
    int signals_at_start = g_signal_count;
    bool consumed = true;
    while (consumed && PQisBusy(c)) {
        if (cancel_on_signal_ && g_signal_count != signals_at_start && !cancelled_) {
            // Outside the handler: PQcancel opens its own connection.
            if (PGcancel* cancel = PQgetCancel(c)) {
                char err[256];
                PQcancel(cancel, err, sizeof err);
                PQfreeCancel(cancel);
            }
            cancelled_ = true;
            g_cancelled_any = true;
        }
        wait_readable(PQsocket(c), 1000);  // readable, a signal, or a second passed
        consumed = PQconsumeInput(c) != 0;
    }
    // Every result of the statements sent; keep the first failure, else the last.
    PGresult* kept = nullptr;
    while (PGresult* r = PQgetResult(c)) {
        if (!kept) {
            kept = r;
        } else if (result_error(c, kept)) {
            PQclear(r);
        } else {
            PQclear(kept);
            kept = r;
        }
        if (PQstatus(c) == CONNECTION_BAD) break;
    }
    sqlstate_.clear();
    if (result_error(c, kept)) {
        const char* state = kept ? PQresultErrorField(kept, PG_DIAG_SQLSTATE) : nullptr;
        sqlstate_ = state ? state : (PQstatus(c) == CONNECTION_BAD ? "08006" : "");
    }
    return kept;
}

QueryResult Connection::query(const std::string& sql, const std::vector<std::string>& params) {
    PGresult* raw = run(sql, &params);
    QueryResult result(raw);
    if (auto error = result_error(conn_.get(), raw)) fail(k_exit_database, "database error: " + *error);
    return result;
}

void Connection::exec(const std::string& sql) {
    if (auto error = try_exec(sql)) fail(k_exit_database, "database error: " + *error);
}

std::optional<std::string> Connection::try_exec(const std::string& sql) {
    PGresult* raw = run(sql, nullptr);
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
