// Unit tests for migration files: rendering (header, BEGIN/COMMIT, the
// after-commit part), reading them back, transaction-control errors, names.
#include "migrations/migration_file.h"

#include <gtest/gtest.h>

#include <regex>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "sql/parser.h"
#include "util/error.h"
#include "util/sha256.h"
#include "testing/unit_helpers.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

using unit::step;

class TempDir {
public:
    TempDir() {
        path_ = fs::temp_directory_path() /
                ("pgflux_migration_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        fs::path p = path_ / name;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    std::string path() const { return path_.string(); }

private:
    fs::path path_;
    static inline int counter_ = 0;
};

Plan sample_plan() {
    Plan p;
    p.baseline_hash = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    p.target_hash = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    p.steps.push_back(step("CREATE TABLE public.t (\n    id integer NOT NULL\n);", "CREATE TABLE t"));
    p.steps.push_back(step("ALTER TABLE public.users DROP COLUMN nickname;", "DROP COLUMN users.nickname",
                           k_phase_transactional, {{"DATA_LOSS", "drops column nickname of public.users and its data"}}));
    p.steps.push_back(step("ALTER TABLE public.users ALTER COLUMN age TYPE bigint USING age::bigint;",
                           "ALTER COLUMN users.age TYPE bigint", k_phase_transactional,
                           {{"COLUMN_TYPE_CHANGE", "changes the type"}}));
    p.steps.push_back(step("CREATE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email);",
                           "CREATE INDEX users_email_idx ON users", k_phase_after_commit));
    p.steps.push_back(step("ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;",
                           "VALIDATE CONSTRAINT orders_user_id_fkey ON public.orders", k_phase_after_commit));
    return p;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

int line_of(const std::vector<std::string>& lines, const std::string& wanted) {
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == wanted) return static_cast<int>(i) + 1;
    return -1;
}

// The statement without leading blank lines and "--" comment lines.
std::string without_leading_comments(std::string sql) {
    for (;;) {
        size_t start = sql.find_first_not_of(" \t\r\n");
        if (start == std::string::npos) return "";
        sql.erase(0, start);
        if (sql.compare(0, 2, "--") != 0) return sql;
        size_t eol = sql.find('\n');
        sql = eol == std::string::npos ? "" : sql.substr(eol + 1);
    }
}

std::string error_of(const std::function<void()>& f, ExitCode* code = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (code) *code = e.code;
        return e.what();
    }
    return "(no error)";
}

TEST(RenderMigration, HeaderLines) {
    std::string text = render_migration(sample_plan(), "2026-11-26T10:15:00Z");
    auto lines = lines_of(text);
    ASSERT_GE(lines.size(), 7u);
    EXPECT_EQ(lines[0], "-- pg-flux migration");
    EXPECT_EQ(lines[1], "-- format: 1");
    EXPECT_EQ(lines[2], "-- baseline: sha256:1111111111111111111111111111111111111111111111111111111111111111");
    EXPECT_EQ(lines[3], "-- target: sha256:2222222222222222222222222222222222222222222222222222222222222222");
    EXPECT_EQ(lines[4], "-- hazards: COLUMN_TYPE_CHANGE, DATA_LOSS");
    EXPECT_EQ(lines[5], "-- warnings: none");
    EXPECT_EQ(lines[6].rfind("-- generated: 2026-11-26T10:15:00Z by pg-flux ", 0), 0u) << lines[6];
    EXPECT_NE(line_of(lines, "--   DATA_LOSS: DROP COLUMN users.nickname: drops column nickname of public.users and its data"), -1);
    EXPECT_NE(line_of(lines, "--   COLUMN_TYPE_CHANGE: ALTER COLUMN users.age TYPE bigint: changes the type"), -1);
}

TEST(RenderMigration, NoHazardsSaysNone) {
    Plan p;
    p.baseline_hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    p.target_hash = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    p.steps.push_back(step("CREATE SCHEMA app;", "CREATE SCHEMA app"));
    auto lines = lines_of(render_migration(p, "now"));
    EXPECT_EQ(lines[4], "-- hazards: none");
}

TEST(RenderMigration, TransactionalPartBetweenBeginAndCommitThenAfterCommit) {
    std::string text = render_migration(sample_plan(), "now");
    auto lines = lines_of(text);
    int begin = line_of(lines, "BEGIN;");
    int commit = line_of(lines, "COMMIT;");
    int create = line_of(lines, "CREATE TABLE public.t (");
    int drop = line_of(lines, "ALTER TABLE public.users DROP COLUMN nickname;");
    int index = line_of(lines, "CREATE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email);");
    int validate = line_of(lines, "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;");
    ASSERT_NE(begin, -1);
    ASSERT_NE(commit, -1);
    EXPECT_LT(begin, create);
    EXPECT_LT(create, drop);
    EXPECT_LT(drop, commit);
    EXPECT_LT(commit, index);
    EXPECT_LT(index, validate);
    // Each statement is preceded by its summary.
    EXPECT_EQ(lines[create - 2], "-- CREATE TABLE t");
    EXPECT_EQ(lines[index - 2], "-- CREATE INDEX users_email_idx ON users");
    // One BEGIN and one COMMIT.
    EXPECT_EQ(text.find("BEGIN;"), text.rfind("BEGIN;"));
    EXPECT_EQ(text.find("\nCOMMIT;"), text.rfind("\nCOMMIT;"));
    EXPECT_NE(text.find("-- after-commit:"), std::string::npos);
}

TEST(RenderMigration, WithoutAfterCommitStepsCommitIsLast) {
    Plan p = sample_plan();
    p.steps.resize(3);
    std::string text = render_migration(p, "now");
    EXPECT_EQ(text.substr(text.size() - 9), "\nCOMMIT;\n");
    EXPECT_EQ(text.find("-- after-commit:"), std::string::npos);
}

TEST(RenderMigration, OnlyAfterCommitSteps) {
    Plan p = sample_plan();
    p.steps.erase(p.steps.begin(), p.steps.begin() + 3);
    auto lines = lines_of(render_migration(p, "now"));
    int begin = line_of(lines, "BEGIN;");
    int commit = line_of(lines, "COMMIT;");
    ASSERT_NE(begin, -1);
    ASSERT_NE(commit, -1);
    EXPECT_LT(begin, commit);
    EXPECT_LT(commit, line_of(lines, "CREATE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email);"));
}

TEST(RenderMigration, IsDeterministic) {
    EXPECT_EQ(render_migration(sample_plan(), "x"), render_migration(sample_plan(), "x"));
}

TEST(RenderMigration, LineBreaksInCommentsAreEscapedSoNothingBecomesSql) {
    Plan p;
    p.baseline_hash = sample_plan().baseline_hash;
    p.target_hash = sample_plan().target_hash;
    p.steps.push_back(step("CREATE TABLE public.\"x\nDROP TABLE keep;\n--\" (id integer);",
                           "CREATE TABLE \"x\nDROP TABLE keep;\r\n--\"", k_phase_transactional,
                           {{"DATA_LOSS", "message\nDELETE FROM keep;"}}));
    std::string text = render_migration(p, "2026-11-26T10:15:00Z");
    for (const std::string& line : lines_of(text))
        EXPECT_NE(line.rfind("DELETE FROM keep", 0), 0u) << line;
    EXPECT_NE(text.find("-- CREATE TABLE \"x\\nDROP TABLE keep;\\r\\n--\"\n"), std::string::npos);
    EXPECT_NE(text.find("message\\nDELETE FROM keep;"), std::string::npos);
    TempDir dir;
    MigrationFile file = read_migration(dir.write("a.sql", text));
    ASSERT_EQ(file.statements.size(), 1u);
}

TEST(ReadMigration, StatementsForbiddenInATransactionMustFollowCommit) {
    TempDir dir;
    EXPECT_THROW(read_migration(dir.write("a.sql", "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (c);\nCOMMIT;\n")), Error);
    EXPECT_THROW(read_migration(dir.write("b.sql", "DROP INDEX CONCURRENTLY i;\n")), Error);
    EXPECT_EQ(read_migration(dir.write("c.sql", "BEGIN;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (c);\n"))
                  .statements.size(),
              1u);
}

TEST(ReadMigration, HeaderMustBeBelievable) {
    TempDir dir;
    const std::string good = sample_plan().baseline_hash;
    EXPECT_THROW(read_migration(dir.write("a.sql", "-- baseline: sha256:abc\nCREATE SCHEMA a;\n")), Error);
    EXPECT_THROW(read_migration(dir.write("b.sql", "-- target: " + good + "\n-- target: " + good + "\nSELECT 1;\n")),
                 Error);
    EXPECT_THROW(read_migration(dir.write("c.sql", "-- hazards: DATA_LOSS, NOPE\nSELECT 1;\n")), Error);
    EXPECT_NO_THROW(read_migration(dir.write("d.sql", "-- hazards: DATA_LOSS, UNCLASSIFIABLE\nSELECT 1;\n")));
}

TEST(ReadMigration, RoundTripsARenderedFile) {
    TempDir dir;
    Plan plan = sample_plan();
    std::string text = render_migration(plan, "2026-11-26T10:15:00Z");
    std::string path = dir.write("20261126_101500_sample.sql", text);
    MigrationFile file = read_migration(path);
    EXPECT_EQ(file.path, path);
    EXPECT_EQ(file.name, "20261126_101500_sample.sql");
    EXPECT_EQ(file.baseline, "sha256:1111111111111111111111111111111111111111111111111111111111111111");
    EXPECT_EQ(file.target, "sha256:2222222222222222222222222222222222222222222222222222222222222222");
    EXPECT_EQ(file.checksum, sha256_hex(text));
    EXPECT_EQ(file.checksum, file_checksum(path));
    ASSERT_EQ(file.statements.size(), plan.steps.size());
    EXPECT_EQ(file.transactional_count(), 3u);
    auto lines = lines_of(text);
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        const Step& s = plan.steps[i];
        const MigrationStatement& m = file.statements[i];
        std::string expected = s.sql.substr(0, s.sql.size() - 1);  // without ';'
        EXPECT_EQ(without_leading_comments(m.sql), expected) << i;
        EXPECT_EQ(m.after_commit, s.phase == k_phase_after_commit) << i;
        // The line is the statement's own first line, not its summary comment.
        std::string first_line = s.sql.substr(0, s.sql.find('\n'));
        EXPECT_EQ(m.line, line_of(lines, first_line)) << i;
    }
}

