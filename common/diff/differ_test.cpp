// Unit tests for the differ: ordering, table creation, column changes
// and their order, enums (ADD VALUE, recreation), cascades from a replaced
// key, verify mode, loose comparison notes and determinism. Models come from
// read_source over small SQL files.
#include "diff/differ.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "source/source_reader.h"
#include "testing/unit_helpers.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace {

using unit::sqls;

Model model_of(const std::string& sql) {
    static int counter = 0;
    fs::path dir = fs::temp_directory_path() /
                   ("pgflux_differ_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "schema.sql", std::ios::binary) << sql;
    Model m;
    try {
        m = read_source({dir.string()});
    } catch (...) {
        fs::remove_all(dir);
        throw;
    }
    fs::remove_all(dir);
    return m;
}

// Position of the first step whose SQL contains `text`; fails the test when absent.
int position(const Plan& p, const std::string& text) {
    for (size_t i = 0; i < p.steps.size(); ++i)
        if (p.steps[i].sql.find(text) != std::string::npos) return static_cast<int>(i);
    ADD_FAILURE() << "no step contains: " << text;
    return -1;
}

int count_containing(const Plan& p, const std::string& text) {
    int n = 0;
    for (const Step& s : p.steps)
        if (s.sql.find(text) != std::string::npos) ++n;
    return n;
}

std::string dump(const Plan& p) {
    std::string out;
    for (const Step& s : p.steps) out += s.sql + "\n";
    for (const auto& n : p.notes) out += "note: " + n + "\n";
    return out;
}

TEST(Differ, IdenticalModelsNeedNoSteps) {
    const char* sql =
        "CREATE SCHEMA app;\n"
        "CREATE TYPE app.mood AS ENUM ('a', 'b');\n"
        "CREATE TABLE app.users (id serial PRIMARY KEY, m app.mood DEFAULT 'a', email text UNIQUE);\n"
        "CREATE INDEX ON app.users (lower(email));\n"
        "CREATE TABLE app.orders (id int PRIMARY KEY, user_id int REFERENCES app.users);\n"
        "COMMENT ON TABLE app.users IS 'people';\n";
    Model live = model_of(sql), desired = model_of(sql);
    Plan p = diff_models(live, desired);
    EXPECT_TRUE(p.steps.empty()) << dump(p);
    EXPECT_TRUE(p.notes.empty()) << dump(p);
    EXPECT_EQ(p.baseline_hash, live.state_hash());
    EXPECT_EQ(p.target_hash, desired.state_hash());
    EXPECT_EQ(p.baseline_hash, p.target_hash);
}

TEST(Differ, PlanCarriesHashesProvenanceAndLiveCount) {
    Model live = model_of("CREATE TABLE a (id int);\nCREATE TABLE b (id int PRIMARY KEY);\n");
    Model desired = model_of("CREATE TABLE a (id int);\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(p.baseline_hash, live.state_hash());
    EXPECT_EQ(p.target_hash, desired.state_hash());
    EXPECT_EQ(p.live_object_count, 2);
    EXPECT_EQ(p.from, live.source);
    EXPECT_EQ(p.to, desired.source);
    EXPECT_FALSE(p.classified);
}

TEST(DifferOrder, DropsInReverseDependencyOrderThenCreatesInDependencyOrder) {
    Model live = model_of(
        "CREATE SCHEMA gone;\n"
        "CREATE TYPE gone.kind AS ENUM ('a');\n"
        "CREATE TABLE parent (id int PRIMARY KEY);\n"
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);\n"
        "CREATE TABLE gone.stuff (k gone.kind);\n");
    Model desired = model_of(
        "CREATE SCHEMA fresh;\n"
        "CREATE TYPE fresh.kind AS ENUM ('x');\n"
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int);\n"
        "CREATE TABLE fresh.things (id int PRIMARY KEY, k fresh.kind, child_id int REFERENCES child);\n");
    Plan p = diff_models(live, desired);
    int drop_fk = position(p, "ALTER TABLE public.child DROP CONSTRAINT child_parent_id_fkey;");
    int schema = position(p, "CREATE SCHEMA fresh;");
    int type = position(p, "CREATE TYPE fresh.kind AS ENUM ('x');");
    int table = position(p, "CREATE TABLE fresh.things");
    int add_fk = position(p, "ALTER TABLE fresh.things ADD CONSTRAINT things_child_id_fkey FOREIGN KEY (child_id) REFERENCES public.child (id);");
    int drop_parent = position(p, "DROP TABLE public.parent;");
    int drop_stuff = position(p, "DROP TABLE gone.stuff;");
    int drop_type = position(p, "DROP TYPE gone.kind;");
    int drop_schema = position(p, "DROP SCHEMA gone;");
    // Drops first (what depends on an object before the object), then creates.
    EXPECT_EQ(drop_fk, 0) << dump(p);
    EXPECT_LT(drop_fk, drop_parent);
    EXPECT_LT(drop_stuff, drop_type);
    EXPECT_LT(drop_type, drop_schema);
    EXPECT_LT(drop_parent, schema);
    EXPECT_LT(drop_schema, schema);
    EXPECT_LT(schema, type);
    EXPECT_LT(type, table);
    EXPECT_LT(table, add_fk);
    EXPECT_EQ(add_fk, static_cast<int>(p.steps.size()) - 1) << dump(p);
    // The parent's key goes with its table; no separate DROP CONSTRAINT.
    EXPECT_EQ(count_containing(p, "parent_pkey"), 0) << dump(p);
    EXPECT_EQ(p.steps.size(), 9u) << dump(p);
}

