// Shadow database lifecycle: create (temporary database or throwaway local
// cluster), load the parsed model, snapshot, overlay, and always clean up.
#include "shadow/shadow.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <optional>
#include <random>

#include "canon/routines.h"
#include "catalog/catalog.h"
#include "sql/parser.h"
#include "catalog/connection.h"
#include "diff/differ.h"
#include "privileges/privileges.h"
#include "sql/quote.h"
#include "util/cli.h"
#include "util/error.h"
#include "util/text.h"
#include "util/progress.h"
#include "util/process.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

std::string random_suffix() {
    std::random_device rd;
    std::uniform_int_distribution<uint64_t> dist;
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(dist(rd)));
    return std::string(buf).substr(0, 12);
}

bool may_create_database(Connection& conn) {
    QueryResult r = conn.query(
        "SELECT rolsuper OR rolcreatedb FROM pg_catalog.pg_roles WHERE rolname = current_user");
    return r.rows() == 1 && r.text(0, 0) == "t";
}

// Shadows are named after the process that made them and its host:
// pgflux_shadow_<host>_<pid>_<random> (databases), pgflux-shadow-<host>-<pid>-<random>
// (local cluster directories), <host> a short hash of the host name. A run
// removes those that a dead process on its own host left behind (a kill -9
// leaves no chance to clean up): a pid that no longer exists there
// (kill(pid, 0) fails with ESRCH) cannot be using them.
std::string host_tag() {
    char name[256] = {0};
    gethostname(name, sizeof name - 1);
    uint32_t hash = 2166136261u;  // FNV-1a
    for (const char* p = name; *p; ++p) hash = (hash ^ static_cast<unsigned char>(*p)) * 16777619u;
    char buf[9];
    snprintf(buf, sizeof buf, "%08x", hash);
    return buf;
}

bool process_gone(const std::string& pid_text) {
    if (pid_text.empty() || pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos)
        return false;
    pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    return pid > 0 && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH;
}

// The pid in "<prefix><host>_<pid>_<random>" when <host> is this host's tag.
std::string pid_of(const std::string& name, const std::string& prefix, char separator) {
    std::string head = prefix + host_tag() + separator;
    if (name.rfind(head, 0) != 0) return "";
    size_t end = name.find(separator, head.size());
    return end == std::string::npos ? "" : name.substr(head.size(), end - head.size());
}

// Drops shadow databases left by dead processes of this host that nobody is
// connected to (best effort: a failure leaves them for the next run).
void remove_stale_databases(Connection& admin, const std::string& tool) {
    QueryResult r = admin.query(
        "SELECT d.datname FROM pg_catalog.pg_database d WHERE d.datname LIKE $1 "
        "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datid = d.oid)",
        {"pgflux\\_shadow\\_" + host_tag() + "\\_%"});
    for (int i = 0; i < r.rows(); ++i) {
        std::string name = r.text(i, 0);
        if (!process_gone(pid_of(name, "pgflux_shadow_", '_'))) continue;
        if (!admin.try_exec("DROP DATABASE IF EXISTS " + quote_ident(name)))
            note(tool, "removed shadow database " + name + " left by a process that no longer exists");
    }
}

// How CREATE DATABASE copies the template for a scratch database. WAL_LOG
// (PostgreSQL 15's default) writes it through the WAL; FILE_COPY copies its
// files after a forced checkpoint: about five times faster on a small, idle
// server (24 ms against 120 ms a shadow here), but a checkpoint forced on a
// busy production server is an I/O burst. So FILE_COPY on a throwaway local
// cluster, or when PGFLUX_SHADOW_STRATEGY=file_copy says the server is a CI
// or development one; WAL_LOG otherwise.
std::string create_strategy(bool throwaway_cluster) {
    const char* env = std::getenv("PGFLUX_SHADOW_STRATEGY");
    std::string chosen = env ? env : "";
    if (!chosen.empty() && chosen != "wal_log" && chosen != "file_copy")
        usage_error("PGFLUX_SHADOW_STRATEGY must be wal_log or file_copy (got \"" + one_line(chosen) + "\")");
    return throwaway_cluster || chosen == "file_copy" ? "FILE_COPY" : "WAL_LOG";
}