TEST(ReadMigration, StatementTextStartsAtTheStatementItself) {
    // The summary comment and blank lines before a statement are not part of
    // its text: flux-apply and flux-hazards --sql print this text in refusals.
    TempDir dir;
    Plan plan = sample_plan();
    std::string path = dir.write("20261126_101500_sample.sql", render_migration(plan, "now"));
    MigrationFile file = read_migration(path);
    ASSERT_EQ(file.statements.size(), plan.steps.size());
    for (size_t i = 0; i < plan.steps.size(); ++i)
        EXPECT_EQ(file.statements[i].sql, plan.steps[i].sql.substr(0, plan.steps[i].sql.size() - 1)) << i;
}

TEST(ReadMigration, StatementTextHasNoTrailingSemicolonOrWhitespace) {
    TempDir dir;
    std::string path = dir.write("a.sql", "BEGIN;\nCREATE SCHEMA a  ;\n\nCOMMIT;\n");
    MigrationFile file = read_migration(path);
    ASSERT_EQ(file.statements.size(), 1u);
    EXPECT_EQ(without_leading_comments(file.statements[0].sql), "CREATE SCHEMA a");
    EXPECT_EQ(file.statements[0].line, 2);
}

TEST(ReadMigration, CommentsEndAndNestAsForPostgres) {
    // A -- comment ends at a carriage return too, and /* comments nest: the
    // statement's text is what PostgreSQL sees of it, so it parses alone.
    TempDir dir;
    std::string path = dir.write("a.sql", "BEGIN;\n-- note\rALTER TABLE t DROP CONSTRAINT c;\n"
                                          "/* outer /* inner */ still a comment; */\nCREATE SCHEMA b;\nCOMMIT;\n");
    MigrationFile file = read_migration(path);
    ASSERT_EQ(file.statements.size(), 2u);
    EXPECT_EQ(file.statements[0].sql, "ALTER TABLE t DROP CONSTRAINT c");
    EXPECT_EQ(file.statements[0].line, 2);
    EXPECT_EQ(file.statements[1].sql, "CREATE SCHEMA b");
    EXPECT_EQ(file.statements[1].line, 4);
    for (const auto& s : file.statements) EXPECT_EQ(pq::ParseResult::parse(s.sql)->statements().size(), 1u);
}

