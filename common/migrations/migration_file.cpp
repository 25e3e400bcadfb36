// Migration file rendering, naming and parsing.
#include "migrations/migration_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pgflux/version.h"
#include "util/error.h"
#include "util/files.h"
#include "util/sha256.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

// Value of "-- key: value" in the leading comment block.
std::string header_value(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    const std::string prefix = "-- " + key + ": ";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("--", 0) != 0 && !line.empty()) break;
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return "";
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

std::string render_migration(const Plan& plan, const std::string& generated_at) {
    std::set<std::string> codes;
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.hazards) codes.insert(h.code);
    std::string hazards;
    for (const auto& c : codes) hazards += (hazards.empty() ? "" : ", ") + c;
    std::ostringstream out;
    out << "-- pg-flux migration\n"
        << "-- format: 1\n"
        << "-- baseline: " << plan.baseline_hash << "\n"
        << "-- target: " << plan.target_hash << "\n"
        << "-- hazards: " << (hazards.empty() ? "none" : hazards) << "\n"
        << "-- generated: " << generated_at << " by pg-flux " << PGFLUX_VERSION << "\n"
        << "--\n"
        << "-- Review it, then run: pg-flux migrate apply\n"
        << "-- The statements between BEGIN and COMMIT run in one transaction; those\n"
        << "-- after COMMIT run one at a time once it has committed (psql -f runs it the same way).\n";
    for (const Step& s : plan.steps)
        for (const Hazard& h : s.hazards) out << "--   " << h.code << ": " << s.summary << ": " << h.message << "\n";
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
        out << "\n-- " << s.summary << "\n" << s.sql << "\n";
    }
    if (!after) out << "\nCOMMIT;\n";
    return out.str();
}

MigrationFile read_migration(const std::string& path) {
    MigrationFile file;
    file.path = path;
    file.name = fs::path(path).filename().string();
    std::string text = read_file(path);
    file.checksum = sha256_hex(text);
    if (size_t bad = invalid_utf8_offset(text); bad != std::string::npos) {
        auto lc = pq::line_column(text, static_cast<int>(bad));
        usage_error(path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": not UTF-8 (a byte " +
                    std::to_string(static_cast<unsigned char>(text[bad])) + " here)");
    }
    std::string format = header_value(text, "format");
    if (!format.empty() && format != "1")
        usage_error(path + ": unsupported migration file format " + format + " (this pg-flux reads format 1)");
    file.baseline = header_value(text, "baseline");
    file.target = header_value(text, "target");
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
        file.statements.push_back(s);
    }
    if (explicit_transaction && state == inside) usage_error(path + ": BEGIN without COMMIT");
    return file;
}

std::vector<std::string> migration_paths(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == k_migration_suffix) out.push_back(entry.path().string());
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        return fs::path(a).filename() < fs::path(b).filename();
    });
    return out;
}

std::string file_checksum(const std::string& path) { return sha256_hex(read_file(path)); }

}  // namespace pgflux