// A temporary database on a server; dropped when this goes out of scope.
class ScratchDatabase {
public:
    // The scratch database copies the encoding and locale of the database
    // `server_conninfo` names, so collations and encodings behave the same.
    ScratchDatabase(const std::string& server_conninfo, const std::string& tool, bool throwaway_cluster)
        : admin_(server_conninfo) {
        admin_.cancel_on_signal(false);  // its statements are short, and the DROP must run
        remove_stale_databases(admin_, tool);
        name_ = "pgflux_shadow_" + host_tag() + "_" + std::to_string(getpid()) + "_" + random_suffix();
        QueryResult r = admin_.query(
            "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype, datlocprovider, daticulocale "
            "FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()");
        std::string sql = "CREATE DATABASE " + name_ + " TEMPLATE template0 STRATEGY " + create_strategy(throwaway_cluster);
        if (r.rows() == 1) {
            sql += " ENCODING " + quote_literal(r.text(0, 0)) + " LC_COLLATE " + quote_literal(r.text(0, 1)) +
                   " LC_CTYPE " + quote_literal(r.text(0, 2));
            if (r.text(0, 3) == "i") sql += " LOCALE_PROVIDER icu ICU_LOCALE " + quote_literal(r.text(0, 4));
        }
        admin_.exec(sql);
        conninfo_ = conninfo_with_database(server_conninfo, name_);
    }
    ~ScratchDatabase() { admin_.try_exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
    const std::string& conninfo() const { return conninfo_; }

private:
    Connection admin_;
    std::string name_, conninfo_;
};

// A throwaway cluster started with scripts/pgflux-cluster; destroyed after use.
class LocalCluster {
public:
    explicit LocalCluster(const std::string& tool) {
        script_ = sibling_path("pgflux-cluster");
        if (script_.empty()) fail(k_exit_database, "pgflux-cluster not found next to the tools or on PATH");
        remove_stale_clusters(tool);
        dir_ = (fs::temp_directory_path() /
                ("pgflux-shadow-" + host_tag() + "-" + std::to_string(getpid()) + "-" + random_suffix()))
                   .string();
        ProcessResult r = run_process(script_, {"start", dir_, "--fast"});
        if (r.exit_code != 0) fail(k_exit_database, "cannot start a local shadow cluster: " + r.err);
        url_ = r.out.substr(0, r.out.find('\n'));
    }
    ~LocalCluster() { run_process(script_, {"destroy", dir_}); }
    const std::string& url() const { return url_; }

private:
    // Destroys throwaway clusters (stopping their server) that dead processes
    // of this host and user left in the temporary directory.
    void remove_stale_clusters(const std::string& tool) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
            std::string name = entry.path().filename().string();
            struct stat st;
            if (lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) continue;
            if (!process_gone(pid_of(name, "pgflux-shadow-", '-'))) continue;
            if (run_process(script_, {"destroy", entry.path().string()}).exit_code == 0)
                note(tool, "removed local shadow cluster " + entry.path().string() + " left by a process that no longer exists");
        }
    }

    std::string script_, dir_, url_;
};

// The places pgflux-cluster looks for initdb.
bool have_local_binaries() {
    if (const char* bin = std::getenv("PG_BIN"); bin && *bin) return access((std::string(bin) + "/initdb").c_str(), X_OK) == 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
        if (access((entry.path() / "bin" / "initdb").c_str(), X_OK) == 0) return true;
    return !sibling_path("initdb").empty();
}

// Runs the plan that creates `parsed` from nothing, one round trip per chunk
// of statements (a scratch database needs no atomicity, and one transaction
// for a large schema would exhaust the server's lock table). When a chunk
// fails, its statements run one at a time to name the object and source
// location PostgreSQL rejects.
void load_parsed(Connection& conn, const Model& parsed) {
    constexpr size_t k_chunk = 200;
    conn.exec("SET check_function_bodies = off");  // bodies may name what comes later, as in migrations
    Model empty;
    DiffOptions options;
    options.privileges = false;  // owners and grants do not change canonical forms
    Plan plan = diff_models(empty, parsed, options);
    for (size_t first = 0; first < plan.steps.size(); first += k_chunk) {
        size_t last = std::min(first + k_chunk, plan.steps.size());
        show_progress("loading the shadow database: statement " + std::to_string(first + 1) + " of " +
                      std::to_string(plan.steps.size()));
        std::string script = "BEGIN;\n";
        for (size_t i = first; i < last; ++i) script += plan.steps[i].sql + "\n";
        if (!conn.try_exec(script + "COMMIT;")) continue;
        conn.try_exec("ROLLBACK");
        throw_if_interrupted();
        conn.exec("BEGIN");
        for (size_t i = first; i < last; ++i) {
            const Step& step = plan.steps[i];
            if (auto error = conn.try_exec(step.sql)) {
                conn.try_exec("ROLLBACK");
                throw_if_interrupted();
                const Object* object = parsed.find(step.object);
                std::string where = object && object->location ? object->location->text() + ": " : "";
                usage_error(where + step.object.describe() + ": PostgreSQL rejects it: " + *error);
            }
        }
        conn.try_exec("ROLLBACK");
        fail(k_exit_internal, "the shadow database rejected the schema, but no single statement failed");
    }
    clear_progress();
}

