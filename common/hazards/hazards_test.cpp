// Unit tests for hazard classification, locks and phases, the safe rewrites
// (NOT VALID + VALIDATE, CONCURRENTLY), --allow-hazards parsing and the
// refusal message.
#include "hazards/hazards.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sql/parser.h"
#include "util/error.h"
#include "testing/unit_helpers.h"

namespace pgflux {
namespace {

using unit::sqls;
using unit::step;

Step classified(const std::string& sql) {
    std::vector<Step> steps = {step(sql)};
    classify_steps(steps, 0);
    return steps[0];
}

std::vector<std::string> codes(const Step& s) {
    std::vector<std::string> out;
    for (const Hazard& h : s.hazards) out.push_back(h.code);
    return out;
}

bool has(const Step& s, const std::string& code) {
    auto c = codes(s);
    return std::find(c.begin(), c.end(), code) != c.end();
}

using Codes = std::vector<std::string>;

TEST(ClassifyDataLoss, Drops) {
    EXPECT_EQ(codes(classified("DROP TABLE public.t;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("DROP SEQUENCE public.s;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("DROP EXTENSION citext;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("ALTER TABLE public.t DROP COLUMN c;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("TRUNCATE public.t;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("DELETE FROM public.t WHERE id > 3;")), Codes{"DATA_LOSS"});
}

TEST(ClassifyDataLoss, AnyDropCascade) {
    EXPECT_EQ(codes(classified("DROP TYPE public.mood CASCADE;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("DROP SCHEMA app CASCADE;")), Codes{"DATA_LOSS"});
    EXPECT_EQ(codes(classified("DROP INDEX public.i CASCADE;")), Codes{"DATA_LOSS"});
    // A table dropped with CASCADE carries both reasons.
    EXPECT_EQ(classified("DROP TABLE public.t CASCADE;").hazards.size(), 2u);
}

TEST(ClassifyDataLoss, HarmlessDropsHaveNoHazard) {
    EXPECT_TRUE(classified("DROP TYPE public.mood;").hazards.empty());
    EXPECT_TRUE(classified("DROP SCHEMA app;").hazards.empty());
    EXPECT_TRUE(classified("DROP INDEX public.i;").hazards.empty());
    EXPECT_TRUE(classified("ALTER TABLE public.t DROP CONSTRAINT c;").hazards.empty());
    EXPECT_TRUE(classified("DROP COLLATION public.ci;").hazards.empty());
}

TEST(ClassifyDataLoss, MessagesNameWhatIsLost) {
    Step s = classified("ALTER TABLE public.users DROP COLUMN nickname;");
    ASSERT_EQ(s.hazards.size(), 1u);
    EXPECT_EQ(s.hazards[0].message, "drops column nickname of public.users and its data");
    EXPECT_EQ(classified("DROP TABLE public.t;").hazards[0].message, "drops the table and everything stored in it");
    EXPECT_EQ(classified("TRUNCATE public.t;").hazards[0].message, "TRUNCATE deletes every row");
}

TEST(ClassifyTypes, CompositeAttributesAndDomainChecks) {
    Step drop = classified("ALTER TYPE public.pt DROP ATTRIBUTE z;");
    EXPECT_EQ(codes(drop), Codes{"DATA_LOSS"});
    EXPECT_EQ(drop.hazards[0].message, "drops attribute z of type public.pt and its values in every column of that type");
    // PostgreSQL refuses to retype an attribute a column uses: nothing is rewritten.
    EXPECT_TRUE(classified("ALTER TYPE public.pt ALTER ATTRIBUTE x TYPE bigint;").hazards.empty());
    EXPECT_TRUE(classified("ALTER TYPE public.pt ADD ATTRIBUTE y text;").hazards.empty());
    for (const char* sql : {"ALTER DOMAIN public.d SET NOT NULL;", "ALTER DOMAIN public.d VALIDATE CONSTRAINT c;",
                            "ALTER DOMAIN public.d ADD CONSTRAINT c CHECK (VALUE > 0);"}) {
        Step s = classified(sql);
        EXPECT_EQ(codes(s), Codes{"CONSTRAINT_SCAN"}) << sql;
        EXPECT_EQ(s.lock, "SHARE") << sql;
    }
    EXPECT_TRUE(classified("ALTER DOMAIN public.d ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID;").hazards.empty());
    EXPECT_TRUE(classified("ALTER DOMAIN public.d DROP NOT NULL;").hazards.empty());
}

TEST(ClassifyColumnTypeChange, AlterColumnType) {
    Step s = classified("ALTER TABLE public.t ALTER COLUMN c TYPE bigint USING c::bigint;");
    EXPECT_EQ(codes(s), Codes{"COLUMN_TYPE_CHANGE"});
    EXPECT_EQ(s.hazards[0].message, "changes the type of public.t.c: rewrites the table under an ACCESS EXCLUSIVE lock");
    EXPECT_EQ(s.lock, "ACCESS EXCLUSIVE");
}

TEST(ClassifyColumnTypeChange, AddColumnComputedPerRowRewritesTheTable) {
    for (const char* column : {"id bigserial", "n integer DEFAULT nextval('public.s'::regclass)",
                               "u uuid DEFAULT gen_random_uuid()", "u uuid DEFAULT (my_uuid() || '')",
                               "id integer GENERATED ALWAYS AS IDENTITY", "g integer GENERATED ALWAYS AS (a * 2) STORED"})
        EXPECT_EQ(codes(classified(std::string("ALTER TABLE public.t ADD COLUMN ") + column + ";")),
                  Codes{"COLUMN_TYPE_CHANGE"})
            << column;
    EXPECT_EQ(classified("ALTER TABLE public.t ADD COLUMN u uuid DEFAULT gen_random_uuid();").hazards[0].message,
              "adds column u to public.t: its default calls gen_random_uuid(), which is volatile: evaluated for every "
              "existing row, rewriting the table under an ACCESS EXCLUSIVE lock");
    EXPECT_EQ(classified("ALTER TABLE public.t ADD COLUMN u text DEFAULT my_label();").hazards[0].message,
              "adds column u to public.t: its default calls my_label(), evaluated for every existing row if it is "
              "volatile, rewriting the table under an ACCESS EXCLUSIVE lock");
}

TEST(ClassifyColumnTypeChange, AddColumnWithAConstantOrStableDefaultDoesNotRewrite) {
    for (const char* column : {"c text", "c text DEFAULT 'x' NOT NULL", "c jsonb DEFAULT '{}'::jsonb",
                               "c timestamptz DEFAULT now()", "c date DEFAULT CURRENT_DATE",
                               "c timestamp DEFAULT timezone('utc', now())", "c text[] DEFAULT ARRAY[]::text[]"})
        EXPECT_TRUE(classified(std::string("ALTER TABLE public.t ADD COLUMN ") + column + ";").hazards.empty())
            << column;
    // A table created earlier in the same file is empty: nothing to rewrite.
    std::vector<Step> steps = {step("CREATE TABLE public.t (a integer);"),
                               step("ALTER TABLE public.t ADD COLUMN id bigserial;")};
    classify_steps(steps, 0);
    EXPECT_TRUE(steps[1].hazards.empty());
}

TEST(ClassifyConstraintScan, ExistingTables) {
    EXPECT_EQ(codes(classified("ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;")), Codes{"CONSTRAINT_SCAN"});
    EXPECT_EQ(codes(classified("ALTER TABLE public.o ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES public.u (id);")),
              Codes{"CONSTRAINT_SCAN"});
    EXPECT_EQ(codes(classified("ALTER TABLE public.o ADD CONSTRAINT c CHECK (x > 0);")), Codes{"CONSTRAINT_SCAN"});
    EXPECT_EQ(codes(classified("ALTER TABLE o ADD CHECK (x > 0);")), Codes{"CONSTRAINT_SCAN"});
}

TEST(ClassifyConstraintScan, NotValidAndOtherConstraintsAreFine) {
    EXPECT_TRUE(classified("ALTER TABLE public.o ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES public.u (id) NOT VALID;")
                    .hazards.empty());
    EXPECT_TRUE(classified("ALTER TABLE public.o ADD CONSTRAINT c CHECK (x > 0) NOT VALID;").hazards.empty());
    EXPECT_TRUE(classified("ALTER TABLE public.o ADD CONSTRAINT k UNIQUE (x);").hazards.empty());
    EXPECT_TRUE(classified("ALTER TABLE public.o ADD CONSTRAINT p PRIMARY KEY (x);").hazards.empty());
    EXPECT_TRUE(classified("ALTER TABLE public.o ALTER COLUMN c DROP NOT NULL;").hazards.empty());
    EXPECT_TRUE(classified("ALTER TABLE public.o VALIDATE CONSTRAINT f;").hazards.empty());
}

TEST(ClassifyConstraintScan, TablesCreatedEarlierCountAsNew) {
    std::vector<Step> steps = {
        step("CREATE TABLE public.o (id integer, u integer);"),
        step("ALTER TABLE public.o ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES public.u (id);"),
        step("ALTER TABLE public.o ALTER COLUMN u SET NOT NULL;"),
        step("ALTER TABLE o ADD CONSTRAINT c CHECK (u > 0);"),  // unqualified means public
        step("ALTER TABLE app.o ALTER COLUMN u SET NOT NULL;"),  // a different table
    };
    classify_steps(steps, 0);
    EXPECT_TRUE(steps[1].hazards.empty());
    EXPECT_TRUE(steps[2].hazards.empty());
    EXPECT_TRUE(steps[3].hazards.empty());
    EXPECT_EQ(codes(steps[4]), Codes{"CONSTRAINT_SCAN"});
}

TEST(ClassifyConstraintScan, TablesCreatedLaterDoNotCount) {
    std::vector<Step> steps = {step("ALTER TABLE public.o ALTER COLUMN u SET NOT NULL;"),
                               step("CREATE TABLE public.o (u integer);")};
    classify_steps(steps, 0);
    EXPECT_EQ(codes(steps[0]), Codes{"CONSTRAINT_SCAN"});
}

TEST(ClassifyLocks, StrongestLockPerStatement) {
    EXPECT_EQ(classified("DROP TABLE public.t;").lock, "ACCESS EXCLUSIVE");
    EXPECT_EQ(classified("DROP INDEX public.i;").lock, "ACCESS EXCLUSIVE");
    EXPECT_EQ(classified("DROP INDEX CONCURRENTLY public.i;").lock, "SHARE UPDATE EXCLUSIVE");
    EXPECT_EQ(classified("ALTER TABLE public.t ADD COLUMN c integer;").lock, "ACCESS EXCLUSIVE");
    EXPECT_EQ(classified("ALTER TABLE public.o ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES public.u (id) NOT VALID;").lock,
              "SHARE ROW EXCLUSIVE");
    EXPECT_EQ(classified("ALTER TABLE public.o VALIDATE CONSTRAINT f;").lock, "SHARE UPDATE EXCLUSIVE");
    EXPECT_EQ(classified("CREATE INDEX i ON public.t USING btree (c);").lock, "SHARE");
    EXPECT_EQ(classified("CREATE INDEX CONCURRENTLY i ON public.t USING btree (c);").lock, "SHARE UPDATE EXCLUSIVE");
    EXPECT_EQ(classified("DELETE FROM public.t;").lock, "ROW EXCLUSIVE");
    EXPECT_EQ(classified("TRUNCATE public.t;").lock, "ACCESS EXCLUSIVE");
    EXPECT_EQ(classified("COMMENT ON TABLE public.t IS 'x';").lock, "SHARE UPDATE EXCLUSIVE");
    EXPECT_EQ(classified("CREATE SCHEMA app;").lock, "");
    // Several commands: the strongest wins.
    EXPECT_EQ(classified("ALTER TABLE public.o VALIDATE CONSTRAINT f, ADD COLUMN x integer;").lock, "ACCESS EXCLUSIVE");
}

TEST(ClassifyLocks, IndexOnANewTableTakesNoLock) {
    std::vector<Step> steps = {step("CREATE TABLE public.t (c integer);"), step("CREATE INDEX i ON public.t USING btree (c);")};
    classify_steps(steps, 0);
    EXPECT_EQ(steps[1].lock, "");
    EXPECT_EQ(steps[1].phase, k_phase_transactional);
}

TEST(ClassifyPhases, ConcurrentlyRunsAfterCommit) {
    EXPECT_EQ(classified("CREATE INDEX CONCURRENTLY i ON public.t USING btree (c);").phase, k_phase_after_commit);
    EXPECT_EQ(classified("DROP INDEX CONCURRENTLY public.i;").phase, k_phase_after_commit);
    EXPECT_EQ(classified("REINDEX (CONCURRENTLY) INDEX public.i;").phase, k_phase_after_commit);
    EXPECT_EQ(classified("CREATE INDEX i ON public.t USING btree (c);").phase, k_phase_transactional);
    EXPECT_EQ(classified("REINDEX INDEX public.i;").phase, k_phase_transactional);
}

TEST(ClassifyPhases, VacuumRunsAfterCommit) {
    // VACUUM cannot run in a transaction block (a hand-edited migration may contain one).
    EXPECT_EQ(classified("VACUUM public.t;").phase, k_phase_after_commit);
    EXPECT_EQ(classified("VACUUM (ANALYZE) public.t;").phase, k_phase_after_commit);
}

TEST(ClassifyPhases, ValidateRunsAfterCommit) {
    EXPECT_EQ(classified("ALTER TABLE public.o VALIDATE CONSTRAINT f;").phase, k_phase_after_commit);
    // Mixed with other commands it stays in the transaction.
    EXPECT_EQ(classified("ALTER TABLE public.o VALIDATE CONSTRAINT f, ADD COLUMN x integer;").phase,
              k_phase_transactional);
}

TEST(ClassifyPhases, UseOfANewEnumValueMovesToAfterCommit) {
    std::vector<Step> steps = {
        step("ALTER TYPE public.mood ADD VALUE 'meh' AFTER 'ok';"),
        step("CREATE TABLE public.u (id integer);"),
        step("ALTER TABLE public.t ALTER COLUMN m SET DEFAULT 'meh'::public.mood;"),
        step("CREATE TABLE public.v (id integer);"),
    };
    classify_steps(steps, 0);
    EXPECT_EQ(steps[0].phase, k_phase_transactional);
    EXPECT_EQ(steps[1].phase, k_phase_transactional);
    EXPECT_EQ(steps[2].phase, k_phase_after_commit);
    // Everything from the first use on follows it.
    EXPECT_EQ(steps[3].phase, k_phase_after_commit);
}

TEST(ClassifyPhases, AddingSeveralEnumValuesStaysInTheTransaction) {
    std::vector<Step> steps = {
        step("ALTER TYPE public.mood ADD VALUE 'a';"),
        step("ALTER TYPE public.mood ADD VALUE 'b' AFTER 'a';"),
        step("ALTER TABLE public.t ALTER COLUMN m SET DEFAULT 'x'::public.mood;"),
    };
    classify_steps(steps, 0);
    for (const Step& s : steps) EXPECT_EQ(s.phase, k_phase_transactional) << s.sql;
}

TEST(ClassifyPhases, RenamingAnEnumValueIsNotAnAddition) {
    std::vector<Step> steps = {step("ALTER TYPE public.mood RENAME VALUE 'a' TO 'b';"),
                               step("ALTER TABLE public.t ALTER COLUMN m SET DEFAULT 'b'::public.mood;")};
    classify_steps(steps, 0);
    EXPECT_EQ(steps[1].phase, k_phase_transactional);
}

std::vector<Step> drops(int n) {
    std::vector<Step> out;
    for (int i = 0; i < n; ++i) out.push_back(step("DROP TYPE public.t" + std::to_string(i) + ";"));
    out.push_back(step("CREATE TABLE public.x (id integer);"));
    out.push_back(step("DROP INDEX public.some_idx;"));
    return out;
}

TEST(ClassifyMassDrop, ExactlyAQuarterIsNotAHazard) {
    auto steps = drops(2);
    classify_steps(steps, 8);
    for (const Step& s : steps) EXPECT_FALSE(has(s, "MASS_DROP")) << s.sql;
}

TEST(ClassifyMassDrop, MoreThanAQuarterMarksEveryTopLevelDrop) {
    auto steps = drops(3);
    classify_steps(steps, 8);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(has(steps[i], "MASS_DROP")) << steps[i].sql;
        EXPECT_EQ(steps[i].hazards.back().message, "drops 3 of 8 live objects (more than 25%)");
    }
    EXPECT_FALSE(has(steps[3], "MASS_DROP"));
    EXPECT_FALSE(has(steps[4], "MASS_DROP"));  // indexes are not top-level objects
}

TEST(ClassifyMassDrop, CountsEveryObjectOfAStatementAndEveryKind) {
    std::vector<Step> steps = {step("DROP TABLE public.a, public.b;"), step("DROP SCHEMA s;"),
                               step("DROP SEQUENCE public.q;"), step("DROP EXTENSION e;"),
                               step("DROP COLLATION public.c;")};
    classify_steps(steps, 24);  // 6 of 24 = 25%: not yet
    for (const Step& s : steps) EXPECT_FALSE(has(s, "MASS_DROP"));
    classify_steps(steps, 23);
    for (const Step& s : steps) EXPECT_TRUE(has(s, "MASS_DROP")) << s.sql;
}

TEST(ClassifyMassDrop, UnknownLiveCountIsNotChecked) {
    auto steps = drops(5);
    classify_steps(steps, 0);
    for (const Step& s : steps) EXPECT_FALSE(has(s, "MASS_DROP"));
}

TEST(ClassifyMassDrop, ReclassifyingDoesNotDuplicateOrKeepStaleHazards) {
    auto steps = drops(3);
    classify_steps(steps, 8);
    classify_steps(steps, 8);
    auto c = codes(steps[0]);
    EXPECT_EQ(std::count(c.begin(), c.end(), "MASS_DROP"), 1);
    classify_steps(steps, 100);
    EXPECT_FALSE(has(steps[0], "MASS_DROP"));
}

Plan plan_of(std::vector<std::string> sqls, int live_objects = 0) {
    Plan p;
    p.live_object_count = live_objects;
    for (const auto& sql : sqls) p.steps.push_back(step(sql));
    return p;
}

TEST(ClassifyPartitionChange, DetachAndAttachOfAnExistingTable) {
    Step detach = classified("ALTER TABLE m DETACH PARTITION m_2024;");
    EXPECT_TRUE(has(detach, "PARTITION_CHANGE"));
    EXPECT_NE(detach.hazards.at(0).message.find("public.m_2024"), std::string::npos);
    EXPECT_TRUE(has(classified("ALTER TABLE m ATTACH PARTITION m_2024 FOR VALUES IN (1);"), "PARTITION_CHANGE"));
    // A table the plan creates holds no rows: attaching it is no change.
    std::vector<Step> steps = {step("CREATE TABLE m_new (id integer);"),
                               step("ALTER TABLE m ATTACH PARTITION m_new FOR VALUES IN (2);")};
    classify_steps(steps, 0);
    EXPECT_FALSE(has(steps[1], "PARTITION_CHANGE"));
    EXPECT_FALSE(has(classified("CREATE TABLE p PARTITION OF m FOR VALUES IN (3);"), "PARTITION_CHANGE"));
    EXPECT_EQ(parse_allowed_hazards("partition_change"), std::set<std::string>{"PARTITION_CHANGE"});
}

TEST(RewritePartitionedTable, IndexesAndForeignKeysStayAsWritten) {
    Plan p = plan_of({"CREATE INDEX m_v_idx ON public.m USING btree (v);",
                      "ALTER TABLE public.m ADD CONSTRAINT m_fk FOREIGN KEY (c) REFERENCES public.c (id);"});
    for (Step& s : p.steps) s.partitioned_table = true;
    rewrite_and_classify(p, {});
    ASSERT_EQ(p.steps.size(), 2u);
    EXPECT_EQ(p.steps[0].sql, "CREATE INDEX m_v_idx ON public.m USING btree (v);");
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    EXPECT_EQ(p.steps[1].sql.find("NOT VALID"), std::string::npos);
}

TEST(RewriteAndClassify, ForeignKeyOnExistingTableBecomesNotValidPlusValidate) {
    Plan p = plan_of({"ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id);",
                      "ALTER TABLE public.orders ADD COLUMN note text;"});
    rewrite_and_classify(p, {});
    EXPECT_TRUE(p.classified);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;",
                           "ALTER TABLE public.orders ADD COLUMN note text;",
                           "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;"}));
    EXPECT_TRUE(p.steps[0].hazards.empty());
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    EXPECT_EQ(p.steps[2].phase, k_phase_after_commit);
    EXPECT_EQ(p.steps[2].lock, "SHARE UPDATE EXCLUSIVE");
    EXPECT_EQ(p.steps[2].action, "alter");
    EXPECT_EQ(p.steps[2].summary, "VALIDATE CONSTRAINT orders_user_id_fkey ON public.orders");
}

TEST(RewriteAndClassify, CheckOnExistingTableBecomesNotValidPlusValidate) {
    Plan p = plan_of({"ALTER TABLE public.t ADD CONSTRAINT \"Positive\" CHECK (x > 0);"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{"ALTER TABLE public.t ADD CONSTRAINT \"Positive\" CHECK (x > 0) NOT VALID;",
                                                 "ALTER TABLE public.t VALIDATE CONSTRAINT \"Positive\";"}));
    for (const Step& s : p.steps) EXPECT_TRUE(s.hazards.empty()) << s.sql;
}

TEST(RewriteAndClassify, AlreadyNotValidIsLeftAlone) {
    Plan p = plan_of({"ALTER TABLE public.t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), std::vector<std::string>{"ALTER TABLE public.t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;"});
}

TEST(RewriteAndClassify, IndexOnExistingTableIsBuiltConcurrentlyAfterCommit) {
    Plan p = plan_of({"CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (email);",
                      "ALTER TABLE public.users ADD COLUMN x integer;"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.users ADD COLUMN x integer;",
                           "CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email);"}));
    EXPECT_EQ(p.steps[1].phase, k_phase_after_commit);
    EXPECT_EQ(p.steps[1].lock, "SHARE UPDATE EXCLUSIVE");
}

TEST(RewriteAndClassify, HandSpelledIndexIsBuiltConcurrentlyAsTheDeparserWritesIt) {
    // A plan edited by hand (lower case, other spacing, a quoted name that
    // needs no quotes): the rewrite starts from the deparsed statement.
    Plan p = plan_of({"create unique  index \"users_email_idx\" on public.users (email);"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON public.users USING btree (email);"}));
    // A nameless index is refused, naming the step (exit 2), not an internal error.
    Plan nameless = plan_of({"CREATE INDEX ON public.users (email);"});
    try {
        rewrite_and_classify(nameless, {});
        ADD_FAILURE() << "a nameless CREATE INDEX was rewritten";
    } catch (const Error& e) {
        EXPECT_EQ(e.code, k_exit_usage);
        EXPECT_NE(std::string(e.what()).find("not a plain CREATE INDEX with a name"), std::string::npos) << e.what();
    }
}

TEST(RewriteAndClassify, NewTablesAreNotRewritten) {
    Plan p = plan_of({"CREATE TABLE public.t (id integer, u integer);",
                      "CREATE INDEX t_u_idx ON public.t USING btree (u);",
                      "ALTER TABLE public.t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES public.users (id);",
                      "ALTER TABLE public.t ADD CONSTRAINT t_u_check CHECK (u > 0);"});
    Plan before = p;
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), sqls(before));
    for (const Step& s : p.steps) {
        EXPECT_EQ(s.phase, k_phase_transactional) << s.sql;
        EXPECT_TRUE(s.hazards.empty()) << s.sql;
    }
}

TEST(RewriteAndClassify, IndexStaysInTheTransactionWhenALaterForeignKeyReferencesItsTable) {
    Plan p = plan_of({"CREATE UNIQUE INDEX users_code_key ON public.users USING btree (code);",
                      "ALTER TABLE public.orders ADD CONSTRAINT orders_code_fkey FOREIGN KEY (code) REFERENCES public.users (code);"});
    rewrite_and_classify(p, {});
    ASSERT_EQ(p.steps.size(), 3u);
    EXPECT_EQ(p.steps[0].sql, "CREATE UNIQUE INDEX users_code_key ON public.users USING btree (code);");
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    EXPECT_EQ(p.steps[0].lock, "SHARE");
    EXPECT_EQ(p.steps[1].sql,
              "ALTER TABLE public.orders ADD CONSTRAINT orders_code_fkey FOREIGN KEY (code) REFERENCES public.users (code) NOT VALID;");
    EXPECT_EQ(p.steps[2].sql, "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_code_fkey;");
}

TEST(RewriteAndClassify, UniqueAndPrimaryKeyOnExistingTableBuildTheirIndexConcurrently) {
    Plan p = plan_of({"ALTER TABLE public.t ADD CONSTRAINT \"T u\" UNIQUE NULLS NOT DISTINCT (a, \"B\") INCLUDE (c) "
                      "DEFERRABLE INITIALLY DEFERRED;",
                      "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "CREATE UNIQUE INDEX CONCURRENTLY \"T u\" ON public.t USING btree (a, \"B\") INCLUDE (c) "
                           "NULLS NOT DISTINCT;",
                           "ALTER TABLE public.t ADD CONSTRAINT \"T u\" UNIQUE USING INDEX \"T u\" DEFERRABLE "
                           "INITIALLY DEFERRED;",
                           "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON public.t USING btree (id);",
                           "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;"}));
    for (const Step& s : p.steps) EXPECT_EQ(s.phase, k_phase_after_commit) << s.sql;
    EXPECT_EQ(p.steps[0].lock, "SHARE UPDATE EXCLUSIVE");
}

TEST(RewriteAndClassify, UniqueConstraintStaysInTheTransactionWhenNeededOrReplaced) {
    // A later foreign key references it.
    Plan p = plan_of({"ALTER TABLE public.users ADD CONSTRAINT users_code_key UNIQUE (code);",
                      "ALTER TABLE public.orders ADD CONSTRAINT orders_code_fkey FOREIGN KEY (code) REFERENCES public.users (code);"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(p.steps[0].sql, "ALTER TABLE public.users ADD CONSTRAINT users_code_key UNIQUE (code);");
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    // A changed definition: dropped and added again in the same plan.
    ObjectId pkey{Kind::constraint, "public", "t_pkey", "t"};
    Plan r = plan_of({"ALTER TABLE public.t DROP CONSTRAINT t_pkey;",
                      "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY (a, b);"});
    r.steps[0].action = "drop";
    r.steps[1].action = "create";
    r.steps[0].object = r.steps[1].object = pkey;
    Plan before = r;
    rewrite_and_classify(r, {});
    EXPECT_EQ(sqls(r), sqls(before));
    // Storage options keep the plain form; so does --no-concurrent-indexes.
    Plan o = plan_of({"ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE (a) WITH (fillfactor=70);"});
    rewrite_and_classify(o, {});
    EXPECT_EQ(o.steps.size(), 1u);
    Plan off = plan_of({"ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE (a);"});
    RewriteOptions no_concurrent;
    no_concurrent.concurrent_indexes = false;
    rewrite_and_classify(off, no_concurrent);
    EXPECT_EQ(sqls(off), std::vector<std::string>{"ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE (a);"});
}

TEST(RewriteAndClassify, ChangedIndexIsBuiltUnderATemporaryNameThenSwappedIn) {
    ObjectId index{Kind::index, "public", "T ü", "t"};
    Plan p = plan_of({"DROP INDEX public.\"T ü\";", "ALTER TABLE public.other ADD COLUMN x integer;",
                      "CREATE UNIQUE INDEX \"T ü\" ON public.t USING btree (u) WHERE u > 0;"});
    p.steps[0].action = "drop";
    p.steps[2].action = "create";
    p.steps[0].object = p.steps[2].object = index;
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.other ADD COLUMN x integer;",
                           "CREATE UNIQUE INDEX CONCURRENTLY \"T ü__pgflux_new\" ON public.t USING btree (u) WHERE u > 0;",
                           "DROP INDEX CONCURRENTLY public.\"T ü\";",
                           "ALTER INDEX public.\"T ü__pgflux_new\" RENAME TO \"T ü\";"}));
    for (size_t i = 1; i < p.steps.size(); ++i) EXPECT_EQ(p.steps[i].phase, k_phase_after_commit) << p.steps[i].sql;
    // The temporary name fits in 63 bytes without splitting a character.
    std::string long_name = std::string(50, 'a') + "ü";
    index.name = long_name;
    Plan l = plan_of({"DROP INDEX public." + long_name + ";",
                      "CREATE INDEX \"" + long_name + "\" ON public.t USING btree (u);"});
    l.steps[0].action = "drop";
    l.steps[1].action = "create";
    l.steps[0].object = l.steps[1].object = index;
    rewrite_and_classify(l, {});
    EXPECT_EQ(l.steps[0].sql, "CREATE INDEX CONCURRENTLY " + std::string(50, 'a') + "__pgflux_new ON public.t USING btree (u);");
}

TEST(RewriteAndClassify, ChangedIndexOnATableAlteredInBetweenIsDroppedInTheTransaction) {
    // The column type changes after the old index went: no swap. The index
    // comes back inside the transaction too, unique or not, so the table
    // never goes without it.
    for (std::string unique : {"UNIQUE ", ""}) {
        ObjectId index{Kind::index, "public", "t_s", "t"};
        Plan p = plan_of({"DROP INDEX public.t_s;", "ALTER TABLE public.t ALTER COLUMN s TYPE public.status USING s::text::public.status;",
                          "CREATE " + unique + "INDEX t_s ON public.t USING btree (s);"});
        p.steps[0].action = "drop";
        p.steps[2].action = "create";
        p.steps[0].object = p.steps[2].object = index;
        rewrite_and_classify(p, {});
        ASSERT_EQ(p.steps.size(), 3u);
        EXPECT_EQ(p.steps[0].sql, "DROP INDEX public.t_s;");
        EXPECT_EQ(p.steps[2].sql, "CREATE " + unique + "INDEX t_s ON public.t USING btree (s);");
        EXPECT_EQ(p.steps[2].phase, k_phase_transactional);
    }
}

TEST(RewriteAndClassify, ChangedIndexIsSwappedInEvenWhenTheTableGetsAnotherIndex) {
    ObjectId index{Kind::index, "public", "t_a", "t"};
    Plan p = plan_of({"DROP INDEX public.t_a;", "CREATE UNIQUE INDEX t_b ON public.t USING btree (b);",
                      "CREATE INDEX t_a ON public.t USING btree (a, b);"});
    p.steps[0].action = "drop";
    p.steps[2].action = "create";
    p.steps[0].object = p.steps[2].object = index;
    rewrite_and_classify(p, {});
    for (const Step& s : p.steps) EXPECT_EQ(s.phase, k_phase_after_commit) << s.sql;
    ASSERT_EQ(p.steps.size(), 4u);
    EXPECT_EQ(p.steps[1].sql, "CREATE INDEX CONCURRENTLY t_a__pgflux_new ON public.t USING btree (a, b);");
    EXPECT_EQ(p.steps[2].sql, "DROP INDEX CONCURRENTLY public.t_a;");
}

TEST(ClassifySteps, ANewEnumValueMovesOnlyWhatUsesItAfterTheCommit) {
    Plan p = plan_of({"ALTER TYPE public.mood ADD VALUE 'happy';",
                      "ALTER TABLE public.other ADD COLUMN note text;",
                      "ALTER TABLE public.users ALTER COLUMN m SET DEFAULT 'happy'::public.mood;",
                      "CREATE TABLE public.t2 (m public.mood DEFAULT 'happy');",
                      "CREATE INDEX t2_m ON public.t2 USING btree (m);",
                      "DROP TABLE public.logs;"});
    p.steps[2].object = {Kind::table, "public", "users"};
    p.steps[3].object = p.steps[4].object = {Kind::table, "public", "t2"};
    p.steps[4].object = {Kind::index, "public", "t2_m", "t2"};
    classify_steps(p.steps, 0);
    std::vector<std::string> phases;
    for (const Step& s : p.steps) phases.push_back(s.phase);
    EXPECT_EQ(phases, (std::vector<std::string>{k_phase_transactional, k_phase_transactional, k_phase_after_commit,
                                                k_phase_after_commit, k_phase_after_commit, k_phase_transactional}));
}

TEST(ClassifySteps, CodeTheGateCannotSeeIntoIsUnclassifiable) {
    auto codes = [](std::vector<std::string> sql) {
        Plan p = plan_of(sql);
        classify_steps(p.steps, 0);
        std::string out;
        for (const Step& s : p.steps)
            for (const Hazard& h : s.hazards) out += (out.empty() ? "" : ",") + h.code;
        return out;
    };
    EXPECT_EQ(codes({"DO $$ BEGIN NULL; END $$;"}), "UNCLASSIFIABLE");
    EXPECT_EQ(codes({"CALL public.p();"}), "UNCLASSIFIABLE");
    EXPECT_EQ(codes({"EXECUTE q;"}), "UNCLASSIFIABLE");
    const std::string dynamic =
        "CREATE FUNCTION public.f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; RETURN 1; END $$;";
    EXPECT_EQ(codes({dynamic, "SELECT public.f();"}), "UNCLASSIFIABLE");
    EXPECT_NE(codes({dynamic, "ALTER TABLE public.t ADD COLUMN c int DEFAULT public.f();"}).find("UNCLASSIFIABLE"),
              std::string::npos);
    EXPECT_EQ(codes({dynamic, "CREATE VIEW public.v AS SELECT public.f();"}), "");  // defining it runs nothing
    EXPECT_EQ(codes({"CREATE FUNCTION public.g() RETURNS int LANGUAGE sql AS $$ UPDATE t SET c = 1 RETURNING c $$;",
                     "SELECT public.g();"}),
              "UNCLASSIFIABLE");
    EXPECT_EQ(codes({"CREATE FUNCTION public.h() RETURNS int LANGUAGE c AS 'lib', 'h';", "SELECT public.h();"}),
              "UNCLASSIFIABLE");
    // A body that only reads is classified.
    EXPECT_EQ(codes({"CREATE FUNCTION public.r(int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN $1 + 1; END $$;",
                     "CREATE INDEX i ON public.t USING btree (public.r(c));"}),
              "");
    EXPECT_EQ(codes({"CREATE FUNCTION public.s(int) RETURNS int LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT $1; END;",
                     "SELECT public.s(1);"}),
              "");
}

TEST(RewriteAndClassify, OptionsTurnTheRewritesOff) {
    Plan p = plan_of({"CREATE INDEX i ON public.t USING btree (c);",
                      "ALTER TABLE public.t ADD CONSTRAINT c CHECK (c > 0);"});
    RewriteOptions off;
    off.auto_not_valid = false;
    off.concurrent_indexes = false;
    rewrite_and_classify(p, off);
    EXPECT_EQ(sqls(p), (std::vector<std::string>{"CREATE INDEX i ON public.t USING btree (c);",
                                                 "ALTER TABLE public.t ADD CONSTRAINT c CHECK (c > 0);"}));
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    EXPECT_EQ(p.steps[0].lock, "SHARE");
    EXPECT_EQ(codes(p.steps[1]), Codes{"CONSTRAINT_SCAN"});
}

TEST(RewriteAndClassify, AfterCommitStepsMoveToTheEndInOrder) {
    Plan p = plan_of({"CREATE INDEX a_idx ON public.a USING btree (x);", "ALTER TABLE public.b ADD COLUMN y integer;",
                      "CREATE INDEX c_idx ON public.c USING btree (x);", "ALTER TABLE public.d ADD COLUMN y integer;"});
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{"ALTER TABLE public.b ADD COLUMN y integer;",
                                                 "ALTER TABLE public.d ADD COLUMN y integer;",
                                                 "CREATE INDEX CONCURRENTLY a_idx ON public.a USING btree (x);",
                                                 "CREATE INDEX CONCURRENTLY c_idx ON public.c USING btree (x);"}));
}

TEST(RewriteAndClassify, ClassifiesHazardsOfTheRewrittenPlan) {
    Plan p = plan_of({"DROP TABLE public.a;", "DROP TABLE public.b;", "ALTER TABLE public.c DROP COLUMN x;"}, 4);
    rewrite_and_classify(p, {});
    EXPECT_EQ(codes(p.steps[0]), (Codes{"DATA_LOSS", "MASS_DROP"}));
    EXPECT_EQ(codes(p.steps[2]), Codes{"DATA_LOSS"});
}

TEST(ForbiddenInTransaction, WhatPostgresRefusesInABlock) {
    auto node = [](const std::string& sql) {
        static std::vector<std::shared_ptr<const pq::ParseResult>> keep;
        keep.push_back(pq::ParseResult::parse(sql));
        return keep.back()->statements().at(0).node;
    };
    EXPECT_TRUE(forbidden_in_transaction(node("CREATE INDEX CONCURRENTLY i ON t (c)")));
    EXPECT_TRUE(forbidden_in_transaction(node("DROP INDEX CONCURRENTLY i")));
    EXPECT_TRUE(forbidden_in_transaction(node("REINDEX (CONCURRENTLY) INDEX i")));
    EXPECT_TRUE(forbidden_in_transaction(node("VACUUM t")));
    EXPECT_FALSE(forbidden_in_transaction(node("CREATE INDEX i ON t (c)")));
    EXPECT_FALSE(forbidden_in_transaction(node("DROP INDEX i")));
    EXPECT_FALSE(forbidden_in_transaction(node("REINDEX INDEX i")));
    EXPECT_FALSE(forbidden_in_transaction(node("ALTER TABLE t ADD COLUMN c int")));
}

TEST(ParseAllowedHazards, CodesAllAndCase) {
    EXPECT_EQ(parse_allowed_hazards("DATA_LOSS,COLUMN_TYPE_CHANGE"),
              (std::set<std::string>{"COLUMN_TYPE_CHANGE", "DATA_LOSS"}));
    std::set<std::string> all(k_hazard_codes.begin(), k_hazard_codes.end());
    EXPECT_EQ(parse_allowed_hazards("all"), all);
    EXPECT_EQ(parse_allowed_hazards("ALL"), all);
    EXPECT_EQ(parse_allowed_hazards("data_loss"), std::set<std::string>{"DATA_LOSS"});
    EXPECT_EQ(parse_allowed_hazards(" Mass_Drop , constraint_scan "), (std::set<std::string>{"CONSTRAINT_SCAN", "MASS_DROP"}));
    EXPECT_TRUE(parse_allowed_hazards("").empty());
    EXPECT_EQ(parse_allowed_hazards("DATA_LOSS,,DATA_LOSS"), std::set<std::string>{"DATA_LOSS"});
}

TEST(ParseAllowedHazards, UnknownCodeIsAUsageError) {
    try {
        parse_allowed_hazards("DATA_LOSS,nope");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code, k_exit_usage);
        EXPECT_NE(std::string(e.what()).find("unknown hazard \"NOPE\""), std::string::npos) << e.what();
    }
}

TEST(BlockingHazards, OnlyWhatIsNotAllowed) {
    std::vector<Step> steps = {step("DROP TABLE public.a;"), step("ALTER TABLE public.b ALTER COLUMN c TYPE text;"),
                               step("CREATE SCHEMA s;")};
    classify_steps(steps, 0);
    auto blocked = blocking_hazards(steps, {});
    ASSERT_EQ(blocked.size(), 2u);
    EXPECT_EQ(blocked[0].step, &steps[0]);
    EXPECT_EQ(blocked[0].hazard.code, "DATA_LOSS");
    EXPECT_EQ(blocked[1].hazard.code, "COLUMN_TYPE_CHANGE");
    auto some = blocking_hazards(steps, {"DATA_LOSS"});
    ASSERT_EQ(some.size(), 1u);
    EXPECT_EQ(some[0].step, &steps[1]);
    EXPECT_TRUE(blocking_hazards(steps, parse_allowed_hazards("all")).empty());
}

TEST(RefusalMessage, HeadlineStatementsAndAdvice) {
    std::vector<Step> steps = {step("ALTER TABLE public.users DROP COLUMN nickname;"),
                               step("ALTER TABLE public.b ALTER COLUMN c TYPE text;")};
    classify_steps(steps, 0);
    auto blocked = blocking_hazards(steps, {});
    EXPECT_EQ(refusal_message(blocked, "migrations/x.sql"),
              "refusing to apply: blocking hazards; pass --allow-hazards or change schema (migrations/x.sql)\n"
              "  DATA_LOSS: ALTER TABLE public.users DROP COLUMN nickname;\n"
              "      drops column nickname of public.users and its data\n"
              "  COLUMN_TYPE_CHANGE: ALTER TABLE public.b ALTER COLUMN c TYPE text;\n"
              "      changes the type of public.b.c: rewrites the table under an ACCESS EXCLUSIVE lock\n"
              "to accept them: --allow-hazards=COLUMN_TYPE_CHANGE,DATA_LOSS");
}

TEST(RefusalMessage, ShorteningNeverSplitsAMultiByteCharacter) {
    // Bytes 116-117 of this statement hold one two-byte character.
    std::string name = "x";
    for (int i = 0; i < 60; ++i) name += "é";
    std::vector<Step> steps = {step("DROP TABLE public.\"" + name + "\";")};
    classify_steps(steps, 0);
    std::string message = refusal_message(blocking_hazards(steps, {}), "");
    std::string line = message.substr(message.find("  DATA_LOSS: "));
    line = line.substr(0, line.find('\n'));
    ASSERT_GE(line.size(), 3u);
    EXPECT_EQ(line.substr(line.size() - 3), "...");
    std::string kept = line.substr(0, line.size() - 3);
    // The text before "..." ends on a whole character (no lone lead byte).
    auto last = static_cast<unsigned char>(kept.back());
    EXPECT_FALSE(last >= 0xC0) << "statement cut inside a UTF-8 character";
}

TEST(RefusalMessage, LongAndMultiLineStatementsAreShortened) {
    std::string long_sql = "DROP TABLE public." + std::string(150, 'x') + ";";
    std::vector<Step> steps = {step(long_sql), step("DROP TABLE\npublic.y;")};
    classify_steps(steps, 0);
    std::string message = refusal_message(blocking_hazards(steps, {}), "");
    EXPECT_EQ(message.rfind("refusing to apply: blocking hazards; pass --allow-hazards or change schema\n", 0), 0u)
        << message;
    EXPECT_NE(message.find("  DATA_LOSS: " + long_sql.substr(0, 117) + "...\n"), std::string::npos) << message;
    EXPECT_NE(message.find("  DATA_LOSS: DROP TABLE public.y;\n"), std::string::npos) << message;
    EXPECT_EQ(message.substr(message.rfind('\n') + 1), "to accept them: --allow-hazards=DATA_LOSS");
}

// ---- Column type changes judged against the live catalog --------------------

TEST(TypeChangeRewrites, BinaryCoercibleChangesAsPostgreSQLDecides) {
    // varchar_support: widening or dropping the limit relabels.
    EXPECT_FALSE(type_change_rewrites("character varying(10)", "character varying(20)"));
    EXPECT_FALSE(type_change_rewrites("character varying(10)", "character varying(10)"));
    EXPECT_FALSE(type_change_rewrites("character varying(10)", "character varying"));
    EXPECT_TRUE(type_change_rewrites("character varying(20)", "character varying(10)"));
    EXPECT_TRUE(type_change_rewrites("character varying", "character varying(10)"));
    // varchar <-> text are binary-coercible; a length limit needs a coercion.
    EXPECT_FALSE(type_change_rewrites("character varying(10)", "text"));
    EXPECT_FALSE(type_change_rewrites("text", "character varying"));
    EXPECT_TRUE(type_change_rewrites("text", "character varying(10)"));
    // character(n): no support function.
    EXPECT_TRUE(type_change_rewrites("character(2)", "character(4)"));
    EXPECT_TRUE(type_change_rewrites("character varying(10)", "character(10)"));
    // numeric_support: same scale, precision not decreasing; or unconstrained.
    EXPECT_FALSE(type_change_rewrites("numeric(10,2)", "numeric(12,2)"));
    EXPECT_FALSE(type_change_rewrites("numeric(10,2)", "numeric"));
    EXPECT_TRUE(type_change_rewrites("numeric(10,2)", "numeric(12,3)"));
    EXPECT_TRUE(type_change_rewrites("numeric(10,2)", "numeric(8,2)"));
    EXPECT_TRUE(type_change_rewrites("numeric", "numeric(10,2)"));
    // TemporalSimplify: precision up, to unconstrained, or to the maximum (6).
    EXPECT_FALSE(type_change_rewrites("timestamp(3) with time zone", "timestamp(6) with time zone"));
    EXPECT_FALSE(type_change_rewrites("timestamp(3) without time zone", "timestamp without time zone"));
    EXPECT_FALSE(type_change_rewrites("timestamp without time zone", "timestamp(6) without time zone"));
    EXPECT_TRUE(type_change_rewrites("timestamp without time zone", "timestamp(3) without time zone"));
    EXPECT_TRUE(type_change_rewrites("timestamp(3) with time zone", "timestamp(0) with time zone"));
    EXPECT_FALSE(type_change_rewrites("time(2) without time zone", "time(4) without time zone"));
    // timestamp <-> timestamptz depends on the session's time zone: a rewrite.
    EXPECT_TRUE(type_change_rewrites("timestamp without time zone", "timestamp with time zone"));
    // varbit_support; bit -> varbit is binary-coercible without a limit.
    EXPECT_FALSE(type_change_rewrites("bit varying(5)", "bit varying(8)"));
    EXPECT_TRUE(type_change_rewrites("bit varying(8)", "bit varying(5)"));
    EXPECT_FALSE(type_change_rewrites("bit(4)", "bit varying"));
    EXPECT_TRUE(type_change_rewrites("bit(4)", "bit varying(8)"));
    EXPECT_TRUE(type_change_rewrites("bit(4)", "bit(8)"));
    // cidr -> inet is binary-coercible, not the other way.
    EXPECT_FALSE(type_change_rewrites("cidr", "inet"));
    EXPECT_TRUE(type_change_rewrites("inet", "cidr"));
    // Arrays go through an element coercion; other changes convert values.
    EXPECT_TRUE(type_change_rewrites("character varying(10)[]", "character varying(20)[]"));
    EXPECT_TRUE(type_change_rewrites("integer", "bigint"));
    EXPECT_TRUE(type_change_rewrites("integer", "text"));
    EXPECT_TRUE(type_change_rewrites("interval day", "interval"));
    EXPECT_FALSE(type_change_rewrites("interval(3)", "interval"));
}

TEST(TypeChangeRewrites, Domains) {
    std::map<std::string, LiveDomain> domains = {{"public.code", {"character varying(30)", false}},
                                                 {"public.positive", {"integer", true}}};
    EXPECT_FALSE(type_change_rewrites("character varying(10)", "public.code", domains));
    EXPECT_FALSE(type_change_rewrites("public.code", "character varying(30)", domains));
    EXPECT_TRUE(type_change_rewrites("public.code", "text", domains));
    EXPECT_TRUE(type_change_rewrites("integer", "public.positive", domains));  // its CHECK is evaluated
    EXPECT_TRUE(type_change_rewrites("integer", "public.unknown", domains));
    EXPECT_TRUE(type_change_keeps_opclass("character varying(10)", "public.code", domains));
    EXPECT_TRUE(type_change_keeps_opclass("character varying(10)", "text"));
    EXPECT_TRUE(type_change_keeps_opclass("cidr", "inet"));
    EXPECT_FALSE(type_change_keeps_opclass("bit(4)", "bit varying"));
}

LiveFacts orders_facts() {
    LiveFacts facts;
    facts.known = true;
    LiveTable& t = facts.tables["public.orders"];
    t.columns["note"] = {"character varying(10)", "", false};
    t.columns["code"] = {"character varying(10)", "", false};
    t.columns["amount"] = {"numeric(10,2)", "", false};
    t.columns["tag"] = {"character varying(10)", "pg_catalog.\"C\"", false};
    t.indexes.push_back({"orders_code_lower", {"code"}, true});
    t.indexes.push_back({"orders_tag", {"tag"}, false});
    t.checks.push_back({"orders_amount_check", {"amount"}});
    t.bytes = 1.2 * 1024 * 1024 * 1024;
    t.rows = 3400000;
    return facts;
}

Step classified_with(const std::string& sql, const LiveFacts& facts) {
    std::vector<Step> steps = {step(sql)};
    classify_steps(steps, 0, facts);
    return steps[0];
}

bool warns(const Step& s, const std::string& code) {
    return std::any_of(s.warnings.begin(), s.warnings.end(), [&](const Hazard& h) { return h.code == code; });
}

TEST(ClassifyColumnType, WideningWithLiveFactsIsNoRewrite) {
    LiveFacts facts = orders_facts();
    Step s = classified_with("ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(20) USING note::character varying(20);", facts);
    EXPECT_TRUE(s.hazards.empty());
    EXPECT_EQ(s.lock, "ACCESS EXCLUSIVE");
    EXPECT_EQ(s.lock_on, "public.orders");
    EXPECT_TRUE(warns(s, "ACCESS_EXCLUSIVE"));
    EXPECT_TRUE(classified_with("ALTER TABLE public.orders ALTER COLUMN note TYPE text;", facts).hazards.empty());
    // Narrowing, a USING that computes, or no facts: a rewrite.
    Step narrow = classified_with("ALTER TABLE public.orders ALTER COLUMN note TYPE varchar(5);", facts);
    EXPECT_TRUE(has(narrow, "COLUMN_TYPE_CHANGE"));
    EXPECT_NE(narrow.hazards[0].message.find("~1.2 GB, ~3,400,000 rows"), std::string::npos) << narrow.hazards[0].message;
    EXPECT_TRUE(has(classified_with("ALTER TABLE public.orders ALTER COLUMN note TYPE varchar(20) USING upper(note);", facts),
                    "COLUMN_TYPE_CHANGE"));
    EXPECT_TRUE(has(classified("ALTER TABLE public.orders ALTER COLUMN note TYPE varchar(20);"), "COLUMN_TYPE_CHANGE"));
}

TEST(ClassifyColumnType, IndexRebuildsAndCheckScansStayHazards) {
    LiveFacts facts = orders_facts();
    // An expression index on the column is rebuilt.
    Step code = classified_with("ALTER TABLE public.orders ALTER COLUMN code TYPE varchar(20);", facts);
    ASSERT_TRUE(has(code, "COLUMN_TYPE_CHANGE"));
    EXPECT_NE(code.hazards[0].message.find("rebuilds index orders_code_lower"), std::string::npos);
    // A collation change rebuilds every index on the column.
    Step tag = classified_with("ALTER TABLE public.orders ALTER COLUMN tag TYPE varchar(20);", facts);
    EXPECT_TRUE(has(tag, "COLUMN_TYPE_CHANGE"));
    EXPECT_TRUE(classified_with("ALTER TABLE public.orders ALTER COLUMN tag TYPE varchar(20) COLLATE pg_catalog.\"C\";", facts)
                    .hazards.empty());
    // A CHECK on the column is checked again.
    Step amount = classified_with("ALTER TABLE public.orders ALTER COLUMN amount TYPE numeric(12,2);", facts);
    EXPECT_EQ(codes(amount), std::vector<std::string>{"CONSTRAINT_SCAN"});
}

TEST(Warnings, IndexBuildDropAuthzAndNotTransactional) {
    LiveFacts facts = orders_facts();
    std::vector<Step> steps = {step("CREATE INDEX CONCURRENTLY orders_x ON public.orders (note);"),
                               step("DROP INDEX public.orders_old;"),
                               step("GRANT SELECT ON public.orders TO reporting;"),
                               step("CREATE TABLE public.fresh (id int);"),
                               step("CREATE INDEX fresh_id ON public.fresh (id);"),
                               step("ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;")};
    steps[0].phase = k_phase_after_commit;
    classify_steps(steps, 0, facts);
    EXPECT_TRUE(warns(steps[0], "INDEX_BUILD"));
    EXPECT_NE(steps[0].warnings[0].message.find("concurrently"), std::string::npos);
    EXPECT_NE(steps[0].warnings[0].message.find("~3,400,000 rows"), std::string::npos);
    EXPECT_TRUE(warns(steps[0], "NOT_TRANSACTIONAL"));
    EXPECT_EQ(steps[0].lock_on, "public.orders");
    EXPECT_TRUE(warns(steps[1], "INDEX_DROPPED"));
    EXPECT_TRUE(warns(steps[2], "AUTHZ_UPDATE"));
    EXPECT_TRUE(steps[3].warnings.empty());
    EXPECT_TRUE(steps[4].warnings.empty());  // a new table's index
    EXPECT_TRUE(warns(steps[5], "AUTHZ_UPDATE"));
    EXPECT_TRUE(warns(steps[5], "ACCESS_EXCLUSIVE"));
    for (const Step& s : steps) EXPECT_TRUE(s.hazards.empty()) << s.sql;
    // Warnings never block, and --allow-hazards accepts their codes as no-ops.
    EXPECT_TRUE(blocking_hazards(steps, {}).empty());
    EXPECT_TRUE(parse_allowed_hazards("INDEX_BUILD,access_exclusive").empty());
}

TEST(Warnings, ReplacedIndexIsNotDropped) {
    std::vector<Step> steps = {step("DROP INDEX public.i;"), step("CREATE INDEX i ON public.t (a, b);")};
    classify_steps(steps, 0);
    EXPECT_FALSE(warns(steps[0], "INDEX_DROPPED"));
}

TEST(RewriteSetNotNull, CheckNotValidValidateSetNotNullDrop) {
    Plan p = plan_of({"ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;"});
    p.steps[0].summary = "ALTER COLUMN users.email SET NOT NULL";
    rewrite_and_classify(p, {});
    EXPECT_EQ(sqls(p), (std::vector<std::string>{
                           "ALTER TABLE public.users ADD CONSTRAINT email__pgflux_not_null CHECK (email IS NOT NULL) NOT VALID;",
                           "ALTER TABLE public.users VALIDATE CONSTRAINT email__pgflux_not_null;",
                           "ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;",
                           "ALTER TABLE public.users DROP CONSTRAINT IF EXISTS email__pgflux_not_null;"}));
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    for (size_t i = 1; i < 4; ++i) EXPECT_EQ(p.steps[i].phase, k_phase_after_commit);
    EXPECT_TRUE(blocking_hazards(p.steps, {}).empty());
    // Off with the NOT VALID rewrites; a table created in the plan needs none.
    RewriteOptions off;
    off.auto_not_valid = false;
    Plan q = plan_of({"ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;"});
    rewrite_and_classify(q, off);
    EXPECT_TRUE(has(q.steps.at(0), "CONSTRAINT_SCAN"));
    Plan n = plan_of({"CREATE TABLE public.n (a int);", "ALTER TABLE public.n ALTER COLUMN a SET NOT NULL;"});
    rewrite_and_classify(n, {});
    EXPECT_EQ(n.steps.size(), 2u);
    // The file as written is classified the same way: no scan once the CHECK is valid.
    std::vector<Step> file = {step("ALTER TABLE public.users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;"),
                              step("ALTER TABLE public.users VALIDATE CONSTRAINT c;"),
                              step("ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;")};
    classify_steps(file, 0);
    EXPECT_TRUE(blocking_hazards(file, {}).empty());
    std::vector<Step> unproven = {step("ALTER TABLE public.users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;"),
                                  step("ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;")};
    classify_steps(unproven, 0);
    EXPECT_TRUE(has(unproven[1], "CONSTRAINT_SCAN"));
}

TEST(RewriteSetNotNull, StaysInTheTransactionWhenAnIdentityIsAddedToTheColumn) {
    // ADD IDENTITY needs the column NOT NULL in the same transaction.
    Plan p = plan_of({"ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;",
                      "ALTER TABLE public.t ALTER COLUMN c ADD GENERATED BY DEFAULT AS IDENTITY;",
                      "ALTER TABLE public.t ALTER COLUMN d SET NOT NULL;"});
    rewrite_and_classify(p, {});
    ASSERT_EQ(p.steps.size(), 6u);
    EXPECT_EQ(p.steps[0].sql, "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;");
    EXPECT_EQ(p.steps[0].phase, k_phase_transactional);
    EXPECT_EQ(p.steps[1].phase, k_phase_transactional);
    EXPECT_EQ(p.steps[2].sql, "ALTER TABLE public.t ADD CONSTRAINT d__pgflux_not_null CHECK (d IS NOT NULL) NOT VALID;");
}

TEST(RewriteSetNotNull, HelperNameIsDeterministicAndFits) {
    EXPECT_EQ(not_null_helper_name("email"), "email__pgflux_not_null");
    std::string long_a(60, 'a'), long_b = std::string(59, 'a') + "b";
    EXPECT_LE(not_null_helper_name(long_a).size(), 63u);
    EXPECT_EQ(not_null_helper_name(long_a), not_null_helper_name(long_a));
    EXPECT_NE(not_null_helper_name(long_a), not_null_helper_name(long_b));
}

}  // namespace
}  // namespace pgflux
