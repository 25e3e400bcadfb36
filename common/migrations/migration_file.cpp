// Migration file rendering, naming and parsing.
#include "migrations/migration_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hazards/hazards.h"
#include "migrations/undo.h"
#include "pgflux/version.h"
#include "util/error.h"
#include "util/files.h"
#include "util/sha256.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

// The "-- key: value" lines of the leading comment block. A key given twice
// is an error: only one of them could be believed.
std::map<std::string, std::string> header_fields(const std::string& text, const std::string& path) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("--", 0) != 0 && !line.empty()) break;
        size_t colon = line.find(": ");
        if (line.rfind("-- ", 0) != 0 || colon == std::string::npos) continue;
        std::string key = line.substr(3, colon - 3);
        if (key != "format" && key != "baseline" && key != "target" && key != "hazards" && key != "undo-of") continue;
        if (line.size() == colon + 2) continue;  // "-- baseline: " with nothing: absent
        if (out.count(key))
            usage_error(path + ":" + std::to_string(number) + ": the header gives \"" + key +
                        "\" twice; a migration file has one header (restore the file as pg-flux wrote it)");
        out[key] = line.substr(colon + 2);
    }
    return out;
}


std::string transaction_kind(const pq::Msg& node) {
    return node.is("TransactionStmt") ? node.enumeration("kind") : "";
}

}  // namespace

size_t MigrationFile::transactional_count() const {
    return std::count_if(statements.begin(), statements.end(), [](const auto& s) { return !s.after_commit; });
}

std::string migration_file_name(const std::string& label, const std::string& utc_stamp) {
    std::string clean;
    for (char c : label) {
        unsigned char u = static_cast<unsigned char>(c);
        clean += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
    }
    clean.erase(0, clean.find_first_not_of('_'));
    while (!clean.empty() && clean.back() == '_') clean.pop_back();
    if (clean.empty()) clean = "migration";
    return utc_stamp + "_" + clean + k_migration_suffix;
}

std::string new_migration_stamp(const std::vector<std::string>& existing_paths, std::time_t now) {
    for (const auto& path : existing_paths) {
        std::string name = fs::path(path).filename().string();
        std::tm tm{};
        const char* end = strptime(name.c_str(), "%Y%m%d_%H%M%S", &tm);
        if (end && *end == '_') now = std::max(now, timegm(&tm) + 1);
    }
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d_%H%M%S", &tm);
    return buf;
}


namespace {

// A new file must read back as exactly its plan's statements, in their
// phases: nothing a comment line carries may become a statement.
void check_reads_back(const std::string& text, const Plan& plan) {
    MigrationFile back = read_migration_text(text, "the new migration file");
    std::vector<MigrationStatement> statements;
    for (const MigrationStatement& s : back.statements)
        if (s.sql != "SET LOCAL check_function_bodies = off") statements.push_back(s);
    bool same = statements.size() == plan.steps.size() && back.baseline == plan.baseline_hash &&
                back.target == plan.target_hash;
    for (size_t i = 0; same && i < statements.size(); ++i) {
        std::string sql = plan.steps[i].sql;
        sql.erase(sql.find_last_not_of(" \t\r\n;") + 1);
        same = statements[i].sql == sql && statements[i].after_commit == (plan.steps[i].phase == k_phase_after_commit);
    }
    if (!same)
        fail(k_exit_internal, "the migration file rendered for this plan does not read back as its " +
                                  std::to_string(plan.steps.size()) + " statements; nothing was written");
}

}  // namespace