// The schema was loaded with check_function_bodies off (a body may name what
// comes later): now that everything exists, each SQL and plpgsql body is
// checked as CREATE FUNCTION would check it, and a body PostgreSQL rejects is
// an error at the function's source location. SQL functions with their own
// SET search_path are left out: the check would not use that path.
void check_bodies(Connection& conn, const Model& parsed) {
    conn.exec("SET check_function_bodies = on");
    QueryResult r = conn.query(
        "SELECT p.oid, pg_catalog.pg_get_functiondef(p.oid) AS def, l.lanvalidator::pg_catalog.regproc::text AS validator "
        "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
        "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL AND " +
        catalog::user_schema_filter() + " AND " + catalog::not_extension_member("pg_proc", "p.oid") +
        " AND NOT (l.lanname = 'sql' AND EXISTS "
        "(SELECT 1 FROM pg_catalog.unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%'))");
    for (int i = 0; i < r.rows(); ++i) {
        auto error = conn.try_exec("SELECT " + r.text(i, 2) + "(" + r.text(i, 0) + ")");
        if (!error) continue;
        throw_if_interrupted();
        auto parsed_def = pq::ParseResult::parse(r.text(i, 1));
        const pq::Msg& node = parsed_def->statements().at(0).node;
        RoutineDefinition d = function_definition(node, catalog_scope());
        auto names = node.strings("funcname");
        ObjectId id{node.flag("is_procedure") ? Kind::procedure : Kind::function, names.at(0), names.back(), "", d.signature};
        const Object* object = parsed.find(id);
        std::string where = object && object->location ? object->location->text() + ": " : "";
        usage_error(where + "the body of " + id.describe() + " is not valid: " + *error);
    }
}

Model overlay(Model parsed, const Model& shadow, const std::string& tool) {
    Model out = std::move(parsed);
    for (auto& [id, object] : out.objects) {
        if (id.kind == Kind::default_privilege) continue;  // not loaded (see load_parsed)
        const Object* s = shadow.find(id);
        if (!s) {
            warn(tool, "the shadow database has no " + id.describe() + "; keeping the parsed form");
            continue;
        }
        json attrs = s->attrs;
        // Owners and privileges are the source's (the shadow's are its own role's).
        for (const char* key : {"owner", "acl", "column_acl"}) {
            attrs.erase(key);
            if (object.attrs.contains(key)) attrs[key] = object.attrs[key];
        }
        // An extension version the source does not pin stays unpinned in the
        // DDL form; attrs record what CREATE EXTENSION installs.
        if (attrs != object.attrs && object.ddl.is_null()) object.ddl = object.attrs;
        object.attrs = attrs;
        // PostgreSQL's own dependencies (pg_depend), with their columns.
        for (const Dependency& dep : s->depends_on) object.depend_on(dep);
    }
    for (const auto& [id, object] : shadow.objects)
        if (!out.find(id)) warn(tool, "the shadow database has an extra " + id.describe() + " (ignored)");
    return out;
}

}  // namespace

ShadowChoice shadow_choice(const std::string& option, const std::string& target_conninfo) {
    ShadowChoice c;
    if (option.empty() || option == "none") c.mode = "none";
    else if (option == "local") c.mode = "local";
    else if (option == "auto") {
        c.mode = "auto";
        c.target_db = target_conninfo;
    } else {
        c.mode = "url";
        c.url = option;
    }
    return c;
}

namespace {

// Runs `work` with the server the choice resolves to: its conninfo, the words
// for it, and whether it is a throwaway local cluster. False when none.
bool on_shadow_server(const ShadowChoice& choice, const std::string& tool,
                      const std::function<void(const std::string&, const std::string&, bool)>& work) {
    if (choice.mode == "url") {
        work(choice.url, "temporary database on the given server", false);
        return true;
    }
    if (choice.mode == "local") {
        LocalCluster cluster(tool);
        work(cluster.url(), "throwaway local cluster", true);
        return true;
    }
    if (choice.mode != "auto") return false;
    bool on_target = false;
    try {
        Connection conn(choice.target_db);
        on_target = may_create_database(conn);
    } catch (const Error&) {
        on_target = false;
    }
    if (on_target) {
        work(choice.target_db, "temporary database on the target server", false);
        return true;
    }
    if (!have_local_binaries()) return false;
    LocalCluster cluster(tool);
    work(cluster.url(), "throwaway local cluster", true);
    return true;
}

// A session on a scratch database of the chosen server, dropped afterwards
// (also when a signal interrupts the work). False when the choice is none.
bool scratch_session(const ShadowChoice& choice, const std::string& tool,
                     const std::function<void(Connection&, const std::string& label, bool throwaway)>& work) {
    try {
        return on_shadow_server(choice, tool, [&](const std::string& server, const std::string& label, bool throwaway) {
            throw_if_interrupted();
            ScratchDatabase scratch(server, tool, throwaway);
            Connection conn(scratch.conninfo());
            // Should this process die (kill -9), its backend stops within a second.
            conn.try_exec("SET client_connection_check_interval = 1000");
            throw_if_interrupted();
            work(conn, label, throwaway);
        });
    } catch (const Error&) {
        // The shadow database or cluster is gone by now (destructors).
        if (interrupted())
            fail(k_exit_database, "interrupted by " + interrupt_name() + "; the shadow database was removed");
        throw;
    }
}

}  // namespace

