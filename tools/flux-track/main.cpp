// flux-track: the _pgflux.migrations table and migration files: status,
// writing a new migration from a plan, baseline (adoption) and repair.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

#include "catalog/connection.h"
#include "config/config.h"
#include "diff/plan.h"
#include "migrations/migration_file.h"
#include "migrations/plan_text.h"
#include "migrations/undo.h"
#include "pgflux/version.h"
#include "tracking/tracking.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"
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

std::string status_line(const StatusEntry& e) {
    std::string out = one_line(e.name) + "  ";
    switch (e.state) {
        case FileState::pending: return out + "pending";
        case FileState::applied: return out + "applied " + e.row->applied_at;
        case FileState::changed: return out + "applied " + e.row->applied_at + "  CHANGED since it was applied (checksum differs)";
        case FileState::missing: return out + "applied " + e.row->applied_at + "  MISSING: the file is gone";
        case FileState::incomplete:
            return out + "applied " + e.row->applied_at + "  INCOMPLETE: after-commit " +
                   std::to_string(e.row->after_commit_done) + " of " + std::to_string(e.row->after_commit_total) +
                   " done; run migrate apply to resume";
    }
    return out;
}

int status(Connection& conn, const std::string& dir, const std::string& format) {
    auto entries = migration_status(conn, dir);
    bool problems = false;
    json files = json::array();
    for (const auto& e : entries) {
        problems = problems || e.state == FileState::changed || e.state == FileState::missing ||
                   e.state == FileState::incomplete;
        json f = {{"name", e.name}, {"state", file_state_name(e.state)}};
        if (e.row) {
            f["applied_at"] = e.row->applied_at;
            f["applied_by"] = e.row->applied_by;
            f["checksum"] = e.row->checksum;
            f["after_commit_done"] = e.row->after_commit_done;
            f["after_commit_total"] = e.row->after_commit_total;
        }
        if (!e.file_checksum.empty()) f["file_checksum"] = e.file_checksum;
        files.push_back(f);
        if (format == "text") std::cout << status_line(e) << "\n";
    }
    if (format == "json") {
        json doc = document_envelope(k_format_status, "flux-track");
        doc["migrations_dir"] = dir;
        doc["migrations"] = files;
        write_document(doc);
    } else if (entries.empty()) {
        std::cout << "no migrations in " << dir << "\n";
    }
    return problems ? k_exit_differences : k_exit_ok;
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
        std::string pending;
        for (const auto& e : migration_status(conn, dir))
            if (e.state == FileState::pending || e.state == FileState::incomplete) pending += " " + e.name;
        if (!pending.empty())
            fail(k_exit_refused, "refusing to generate: migrations not applied yet:" + pending +
                                     ". Apply them first (pg-flux migrate apply) or remove them; a new migration "
                                     "would repeat their changes.");
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
              << (hazards.empty() ? "none" : hazards) << ")\n";
    if (undo) {
        std::set<std::string> undo_codes;
        for (const Step& s : undo->steps)
            for (const Hazard& h : s.hazards) undo_codes.insert(h.code);
        if (!undo_header.irreversible.empty()) undo_codes.insert(k_hazard_irreversible);
        std::string list;
        for (const auto& c : undo_codes) list += (list.empty() ? "" : ", ") + c;
        std::cout << "wrote " << undo_path << " (the undo: " << undo->steps.size()
                  << (undo->steps.size() == 1 ? " statement" : " statements") << "; hazards: "
                  << (list.empty() ? "none" : list) << ")\n";
    }
    return 0;
}