std::string render_migration(const Plan& plan, const std::string& generated_at, const UndoHeader* undo) {
    std::set<std::string> codes;
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.hazards) codes.insert(h.code);
    if (undo && !undo->irreversible.empty()) codes.insert(k_hazard_irreversible);
    std::string hazards;
    for (const auto& c : codes) hazards += (hazards.empty() ? "" : ", ") + c;
    std::set<std::string> warning_codes;
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.warnings) warning_codes.insert(h.code);
    std::string warnings;
    for (const auto& c : warning_codes) warnings += (warnings.empty() ? "" : ", ") + c;
    std::ostringstream out;
    out << (undo ? "-- pg-flux undo migration\n" : "-- pg-flux migration\n") << "-- format: 1\n";
    if (undo) out << "-- undo-of: " << one_line(undo->forward_name) << "\n";
    out << "-- baseline: " << one_line(plan.baseline_hash) << "\n"
        << "-- target: " << one_line(plan.target_hash) << "\n"
        << "-- hazards: " << (hazards.empty() ? "none" : one_line(hazards)) << "\n"
        << "-- warnings: " << (warnings.empty() ? "none" : one_line(warnings)) << "\n"
        << "-- generated: " << one_line(generated_at) << " by pg-flux " << PGFLUX_VERSION << "\n"
        << "--\n";
    if (undo)
        out << "-- The best-effort reverse of " << one_line(undo->forward_name)
            << ": from its target state back to its baseline.\n"
            << "-- Review it; run it with: pg-flux migrate undo " << one_line(undo->forward_name)
            << " (migrate apply never runs it).\n";
    else
        out << "-- Review it, then run: pg-flux migrate apply\n";
    out << "-- The statements between BEGIN and COMMIT run in one transaction; those\n"
        << "-- after COMMIT run one at a time once it has committed (psql -f runs it the same way).\n";
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.hazards)
            out << "--   " << one_line(h.code) << ": " << one_line(s.summary) << ": " << one_line(h.message)
                << "\n";
    if (undo)
        for (const auto& line : undo->irreversible) out << "--   " << k_hazard_irreversible << ": " << one_line(line) << "\n";
    // Warnings never block apply; they say what a DBA should know.
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.warnings)
            out << "--   warning " << one_line(h.code) << ": " << one_line(s.summary) << ": " << one_line(h.message)
                << "\n";
    // The lock each statement takes, and on what.
    bool locks = std::any_of(plan.steps.begin(), plan.steps.end(), [](const Step& s) { return !s.lock.empty(); });
    if (locks) out << "-- locks:\n";
    for (const Step& s : plan.steps)
        if (!s.lock.empty())
            out << "--   " << one_line(s.lock) << (s.lock_on.empty() ? "" : " on " + one_line(s.lock_on)) << ": "
                << one_line(s.summary) << "\n";
    out << "\nBEGIN;\n";
    // Like pg_dump: a function body may name what the file creates after it.
    bool creates_routines = std::any_of(plan.steps.begin(), plan.steps.end(), [](const Step& s) {
        return (s.object.kind == Kind::function || s.object.kind == Kind::procedure) && s.action != "drop" &&
               s.action != "comment";
    });
    if (creates_routines)
        out << "\n-- function bodies are checked when they run, so that one may name what this file creates later\n"
            << "SET LOCAL check_function_bodies = off;\n";
    bool after = false;
    for (const Step& s : plan.steps) {
        if (s.phase == k_phase_after_commit && !after) {
            out << "\nCOMMIT;\n\n-- after-commit: PostgreSQL runs these outside a transaction block\n";
            after = true;
        }
        out << "\n-- " << one_line(s.summary) << "\n";
        for (const Hazard& h : s.hazards)
            if (h.code == k_hazard_irreversible) out << "-- " << k_hazard_irreversible << ": " << one_line(h.message) << "\n";
        out << s.sql << "\n";
    }
    if (!after) out << "\nCOMMIT;\n";
    std::string text = out.str();
    check_reads_back(text, plan);
    return text;
}

MigrationFile read_migration(const std::string& path) { return read_migration_text(read_file(path), path); }

MigrationFile read_migration_text(const std::string& text, const std::string& path) {
    MigrationFile file;
    file.path = path;
    file.name = fs::path(path).filename().string();
    file.checksum = sha256_hex(text);
    check_text(path, text);  // read_migration read it checked; the text variant checks here
    auto header = header_fields(text, path);
    std::string format = header.count("format") ? header["format"] : "";
    if (!format.empty() && format != "1")
        usage_error(path + ": unsupported migration file format " + format + " (this pg-flux reads format 1)");
    file.baseline = header.count("baseline") ? header["baseline"] : "";
    file.target = header.count("target") ? header["target"] : "";
    file.undo_of = header.count("undo-of") ? header["undo-of"] : "";
    if (!file.undo_of.empty() &&
        (file.undo_of.find('/') != std::string::npos || is_undo_file_name(file.undo_of) ||
         file.undo_of.size() <= std::string(k_migration_suffix).size() ||
         file.undo_of.compare(file.undo_of.size() - 4, 4, k_migration_suffix) != 0))
        usage_error(path + ": the header's undo-of is not a migration file name (NAME.sql); restore the line as "
                    "pg-flux wrote it");
    for (const char* key : {"baseline", "target"})
        if (header.count(key) && !is_state_hash(header[key]))
            usage_error(path + ": the header's " + key + " is not a state hash (sha256: and 64 hex digits); "
                        "restore the line as pg-flux wrote it");
    if (header.count("hazards") && header["hazards"] != "none") {
        std::istringstream codes(header["hazards"]);
        for (std::string code; std::getline(codes, code, ',');) {
            code.erase(0, code.find_first_not_of(' '));
            if (std::find(k_hazard_codes.begin(), k_hazard_codes.end(), code) == k_hazard_codes.end())
                usage_error(path + ": the header names an unknown hazard \"" + one_line(code) +
                            "\"; restore the line as pg-flux wrote it");
        }
    }
    std::shared_ptr<const pq::ParseResult> parsed;
    try {
        parsed = pq::ParseResult::parse(text);
    } catch (const pq::SqlSyntaxError& e) {
        auto lc = pq::line_column(text, e.byte_offset);
        usage_error(path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " + e.what());
    }
    pq::LineIndex lines(text);
    enum { before, inside, after } state = before;
    bool explicit_transaction = false;
    for (const pq::Statement& st : parsed->statements()) {
        std::string kind = transaction_kind(st.node);
        // The statement itself, without the blanks and comments before it.
        size_t start = pq::first_token_offset(text, st.location);
        int line = lines.at(static_cast<int>(start)).line;
        auto where = [&] { return path + ":" + std::to_string(line) + ": "; };
        if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
            if (state != before || !file.statements.empty())
                usage_error(where() + "BEGIN must come first, once (pg-flux runs the part up to COMMIT in one transaction)");
            state = inside;
            explicit_transaction = true;
            continue;
        }
        if (kind == "TRANS_STMT_COMMIT") {
            if (state != inside) usage_error(where() + "COMMIT without BEGIN");
            state = after;
            continue;
        }
        if (!kind.empty()) usage_error(where() + "transaction control other than one BEGIN ... COMMIT is not allowed");
        MigrationStatement s;
        std::string sql(st.text.substr(std::min(start - st.location, st.text.size())));
        sql.erase(sql.find_last_not_of(" \t\r\n") + 1);
        s.sql = sql;
        s.line = line;
        s.after_commit = state == after;
        s.parsed = &st;
        if (!s.after_commit && forbidden_in_transaction(st.node))
            usage_error(where() + "this statement cannot run inside a transaction; move it after COMMIT");
        file.statements.push_back(s);
    }
    if (explicit_transaction && state == inside) usage_error(path + ": BEGIN without COMMIT");
    file.parsed = std::move(parsed);
    return file;
}

