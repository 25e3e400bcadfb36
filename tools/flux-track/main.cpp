// flux-track: the _pgflux.migrations table and migration files: status,
// writing a new migration from a plan, baseline (adoption) and repair.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/connection.h"
#include "config/config.h"
#include "diff/plan.h"
#include "migrations/dump.h"
#include "migrations/migration_file.h"
#include "migrations/plan_text.h"
#include "migrations/undo.h"
#include "model/model_json.h"
#include "pgflux/version.h"
#include "prove/prove.h"
#include "sql/quote.h"
#include "tracking/tracking.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"
#include "util/style.h"
#include "util/text.h"

using namespace pgflux;
namespace fs = std::filesystem;

namespace {

// A migration file name is YYYYMMDD_HHMMSS_<label>.sql; file names stay
// well under the usual 255-byte limit.
constexpr size_t k_max_label = 100;

std::string utc_now(const char* format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

// "2026-05-20T10:33:01Z" (the tracking row, as JSON has it) as status
// lines show it: "2026-05-20 10:33:01" (UTC).
std::string plain_time(std::string iso) {
    if (iso.size() == 20 && iso[10] == 'T' && iso.back() == 'Z') {
        iso[10] = ' ';
        iso.pop_back();
    }
    return iso;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

// The problems and advice status shows for a file, each in capitals first.
// `problem` tells whether any of them makes status exit 1.
std::vector<std::string> status_flags(const StatusEntry& e, const std::string& newest_applied, bool& problem) {
    std::vector<std::string> flags;
    auto add = [&](const std::string& flag, bool is_problem) {
        flags.push_back(flag);
        problem = problem || is_problem;
    };
    switch (e.state) {
        case FileState::changed:
            add("CHANGED since it was applied (checksum differs): restore it, or record an edit of comments or "
                "formatting with `pg-flux migrate repair`",
                true);
            break;
        case FileState::missing: add("MISSING: the file is gone; restore it from version control", true); break;
        case FileState::incomplete:
            add("INCOMPLETE: after-commit " + std::to_string(e.row->after_commit_done) + " of " +
                    std::to_string(e.row->after_commit_total) + " done; run migrate apply to resume",
                true);
            break;
        case FileState::pending:
        case FileState::applied: break;
    }
    if (!e.file_error.empty())
        add("UNREADABLE: " + one_line(e.file_error) + "; migrate apply refuses the file", true);
    if (e.out_of_order)
        add("OUT OF ORDER: sorts before " + one_line(newest_applied) +
                ", which is applied; migrate apply refuses it unless --out-of-order",
            true);
    if (e.applied_by_hand)
        add("APPLIED BY HAND: the database already matches its target (applied by hand?); migrate apply records it",
            false);
    if (e.stale) add("STALE: generated against another database state; run `pg-flux migrate rebase`", true);
    return flags;
}

std::string status_line(const StatusEntry& e, const std::vector<std::string>& flags) {
    std::string out = one_line(e.name) + " ";
    out += e.row ? "applied " + plain_time(e.row->applied_at) : "pending";
    for (const auto& flag : flags) out += "  " + flag;
    return out;
}

// "INVALID INDEX s.i on s.t: ..." and whether it is a problem.
std::string invalid_index_line(const InvalidIndex& index, bool& problem) {
    std::string out = "INVALID INDEX " + one_line(qualified_name(index.schema, index.name)) + " on " +
                      one_line(qualified_name(index.table_schema, index.table)) + ": ";
    if (!index.building_pid.empty())
        return out + "being built by backend " + index.building_pid + " (a concurrent build in progress)";
    problem = true;
    out += "left by an interrupted concurrent build; ";
    if (!index.incomplete_file.empty())
        return out + "the next migrate apply rebuilds it (resuming " + one_line(index.incomplete_file) + ")";
    return out + "`pg-flux migrate generate` writes a migration that rebuilds it";
}

// The live state hash, or "" (with a warning) when the live schema cannot be
// read: then status flags nothing that depends on it.
std::string live_state_hash(Connection& conn) {
    try {
        return read_catalog(conn).state_hash();
    } catch (const Error& error) {
        if (error.code == k_exit_database && !conn.alive()) throw;
        std::cerr << "flux-track: warning: cannot read the live schema (" << one_line(error.what())
                  << "); files applied by hand and stale files are not recognised\n";
        return "";
    }
}

int status(Connection& conn, const std::string& dir, const std::string& format) {
    auto entries = migration_status(conn, dir);
    std::string live_hash = live_state_hash(conn);
    assess_files(entries, dir, live_hash);
    std::string newest_applied;
    for (const auto& e : entries)
        if (e.row) newest_applied = e.name;
    int problems = 0;
    json files = json::array();
    for (const auto& e : entries) {
        bool problem = false;
        auto flags = status_flags(e, newest_applied, problem);
        problems += problem;
        json f = {{"name", e.name},
                  {"state", file_state_name(e.state)},
                  {"out_of_order", e.out_of_order},
                  {"applied_by_hand", e.applied_by_hand},
                  {"stale", e.stale},
                  {"problem", problem}};
        if (!e.baseline.empty()) f["baseline"] = e.baseline;
        if (!e.target.empty()) f["target"] = e.target;
        if (!e.file_error.empty()) f["file_error"] = e.file_error;
        if (e.row) {
            f["applied_at"] = e.row->applied_at;
            f["applied_by"] = e.row->applied_by;
            f["checksum"] = e.row->checksum;
            f["after_commit_done"] = e.row->after_commit_done;
            f["after_commit_total"] = e.row->after_commit_total;
            if (!e.row->baseline_hash.empty()) f["recorded_baseline"] = e.row->baseline_hash;
            if (!e.row->target_hash.empty()) f["recorded_target"] = e.row->target_hash;
            if (!e.row->statements_hash.empty()) f["statements_hash"] = e.row->statements_hash;
            if (!e.row->note.empty()) f["note"] = e.row->note;
        }
        if (!e.file_checksum.empty()) f["file_checksum"] = e.file_checksum;
        files.push_back(f);
        if (format == "text") std::cout << status_line(e, flags) << "\n";
    }
    if (format == "text" && entries.empty()) std::cout << "no migrations in " << one_line(dir) << "\n";
    json indexes = json::array();
    for (const InvalidIndex& index : invalid_indexes(conn, entries, dir)) {
        bool problem = false;
        std::string line = invalid_index_line(index, problem);
        problems += problem;
        json i = {{"schema", index.schema}, {"name", index.name}, {"table_schema", index.table_schema},
                  {"table", index.table}, {"problem", problem}};
        if (!index.building_pid.empty()) i["building_pid"] = std::stoll(index.building_pid);
        else i["rebuilt_by"] = index.incomplete_file.empty() ? "migrate generate" : "migrate apply";
        if (!index.incomplete_file.empty()) i["incomplete_file"] = index.incomplete_file;
        indexes.push_back(i);
        if (format == "text") std::cout << line << "\n";
    }
    if (format == "json") {
        json doc = document_envelope(k_format_status, "flux-track");
        doc["migrations_dir"] = dir;
        doc["live_hash"] = live_hash.empty() ? json(nullptr) : json(live_hash);
        doc["migrations"] = files;
        doc["invalid_indexes"] = indexes;
        doc["problems"] = problems;
        write_document(doc);
    }
    return problems > 0 ? k_exit_differences : k_exit_ok;
}

// flux-track new refuses while files are pending or incomplete: a new file
// would repeat their changes. The refusal says what to do about each.
void check_nothing_pending(Connection& conn, const std::string& dir) {
    auto entries = migration_status(conn, dir);
    bool any = false;
    for (const auto& e : entries) any = any || e.state == FileState::pending || e.state == FileState::incomplete;
    if (!any) return;
    assess_files(entries, dir, read_catalog(conn).state_hash());
    std::vector<std::string> stale, by_hand, pending;
    for (const auto& e : entries) {
        if (e.state == FileState::pending && e.stale) stale.push_back(one_line(e.name));
        else if (e.state == FileState::pending && e.applied_by_hand) by_hand.push_back(one_line(e.name));
        else if (e.state == FileState::pending || e.state == FileState::incomplete) pending.push_back(one_line(e.name));
    }
    std::vector<std::string> reasons;
    if (!stale.empty())
        reasons.push_back(join(stale, ", ") + (stale.size() == 1 ? " was" : " were") +
                          " generated against another database state (the baseline hash is neither the live state "
                          "nor the target of the file before). Run `pg-flux migrate rebase` to generate " +
                          (stale.size() == 1 ? "it" : "them") + " again on top of the current database.");
    if (!by_hand.empty())
        reasons.push_back(join(by_hand, ", ") + (by_hand.size() == 1 ? " is" : " are") +
                          " applied by hand already (the database matches the target hash). Run `pg-flux migrate "
                          "apply` to record " + (by_hand.size() == 1 ? "it." : "them."));
    if (!pending.empty())
        reasons.push_back(std::string(reasons.empty() ? "m" : "M") + "igrations not applied yet: " + join(pending, " ") +
                          ". Apply them first (pg-flux migrate apply) or remove them; a new migration would repeat "
                          "their changes.");
    fail(k_exit_refused, "refusing to generate: " + join(reasons, " "));
}

// The hazards of a plan's steps: {code, summary, message} each, and the codes.
json hazard_list(const Plan& plan, std::set<std::string>& codes) {
    json out = json::array();
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.hazards) {
            codes.insert(h.code);
            out.push_back({{"code", h.code}, {"summary", s.summary}, {"message", h.message}});
        }
    return out;
}

size_t after_commit_count(const Plan& plan) {
    return std::count_if(plan.steps.begin(), plan.steps.end(),
                         [](const Step& s) { return s.phase == k_phase_after_commit; });
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) fail(k_exit_database, "cannot write \"" + path + "\"");
}

// undo_input: the classified reverse plan (flux-diff --reverse | flux-hazards),
// written as NAME.undo.sql beside the new file; "" for none.
int write_new(const std::string& input, const std::string& dir, const std::string& label, const std::string& db,
              bool offline, const std::string& format, const std::string& undo_input) {
    Plan plan = plan_from_document(read_document(input, k_format_plan), input == "-" ? "standard input" : input);
    if (!plan.classified) usage_error("the plan has not been classified; pipe it through flux-hazards first");
    std::optional<Plan> undo;
    if (!undo_input.empty()) {
        undo = plan_from_document(read_document(undo_input, k_format_plan), undo_input);
        if (!undo->classified) usage_error(undo_input + ": the undo plan has not been classified; pipe it through flux-hazards first");
        if (undo->baseline_hash != plan.target_hash || undo->target_hash != plan.baseline_hash)
            usage_error(undo_input + ": not the reverse of the plan: its baseline must be the plan's target and its "
                        "target the plan's baseline (flux-diff --reverse with the same two models)");
    }
    for (const auto& n : plan.notes) std::cerr << "flux-track: note: " << n << "\n";
    json result = document_envelope(k_format_generate_result, "flux-track");
    result["baseline_hash"] = plan.baseline_hash;
    result["target_hash"] = plan.target_hash;
    result["notes"] = plan.notes;
    if (plan.steps.empty()) {
        if (format == "json") {
            result["written"] = false;
            result["statements"] = 0;
            result["after_commit"] = 0;
            result["hazards"] = json::array();
            result["hazard_codes"] = json::array();
            write_document(result);
        } else {
            std::cout << "nothing to do: the database already matches the schema; no migration written\n";
        }
        return 0;
    }
    // A missing migrations directory is created (the first generate of a
    // project); one that cannot be is a usage error.
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) usage_error("cannot create migrations directory \"" + dir + "\": " + ec.message());
    if (!offline) {
        Connection conn(resolve_conninfo(db));
        check_nothing_pending(conn, dir);
    }
    std::string stamp = new_migration_stamp(migration_paths(dir), std::time(nullptr));
    std::string name = migration_file_name(label, stamp);
    std::string path = (fs::path(dir) / name).string();
    std::string undo_path = (fs::path(dir) / undo_file_name(name)).string();
    if (fs::exists(path)) fail(k_exit_usage, "\"" + path + "\" already exists; wait a second or use another --label");
    if (undo && fs::exists(undo_path))
        fail(k_exit_usage, "\"" + undo_path + "\" already exists; remove it or use another --label");
    std::string generated_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
    // Both texts are rendered (and checked) before either file is written.
    std::string text = render_migration(plan, generated_at);
    std::string undo_text;
    UndoHeader undo_header;
    if (undo) {
        undo_header = mark_irreversible(*undo, plan, name);
        undo_text = render_migration(*undo, generated_at, &undo_header);
    }
    write_file(path, text);
    if (undo) write_file(undo_path, undo_text);
    std::set<std::string> codes;
    result["hazards"] = hazard_list(plan, codes);
    std::string hazards;
    for (const auto& c : codes) hazards += (hazards.empty() ? "" : ", ") + c;
    if (format == "json") {
        result["written"] = true;
        result["file"] = path;
        result["statements"] = plan.steps.size();
        result["after_commit"] = after_commit_count(plan);
        result["hazard_codes"] = json(codes);
        if (undo) {
            std::set<std::string> undo_codes;
            json undo_hazards = hazard_list(*undo, undo_codes);
            for (const auto& line : undo_header.irreversible)
                undo_hazards.push_back({{"code", k_hazard_irreversible}, {"summary", ""}, {"message", line}});
            if (!undo_header.irreversible.empty()) undo_codes.insert(k_hazard_irreversible);
            result["undo"] = {{"file", undo_path},
                              {"statements", undo->steps.size()},
                              {"after_commit", after_commit_count(*undo)},
                              {"hazards", undo_hazards},
                              {"hazard_codes", json(undo_codes)}};
        }
        write_document(result);
        return 0;
    }
    std::cout << "wrote " << path << " (" << plan.steps.size() << (plan.steps.size() == 1 ? " statement" : " statements")
              << "; hazards: "
              << (hazards.empty() ? paint(Stream::out, Paint::good, "none") : paint(Stream::out, Paint::hazard, hazards))
              << ")\n";
    if (undo) {
        std::set<std::string> undo_codes;
        for (const Step& s : undo->steps)
            for (const Hazard& h : s.hazards) undo_codes.insert(h.code);
        if (!undo_header.irreversible.empty()) undo_codes.insert(k_hazard_irreversible);
        std::string list;
        for (const auto& c : undo_codes) list += (list.empty() ? "" : ", ") + c;
        std::cout << "wrote " << undo_path << " (the undo: " << undo->steps.size()
                  << (undo->steps.size() == 1 ? " statement" : " statements") << "; hazards: "
                  << (list.empty() ? paint(Stream::out, Paint::good, "none") : paint(Stream::out, Paint::hazard, list))
                  << ")\n";
    }
    return 0;
}

