// Unit tests for renames: the source reader's "-- @renamed" comments, the
// model document round trip, declared renames in the differ and rename
// candidates.
#include "diff/renames.h"

#include <gtest/gtest.h>

#include "diff/differ.h"
#include "model/model_json.h"
#include "source/schema_dir_test_support.h"
#include "testing/unit_helpers.h"

namespace pgflux {
namespace {

using unit::sqls;

TEST(Renames, SourceReaderTakesTheCommentBeforeAnObjectOrColumn) {
    Model m = read_sql(
        "-- @renamed from=\"Users\"\n"
        "CREATE TABLE members (\n"
        "    id int,\n"
        "    -- @renamed from=Mail\n"
        "    email text,\n"
        "    -- @renamed from=old_check\n"
        "    CONSTRAINT new_check CHECK (id > 0)\n"
        ");\n"
        "  -- @renamed from=public.old_idx\n"
        "  CREATE INDEX new_idx ON members (id);\n");
    const Object* t = m.find(ObjectId{Kind::table, "public", "members"});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->renamed_from, "Users");
    EXPECT_EQ(t->renamed_columns, (std::map<std::string, std::string>{{"email", "mail"}}));
    EXPECT_EQ(m.find(ObjectId{Kind::constraint, "public", "new_check", "members"})->renamed_from, "old_check");
    EXPECT_EQ(m.find(ObjectId{Kind::index, "public", "new_idx", "members"})->renamed_from, "old_idx");
}

TEST(Renames, MisplacedCommentsAreErrors) {
    auto f = failure_of([] { read_sql("CREATE TABLE t (id int); -- @renamed from=x\nCREATE TABLE u (id int);\n"); });
    EXPECT_NE(f.message.find("schema.sql:1:26: a @renamed comment must be a line of its own"), std::string::npos)
        << f.message;
    f = failure_of([] { read_sql("CREATE TABLE t (\n  -- @renamed from=a.b\n  id int\n);\n"); });
    EXPECT_NE(f.message.find("schema.sql:3:3: @renamed: a column's old name is not qualified"), std::string::npos)
        << f.message;
    f = failure_of([] { read_sql("-- @renamed from=t\nCREATE TABLE t (id int);\n"); });
    EXPECT_NE(f.message.find("is renamed from its own name"), std::string::npos) << f.message;
    f = failure_of([] { read_sql("CREATE TABLE t (id int);\n-- @renamed from=x\n"); });
    EXPECT_NE(f.message.find("a @renamed comment must be a line of its own directly before"), std::string::npos)
        << f.message;
}

TEST(Renames, ModelDocumentKeepsThemOutsideTheStateHash) {
    Model m = read_sql("-- @renamed from=old_t\nCREATE TABLE t (\n  -- @renamed from=old_c\n  c int\n);\n");
    Model plain = read_sql("CREATE TABLE t (c int);\n");
    EXPECT_EQ(m.state_hash(), plain.state_hash());
    Model back = model_from_document(model_to_document(m, "test"), "doc");
    const Object* t = back.find(ObjectId{Kind::table, "public", "t"});
    EXPECT_EQ(t->renamed_from, "old_t");
    EXPECT_EQ(t->renamed_columns.at("c"), "old_c");
    json doc = model_to_document(m, "test");
    doc["objects"][0]["renamed_columns"] = {{"c", "c"}};
    EXPECT_NE(failure_of([&] { model_from_document(doc, "doc"); }).message.find("renamed from its own name"),
              std::string::npos);
    doc["objects"][0]["renamed_columns"] = {{"nope", "x"}};
    EXPECT_NE(failure_of([&] { model_from_document(doc, "doc"); }).message.find("the table has no column nope"),
              std::string::npos);
    doc = model_to_document(read_sql("CREATE SEQUENCE s;"), "test");
    doc["objects"][0]["renamed_from"] = "x";
    EXPECT_NE(failure_of([&] { model_from_document(doc, "doc"); }).message.find("a sequence cannot be declared renamed"),
              std::string::npos);
}

TEST(Renames, DeclaredRenamesRunFirstThenTheRestOfTheDiff) {
    Model live = read_sql("CREATE TABLE users (id int PRIMARY KEY, email text);\n"
                          "CREATE INDEX users_email ON users (email);\n");
    Model desired = read_sql("-- @renamed from=users\n"
                             "CREATE TABLE members (\n"
                             "  id int PRIMARY KEY,\n"
                             "  -- @renamed from=email\n"
                             "  mail text,\n"
                             "  joined date\n"
                             ");\n"
                             "-- @renamed from=users_email\n"
                             "CREATE INDEX members_mail ON members (mail);\n");
    Plan plan = diff_models(live, desired);
    std::string all;
    for (const std::string& sql : sqls(plan)) all += sql + "\n";
    EXPECT_EQ(all,
              "ALTER TABLE public.users RENAME TO members;\n"
              "ALTER TABLE public.members RENAME COLUMN email TO mail;\n"
              "ALTER INDEX public.users_email RENAME TO members_mail;\n"
              "ALTER TABLE public.members RENAME CONSTRAINT users_pkey TO members_pkey;\n"
              "ALTER TABLE public.members ADD COLUMN joined date;\n");
    EXPECT_EQ(plan.baseline_hash, live.state_hash());
    // Applied already: the comments change nothing.
    EXPECT_TRUE(diff_models(read_sql("CREATE TABLE members (id int PRIMARY KEY, mail text, joined date);\n"
                                     "CREATE INDEX members_mail ON members (mail);\n"),
                            desired)
                    .steps.empty());
    // Verify mode never renames.
    DiffOptions verify;
    verify.verify = true;
    for (const Step& s : diff_models(live, desired, verify).steps) EXPECT_EQ(s.sql.find("RENAME"), std::string::npos);
}

TEST(Renames, CandidatesAreUnambiguousPairsWithTheSameDefinition) {
    Model live = read_sql("CREATE TABLE t (id int, a text, b int, c int);\nCREATE VIEW v AS SELECT 1 AS x;\n");
    Model desired = read_sql("CREATE TABLE t (id int, a2 text, b2 int, c2 int);\nCREATE VIEW w AS SELECT 1 AS x;\n");
    auto candidates = rename_candidates(live, desired);
    ASSERT_EQ(candidates.size(), 2u);  // b and c are both int: ambiguous, not suggested
    EXPECT_EQ(candidates[0].question, "rename view v to w");
    EXPECT_EQ(candidates[1].question, "rename column t.a to a2");
    EXPECT_NE(candidates[1].note.find("put \"-- @renamed from=a\" on the line before a2 in "), std::string::npos);
    declare_rename(desired, candidates[1]);
    EXPECT_EQ(sqls(diff_models(live, desired))[0], "ALTER TABLE public.t RENAME COLUMN a TO a2;");
}

}  // namespace
}  // namespace pgflux
