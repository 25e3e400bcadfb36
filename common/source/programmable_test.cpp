// Unit tests for the source handlers of views, materialized views, routines,
// triggers, rules, policies and event triggers: identities (routine
// signatures), canonical attributes with PostgreSQL's defaults, the
// references resolved with the search_path, and errors.
#include <gtest/gtest.h>

#include "source/schema_dir_test_support.h"

namespace pgflux {
namespace {

const Object& object(const Model& m, const ObjectId& id) {
    const Object* o = m.find(id);
    if (!o) throw std::runtime_error("no " + id.describe());
    return *o;
}

bool depends(const Object& o, const ObjectId& on, bool soft = false) {
    const Dependency* d = o.dependency_on(on);
    return d && d->soft == soft;
}

TEST(ReadRoutines, SignatureIsTheInputTypesWithoutModifiers) {
    Model m = read_sql(
        "CREATE FUNCTION f(a varchar(10), OUT b int, INOUT c numeric(5,2), VARIADIC d text[]) "
        "LANGUAGE sql AS 'SELECT 1, 2.0';\n");
    const Object& f = object(m, ObjectId{Kind::function, "public", "f", "", "character varying, numeric, text[]"});
    EXPECT_EQ(f.attrs["returns"], "record");
    EXPECT_EQ(f.attrs["arguments"].size(), 4u);
    EXPECT_EQ(f.attrs["arguments"][1], (json{{"mode", "out"}, {"name", "b"}, {"type", "integer"}}));
}

TEST(ReadRoutines, DefaultsAreFilledInAsPostgreSqlDoes) {
    Model m = read_sql(
        "CREATE FUNCTION s() RETURNS SETOF int LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE FUNCTION c(x int) RETURNS int LANGUAGE c AS 'lib', 'sym';\n");
    const Object& s = object(m, ObjectId{Kind::function, "public", "s", "", ""});
    EXPECT_EQ(s.attrs["returns"], "SETOF integer");
    EXPECT_EQ(s.attrs["rows"], 1000);
    EXPECT_EQ(s.attrs["cost"], 100);
    EXPECT_EQ(s.attrs["volatility"], "volatile");
    EXPECT_EQ(s.attrs["parallel"], "unsafe");
    const Object& c = object(m, ObjectId{Kind::function, "public", "c", "", "integer"});
    EXPECT_EQ(c.attrs["cost"], 1);
    EXPECT_EQ(c.attrs["library"], "lib");
    EXPECT_EQ(c.attrs["body"], "sym");
}

TEST(ReadRoutines, SettingsAreStoredAsProconfigIs) {
    Model m = read_sql(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET work_mem = '64MB' SET search_path = app, \"My S\", pg_temp "
        "AS 'SELECT 1';\nCREATE SCHEMA app;\n");
    const Object& f = object(m, ObjectId{Kind::function, "public", "f", "", ""});
    EXPECT_EQ(f.attrs["config"], (json{"search_path=app, \"My S\", pg_temp", "work_mem=64MB"}));
}

TEST(ReadRoutines, SqlStandardBodiesAreCanonicalAndTheirReferencesHard) {
    Model m = read_sql(
        "CREATE TABLE t (id int);\n"
        "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT   count(*) FROM t; END;\n"
        "CREATE FUNCTION r(x int) RETURNS int LANGUAGE sql RETURN x+1;\n"
        "CREATE FUNCTION soft() RETURNS bigint LANGUAGE sql AS 'select count(*) from t';\n");
    const Object& n = object(m, ObjectId{Kind::function, "public", "n", "", ""});
    EXPECT_EQ(n.attrs["sql_body"], "BEGIN ATOMIC\nSELECT count(*) FROM t;\nEND");
    EXPECT_TRUE(depends(n, ObjectId{Kind::table, "public", "t"}));
    EXPECT_EQ(object(m, ObjectId{Kind::function, "public", "r", "", "integer"}).attrs["sql_body"], "RETURN x + 1");
    EXPECT_TRUE(depends(object(m, ObjectId{Kind::function, "public", "soft", "", ""}), ObjectId{Kind::table, "public", "t"}, true));
}

TEST(ReadRoutines, TableRowTypesResolveInSignatures) {
    Model m = read_sql("CREATE FUNCTION f(u users) RETURNS SETOF users LANGUAGE sql AS 'SELECT u';\n"
                       "CREATE TABLE users (id int);\n");
    const Object& f = object(m, ObjectId{Kind::function, "public", "f", "", "public.users"});
    EXPECT_EQ(f.attrs["returns"], "SETOF public.users");
    EXPECT_TRUE(depends(f, ObjectId{Kind::table, "public", "users"}));
}

TEST(ReadRoutines, OrReplaceReplacesAnEarlierDefinition) {
    Model m = read_sql("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                       "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n");
    EXPECT_EQ(object(m, ObjectId{Kind::function, "public", "f", "", ""}).attrs["body"], "SELECT 2");
}

TEST(ReadRoutines, ProceduresAndAggregates) {
    Model m = read_sql(
        "CREATE PROCEDURE p(x int) LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE FUNCTION acc(int, int) RETURNS int LANGUAGE sql RETURN $1 + $2;\n"
        "CREATE AGGREGATE a(int) (SFUNC = acc, STYPE = int, INITCOND = '0');\n"
        "CREATE AGGREGATE pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal);\n"
        "CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8);\n"
        "COMMENT ON PROCEDURE p(int) IS 'proc';\nCOMMENT ON AGGREGATE cnt(*) IS 'star';\n");
    EXPECT_EQ(object(m, ObjectId{Kind::procedure, "public", "p", "", "integer"}).attrs["comment"], "proc");
    const Object& a = object(m, ObjectId{Kind::aggregate, "public", "a", "", "integer"});
    EXPECT_EQ(a.attrs["sfunc"], "public.acc");
    EXPECT_EQ(a.attrs["finalfunc_modify"], "read_only");
    EXPECT_TRUE(depends(a, ObjectId{Kind::function, "public", "acc", "", "integer, integer"}));
    const Object& pct = object(m, ObjectId{Kind::aggregate, "public", "pct", "", "double precision, double precision"});
    EXPECT_EQ(pct.attrs["kind"], "ordered_set");
    EXPECT_EQ(pct.attrs["direct_arguments"], 1);
    EXPECT_EQ(pct.attrs["finalfunc_modify"], "read_write");
    EXPECT_EQ(object(m, ObjectId{Kind::aggregate, "public", "cnt", "", ""}).attrs["comment"], "star");
}

TEST(ReadRoutines, Errors) {
    Failure same = failure_of([] {
        read_sql("CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                 "CREATE PROCEDURE f(int) LANGUAGE sql AS 'SELECT 1';\n");
    });
    EXPECT_NE(same.message.find("procedure f(integer) has the same signature as function f(integer)"), std::string::npos)
        << same.message;
    Failure comment = failure_of([] { read_sql("COMMENT ON FUNCTION nope(int) IS 'x';\n"); });
    EXPECT_NE(comment.message.find("function nope(integer) is not defined in the schema files"), std::string::npos)
        << comment.message;
    Failure current = failure_of([] { read_sql("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET x FROM CURRENT AS 'SELECT 1';"); });
    EXPECT_EQ(current.code, k_exit_usage);
}

TEST(ReadViews, QueryColumnsOptionsAndReferences) {
    Model m = read_sql(
        "CREATE VIEW v (a, b) WITH (security_barrier) AS SELECT id, lower(name) FROM t WHERE id > 0\n"
        "  WITH LOCAL CHECK OPTION;\n"
        "CREATE TABLE t (id int, name text);\n"
        "ALTER VIEW v ALTER COLUMN a SET DEFAULT 1;\nCOMMENT ON COLUMN v.b IS 'lowered';\n"
        "CREATE VIEW w AS SELECT * FROM v;\n");
    const Object& v = object(m, ObjectId{Kind::view, "public", "v"});
    EXPECT_EQ(v.attrs["query"], "SELECT id, lower(name) FROM t WHERE id > 0");
    EXPECT_EQ(v.attrs["columns"], (json{{{"name", "a"}}, {{"name", "b"}}}));
    EXPECT_EQ(v.attrs["options"], (json{"check_option=local", "security_barrier=true"}));
    EXPECT_EQ(v.attrs["column_defaults"], (json{{"a", "1"}}));
    EXPECT_EQ(v.attrs["column_comments"], (json{{"b", "lowered"}}));
    EXPECT_TRUE(depends(v, ObjectId{Kind::table, "public", "t"}));
    EXPECT_TRUE(depends(object(m, ObjectId{Kind::view, "public", "w"}), ObjectId{Kind::view, "public", "v"}));
}

TEST(ReadViews, MaterializedViewWithNoDataAndIndexes) {
    Model m = read_sql(
        "CREATE MATERIALIZED VIEW mv WITH (fillfactor = 50) AS SELECT 1 AS x WITH NO DATA;\n"
        "CREATE UNIQUE INDEX mv_x ON mv (x);\n");
    const Object& mv = object(m, ObjectId{Kind::materialized_view, "public", "mv"});
    EXPECT_EQ(mv.attrs["options"], (json{"fillfactor=50"}));
    EXPECT_FALSE(mv.attrs.contains("with_data"));
    EXPECT_EQ(mv.ddl["with_data"], false);
    EXPECT_NE(m.find(ObjectId{Kind::index, "public", "mv_x", "mv"}), nullptr);
}

TEST(ReadViews, Errors) {
    EXPECT_NE(failure_of([] { read_sql("CREATE TABLE t AS SELECT 1;"); }).message.find("CREATE TABLE ... AS is not supported"),
              std::string::npos);
    EXPECT_NE(failure_of([] { read_sql("CREATE VIEW v AS SELECT 1;\nCREATE INDEX ON v (x);"); })
                  .message.find("cannot index view v"),
              std::string::npos);
    EXPECT_NE(failure_of([] { read_sql("CREATE VIEW v AS SELECT 1;\nCOMMENT ON TABLE v IS 'x';"); })
                  .message.find("view v is not a table"),
              std::string::npos);
}

TEST(ReadTriggers, TriggerAttributesStateAndFunction) {
    Model m = read_sql(
        "CREATE SCHEMA app;\nSET search_path = app;\n"
        "CREATE TABLE t (id int, v int);\n"
        "CREATE TRIGGER tr BEFORE INSERT OR UPDATE OF v ON t FOR EACH ROW WHEN (NEW.v > 0) EXECUTE FUNCTION stamp('a');\n"
        "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "ALTER TABLE t DISABLE TRIGGER tr;\n");
    const Object& tr = object(m, ObjectId{Kind::trigger, "app", "tr", "t"});
    EXPECT_EQ(tr.attrs["timing"], "before");
    EXPECT_EQ(tr.attrs["events"], (json{"insert", "update"}));
    EXPECT_EQ(tr.attrs["columns"], (json{"v"}));
    EXPECT_EQ(tr.attrs["when"], "new.v > 0");
    EXPECT_EQ(tr.attrs["function"], "app.stamp");
    EXPECT_EQ(tr.attrs["arguments"], (json{"a"}));
    EXPECT_EQ(tr.attrs["enabled"], "disabled");
    EXPECT_TRUE(depends(tr, ObjectId{Kind::function, "app", "stamp", "", ""}));
    EXPECT_TRUE(depends(tr, ObjectId{Kind::table, "app", "t"}));
}

TEST(ReadTriggers, PoliciesRowSecurityRulesAndEventTriggers) {
    Model m = read_sql(
        "CREATE TABLE t (id int);\n"
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\nALTER TABLE t FORCE ROW LEVEL SECURITY;\n"
        "CREATE POLICY p ON t AS RESTRICTIVE FOR UPDATE TO bob, PUBLIC USING (id > 0) WITH CHECK (id < 9);\n"
        "ALTER POLICY p ON t USING (id > 1);\n"
        "CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;\n"
        "CREATE FUNCTION f() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n"
        "CREATE EVENT TRIGGER e ON ddl_command_end WHEN TAG IN ('create table') EXECUTE FUNCTION f();\n"
        "ALTER EVENT TRIGGER e ENABLE ALWAYS;\nCOMMENT ON EVENT TRIGGER e IS 'ddl';\n");
    const Object& t = object(m, ObjectId{Kind::table, "public", "t"});
    EXPECT_EQ(t.attrs["row_security"], true);
    EXPECT_EQ(t.attrs["force_row_security"], true);
    const Object& p = object(m, ObjectId{Kind::policy, "public", "p", "t"});
    EXPECT_EQ(p.attrs, (json{{"permissive", false}, {"command", "update"}, {"roles", {"public"}},
                             {"using", "id > 1"}, {"check", "id < 9"}}));
    EXPECT_EQ(object(m, ObjectId{Kind::rule, "public", "r", "t"}).attrs,
              (json{{"event", "insert"}, {"instead", true}, {"actions", json::array()}}));
    const Object& e = object(m, ObjectId{Kind::event_trigger, "", "e"});
    EXPECT_EQ(e.attrs, (json{{"event", "ddl_command_end"}, {"tags", {"CREATE TABLE"}}, {"function", "public.f"},
                             {"enabled", "always"}, {"comment", "ddl"}}));
}

TEST(ReadTriggers, Errors) {
    EXPECT_NE(failure_of([] { read_sql("CREATE VIEW v AS SELECT 1 AS x;\nCREATE POLICY p ON v USING (true);"); })
                  .message.find("policies belong to tables"),
              std::string::npos);
    EXPECT_NE(failure_of([] { read_sql("CREATE TABLE t (id int);\nALTER TABLE t DISABLE TRIGGER nope;"); })
                  .message.find("trigger nope on t is not defined in the schema files"),
              std::string::npos);
    EXPECT_NE(failure_of([] { read_sql("CREATE TABLE t (id int);\nCREATE POLICY p ON t TO CURRENT_USER USING (true);"); })
                  .message.find("CURRENT_USER, CURRENT_ROLE and SESSION_USER are not supported"),
              std::string::npos);
}

}  // namespace
}  // namespace pgflux