TEST(DifferOrder, ADroppedObjectsNameCanBeTakenByANewOne) {
    // A table becomes a view's name elsewhere in pg_dump-style schemas; here
    // an index name moves to another table: the old one goes first.
    Model live = model_of("CREATE TABLE a (x int);\nCREATE INDEX the_idx ON a (x);\n");
    Model desired = model_of("CREATE TABLE b (x int);\nCREATE INDEX the_idx ON b (x);\n");
    Plan p = diff_models(live, desired);
    EXPECT_LT(position(p, "DROP TABLE public.a;"), position(p, "CREATE INDEX the_idx ON public.b")) << dump(p);
}

TEST(DifferOrder, SequencesBeforeTablesAndOwnershipAfter) {
    Model live = model_of("CREATE TABLE t (x int);\n");
    Model desired = model_of("CREATE SEQUENCE s;\nCREATE TABLE t (x int DEFAULT nextval('s'));\nALTER SEQUENCE s OWNED BY t.x;\n");
    Plan p = diff_models(live, desired);
    int create = position(p, "CREATE SEQUENCE public.s;");
    // The source's nextval('s') is stored resolved: nextval('public.s'::regclass).
    int set_default = position(p, "ALTER TABLE public.t ALTER COLUMN x SET DEFAULT nextval('public.s'::regclass);");
    int owned = position(p, "ALTER SEQUENCE public.s OWNED BY public.t.x;");
    EXPECT_LT(create, set_default);
    EXPECT_LT(set_default, owned);
}

TEST(DifferOrder, ActionsAndObjects) {
    Model live = model_of("CREATE TABLE old (id int);\n");
    Model desired = model_of("CREATE SCHEMA app;\n");
    Plan p = diff_models(live, desired);
    ASSERT_EQ(p.steps.size(), 2u) << dump(p);
    EXPECT_EQ(p.steps[0].action, "drop");
    EXPECT_EQ(p.steps[0].sql, "DROP TABLE public.old;");
    EXPECT_EQ(p.steps[0].summary, "DROP TABLE old");
    EXPECT_EQ(p.steps[1].action, "create");
    EXPECT_EQ(p.steps[1].object, (ObjectId{Kind::schema, "", "app", ""}));
    EXPECT_EQ(p.steps[1].summary, "CREATE SCHEMA app");
    EXPECT_EQ(p.steps[1].phase, k_phase_transactional);
}