TEST(ReadMigration, FileWithoutBeginIsOneTransactionalPart) {
    TempDir dir;
    std::string path = dir.write("a.sql", "-- by hand\nCREATE SCHEMA a;\nCREATE SCHEMA b;\n");
    MigrationFile file = read_migration(path);
    ASSERT_EQ(file.statements.size(), 2u);
    EXPECT_FALSE(file.statements[0].after_commit);
    EXPECT_FALSE(file.statements[1].after_commit);
    EXPECT_EQ(file.statements[0].line, 2);
    EXPECT_EQ(file.statements[1].line, 3);
    EXPECT_EQ(file.baseline, "");
    EXPECT_EQ(file.target, "");
}

TEST(ReadMigration, HeaderValuesOnlyFromTheLeadingCommentBlock) {
    TempDir dir;
    std::string path = dir.write("a.sql", "-- baseline: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\nCREATE SCHEMA a;\n-- target: sha256:late\n");
    MigrationFile file = read_migration(path);
    EXPECT_EQ(file.baseline, "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    EXPECT_EQ(file.target, "");
}

TEST(ReadMigration, CommitWithoutBeginIsAnError) {
    TempDir dir;
    std::string path = dir.write("a.sql", "CREATE SCHEMA a;\nCOMMIT;\n");
    ExitCode code = k_exit_ok;
    std::string message = error_of([&] { read_migration(path); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(message.find(path + ":2: "), std::string::npos) << message;
    EXPECT_NE(message.find("COMMIT without BEGIN"), std::string::npos) << message;
}

TEST(ReadMigration, BeginTwiceIsAnError) {
    TempDir dir;
    std::string path = dir.write("a.sql", "BEGIN;\nCREATE SCHEMA a;\nBEGIN;\nCOMMIT;\n");
    ExitCode code = k_exit_ok;
    std::string message = error_of([&] { read_migration(path); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(message.find(path + ":3: "), std::string::npos) << message;
    EXPECT_NE(message.find("BEGIN must come first, once"), std::string::npos) << message;
}

TEST(ReadMigration, BeginAfterAStatementIsAnError) {
    TempDir dir;
    std::string path = dir.write("a.sql", "CREATE SCHEMA a;\nBEGIN;\nCOMMIT;\n");
    std::string message = error_of([&] { read_migration(path); });
    EXPECT_NE(message.find("BEGIN must come first"), std::string::npos) << message;
}

TEST(ReadMigration, BeginWithoutCommitIsAnError) {
    TempDir dir;
    std::string path = dir.write("a.sql", "BEGIN;\nCREATE SCHEMA a;\n");
    ExitCode code = k_exit_ok;
    std::string message = error_of([&] { read_migration(path); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(message.find(path + ": BEGIN without COMMIT"), std::string::npos) << message;
}

TEST(ReadMigration, OtherTransactionControlIsAnError) {
    TempDir dir;
    std::string path = dir.write("a.sql", "BEGIN;\nSAVEPOINT x;\nCOMMIT;\n");
    std::string message = error_of([&] { read_migration(path); });
    EXPECT_NE(message.find(path + ":2: transaction control other than one BEGIN ... COMMIT is not allowed"),
              std::string::npos)
        << message;
    std::string rollback = dir.write("b.sql", "BEGIN;\nCREATE SCHEMA a;\nROLLBACK;\n");
    EXPECT_NE(error_of([&] { read_migration(rollback); }).find("transaction control"), std::string::npos);
}

TEST(ReadMigration, SyntaxErrorsNameFileLineAndColumn) {
    TempDir dir;
    std::string path = dir.write("a.sql", "BEGIN;\nCREATE TABEL t ();\nCOMMIT;\n");
    ExitCode code = k_exit_ok;
    std::string message = error_of([&] { read_migration(path); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_EQ(message.rfind(path + ":2:8: ", 0), 0u) << message;
}

TEST(ReadMigration, MissingFileIsAnError) {
    ExitCode code = k_exit_ok;
    std::string message = error_of([] { read_migration("/nonexistent/dir/x.sql"); }, &code);
    EXPECT_EQ(code, k_exit_usage);
    EXPECT_NE(message.find("cannot read \"/nonexistent/dir/x.sql\""), std::string::npos) << message;
}

TEST(MigrationFileName, StampAndLabel) {
    EXPECT_EQ(migration_file_name("add_users", "20261126_101500"), "20261126_101500_add_users.sql");
}

TEST(MigrationFileName, NewStampSortsAfterEveryExistingFile) {
    std::time_t now = 1795682100;  // 2026-11-26 08:35:00 UTC
    EXPECT_EQ(new_migration_stamp({}, now), "20261126_083500");
    EXPECT_EQ(new_migration_stamp({"m/20261126_083000_a.sql"}, now), "20261126_083500");
    // Same second as the newest file (whatever its label): one second later.
    EXPECT_EQ(new_migration_stamp({"m/20261126_083000_a.sql", "m/20261126_083500_init.sql"}, now), "20261126_083501");
    // A newest file ahead of the clock: after it.
    EXPECT_EQ(new_migration_stamp({"m/20261126_235959_z.sql"}, now), "20261127_000000");
    // Names without a stamp are ignored.
    EXPECT_EQ(new_migration_stamp({"m/initial.sql"}, now), "20261126_083500");
}

TEST(MigrationFileName, LabelIsSanitized) {
    EXPECT_EQ(migration_file_name("Add Users!", "20261126_101500"), "20261126_101500_add_users.sql");
    EXPECT_EQ(migration_file_name("  drop--old/table ", "s"), "s_drop__old_table.sql");
    EXPECT_EQ(migration_file_name("__x__", "s"), "s_x.sql");
    EXPECT_EQ(migration_file_name("V2", "s"), "s_v2.sql");
    EXPECT_EQ(migration_file_name("café", "s"), "s_caf.sql");
}

TEST(MigrationFileName, EmptyLabelBecomesMigration) {
    EXPECT_EQ(migration_file_name("", "s"), "s_migration.sql");
    EXPECT_EQ(migration_file_name("!!!", "s"), "s_migration.sql");
}

TEST(MigrationPaths, SqlFilesInNameOrder) {
    TempDir dir;
    dir.write("20260102_000000_b.sql", "");
    dir.write("20260101_000000_a.sql", "");
    dir.write("notes.txt", "");
    dir.write("20260101_000000_a.undo.sql", "");  // run only by migrate undo
    fs::create_directories(fs::path(dir.path()) / "sub");
    auto paths = migration_paths(dir.path());
    ASSERT_EQ(paths.size(), 2u);
    EXPECT_EQ(fs::path(paths[0]).filename(), "20260101_000000_a.sql");
    EXPECT_EQ(fs::path(paths[1]).filename(), "20260102_000000_b.sql");
}

TEST(MigrationPaths, UndoFileNames) {
    EXPECT_EQ(undo_file_name("20260101_000000_a.sql"), "20260101_000000_a.undo.sql");
    EXPECT_TRUE(is_undo_file_name("20260101_000000_a.undo.sql"));
    EXPECT_FALSE(is_undo_file_name("20260101_000000_a.sql"));
    EXPECT_FALSE(is_undo_file_name(".undo.sql"));
}

// A missing directory, a file given as the directory, and a *.sql entry that
// is not a regular file are usage errors, never an empty list.
TEST(MigrationPaths, BadDirectoriesAreUsageErrors) {
    TempDir dir;
    dir.write("20260101_000000_a.sql", "");
    auto message = [](const std::string& path) {
        try {
            migration_paths(path);
        } catch (const Error& e) {
            EXPECT_EQ(e.code, k_exit_usage);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message(dir.path() + "/missing").find("does not exist"), std::string::npos);
    EXPECT_NE(message(dir.path() + "/20260101_000000_a.sql").find("is not a directory"), std::string::npos);
    fs::create_directories(fs::path(dir.path()) / "20260102_000000_b.sql");
    EXPECT_NE(message(dir.path()).find("20260102_000000_b.sql\" is not a readable regular file"), std::string::npos);
    fs::remove(fs::path(dir.path()) / "20260102_000000_b.sql");
    fs::create_symlink("nowhere", fs::path(dir.path()) / "20260103_000000_c.sql");
    EXPECT_NE(message(dir.path()).find("No such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace pgflux

namespace pgflux {
namespace {

TEST(StatementsHash, PositionsAreRemovedExactlyAsTheRegexOfEarlierVersionsDid) {
    static const std::regex location(R"re("(stmt_location|stmt_len|location)":-?[0-9]+,?)re");
    const std::vector<std::string> inputs = {
        R"({"stmts":[{"stmt":{"CreateStmt":{"relation":{"relname":"t","location":13}}},"stmt_len":27}]})",
        R"({"stmt_location":0,"stmt_len":5,"location":-1,"x":1})",
        R"({"location":x,"location":,"location":-,"location":7})",
        R"({"sval":"\"location\":5","xlocation":5,""location":9})",
        R"("location":12)",
        R"("location":12,)",
        R"("stmt_len":)",
        R"(no quotes at all)",
        R"(")",
        "",
    };
    for (const auto& json : inputs) {
        std::string scanned;
        append_without_locations(scanned, json);
        EXPECT_EQ(scanned, std::regex_replace(json, location, "")) << json;
    }
    // And on a real parse tree.
    std::string tree = pq::parse_tree_json("create table \"location\" (location int default 1, b text default '\"location\":1')");
    std::string scanned;
    append_without_locations(scanned, tree);
    EXPECT_EQ(scanned, std::regex_replace(tree, location, ""));
    EXPECT_EQ(scanned.find("\"location\":"), std::string::npos);
}

}  // namespace
}  // namespace pgflux