bool is_undo_file_name(const std::string& name) {
    const std::string suffix = k_undo_suffix;
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string undo_file_name(const std::string& forward_name) {
    const std::string suffix = k_migration_suffix;
    std::string stem = forward_name;
    if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
        stem.resize(stem.size() - suffix.size());
    return stem + k_undo_suffix;
}

std::vector<std::string> migration_paths(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    fs::file_status status = fs::status(dir, ec);
    if (ec == std::errc::no_such_file_or_directory)
        usage_error("migrations directory \"" + dir + "\" does not exist (check --migrations-dir)");
    if (ec) usage_error("cannot read migrations directory \"" + dir + "\": " + ec.message());
    if (!fs::is_directory(status)) usage_error("migrations directory \"" + dir + "\" is not a directory");
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        if (it->path().extension() != k_migration_suffix || is_undo_file_name(it->path().filename().string())) continue;
        std::error_code entry_ec;
        if (!fs::is_regular_file(it->path(), entry_ec))
            usage_error("\"" + it->path().string() + "\" is not a readable regular file" +
                        (entry_ec ? " (" + entry_ec.message() + ")" : "") + "; a migration file must be one");
        out.push_back(it->path().string());
    }
    if (ec) usage_error("cannot read migrations directory \"" + dir + "\": " + ec.message());
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        return fs::path(a).filename() < fs::path(b).filename();
    });
    return out;
}

void append_without_locations(std::string& out, const std::string& json) {
    static const std::string_view keys[] = {"\"stmt_location\":", "\"stmt_len\":", "\"location\":"};
    size_t i = 0;
    while (i < json.size()) {
        size_t quote = json.find('"', i);
        if (quote == std::string::npos) break;
        out.append(json, i, quote - i);
        size_t end = std::string::npos;
        for (std::string_view key : keys) {
            if (json.compare(quote, key.size(), key) != 0) continue;
            size_t k = quote + key.size();
            if (k < json.size() && json[k] == '-') ++k;
            size_t digits = k;
            while (k < json.size() && json[k] >= '0' && json[k] <= '9') ++k;
            if (k == digits) break;
            if (k < json.size() && json[k] == ',') ++k;
            end = k;
            break;
        }
        if (end == std::string::npos) {
            out += '"';
            i = quote + 1;
        } else {
            i = end;
        }
    }
    if (i < json.size()) out.append(json, i, std::string::npos);
}

std::string statements_hash(const MigrationFile& file) {
    // The parse tree without positions (the deparser does not cover every
    // node a migration may hold, e.g. SET LOCAL inside BEGIN ATOMIC files).
    std::string canonical;
    for (const MigrationStatement& s : file.statements) {
        canonical += s.after_commit ? "after-commit\n" : "transactional\n";
        append_without_locations(canonical, pq::parse_tree_json(s.sql));
        canonical += "\n";
    }
    return sha256_hex(canonical);
}

std::string file_checksum(const std::string& path) { return sha256_hex(read_file(path)); }

}  // namespace pgflux
