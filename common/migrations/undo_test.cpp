// Undo files: what the undo cannot bring back is marked IRREVERSIBLE (on the
// step that recreates it, else in the header), the header says what file it
// undoes, and the text reads back as a migration file.
#include "migrations/undo.h"

#include <gtest/gtest.h>

#include "migrations/migration_file.h"
#include "migrations/plan_text.h"
#include "util/error.h"

namespace pgflux {
namespace {

const std::string k_a = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const std::string k_b = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

Step step(const std::string& sql, const std::string& summary, const std::string& action, ObjectId object,
          std::vector<Hazard> hazards = {}) {
    Step s;
    s.sql = sql;
    s.summary = summary;
    s.action = action;
    s.object = std::move(object);
    s.hazards = std::move(hazards);
    return s;
}

ObjectId table(const std::string& name) { return ObjectId{Kind::table, "public", name}; }

Plan forward_plan() {
    Plan p;
    p.baseline_hash = k_a;
    p.target_hash = k_b;
    p.classified = true;
    p.steps.push_back(step("ALTER TABLE public.users DROP COLUMN nickname;", "DROP COLUMN users.nickname", "alter",
                           table("users"), {{"DATA_LOSS", "drops column nickname of public.users and its data"}}));
    p.steps.push_back(step("DROP TABLE public.notes;", "DROP TABLE notes", "drop", table("notes"),
                           {{"DATA_LOSS", "drops table public.notes and its rows"}}));
    p.steps.push_back(step("DROP SEQUENCE public.s;", "DROP SEQUENCE s", "drop", ObjectId{Kind::sequence, "public", "s"},
                           {{"DATA_LOSS", "drops sequence public.s"}}));
    p.steps.push_back(step("ALTER TABLE public.users ADD COLUMN age integer;", "ADD COLUMN users.age integer",
                           "alter", table("users")));
    return p;
}

Plan undo_plan() {
    Plan p;
    p.baseline_hash = k_b;
    p.target_hash = k_a;
    p.classified = true;
    p.steps.push_back(step("ALTER TABLE public.users DROP COLUMN age;", "DROP COLUMN users.age", "alter", table("users"),
                           {{"DATA_LOSS", "drops column age of public.users and its data"}}));
    p.steps.push_back(step("ALTER TABLE public.users ADD COLUMN zip text;", "ADD COLUMN users.zip text", "alter",
                           table("users")));
    p.steps.push_back(step("ALTER TABLE public.users ADD COLUMN nickname text;", "ADD COLUMN users.nickname text",
                           "alter", table("users")));
    p.steps.push_back(step("CREATE TABLE public.notes (\n    id integer\n);", "CREATE TABLE notes", "create",
                           table("notes")));
    return p;
}

size_t irreversible(const Step& s) {
    size_t n = 0;
    for (const Hazard& h : s.hazards) n += h.code == k_hazard_irreversible;
    return n;
}

TEST(MarkIrreversible, OnTheStepThatMakesItAgainElseInTheHeader) {
    Plan undo = undo_plan();
    UndoHeader header = mark_irreversible(undo, forward_plan(), "20260101_000000_f.sql");
    EXPECT_EQ(header.forward_name, "20260101_000000_f.sql");
    EXPECT_EQ(irreversible(undo.steps[0]), 0u);
    EXPECT_EQ(irreversible(undo.steps[1]), 0u);  // same table, another column
    EXPECT_EQ(irreversible(undo.steps[2]), 1u);
    EXPECT_NE(undo.steps[2].hazards.back().message.find("without the data it held"), std::string::npos);
    EXPECT_EQ(irreversible(undo.steps[3]), 1u);
    // The sequence is not recreated by any undo step: the header says so.
    ASSERT_EQ(header.irreversible.size(), 1u);
    EXPECT_EQ(header.irreversible[0].rfind("DROP SEQUENCE s: ", 0), 0u);
}

TEST(MarkIrreversible, EnumValuesAddedByTheForwardFile) {
    Plan undo;
    undo.baseline_hash = k_b;
    undo.target_hash = k_a;
    ObjectId mood{Kind::enumeration, "public", "mood"};
    undo.steps.push_back(step("ALTER TYPE public.mood RENAME TO mood_pgflux_old;",
                              "RECREATE TYPE mood (values removed or reordered)", "alter", mood));
    Plan forward;
    UndoHeader header = mark_irreversible(undo, forward, "f.sql");
    EXPECT_EQ(irreversible(undo.steps[0]), 1u);
    EXPECT_TRUE(header.irreversible.empty());
}

TEST(RenderUndo, HeaderAndCommentsReadBack) {
    Plan undo = undo_plan();
    UndoHeader header = mark_irreversible(undo, forward_plan(), "20260101_000000_f.sql");
    std::string text = render_migration(undo, "2026-01-01T00:00:00Z", &header);
    EXPECT_EQ(text.rfind("-- pg-flux undo migration\n-- format: 1\n-- undo-of: 20260101_000000_f.sql\n", 0), 0u) << text;
    EXPECT_NE(text.find("-- hazards: DATA_LOSS, IRREVERSIBLE\n"), std::string::npos) << text;
    EXPECT_NE(text.find("--   IRREVERSIBLE: DROP SEQUENCE s: "), std::string::npos) << text;
    EXPECT_NE(text.find("-- ADD COLUMN users.nickname text\n-- IRREVERSIBLE: the forward migration"), std::string::npos)
        << text;
    EXPECT_NE(text.find("pg-flux migrate undo 20260101_000000_f.sql"), std::string::npos);
    MigrationFile back = read_migration_text(text, "20260101_000000_f.undo.sql");
    EXPECT_EQ(back.undo_of, "20260101_000000_f.sql");
    EXPECT_EQ(back.baseline, k_b);
    EXPECT_EQ(back.target, k_a);
    EXPECT_EQ(back.statements.size(), 4u);
    // A forward file has no undo-of.
    Plan forward = forward_plan();
    EXPECT_EQ(read_migration_text(render_migration(forward, "2026-01-01T00:00:00Z"), "f.sql").undo_of, "");
}

TEST(RenderUndo, UndoOfMustBeAMigrationFileName) {
    for (std::string bad : {"../x.sql", "x.undo.sql", "x.txt", ".sql"}) {
        std::string text = "-- undo-of: " + bad + "\nBEGIN;\nCREATE TABLE t ();\nCOMMIT;\n";
        EXPECT_THROW(read_migration_text(text, "u.undo.sql"), Error) << bad;
    }
}

TEST(PlanText, PhasesLocksHazards) {
    Plan p = forward_plan();
    p.steps[0].lock = "ACCESS EXCLUSIVE";
    p.steps[3].phase = k_phase_after_commit;
    std::string text = render_plan_text(p);
    EXPECT_NE(text.find("plan: 4 statements (3 in one transaction, 1 after the commit)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\nIn one transaction:\n\n  1. DROP COLUMN users.nickname\n"
                        "     ALTER TABLE public.users DROP COLUMN nickname;\n     lock: ACCESS EXCLUSIVE\n"
                        "     hazard DATA_LOSS: drops column nickname of public.users and its data\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nAfter the commit, one statement at a time:\n\n  4. ADD COLUMN users.age integer\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nhazards: DATA_LOSS (3 statements)\n"), std::string::npos) << text;
    Plan empty;
    EXPECT_EQ(render_plan_text(empty), "nothing to do: the database already matches the schema\n");
}

}  // namespace
}  // namespace pgflux
