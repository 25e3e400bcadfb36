// Proving plans and replaying migration files in a scratch database.
#include "prove/prove.h"

#include <algorithm>

#include <chrono>
#include <filesystem>
#include <optional>

#include "catalog/catalog.h"
#include "diff/differ.h"
#include "hazards/hazards.h"
#include "sql/parser.h"
#include "tracking/tracking.h"
#include "util/cli.h"
#include "util/error.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

const char* k_bug =
    "Nothing was written. This is a bug of pg-flux, not of your schema: please report it (with the schema "
    "files and the output of `pg-flux drift`). `--no-verify` skips this check.";

// Owners and grants are neither loaded into the scratch database nor
// compared, so their statements are not run there.
bool privilege_statement(const pq::Msg& node) {
    if (node.is("GrantStmt") || node.is("GrantRoleStmt") || node.is("AlterDefaultPrivilegesStmt") ||
        node.is("AlterOwnerStmt"))
        return true;
    if (!node.is("AlterTableStmt")) return false;
    auto cmds = node.list("cmds");
    if (cmds.empty()) return false;
    for (const pq::Msg& cmd : cmds)
        if (cmd.enumeration("subtype") != "AT_ChangeOwner") return false;
    return true;
}

// Statements that act on the cluster, not on the database: never run in a
// scratch database on a real server.
bool cluster_statement(const pq::Msg& node) {
    for (const char* type : {"CreateRoleStmt", "AlterRoleStmt", "AlterRoleSetStmt", "DropRoleStmt", "CreatedbStmt",
                             "DropdbStmt", "AlterDatabaseStmt", "AlterDatabaseSetStmt", "AlterSystemStmt",
                             "CreateTableSpaceStmt", "DropTableSpaceStmt", "AlterTableSpaceOptionsStmt",
                             "ReassignOwnedStmt", "DropOwnedStmt"})
        if (node.is(type)) return true;
    return false;
}

pq::Msg statement_node(const std::shared_ptr<const pq::ParseResult>& parsed) { return parsed->statements().at(0).node; }

struct RunFailure {
    const MigrationStatement* statement = nullptr;  // null: the COMMIT
    std::string error;
};

struct RunCount {
    size_t run = 0, skipped = 0;
};

// Runs a migration file's statements as flux-apply does (apply/apply.cpp):
// the transactional part in one transaction, then each after-commit
// statement in a transaction of its own when PostgreSQL allows it, else on
// its own. Returns the first failure.
std::optional<RunFailure> run_file(Connection& conn, const MigrationFile& file, RunCount& count) {
    conn.exec("RESET check_function_bodies");  // load_model turned it off
    auto fails = [&](const MigrationStatement* s, const std::string& error) {
        if (conn.alive() && conn.in_transaction()) conn.try_exec("ROLLBACK");
        throw_if_interrupted();
        return std::optional<RunFailure>(RunFailure{s, error});
    };
    conn.exec("BEGIN");
    for (const MigrationStatement& s : file.statements) {
        if (s.after_commit) continue;
        auto parsed = pq::ParseResult::parse(s.sql);
        if (privilege_statement(statement_node(parsed))) {
            ++count.skipped;
            continue;
        }
        if (auto error = conn.try_exec(s.sql)) return fails(&s, *error);
        ++count.run;
    }
    if (auto error = conn.try_exec("COMMIT")) return fails(nullptr, *error);
    for (const MigrationStatement& s : file.statements) {
        if (!s.after_commit) continue;
        auto parsed = pq::ParseResult::parse(s.sql);
        pq::Msg node = statement_node(parsed);
        if (privilege_statement(node)) {
            ++count.skipped;
            continue;
        }
        ++count.run;
        if (!forbidden_in_transaction(node)) {
            conn.exec("BEGIN");
            auto error = conn.try_exec(s.sql);
            if (!error) error = conn.try_exec("COMMIT");
            if (!error) continue;
            bool not_in_block = conn.last_sqlstate() == "25001";
            if (!not_in_block) return fails(&s, *error);
            conn.try_exec("ROLLBACK");
        }
        if (auto error = conn.try_exec(s.sql)) return fails(&s, *error);
    }
    return std::nullopt;
}