TEST(DifferCreateTable, InlineConstraintsAndSeparateForeignKeys) {
    Model live = model_of("CREATE TABLE users (id int PRIMARY KEY);\n");
    Model desired = model_of(
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE orders (\n"
        "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  code text NOT NULL UNIQUE,\n"
        "  qty int DEFAULT 1 CHECK (qty > 0),\n"
        "  user_id int REFERENCES users\n"
        ");\n"
        "CREATE INDEX ON orders (user_id);\n"
        "COMMENT ON COLUMN orders.code IS 'the code';\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(p.steps[0].sql,
              "CREATE TABLE public.orders (\n"
              "    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.orders_id_seq),\n"
              "    code text NOT NULL,\n"
              "    qty integer DEFAULT 1,\n"
              "    user_id integer,\n"
              "    CONSTRAINT orders_code_key UNIQUE (code),\n"
              "    CONSTRAINT orders_pkey PRIMARY KEY (id),\n"
              "    CONSTRAINT orders_qty_check CHECK (qty > 0)\n"
              ");")
        << dump(p);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           p.steps[0].sql,
                           "COMMENT ON COLUMN public.orders.code IS 'the code';",
                           "CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id);",
                           "ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id);",
                       }))
        << dump(p);
}

TEST(DifferColumns, TypeChangeDropsDefaultFirstAndSetsItAfter) {
    Model live = model_of("CREATE TABLE t (a int DEFAULT 1);\n");
    Model desired = model_of("CREATE TABLE t (a bigint DEFAULT 2);\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t ALTER COLUMN a DROP DEFAULT;",
                           "ALTER TABLE public.t ALTER COLUMN a TYPE bigint USING a::bigint;",
                           "ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 2;",
                       }))
        << dump(p);
    EXPECT_EQ(p.steps[1].summary, "ALTER COLUMN t.a TYPE bigint");
}

TEST(DifferColumns, TypeChangeKeepsAnUnchangedDefault) {
    Model live = model_of("CREATE TABLE t (a int DEFAULT 1);\n");
    Model desired = model_of("CREATE TABLE t (a bigint DEFAULT 1);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "ALTER TABLE public.t ALTER COLUMN a DROP DEFAULT;",
                                                    "ALTER TABLE public.t ALTER COLUMN a TYPE bigint USING a::bigint;",
                                                    "ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 1;",
                                                }));
}

TEST(DifferColumns, DefaultChangesAlone) {
    Model live = model_of("CREATE TABLE t (a int DEFAULT 1, b int, c int DEFAULT 3);\n");
    Model desired = model_of("CREATE TABLE t (a int DEFAULT 5, b int DEFAULT 0, c int);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 5;",
                                                    "ALTER TABLE public.t ALTER COLUMN b SET DEFAULT 0;",
                                                    "ALTER TABLE public.t ALTER COLUMN c DROP DEFAULT;",
                                                }));
}

TEST(DifferColumns, DefaultNeedingParenthesesInAColumnDefinition) {
    // SET DEFAULT takes any expression; ADD COLUMN ... DEFAULT needs the parentheses.
    Model live = model_of("CREATE TABLE t (ts timestamp);\n");
    Model desired = model_of("CREATE TABLE t (ts timestamp DEFAULT (now() AT TIME ZONE 'utc'), ts2 timestamp DEFAULT (now() AT TIME ZONE 'utc'));\n");
    EXPECT_EQ(sqls(diff_models(live, desired)),
              (std::vector<std::string>{
                  "ALTER TABLE public.t ALTER COLUMN ts SET DEFAULT now() AT TIME ZONE 'utc';",
                  "ALTER TABLE public.t ADD COLUMN ts2 timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc');"}));
}