// pg-flux plan: the classified plan, as text.
int show_plan(const std::string& input) {
    Plan plan = plan_from_document(read_document(input, k_format_plan), input == "-" ? "standard input" : input);
    if (!plan.classified) usage_error("the plan has not been classified; pipe it through flux-hazards first");
    for (const auto& n : plan.notes) std::cerr << "flux-track: note: " << n << "\n";
    std::cout << render_plan_text(plan, colored(Stream::out));
    return 0;
}

// flux-track dump: the plan that creates a database's model from nothing
// (flux-diff --from-nothing) written as schema files in `out` (a new or empty
// directory; "-" writes the flat layout on stdout). The files are written in
// a scratch directory beside `out` and moved into place at the end, so a
// failure leaves nothing behind.
int write_dump(const std::string& input, const std::string& layout_name, const std::string& out) {
    DumpLayout layout = dump_layout(layout_name);
    std::string name = input == "-" ? "standard input" : input;
    Plan plan = plan_from_document(read_document(input, k_format_plan), name);
    if (plan.baseline_hash != Model().state_hash())
        usage_error(name + ": not a plan from an empty database; a dump is made by flux-diff --from-nothing MODEL");
    for (const auto& n : plan.notes) notice("flux-track", one_line(n));
    std::map<std::string, std::string> files = dump_files(plan, layout);
    if (out == "-") {
        if (layout != DumpLayout::flat) usage_error("--out - (standard output) needs --layout flat");
        if (!files.empty()) std::cout << files.begin()->second;
        return 0;
    }
    fs::path target(out);
    std::error_code ec;
    if (fs::exists(target, ec)) {
        if (!fs::is_directory(target, ec)) usage_error("\"" + one_line(out) + "\" exists and is not a directory");
        if (!fs::is_empty(target, ec))
            usage_error("\"" + one_line(out) + "\" is not empty: pg-flux dump writes into a new or empty directory (move the "
                        "files there away, or choose another with --out DIR)");
    }
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fs::create_directories(parent, ec);
    if (ec) usage_error("cannot create \"" + one_line(parent.string()) + "\": " + ec.message());
    fs::path scratch = parent / (".pgflux-dump-" + std::to_string(getpid()));
    fs::remove_all(scratch, ec);
    size_t statements = plan.steps.size();
    try {
        fs::create_directories(scratch, ec);  // a database with nothing to dump gives an empty directory
        if (ec) fail(k_exit_database, "cannot create \"" + scratch.string() + "\": " + ec.message());
        for (const auto& [path, text] : files) {
            fs::path file = scratch / path;
            fs::create_directories(file.parent_path(), ec);
            if (ec) fail(k_exit_database, "cannot create \"" + file.parent_path().string() + "\": " + ec.message());
            write_file(file.string(), text);
        }
        if (fs::exists(target, ec)) fs::remove(target, ec);  // empty (checked above)
        fs::rename(scratch, target, ec);
        if (ec) fail(k_exit_database, "cannot move the dump into \"" + one_line(out) + "\": " + ec.message());
    } catch (...) {
        fs::remove_all(scratch, ec);
        throw;
    }
    if (files.empty()) {
        std::cout << "nothing to dump: the database has no objects pg-flux manages; " << one_line(out) << " is empty\n";
        return 0;
    }
    std::cout << "wrote " << files.size() << (files.size() == 1 ? " file" : " files") << " (" << statements
              << (statements == 1 ? " statement" : " statements") << ", layout " << layout_name << ") to "
              << one_line(out) << "\n";
    return 0;
}