void refuse_cluster_statements(const MigrationFile& file, const std::string& what) {
    for (const MigrationStatement& s : file.statements) {
        auto parsed = pq::ParseResult::parse(s.sql);
        if (cluster_statement(statement_node(parsed)))
            fail(k_exit_refused, file.path + ":" + std::to_string(s.line) + ": " + what +
                                     ": the statement acts on the whole cluster (roles, databases, tablespaces, "
                                     "server settings), which a shadow database cannot try out");
    }
}

// The live model loaded into the scratch database; a failure is pg-flux's.
void load_state(Connection& conn, const Model& state, bool throwaway, const std::string& what) {
    if (throwaway) create_named_roles(conn, state);
    try {
        load_model(conn, state);
    } catch (const Error& e) {
        if (interrupted()) throw;
        fail(k_exit_internal, "cannot " + what + ": the current schema does not load into a shadow database: " +
                                  std::string(e.what()) + "\nThis is a bug of pg-flux: please report it.");
    }
}

using Clock = std::chrono::steady_clock;

}  // namespace

ProofResult prove_plan(const Plan& plan, const Model& live, const Model& desired, const ShadowChoice& choice,
                       const std::string& tool) {
    auto start = Clock::now();
    ProofResult result;
    // The very statements, phases and session settings of the file
    // flux-track would write for this plan.
    MigrationFile file = read_migration_text(render_migration(plan, "proof"), "the plan");
    refuse_cluster_statements(file, "cannot prove the plan");
    std::optional<RunFailure> failure;
    Plan remaining;
    RunCount count;
    DiffOptions compare;
    compare.privileges = false;  // owners and grants are not loaded
    // Default privileges are not loaded either: compared as they are live.
    auto without_default_privileges = [&](Model model) {
        for (auto it = model.objects.begin(); it != model.objects.end();)
            it = it->first.kind == Kind::default_privilege ? model.objects.erase(it) : std::next(it);
        for (const auto& [id, object] : live.objects)
            if (id.kind == Kind::default_privilege) model.add(object);
        return model;
    };
    if (plan.steps.empty()) {
        // Nothing to run: the live model itself must match.
        remaining = diff_models(live, without_default_privileges(desired), compare);
        result.proven = true;
    } else result.proven = with_scratch_database(choice, tool, [&](Connection& conn, bool throwaway) {
        if (throwaway) create_named_roles(conn, desired);
        load_state(conn, live, throwaway, "prove the plan");
        note(tool, "loaded the live schema (" + std::to_string(live.objects.size()) +
                       " objects); running the plan's " + std::to_string(plan.steps.size()) + " statements");
        failure = run_file(conn, file, count);
        if (failure) return;
        Model after = read_catalog(conn);
        after.source = live.source;
        remaining = diff_models(without_default_privileges(after), without_default_privileges(desired), compare);
    });
    result.statements = count.run;
    result.skipped = count.skipped;
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    if (!result.proven) return result;
    if (failure) {
        std::string what = "its COMMIT";
        if (failure->statement) {
            // Statement k of the file is step k of the plan (the file's own
            // SET LOCAL check_function_bodies aside).
            size_t k = 0;
            const Step* step = nullptr;
            for (const MigrationStatement& s : file.statements) {
                if (s.sql == "SET LOCAL check_function_bodies = off") {
                    if (&s == failure->statement) break;
                    continue;
                }
                if (&s == failure->statement) {
                    if (k < plan.steps.size()) step = &plan.steps[k];
                    break;
                }
                ++k;
            }
            what = "statement " + std::to_string(k + 1) + " of " + std::to_string(plan.steps.size());
            if (step) what += " (" + one_line(step->summary) + ")";
            what += ":\n  " + one_line(failure->statement->sql) + ";";
        }
        fail(k_exit_internal, "the plan fails in a shadow database loaded with the live schema: " + what +
                                  "\nPostgreSQL: " + one_line(failure->error) + "\n" + k_bug);
    }
    // Default privileges are not loaded into the shadow (like owners and
    // grants), so what remains of them proves nothing.
    remaining.steps.erase(std::remove_if(remaining.steps.begin(), remaining.steps.end(),
                                         [](const Step& s) { return s.object.kind == Kind::default_privilege; }),
                          remaining.steps.end());
    if (!remaining.steps.empty()) {
        std::string lines;
        size_t shown = 0;
        for (const Step& s : remaining.steps) {
            if (++shown > 20) {
                lines += "\n  ... and " + std::to_string(remaining.steps.size() - 20) + " more";
                break;
            }
            lines += "\n  " + one_line(s.summary);
        }
        std::string ran = plan.steps.empty()
                              ? "the plan has no statements, but "
                              : "after the plan's " + std::to_string(result.statements) +
                                    (result.statements == 1 ? " statement ran" : " statements ran") +
                                    " in a shadow database loaded with the live schema, ";
        fail(k_exit_internal, "the plan does not reach the schema: " + ran +
                                  std::to_string(remaining.steps.size()) +
                                  (remaining.steps.size() == 1 ? " difference remains:" : " differences remain:") +
                                  lines + "\n" + k_bug);
    }
    return result;
}