TEST(DifferColumns, NotNullChanges) {
    Model live = model_of("CREATE TABLE t (a int, b int NOT NULL);\n");
    Model desired = model_of("CREATE TABLE t (a int NOT NULL, b int);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;",
                                                    "ALTER TABLE public.t ALTER COLUMN b DROP NOT NULL;",
                                                }));
}

TEST(DifferColumns, SetNotNullBeforeAddIdentityAfterDroppingTheDefault) {
    Model live = model_of("CREATE TABLE t (c int DEFAULT 0);\n");
    Model desired = model_of("CREATE TABLE t (c int GENERATED BY DEFAULT AS IDENTITY (START WITH 100));\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t ALTER COLUMN c DROP DEFAULT;",
                           "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;",
                           "ALTER TABLE public.t ALTER COLUMN c ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME public.t_c_seq START WITH 100);",
                           // The existing values are not handed out again.
                           "SELECT pg_catalog.setval('public.t_c_seq', max(c)) FROM public.t HAVING max(c) >= 100;",
                       }))
        << dump(p);
}

TEST(DifferColumns, IdentityChanges) {
    Model live = model_of("CREATE TABLE t (a int GENERATED BY DEFAULT AS IDENTITY, b int GENERATED ALWAYS AS IDENTITY);\n");
    Model desired = model_of(
        "CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY (INCREMENT BY 5 CACHE 10), b int NOT NULL);\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t ALTER COLUMN b DROP IDENTITY;",
                           "ALTER TABLE public.t ALTER COLUMN a SET GENERATED ALWAYS;",
                           "ALTER TABLE public.t ALTER COLUMN a SET INCREMENT BY 5 SET CACHE 10;",
                       }))
        << dump(p);
}

TEST(DifferColumns, SerialBecomesIdentity) {
    Model live = model_of("CREATE TABLE t (id serial PRIMARY KEY);\n");
    Model desired = model_of("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n");
    Plan p = diff_models(live, desired);
    // The default goes before its sequence, and the sequence before the identity reuses its name.
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t ALTER COLUMN id DROP DEFAULT;",
                           "DROP SEQUENCE public.t_id_seq;",
                           "ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.t_id_seq);",
                           "SELECT pg_catalog.setval('public.t_id_seq', max(id)) FROM public.t HAVING max(id) >= 1;",
                       }))
        << dump(p);
}

TEST(DifferColumns, IdentityBecomesSerial) {
    Model live = model_of("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);\n");
    Model desired = model_of("CREATE TABLE t (id serial);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "ALTER TABLE public.t ALTER COLUMN id DROP IDENTITY;",
                                                    "CREATE SEQUENCE public.t_id_seq AS integer;",
                                                    "ALTER TABLE public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);",
                                                    "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;",
                                                    "SELECT pg_catalog.setval('public.t_id_seq', max(id)) FROM public.t HAVING max(id) >= 1;",
                                                }));
}

TEST(DifferColumns, DroppingASerialColumnTakesItsSequenceAlong) {
    Model live = model_of("CREATE TABLE t (id serial, x int);\n");
    Model desired = model_of("CREATE TABLE t (x int);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), std::vector<std::string>{"ALTER TABLE public.t DROP COLUMN id;"});
}

TEST(DifferColumns, RenamedIdentitySequence) {
    Model live = model_of("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME t_old_seq));\n");
    Model desired = model_of("CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)),
              std::vector<std::string>{"ALTER SEQUENCE public.t_old_seq RENAME TO t_id_seq;"});
}

TEST(DifferColumns, ChangingToBpcharKeepsTheUnlimitedLength) {
    // "character" alone means character(1): the generated type must stay bpchar.
    Model live = model_of("CREATE TABLE t (a text);\n");
    Model desired = model_of("CREATE TABLE t (a bpchar);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)),
              std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN a TYPE bpchar USING a::bpchar;"});
}

TEST(DifferColumns, AddAndDropColumns) {
    Model live = model_of("CREATE TABLE t (a int, gone text);\n");
    Model desired = model_of("CREATE TABLE t (a int, \"New Col\" text NOT NULL DEFAULT '', n serial);\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "CREATE SEQUENCE public.t_n_seq AS integer;",
                           "ALTER TABLE public.t DROP COLUMN gone;",
                           "ALTER TABLE public.t ADD COLUMN \"New Col\" text DEFAULT '' NOT NULL;",
                           "ALTER TABLE public.t ADD COLUMN n integer DEFAULT nextval('public.t_n_seq'::regclass) NOT NULL;",
                           "ALTER SEQUENCE public.t_n_seq OWNED BY public.t.n;",
                       }))
        << dump(p);
}

