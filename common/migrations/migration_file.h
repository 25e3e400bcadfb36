// Migration files: migrations/YYYYMMDD_HHMMSS_<label>.sql, plain SQL a human
// can review, edit and run with psql. A header of "-- key: value" comment
// lines carries the format, the baseline and target state hashes and the
// hazards; the transactional statements sit between BEGIN and COMMIT, and
// what PostgreSQL forbids inside a transaction follows COMMIT.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "diff/plan.h"
#include "sql/parser.h"

namespace pgflux {

inline constexpr const char* k_migration_suffix = ".sql";
// An undo file sits beside its forward file: NAME.sql -> NAME.undo.sql. It is
// never a pending migration: only `pg-flux migrate undo` runs it.
inline constexpr const char* k_undo_suffix = ".undo.sql";
bool is_undo_file_name(const std::string& name);
std::string undo_file_name(const std::string& forward_name);

struct MigrationStatement {
    std::string sql;  // without the trailing ';'
    int line = 0;     // 1-based line in the file
    bool after_commit = false;
    // Its parse tree, in MigrationFile::parsed (read_migration sets it).
    const pq::Statement* parsed = nullptr;
};

struct UndoHeader;

struct MigrationFile {
    std::string path, name;        // name: file name only
    std::string undo_of;           // an undo file: the forward file's name ("-- undo-of:"), else ""
    std::string checksum;          // sha256 of the file's bytes
    std::string baseline, target;  // state hashes from the header ("" when absent)
    std::vector<MigrationStatement> statements;
    std::shared_ptr<const pq::ParseResult> parsed;  // owns the statements' trees
    size_t transactional_count() const;
};

// The text of a new migration file for a classified plan; with `undo`, the
// undo file of undo->forward_name (see migrations/undo.h): its header says so
// ("-- undo-of: NAME") and lists what it cannot bring back.
std::string render_migration(const Plan& plan, const std::string& generated_at, const UndoHeader* undo = nullptr);
// Name for a new file: 20261126_101500_add_users.sql (UTC time).
std::string migration_file_name(const std::string& label, const std::string& utc_stamp);
// The UTC stamp (YYYYMMDD_HHMMSS) of a new file at time `now`, moved past the
// newest stamp among the existing file paths, so that the new file sorts (and
// applies) after all of them even when made within the same second.
std::string new_migration_stamp(const std::vector<std::string>& existing_paths, std::time_t now);
// Reads and splits a file; invalid SQL, misplaced transaction control or a
// statement PostgreSQL refuses inside a transaction (CREATE INDEX
// CONCURRENTLY ...) before COMMIT is an error naming file:line.
// The header's hashes must be state hashes and its hazards known codes.
MigrationFile read_migration(const std::string& path);
// The same for a file's text; `path` names it in errors.
MigrationFile read_migration_text(const std::string& text, const std::string& path);

// *.sql files of a migrations directory (not *.undo.sql), in name order. A directory that is
// missing or unreadable, or a *.sql entry that is not a regular file (a
// directory, a dangling link): Error(k_exit_usage) naming it and why.
std::vector<std::string> migration_paths(const std::string& dir);
// sha256 over what the file's statements do: each statement's parse tree from
// PostgreSQL's parser (comments, whitespace, letter case of keywords and
// formatting do not count) with its phase. Recorded when a file is applied;
// `migrate repair` accepts an edit that keeps it.
std::string statements_hash(const MigrationFile& file);
// Appends a parse tree's JSON without its position members: every
// "stmt_location":N, "stmt_len":N and "location":N with the comma after it.
// (Tracking tables hold hashes made with the regex
// "(stmt_location|stmt_len|location)":-?[0-9]+,? doing this: it must remove
// exactly the same text; a scan is 20 times faster.)
void append_without_locations(std::string& out, const std::string& json);
// sha256 of a file's bytes, hex.
std::string file_checksum(const std::string& path);

}  // namespace pgflux