// The config file's settings as KEY NUL VALUE NUL pairs, for the porcelain
// (which reads them as data; nothing is evaluated).
int show_config(const std::string& path) {
    for (const ConfigSetting& s : read_config(path)) {
        std::cout << s.key << '\0' << s.value << '\0';
    }
    std::cout.flush();
    return 0;
}

// The file names baseline records: the named FILEs (paths into `dir` or bare
// names), or every pending file.
std::vector<std::string> files_to_baseline(const std::vector<StatusEntry>& entries, const std::string& dir,
                                           const std::vector<std::string>& files) {
    std::vector<std::string> names;
    if (files.empty()) {
        for (const auto& e : entries)
            if (e.state == FileState::pending) names.push_back(e.name);
        return names;
    }
    std::map<std::string, const StatusEntry*> by_name;
    for (const auto& e : entries) by_name[e.name] = &e;
    for (const std::string& file : files) {
        fs::path path(file);
        std::string name = path.filename().string();
        std::error_code ec;
        bool in_dir = !path.has_parent_path() || fs::equivalent(path.parent_path(), dir, ec);
        auto it = by_name.find(name);
        if (!in_dir || name.empty() || it == by_name.end() || it->second->file_checksum.empty()) {
            if (in_dir && is_undo_file_name(name))
                usage_error("\"" + one_line(file) + "\" is an undo file, not a migration: baseline records migration "
                            "files of \"" + one_line(dir) + "\" (`pg-flux migrate undo` runs undo files)");
            usage_error("\"" + one_line(file) + "\" is not a migration file in the migrations directory \"" +
                        one_line(dir) + "\" (check the name and --migrations-dir)");
        }
        const StatusEntry& e = *it->second;
        if (e.row)
            fail(k_exit_refused, "refusing to baseline " + one_line(name) + ": it is already applied (recorded " +
                                     plain_time(e.row->applied_at) + " UTC by " + one_line(e.row->applied_by) +
                                     (e.row->note.empty() ? "" : "; " + one_line(e.row->note)) + ")");
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    return names;
}

int baseline(Connection& conn, const std::string& dir, const std::vector<std::string>& files) {
    // Everything is checked (the directory, each FILE, each file's content)
    // before the tracking table is created or written.
    auto entries = migration_status(conn, dir);
    std::vector<MigrationFile> chosen;
    for (const auto& name : files_to_baseline(entries, dir, files))
        chosen.push_back(read_migration((fs::path(dir) / name).string()));
    if (chosen.empty()) {
        std::cout << "nothing to record: no pending migrations in " << one_line(dir) << "\n";
        return 0;
    }
    ensure_tracking_table(conn);
    conn.exec("BEGIN");
    for (const MigrationFile& file : chosen)
        conn.query("INSERT INTO _pgflux.migrations (name, checksum, baseline_hash, target_hash, state, tool_version, "
                   "statements_hash, note) VALUES ($1, $2, nullif($3, ''), nullif($4, ''), 'applied', $5, $6, "
                   "'baseline: recorded without running it')",
                   {file.name, file.checksum, file.baseline, file.target, PGFLUX_VERSION, statements_hash(file)});
    conn.exec("COMMIT");
    for (const MigrationFile& file : chosen) std::cout << "recorded " << one_line(file.name) << " as applied (not run)\n";
    return 0;
}

// migrate repair accepts an edit of an applied file only when it cannot
// change what the file does to a database: the statements (deparsed, so
// comments and formatting do not count) and the header's baseline and target
// hashes are the recorded ones. A row recorded without a statements hash (by
// an older version) is accepted on the header hashes alone, with a warning.
struct RepairVerdict {
    std::string refusal;  // why not, or ""
    std::string warning;
    std::string note;
};

RepairVerdict judge_edit(const TrackingRow& row, const MigrationFile& file) {
    RepairVerdict v;
    std::vector<std::string> hashes;
    if (file.baseline != row.baseline_hash) hashes.push_back("baseline");
    if (file.target != row.target_hash) hashes.push_back("target");
    std::string consequence =
        "This database ran the file as it was; a database that applies the edited file would get something else. "
        "Restore the file from version control and write a new migration for the change.";
    if (!hashes.empty()) {
        v.refusal = "its header's " + join(hashes, " and ") + " hash " +
                    (hashes.size() == 1 ? "is not the recorded one" : "are not the recorded ones") +
                    " (the file now claims to go between other database states). " + consequence;
        return v;
    }
    if (row.statements_hash.empty()) {
        v.warning = file.name + " was recorded by an older pg-flux without a statements hash: whether its statements "
                    "changed cannot be checked; the edit is accepted because its baseline and target hashes are the "
                    "recorded ones. Make sure only comments or formatting changed.";
        v.note = "repair: edit accepted on the header hashes (recorded without a statements hash)";
        return v;
    }
    if (statements_hash(file) != row.statements_hash) {
        v.refusal = "its statements changed since it was applied (not only comments or formatting). " + consequence;
        return v;
    }
    v.note = "repair: comments or formatting edited, statements unchanged";
    return v;
}

int repair(Connection& conn, const std::string& dir) {
    struct Accepted {
        std::string name, old_checksum, checksum, statements, note;
    };
    std::vector<Accepted> accepted;
    std::vector<std::string> refusals, warnings;
    for (const auto& e : migration_status(conn, dir)) {
        if (e.state == FileState::missing) {
            std::cerr << "flux-track: warning: " << one_line(e.name) << " is recorded but missing from "
                      << one_line(dir) << "; restore it from version control\n";
            continue;
        }
        if (e.state != FileState::changed) continue;
        MigrationFile file = read_migration((fs::path(dir) / e.name).string());
        RepairVerdict v = judge_edit(*e.row, file);
        if (!v.refusal.empty()) {
            refusals.push_back(one_line(e.name) + ": " + v.refusal);
            continue;
        }
        if (!v.warning.empty()) warnings.push_back(v.warning);
        accepted.push_back({e.name, e.row->checksum, e.file_checksum, statements_hash(file), v.note});
    }
    if (!refusals.empty())
        fail(k_exit_refused, "refusing to repair " + join(refusals, "\n") + "\nNothing was recorded.");
    if (accepted.empty()) {
        std::cout << "nothing to repair in " << one_line(dir) << "\n";
        return 0;
    }
    conn.exec("BEGIN");
    for (const Accepted& a : accepted) {
        QueryResult r = conn.query(
            "UPDATE _pgflux.migrations SET checksum = $1, statements_hash = $2, "
            "note = coalesce(nullif(note, '') || '; ', '') || $3 WHERE name = $4 AND checksum = $5 RETURNING name",
            {a.checksum, a.statements, a.note, a.name, a.old_checksum});
        if (r.rows() != 1)
            fail(k_exit_refused, "refusing to repair " + one_line(a.name) +
                                     ": its tracking row changed meanwhile (another pg-flux is running?); nothing "
                                     "was recorded. Run migrate repair again.");
    }
    conn.exec("COMMIT");
    for (const auto& w : warnings) std::cerr << "flux-track: warning: " << one_line(w) << "\n";
    for (const Accepted& a : accepted)
        std::cout << "recorded the edited " << one_line(a.name) << " (its statements are not re-run)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool("flux-track", [&] {
        cxxopts::Options options("flux-track",
                                 "Migration files and the _pgflux.migrations table.\n"
                                 "  flux-track status    list files as applied/pending/changed/missing\n"
                                 "  flux-track new       write a migration file from a classified plan (stdin or FILE)\n"
                                 "  flux-track plan      print a classified plan (stdin or FILE) as text\n"
                                 "  flux-track config    print the settings of a pgflux.toml (KEY NUL VALUE NUL ...)\n"
                                 "  flux-track baseline  record pending files (or the named FILEs) as applied without running them\n"
                                 "  flux-track repair    accept edits of applied files that change only comments or formatting\n"
                                 "  flux-track dump      write a plan from nothing (flux-diff --from-nothing; stdin or FILE)\n"
                                 "                       as schema files (--layout, --out)\n"
                                 "  flux-track pending   list pending files as \"stale NAME\", \"current NAME\" or \"incomplete NAME\"\n"
                                 "                       (stale: its baseline is not the state reached before it; needs --live)");
        options.positional_help("COMMAND [FILE...]");
        add_standard_options(options);
        options.add_options()
            ("db", "Connection string or URL (default: $DATABASE_URL, then PG* variables)",
             cxxopts::value<std::string>()->default_value(""))
            ("migrations-dir", "Directory of migration files", cxxopts::value<std::string>()->default_value("migrations"))
            ("label", "new: name part of the file", cxxopts::value<std::string>()->default_value("migration"))
            ("offline", "new: do not connect to check for pending migrations")
            ("undo", "new: also write NAME.undo.sql from this classified reverse plan (flux-diff --reverse)",
             cxxopts::value<std::string>()->default_value(""))
            ("format", "status: json (pgflux.status, the default) or text; new: text (the default) or json "
                       "(pgflux.generate-result)", cxxopts::value<std::string>()->default_value(""))
            ("layout", "dump: flat (one file, schema.sql), per-schema (a file per schema; the default) or per-kind "
                       "(a directory per schema, a file per kind)", cxxopts::value<std::string>()->default_value("per-schema"))
            ("out", "dump: the directory to write, new or empty (- : standard output, with --layout flat)",
             cxxopts::value<std::string>()->default_value("schema"))
            ("live", "pending: the live model (pgflux.model from flux-snapshot; - for stdin)",
             cxxopts::value<std::string>()->default_value(""))
            ("args", "", cxxopts::value<std::vector<std::string>>());
        options.parse_positional({"args"});
        auto args = parse_options(options, argc, argv);
        auto positional = args.count("args") ? args["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
        if (positional.empty()) usage_error("missing COMMAND (status, new, plan, dump, config, baseline, repair or pending)");
        std::string command = positional[0];
        std::string dir = args["migrations-dir"].as<std::string>();
        std::string db = args["db"].as<std::string>();
        only_with(args, "label", command == "new", "to flux-track new");
        only_with(args, "offline", command == "new", "to flux-track new");
        only_with(args, "undo", command == "new", "to flux-track new");
        only_with(args, "live", command == "pending", "to flux-track pending");
        only_with(args, "layout", command == "dump", "to flux-track dump");
        only_with(args, "out", command == "dump", "to flux-track dump");
        only_with(args, "format", command == "status" || command == "new", "to flux-track status and new");
        std::string format = args["format"].as<std::string>();
        if (format.empty()) format = command == "status" ? "json" : "text";
        if (format != "json" && format != "text") usage_error("--format must be json or text");
        std::string label = args["label"].as<std::string>();
        if (label.size() > k_max_label)
            usage_error("--label is " + std::to_string(label.size()) + " bytes long; at most " +
                        std::to_string(k_max_label) + " (it becomes part of the file name)");
        if (command == "new" && positional.size() > 2) usage_error("unexpected argument \"" + positional[2] + "\"");
        if (command == "dump") {
            if (positional.size() > 2) usage_error("unexpected argument \"" + positional[2] + "\"");
            return write_dump(positional.size() > 1 ? positional[1] : "-", args["layout"].as<std::string>(),
                              args["out"].as<std::string>());
        }
        if (command == "new") return write_new(positional.size() > 1 ? positional[1] : "-", dir, label, db,
                                               args.count("offline") > 0, format, args["undo"].as<std::string>());
        if (command == "plan" || command == "config") {
            if (positional.size() > 2) usage_error("unexpected argument \"" + positional[2] + "\"");
            if (command == "plan") return show_plan(positional.size() > 1 ? positional[1] : "-");
            if (positional.size() < 2) usage_error("flux-track config needs a FILE (pgflux.toml)");
            return show_config(positional[1]);
        }
        if (command != "baseline" && positional.size() > 1)
            usage_error("unexpected argument \"" + positional[1] + "\"");
        if (command != "status" && command != "baseline" && command != "repair" && command != "pending")
            usage_error("unknown command \"" + command + "\" (status, new, plan, dump, config, baseline, repair or pending)");
        std::string live_path = args["live"].as<std::string>();
        if (command == "pending" && live_path.empty()) usage_error("flux-track pending needs --live MODEL");
        Connection conn(resolve_conninfo(db));
        if (command == "status") return status(conn, dir, format);
        if (command == "pending") {
            Model live = model_from_document(read_document(live_path, k_format_model),
                                             live_path == "-" ? "standard input" : live_path);
            for (const PendingFile& f : pending_files(conn, dir, live.state_hash()))
                std::cout << (f.incomplete ? "incomplete " : f.stale ? "stale " : "current ") << f.name << "\n";
            return 0;
        }
        if (command == "baseline")
            return baseline(conn, dir, std::vector<std::string>(positional.begin() + 1, positional.end()));
        return repair(conn, dir);
    });
}