TEST(DifferColumns, GeneratedColumns) {
    Model live = model_of("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c int GENERATED ALWAYS AS (a + 1) STORED);\n");
    Model desired = model_of("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) STORED, c int);\n");
    Plan p = diff_models(live, desired);
    // Generation changes come first; rebuilt generated columns come back last.
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t DROP COLUMN b;",
                           "ALTER TABLE public.t ALTER COLUMN c DROP EXPRESSION;",
                           "ALTER TABLE public.t ADD COLUMN b integer GENERATED ALWAYS AS (a * 3) STORED;",
                       }))
        << dump(p);
}

TEST(DifferColumns, GeneratedColumnIsRebuiltWhenAColumnItReadsChangesType) {
    Model live = model_of("CREATE TABLE t (w int, g int GENERATED ALWAYS AS (w * 2) STORED, h int GENERATED ALWAYS AS (1) STORED);\n");
    Model desired = model_of("CREATE TABLE t (w bigint, g bigint GENERATED ALWAYS AS (w * 2) STORED, h int GENERATED ALWAYS AS (1) STORED);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "ALTER TABLE public.t DROP COLUMN g;",
                                                    "ALTER TABLE public.t ALTER COLUMN w TYPE bigint USING w::bigint;",
                                                    "ALTER TABLE public.t ADD COLUMN g bigint GENERATED ALWAYS AS (w * 2) STORED;",
                                                }));
}

TEST(DifferColumns, LoggedCommentsAndColumnOrderNote) {
    Model live = model_of("CREATE TABLE t (a int, b int);\n");
    Model desired = model_of("CREATE UNLOGGED TABLE t (b int, a int);\nCOMMENT ON COLUMN t.a IS 'A';\nCOMMENT ON TABLE t IS 'T';\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t SET UNLOGGED;",
                           "COMMENT ON COLUMN public.t.a IS 'A';",
                           "COMMENT ON TABLE public.t IS 'T';",
                       }))
        << dump(p);
    ASSERT_EQ(p.notes.size(), 1u);
    EXPECT_EQ(p.notes[0], "column order of table t differs from the source (PostgreSQL cannot reorder columns)");
}

TEST(DifferEnums, AddValueBeforeAndAfter) {
    Model live = model_of("CREATE TYPE mood AS ENUM ('b', 'd');\n");
    Model desired = model_of("CREATE TYPE mood AS ENUM ('a', 'b', 'c', 'd', 'e');\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TYPE public.mood ADD VALUE 'a' BEFORE 'b';",
                           "ALTER TYPE public.mood ADD VALUE 'c' AFTER 'b';",
                           "ALTER TYPE public.mood ADD VALUE 'e' AFTER 'd';",
                       }))
        << dump(p);
    EXPECT_EQ(p.steps[0].summary, "ADD VALUE 'a' TO TYPE mood");
}