Model replay_migration(const MigrationFile& file, const Model& state, const ShadowChoice& choice,
                       const std::string& tool) {
    refuse_cluster_statements(file, "cannot replay " + file.name);
    Model out;
    bool used = with_scratch_database(choice, tool, [&](Connection& conn, bool throwaway) {
        load_state(conn, state, throwaway, "replay " + file.name);
        RunCount count;
        auto failure = run_file(conn, file, count);
        if (failure) {
            std::string where = failure->statement
                                    ? file.path + ":" + std::to_string(failure->statement->line) + ": " +
                                          one_line(failure->statement->sql) + ";"
                                    : file.path + ": its COMMIT";
            fail(k_exit_refused, where + "\nconflicts with the changes made to the database since " + file.name +
                                     " was generated: " + one_line(failure->error));
        }
        note(tool, "replayed " + file.name + " (" + std::to_string(count.run) + " statements)");
        out = read_catalog(conn);
    });
    if (!used)
        fail(k_exit_database, "cannot replay " + file.name +
                                  ": no shadow database available (the role may not create databases and no local "
                                  "PostgreSQL binaries are installed); pass --shadow-db URL");
    // Owners and grants: as they were; new objects belong to the role that
    // applies migrations. Default privileges were not loaded: as they were.
    std::string role = state.source.value("role", "");
    for (auto& [id, object] : out.objects) {
        const Object* before = state.find(id);
        for (const char* key : {"owner", "acl", "column_acl"}) {
            bool had = object.attrs.contains(key);
            if (before) {
                object.attrs.erase(key);
                if (before->attrs.contains(key)) object.attrs[key] = before->attrs[key];
            } else if (had && std::string(key) == "owner" && !role.empty()) {
                object.attrs[key] = role;
            }
        }
    }
    for (const auto& [id, object] : state.objects)
        if (id.kind == Kind::default_privilege && !out.find(id)) out.add(object);
    out.source = state.source;
    return out;
}

std::vector<PendingFile> pending_files(Connection& conn, const std::string& dir, const std::string& live_hash) {
    migration_paths(dir);  // a missing directory is an error
    std::vector<PendingFile> out;
    std::string expected = live_hash;
    bool stale = false;
    for (const StatusEntry& e : migration_status(conn, dir)) {
        if (e.state == FileState::incomplete) {
            PendingFile f;
            f.name = e.name;
            f.incomplete = true;
            out.push_back(f);
            expected = e.row->target_hash;
            continue;
        }
        if (e.state != FileState::pending) continue;
        MigrationFile file = read_migration((fs::path(dir) / e.name).string());
        // Applied by hand (the state is already its target): not stale;
        // apply records it.
        if (!stale && !file.target.empty() && file.target == expected && file.baseline != expected) {
            out.push_back({e.name, false, false});
            continue;
        }
        // A file without a baseline (written by hand) cannot be judged.
        if (!file.baseline.empty() && !expected.empty() && file.baseline != expected) stale = true;
        out.push_back({e.name, stale, false});
        expected = file.target;
    }
    return out;
}

}  // namespace pgflux
