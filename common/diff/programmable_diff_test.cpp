// Unit tests for the differ on views, routines, triggers, rules and
// policies: what changes in place, what is recreated with what depends on
// it (and says so), and the order of the steps. Models come from the source
// reader, whose dependencies know no columns: a column change recreates
// every view over the table (the catalog's pg_depend narrows it to the
// views that use the column).
#include <gtest/gtest.h>

#include "diff/differ.h"
#include "source/schema_dir_test_support.h"

namespace pgflux {
namespace {

int position(const Plan& p, const std::string& text) {
    for (size_t i = 0; i < p.steps.size(); ++i)
        if (p.steps[i].sql.find(text) != std::string::npos || p.steps[i].summary == text) return static_cast<int>(i);
    ADD_FAILURE() << "no step contains: " << text;
    return -1;
}

bool has_summary(const Plan& p, const std::string& summary) {
    for (const Step& s : p.steps)
        if (s.summary == summary) return true;
    return false;
}

std::string dump(const Plan& p) {
    std::string out;
    for (const Step& s : p.steps) out += "-- " + s.summary + "\n" + s.sql + "\n";
    for (const auto& n : p.notes) out += "note: " + n + "\n";
    return out;
}

Plan diff_sql(const std::string& live, const std::string& desired) {
    return diff_models(read_sql(live), read_sql(desired));
}

const char* k_chain =
    "CREATE TABLE t (id int, v int);\n"
    "CREATE VIEW a AS SELECT id, v FROM t;\n"
    "CREATE VIEW b AS SELECT v FROM a;\n";

TEST(DifferViews, AColumnTypeChangeRecreatesTheViewsOverItInDependencyOrder) {
    std::string desired = k_chain;
    desired.replace(desired.find("v int"), 5, "v bigint");
    Plan p = diff_sql(k_chain, desired);
    int drop_b = position(p, "DROP VIEW public.b;"), drop_a = position(p, "DROP VIEW public.a;");
    int alter = position(p, "ALTER TABLE public.t ALTER COLUMN v TYPE bigint");
    int create_a = position(p, "CREATE VIEW public.a"), create_b = position(p, "CREATE VIEW public.b");
    EXPECT_LT(drop_b, drop_a) << dump(p);
    EXPECT_LT(drop_a, alter);
    EXPECT_LT(alter, create_a);
    EXPECT_LT(create_a, create_b);
    EXPECT_TRUE(has_summary(p, "DROP VIEW a (recreated because column t.v changes)")) << dump(p);
    EXPECT_TRUE(has_summary(p, "CREATE VIEW b (recreated because view a is recreated)")) << dump(p);
}

TEST(DifferViews, ANewColumnAtTheEndIsCreateOrReplace) {
    Plan p = diff_sql("CREATE TABLE t (id int, v int);\nCREATE VIEW a (x) AS SELECT id FROM t;\n",
                      "CREATE TABLE t (id int, v int);\nCREATE VIEW a (x, y) AS SELECT id, v FROM t;\n");
    ASSERT_EQ(p.steps.size(), 1u) << dump(p);
    EXPECT_EQ(p.steps[0].sql, "CREATE OR REPLACE VIEW public.a (x, y) AS\nSELECT id, v FROM t;");
}

TEST(DifferViews, ARemovedColumnRecreatesTheViewAndItsDependents) {
    Plan p = diff_sql("CREATE TABLE t (id int, v int);\nCREATE VIEW a (x, y) AS SELECT id, v FROM t;\n"
                      "CREATE VIEW b AS SELECT x FROM a;\n",
                      "CREATE TABLE t (id int, v int);\nCREATE VIEW a (x) AS SELECT id FROM t;\n"
                      "CREATE VIEW b AS SELECT x FROM a;\n");
    EXPECT_TRUE(has_summary(p, "DROP VIEW a (recreated because columns are removed)")) << dump(p);
    EXPECT_TRUE(has_summary(p, "DROP VIEW b (recreated because view a is recreated)")) << dump(p);
    EXPECT_LT(position(p, "DROP VIEW public.b;"), position(p, "DROP VIEW public.a;"));
}

TEST(DifferViews, OptionsAloneChangeWithAlterView) {
    Plan p = diff_sql("CREATE VIEW v WITH (security_barrier) AS SELECT 1 AS x;\n",
                      "CREATE VIEW v WITH (security_invoker = on) AS SELECT 1 AS x;\n");
    ASSERT_EQ(p.steps.size(), 2u) << dump(p);
    EXPECT_EQ(p.steps[0].sql, "ALTER VIEW public.v RESET (security_barrier);");
    EXPECT_EQ(p.steps[1].sql, "ALTER VIEW public.v SET (security_invoker='on');");
}

TEST(DifferViews, AMaterializedViewWhoseQueryChangesIsRecreatedWithItsIndexes) {
    Plan p = diff_sql("CREATE MATERIALIZED VIEW m AS SELECT 1 AS x;\nCREATE INDEX m_x ON m (x);\n",
                      "CREATE MATERIALIZED VIEW m AS SELECT 2 AS x;\nCREATE INDEX m_x ON m (x);\n");
    EXPECT_EQ(p.steps.size(), 3u) << dump(p);
    EXPECT_TRUE(has_summary(p, "DROP MATERIALIZED VIEW m (recreated because its query changes)")) << dump(p);
    EXPECT_TRUE(has_summary(p, "CREATE INDEX m_x (recreated because materialized view m is recreated)")) << dump(p);
    EXPECT_LT(position(p, "CREATE MATERIALIZED VIEW"), position(p, "CREATE INDEX m_x"));
}

TEST(DifferRoutines, BodyChangeIsCreateOrReplaceAndAttributesAreAlterFunction) {
    Plan body = diff_sql("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
                         "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n");
    ASSERT_EQ(body.steps.size(), 1u) << dump(body);
    EXPECT_EQ(body.steps[0].sql.rfind("CREATE OR REPLACE FUNCTION public.f()", 0), 0u);
    Plan attrs = diff_sql("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
                          "CREATE FUNCTION f() RETURNS int LANGUAGE sql STABLE LEAKPROOF SET work_mem = '1MB' AS 'SELECT 1';\n");
    ASSERT_EQ(attrs.steps.size(), 1u) << dump(attrs);
    EXPECT_EQ(attrs.steps[0].sql, "ALTER FUNCTION public.f() STABLE LEAKPROOF\n SET work_mem TO '1MB';");
}

TEST(DifferRoutines, AResultTypeChangeRecreatesWhatUsesTheFunction) {
    const char* live =
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x;\n"
        "CREATE TABLE t (id int DEFAULT f(1), CHECK (f(id) > 0));\n"
        "CREATE VIEW v AS SELECT f(id) FROM t;\n"
        "CREATE POLICY p ON t USING (f(id) > 0);\n";
    std::string desired = live;
    desired.replace(desired.find("RETURNS int"), 11, "RETURNS bigint");
    Plan p = diff_sql(live, desired);
    int drop_default = position(p, "ALTER TABLE public.t ALTER COLUMN id DROP DEFAULT;");
    int drop_check = position(p, "DROP CONSTRAINT t_id_check;");
    int drop_view = position(p, "DROP VIEW public.v;");
    int drop_policy = position(p, "DROP POLICY p ON public.t;");
    int drop_f = position(p, "DROP FUNCTION public.f(integer);");
    int create_f = position(p, "CREATE FUNCTION public.f(x integer)");
    int set_default = position(p, "SET DEFAULT f(1);");
    for (int before : {drop_default, drop_check, drop_view, drop_policy}) EXPECT_LT(before, drop_f) << dump(p);
    EXPECT_LT(drop_f, create_f);
    for (int after : {set_default, position(p, "ADD CONSTRAINT t_id_check"), position(p, "CREATE VIEW public.v"),
                      position(p, "CREATE POLICY p")})
        EXPECT_LT(create_f, after) << dump(p);
    EXPECT_TRUE(has_summary(p, "DROP FUNCTION f(integer) (recreated because its result type changes)")) << dump(p);
    EXPECT_TRUE(has_summary(p, "DROP POLICY p ON t (recreated because function f(integer) is recreated)")) << dump(p);
}

TEST(DifferRoutines, ANewTableSetsADefaultCallingAFunctionAfterTheFunction) {
    Plan p = diff_sql("", "CREATE TABLE t (id int DEFAULT next_id());\n"
                          "CREATE FUNCTION next_id() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT count(*)::int FROM t; END;\n");
    int table = position(p, "CREATE TABLE public.t");
    int function = position(p, "CREATE FUNCTION public.next_id()");
    int set_default = position(p, "ALTER TABLE public.t ALTER COLUMN id SET DEFAULT next_id();");
    EXPECT_LT(table, function) << dump(p);
    EXPECT_LT(function, set_default) << dump(p);
    EXPECT_EQ(p.steps[table].sql.find("DEFAULT"), std::string::npos) << dump(p);
}

TEST(DifferRoutines, AnOpaqueBodyGivesWayInACycle) {
    Plan p = diff_sql("", "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM v';\n"
                          "CREATE VIEW v AS SELECT f() AS n;\n");
    EXPECT_LT(position(p, "CREATE FUNCTION public.f()"), position(p, "CREATE VIEW public.v")) << dump(p);
}

TEST(DifferRoutines, AHardCycleIsAnErrorNamingItsSteps) {
    Model desired = read_sql("CREATE VIEW a AS SELECT 1 AS x;\nCREATE VIEW b AS SELECT 1 AS x;\n");
    desired.find(ObjectId{Kind::view, "public", "a"})->depend_on({ObjectId{Kind::view, "public", "b"}});
    desired.find(ObjectId{Kind::view, "public", "b"})->depend_on({ObjectId{Kind::view, "public", "a"}});
    Failure f = failure_of([&] { diff_models(Model(), desired); });
    EXPECT_EQ(f.code, k_exit_internal);
    EXPECT_NE(f.message.find("CREATE VIEW a\n    must come before\n  CREATE VIEW b"), std::string::npos) << f.message;
}

TEST(DifferTriggers, ChangesInPlaceAndEnabledState) {
    const char* fn = "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                     "CREATE TABLE t (id int);\n";
    Plan p = diff_sql(std::string(fn) + "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();\n",
                      std::string(fn) + "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf();\n"
                                        "ALTER TABLE t ENABLE REPLICA TRIGGER tr;\n");
    ASSERT_EQ(p.steps.size(), 2u) << dump(p);
    EXPECT_EQ(p.steps[0].sql, "CREATE OR REPLACE TRIGGER tr BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.tf();");
    EXPECT_EQ(p.steps[1].sql, "ALTER TABLE public.t ENABLE REPLICA TRIGGER tr;");
}

TEST(DifferTriggers, ObjectsOfADroppedRelationGoWithIt) {
    Plan p = diff_sql(
        "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "CREATE TABLE t (id int);\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();\n"
        "CREATE POLICY p ON t USING (true);\nCREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;\n",
        "");
    ASSERT_EQ(p.steps.size(), 2u) << dump(p);
    EXPECT_EQ(p.steps[0].sql, "DROP TABLE public.t;");
    EXPECT_EQ(p.steps[1].sql, "DROP FUNCTION public.tf();");
}

TEST(DifferPolicies, AlterPolicyOrRecreate) {
    const char* t = "CREATE TABLE t (id int);\n";
    Plan alter = diff_sql(std::string(t) + "CREATE POLICY p ON t USING (id > 0);\n",
                          std::string(t) + "CREATE POLICY p ON t TO bob USING (id > 1) WITH CHECK (id < 9);\n");
    ASSERT_EQ(alter.steps.size(), 1u) << dump(alter);
    EXPECT_EQ(alter.steps[0].sql, "ALTER POLICY p ON public.t TO bob USING (id > 1) WITH CHECK (id < 9);");
    Plan recreate = diff_sql(std::string(t) + "CREATE POLICY p ON t FOR SELECT USING (id > 0);\n",
                             std::string(t) + "CREATE POLICY p ON t FOR UPDATE USING (id > 0);\n");
    EXPECT_TRUE(has_summary(recreate, "DROP POLICY p ON t (recreated because its command changes)")) << dump(recreate);
}

TEST(DifferVerify, ExtraLiveViewsAndFunctionsAreFine) {
    DiffOptions verify;
    verify.verify = true;
    Plan p = diff_models(read_sql("CREATE VIEW v AS SELECT 1 AS x;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;\n"),
                         read_sql(""), verify);
    EXPECT_TRUE(p.steps.empty()) << dump(p);
}

}  // namespace
}  // namespace pgflux