TEST(DifferEnums, RemovalRecreatesTheType) {
    const char* table = "CREATE TABLE t (m mood DEFAULT 'a', ms mood[], other text);\n";
    Model live = model_of(std::string("CREATE TYPE mood AS ENUM ('a', 'b', 'c');\n") + table);
    Model desired = model_of(std::string("CREATE TYPE mood AS ENUM ('a', 'c');\n") + table);
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TYPE public.mood RENAME TO mood__pgflux_old;",
                           "CREATE TYPE public.mood AS ENUM ('a', 'c');",
                           "ALTER TABLE public.t ALTER COLUMN m DROP DEFAULT;",
                           "ALTER TABLE public.t ALTER COLUMN m TYPE public.mood USING m::text::public.mood;",
                           "ALTER TABLE public.t ALTER COLUMN m SET DEFAULT 'a';",
                           "ALTER TABLE public.t ALTER COLUMN ms TYPE public.mood[] USING ms::text[]::public.mood[];",
                           "DROP TYPE public.mood__pgflux_old;",
                       }))
        << dump(p);
}

TEST(DifferEnums, ReorderingRecreatesTheType) {
    Model live = model_of("CREATE TYPE mood AS ENUM ('a', 'b');\n");
    Model desired = model_of("CREATE TYPE mood AS ENUM ('b', 'a');\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "ALTER TYPE public.mood RENAME TO mood__pgflux_old;",
                                                    "CREATE TYPE public.mood AS ENUM ('b', 'a');",
                                                    "DROP TYPE public.mood__pgflux_old;",
                                                }));
}

TEST(DifferEnums, RecreatedTypeNameIsTruncatedTo63Bytes) {
    std::string name(60, 'e');
    Model live = model_of("CREATE TYPE " + name + " AS ENUM ('a', 'b');\n");
    Model desired = model_of("CREATE TYPE " + name + " AS ENUM ('a');\n");
    Plan p = diff_models(live, desired);
    // The type's name is shortened so that the whole suffix fits in 63 bytes.
    std::string old_name = name.substr(0, 51) + "__pgflux_old";
    EXPECT_EQ(p.steps.at(0).sql, "ALTER TYPE public." + name + " RENAME TO " + old_name + ";");
    EXPECT_EQ(p.steps.back().sql, "DROP TYPE public." + old_name + ";");
}

TEST(DifferEnums, RecreatingAnEnumWithAMaximumLengthNameRenamesItToAnotherName) {
    // A 63-byte name leaves no room for the suffix; the temporary name must
    // still differ from the type's own name, or RENAME TO fails.
    std::string name(63, 'e');
    Model live = model_of("CREATE TYPE " + name + " AS ENUM ('a', 'b');\n");
    Model desired = model_of("CREATE TYPE " + name + " AS ENUM ('a');\n");
    Plan p = diff_models(live, desired);
    ASSERT_EQ(p.steps.size(), 3u) << dump(p);
    const std::string prefix = "ALTER TYPE public." + name + " RENAME TO ";
    ASSERT_EQ(p.steps[0].sql.rfind(prefix, 0), 0u) << p.steps[0].sql;
    std::string old_name = p.steps[0].sql.substr(prefix.size(), p.steps[0].sql.size() - prefix.size() - 1);
    EXPECT_NE(old_name, name);
    EXPECT_LE(old_name.size(), 63u);
    EXPECT_EQ(p.steps[2].sql, "DROP TYPE public." + old_name + ";");
}

TEST(DifferKeys, ReplacedPrimaryKeyCascadesIntoTheForeignKey) {
    Model live = model_of(
        "CREATE TABLE parent (id int, code int, PRIMARY KEY (id));\n"
        "CREATE TABLE child (pid int REFERENCES parent);\n");
    Model desired = model_of(
        "CREATE TABLE parent (id int, code int, PRIMARY KEY (id) INCLUDE (code));\n"
        "CREATE TABLE child (pid int REFERENCES parent);\n");
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.child DROP CONSTRAINT child_pid_fkey;",
                           "ALTER TABLE public.parent DROP CONSTRAINT parent_pkey;",
                           "ALTER TABLE public.parent ADD CONSTRAINT parent_pkey PRIMARY KEY (id) INCLUDE (code);",
                           "ALTER TABLE public.child ADD CONSTRAINT child_pid_fkey FOREIGN KEY (pid) REFERENCES public.parent (id);",
                       }))
        << dump(p);
}