// pg-flux plan: the classified plan, as text.
int show_plan(const std::string& input) {
    Plan plan = plan_from_document(read_document(input, k_format_plan), input == "-" ? "standard input" : input);
    if (!plan.classified) usage_error("the plan has not been classified; pipe it through flux-hazards first");
    for (const auto& n : plan.notes) std::cerr << "flux-track: note: " << n << "\n";
    std::cout << render_plan_text(plan);
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

int baseline(Connection& conn, const std::string& dir) {
    ensure_tracking_table(conn);
    int recorded = 0;
    for (const auto& e : migration_status(conn, dir)) {
        if (e.state != FileState::pending) continue;
        MigrationFile file = read_migration((fs::path(dir) / e.name).string());
        conn.query("INSERT INTO _pgflux.migrations (name, checksum, baseline_hash, target_hash, state, tool_version, "
                   "statements_hash, note) VALUES ($1, $2, nullif($3, ''), nullif($4, ''), 'applied', $5, $6, "
                   "'baseline: recorded without running it')",
                   {file.name, file.checksum, file.baseline, file.target, PGFLUX_VERSION, statements_hash(file)});
        std::cout << "recorded " << file.name << " as applied (not run)\n";
        ++recorded;
    }
    if (recorded == 0) std::cout << "nothing to record: no pending migrations in " << dir << "\n";
    return 0;
}

int repair(Connection& conn, const std::string& dir) {
    int repaired = 0;
    for (const auto& e : migration_status(conn, dir)) {
        if (e.state == FileState::changed) {
            conn.query("UPDATE _pgflux.migrations SET checksum = $1 WHERE name = $2", {e.file_checksum, e.name});
            std::cout << "recorded the edited " << e.name << " (its statements are not re-run)\n";
            ++repaired;
        } else if (e.state == FileState::missing) {
            std::cerr << "flux-track: warning: " << e.name << " is recorded but missing from " << dir
                      << "; restore it from version control\n";
        }
    }
    if (repaired == 0) std::cout << "nothing to repair in " << dir << "\n";
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
                                 "  flux-track baseline  record pending files as applied without running them\n"
                                 "  flux-track repair    accept edits of applied files (update their checksums)");
        options.positional_help("COMMAND [FILE]");
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
            ("args", "", cxxopts::value<std::vector<std::string>>());
        options.parse_positional({"args"});
        auto args = parse_options(options, argc, argv);
        auto positional = args.count("args") ? args["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
        if (positional.empty()) usage_error("missing COMMAND (status, new, plan, config, baseline or repair)");
        std::string command = positional[0];
        std::string dir = args["migrations-dir"].as<std::string>();
        std::string db = args["db"].as<std::string>();
        only_with(args, "label", command == "new", "to flux-track new");
        only_with(args, "offline", command == "new", "to flux-track new");
        only_with(args, "undo", command == "new", "to flux-track new");
        only_with(args, "format", command == "status" || command == "new", "to flux-track status and new");
        std::string format = args["format"].as<std::string>();
        if (format.empty()) format = command == "status" ? "json" : "text";
        if (format != "json" && format != "text") usage_error("--format must be json or text");
        std::string label = args["label"].as<std::string>();
        if (label.size() > k_max_label)
            usage_error("--label is " + std::to_string(label.size()) + " bytes long; at most " +
                        std::to_string(k_max_label) + " (it becomes part of the file name)");
        if (command == "new" && positional.size() > 2) usage_error("unexpected argument \"" + positional[2] + "\"");
        if (command == "new") return write_new(positional.size() > 1 ? positional[1] : "-", dir, label, db,
                                               args.count("offline") > 0, format, args["undo"].as<std::string>());
        if (command == "plan" || command == "config") {
            if (positional.size() > 2) usage_error("unexpected argument \"" + positional[2] + "\"");
            if (command == "plan") return show_plan(positional.size() > 1 ? positional[1] : "-");
            if (positional.size() < 2) usage_error("flux-track config needs a FILE (pgflux.toml)");
            return show_config(positional[1]);
        }
        if (positional.size() > 1) usage_error("unexpected argument \"" + positional[1] + "\"");
        if (command != "status" && command != "baseline" && command != "repair")
            usage_error("unknown command \"" + command + "\" (status, new, plan, config, baseline or repair)");
        Connection conn(resolve_conninfo(db));
        if (command == "status") return status(conn, dir, format);
        if (command == "baseline") return baseline(conn, dir);
        return repair(conn, dir);
    });
}