namespace {

std::string server_identity(const std::string& conninfo) {
    Connection conn(conninfo);
    QueryResult r = conn.query(
        "SELECT current_setting('server_version_num'), pg_encoding_to_char(encoding), datcollate, datctype, "
        "(SELECT string_agg(name || ' ' || coalesce(default_version, ''), ',' ORDER BY name) "
        "FROM pg_catalog.pg_available_extensions) "
        "FROM pg_catalog.pg_database WHERE datname = 'template0'");
    std::string out = "server";
    for (int c = 0; c < 5; ++c) out += "\n" + (r.rows() == 1 ? r.text(0, c) : std::string());
    return out;
}

// The postgres binaries pgflux-cluster may choose from: path, size, time.
std::string local_identity() {
    std::vector<std::string> candidates;
    if (const char* bin = std::getenv("PG_BIN"); bin && *bin) candidates.push_back(std::string(bin) + "/postgres");
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
        candidates.push_back((entry.path() / "bin" / "postgres").string());
    std::string sibling = sibling_path("postgres");
    if (!sibling.empty()) candidates.push_back(sibling);
    std::sort(candidates.begin(), candidates.end());
    std::string out = "local";
    for (const auto& path : candidates) {
        struct stat st;
        if (stat(path.c_str(), &st) != 0) continue;
        out += "\n" + path + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
               std::to_string(st.st_mtim.tv_nsec);
    }
    return out;
}

}  // namespace

std::string shadow_identity(const ShadowChoice& choice) {
    if (choice.mode == "url") return server_identity(choice.url);
    if (choice.mode == "local") return local_identity();
    if (choice.mode != "auto") return "none";
    // As on_shadow_server decides.
    try {
        Connection conn(choice.target_db);
        if (may_create_database(conn)) return server_identity(choice.target_db);
    } catch (const Error&) {
    }
    return have_local_binaries() ? local_identity() : "none";
}

Model apply_shadow(Model parsed, const ShadowChoice& choice, const std::string& tool) {
    std::optional<Model> out;
    bool used = scratch_session(choice, tool, [&](Connection& conn, const std::string& label, bool throwaway) {
        note(tool, "loading the schema into a shadow database (" + label + ")");
        if (throwaway) create_named_roles(conn, parsed);
        load_parsed(conn, parsed);
        check_bodies(conn, parsed);
        Model shadow = read_catalog(conn);
        out = overlay(std::move(parsed), shadow, tool);
        out->source["canonical"] = "shadow";
        out->source["shadow"] = label;
        // Canonical forms are the shadow server's: compared with a database of
        // another major version they may differ (flux-diff refuses that).
        out->source["server_version"] = conn.server_version();
    });
    if (used) return std::move(*out);
    if (choice.mode == "auto")
        warn(tool, "no shadow database available (the role may not create databases and no local "
                   "PostgreSQL binaries are installed); expressions are compared without one");
    Model plain = std::move(parsed);
    plain.source["canonical"] = "parsed";
    return plain;
}

bool with_scratch_database(const ShadowChoice& choice, const std::string& tool,
                           const std::function<void(Connection& conn, bool throwaway_cluster)>& work) {
    return scratch_session(choice, tool, [&](Connection& conn, const std::string& label, bool throwaway) {
        note(tool, "using a shadow database (" + label + ")");
        work(conn, throwaway);
    });
}

void load_model(Connection& conn, const Model& model) { load_parsed(conn, model); }

void check_shadow_option(const std::string& option) {
    if (option == "none" || option == "local" || option == "auto") return;
    // Else a server: a URL or a key=value connection string.
    if (option.rfind("postgres://", 0) != 0 && option.rfind("postgresql://", 0) != 0 &&
        option.find('=') == std::string::npos)
        usage_error("--shadow-db must be none, local, auto, or a connection URL or string");
    check_conninfo(option);
}

// The roles the schema names (policies; owners and grantees are not loaded):
// a throwaway cluster has none of the target's, so they are created there,
// without login. (On a real server roles are cluster-wide and never created.)
void create_named_roles(Connection& conn, const Model& model) {
    for (const auto& [role, object] : roles_named(model))
        conn.try_exec("CREATE ROLE " + quote_ident(role) + " NOLOGIN");
}

}  // namespace pgflux