TEST(DifferKeys, ChangedIndexIsDroppedAndRecreated) {
    Model live = model_of("CREATE TABLE t (a int, b int);\nCREATE INDEX t_idx ON t (a);\n");
    Model desired = model_of("CREATE TABLE t (a int, b int);\nCREATE INDEX t_idx ON t (a, b);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)), (std::vector<std::string>{
                                                    "DROP INDEX public.t_idx;",
                                                    "CREATE INDEX t_idx ON public.t USING btree (a, b);",
                                                }));
}

TEST(DifferKeys, ForeignKeyDeferrabilityIsAlteredInPlace) {
    Model live = model_of("CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (pid int REFERENCES p);\n");
    Model desired = model_of("CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n");
    EXPECT_EQ(sqls(diff_models(live, desired)),
              std::vector<std::string>{"ALTER TABLE public.c ALTER CONSTRAINT c_pid_fkey DEFERRABLE INITIALLY DEFERRED;"});
}

TEST(DifferKeys, NotValidConstraintIsValidated) {
    Model live = model_of("CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID;\n");
    Model desired = model_of("CREATE TABLE t (a int CHECK (a > 0));\n");
    EXPECT_EQ(sqls(diff_models(live, desired)),
              std::vector<std::string>{"ALTER TABLE public.t VALIDATE CONSTRAINT t_a_check;"});
}

TEST(DifferVerify, IgnoresExtraLiveObjectsColumnsValuesAndComments) {
    Model live = model_of(
        "CREATE TABLE extra (id int);\n"
        "CREATE TYPE mood AS ENUM ('a', 'b', 'c');\n"
        "CREATE TABLE t (a int NOT NULL, extra_col text, m mood);\n"
        "CREATE INDEX t_a_idx ON t (a);\n"
        "COMMENT ON TABLE t IS 'live only';\n");
    Model desired = model_of("CREATE TYPE mood AS ENUM ('a', 'c');\nCREATE TABLE t (a int, m mood);\n");
    DiffOptions verify;
    verify.verify = true;
    Plan p = diff_models(live, desired, verify);
    EXPECT_TRUE(p.steps.empty()) << dump(p);
    // Without verify, the same models differ.
    EXPECT_FALSE(diff_models(live, desired).steps.empty());
}

TEST(DifferVerify, StillReportsWhatIsMissingOrDifferent) {
    Model live = model_of("CREATE TABLE t (a int, extra text);\n");
    Model desired = model_of("CREATE TABLE t (a bigint NOT NULL, b text);\nCREATE TABLE u (id int);\n");
    DiffOptions verify;
    verify.verify = true;
    Plan p = diff_models(live, desired, verify);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.t ALTER COLUMN a TYPE bigint USING a::bigint;",
                           "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;",
                           "ALTER TABLE public.t ADD COLUMN b text;",
                           "CREATE TABLE public.u (\n    id integer\n);",
                       }))
        << dump(p);
}

TEST(DifferLoose, ParsedSourceComparesExpressionsLooselyWithANote) {
    Model live = model_of("CREATE TABLE t (status text DEFAULT 'new', CONSTRAINT t_status_check CHECK (status IN ('new', 'old')));\n");
    // What the catalog prints for the same definitions.
    live.find({Kind::table, "public", "t", ""})->attrs["columns"][0]["default"] = "'new'::text";
    live.find({Kind::constraint, "public", "t_status_check", "t"})->attrs["expression"] =
        "status = ANY (ARRAY['new'::text, 'old'::text])";
    Model desired = model_of("CREATE TABLE t (status text DEFAULT 'new', CONSTRAINT t_status_check CHECK (status IN ('new', 'old')));\n");

    Plan strict = diff_models(live, desired);
    EXPECT_EQ(count_containing(strict, "SET DEFAULT 'new'"), 1) << dump(strict);
    EXPECT_EQ(count_containing(strict, "DROP CONSTRAINT t_status_check"), 1) << dump(strict);
    EXPECT_TRUE(strict.notes.empty());

    desired.source["canonical"] = "parsed";
    EXPECT_TRUE(parsed_without_shadow(desired));
    Plan loose = diff_models(live, desired);
    EXPECT_TRUE(loose.steps.empty()) << dump(loose);
    EXPECT_EQ(loose.notes, (std::vector<std::string>{
                               "compared without a shadow database and assumed equal: constraint t_status_check ON t",
                               "compared without a shadow database and assumed equal: column t.status",
                           }));
}

TEST(DifferLoose, RealDifferencesStillCount) {
    Model live = model_of("CREATE TABLE t (n int DEFAULT 1);\n");
    Model desired = model_of("CREATE TABLE t (n int DEFAULT 2);\n");
    desired.source["canonical"] = "parsed";
    Plan p = diff_models(live, desired);
    EXPECT_EQ(sqls(p), std::vector<std::string>{"ALTER TABLE public.t ALTER COLUMN n SET DEFAULT 2;"});
    EXPECT_TRUE(p.notes.empty());
}

TEST(DifferLoose, UnresolvedTypeNameMatchesItsQualifiedForm) {
    Model live = model_of("CREATE TABLE t (e public.citext);\n");
    Model desired = model_of("CREATE TABLE t (e citext);\n");
    EXPECT_FALSE(diff_models(live, desired).steps.empty());
    desired.source["canonical"] = "parsed";
    Plan p = diff_models(live, desired);
    EXPECT_TRUE(p.steps.empty()) << dump(p);
    EXPECT_EQ(p.notes.size(), 1u);
}

TEST(Differ, IsDeterministic) {
    const char* live_sql =
        "CREATE SCHEMA a;\nCREATE SCHEMA b;\n"
        "CREATE TABLE a.t1 (id int PRIMARY KEY, x int);\nCREATE TABLE b.t2 (id int PRIMARY KEY, t1 int REFERENCES a.t1);\n"
        "CREATE TYPE a.e AS ENUM ('x', 'y');\n";
    const char* desired_sql =
        "CREATE SCHEMA a;\nCREATE SCHEMA c;\n"
        "CREATE TABLE a.t1 (id bigint PRIMARY KEY, x int NOT NULL, y text);\n"
        "CREATE TABLE c.t3 (id int PRIMARY KEY, t1 bigint REFERENCES a.t1);\n"
        "CREATE INDEX ON a.t1 (x);\nCREATE TYPE a.e AS ENUM ('y', 'z');\n";
    Plan first = diff_models(model_of(live_sql), model_of(desired_sql));
    Plan second = diff_models(model_of(live_sql), model_of(desired_sql));
    EXPECT_FALSE(first.steps.empty());
    // Only the provenance (temporary paths) may differ.
    first.from = second.from;
    first.to = second.to;
    EXPECT_EQ(plan_to_document(first, "flux-diff"), plan_to_document(second, "flux-diff"));
}

}  // namespace
}  // namespace pgflux

namespace pgflux {
namespace {

TEST(DifferReverse, TheUndoOfAPlanSwapsItsHashesAndItsSteps) {
    Model live = model_of("CREATE TABLE t (id int, nickname text);\n");
    Model desired = model_of("CREATE TABLE t (id int, age int);\nCREATE TABLE notes (id int);\n");
    Plan forward = diff_models(live, desired);
    Plan undo = diff_models_reverse(live, desired);
    EXPECT_EQ(undo.baseline_hash, forward.target_hash);
    EXPECT_EQ(undo.target_hash, forward.baseline_hash);
    EXPECT_EQ(position(undo, "DROP TABLE public.notes"), position(undo, "DROP TABLE"));
    EXPECT_EQ(count_containing(undo, "ADD COLUMN nickname text"), 1);
    EXPECT_EQ(count_containing(undo, "DROP COLUMN age"), 1);
    EXPECT_EQ(undo.steps.size(), 3u) << dump(undo);
}

}  // namespace
}  // namespace pgflux
