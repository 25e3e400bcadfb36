#!/usr/bin/env bats
# Round trips of triggers, event triggers, rules, row-level security and
# policies: from a database loaded with BEFORE, generate + apply reach AFTER;
# drift finds nothing; the catalog is
# what AFTER says (see roundtrip.bash).
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

BASE="create table emp (id integer primary key, name text, salary integer, modified timestamptz);
create function touch() returns trigger language plpgsql as \$\$ begin new.modified := now(); return new; end \$\$;
create function audit() returns trigger language plpgsql as \$\$ begin return null; end \$\$;"

@test "trigger: BEFORE/AFTER, row/statement, UPDATE OF, WHEN, arguments, transition tables, comment / drop" {
  roundtrip_both triggers "$BASE" \
    "$BASE
     create trigger emp_touch before insert or update of salary, name on emp for each row
       when (new.salary is not null) execute function touch();
     create trigger emp_audit after update on emp referencing old table as before_rows new table as after_rows
       for each statement execute function audit('emp', '1');
     create trigger emp_truncate after truncate on emp execute function audit();
     comment on trigger emp_touch on emp is 'stamps rows';"
  assert_equal "$(trigger_def "$FWD" emp emp_touch)" "CREATE TRIGGER emp_touch BEFORE INSERT OR UPDATE OF salary, name ON public.emp FOR EACH ROW WHEN ((new.salary IS NOT NULL)) EXECUTE FUNCTION touch() [O]"
  assert_equal "$(trigger_def "$FWD" emp emp_audit)" "CREATE TRIGGER emp_audit AFTER UPDATE ON public.emp REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION audit('emp', '1') [O]"
  assert_equal "$(trigger_def "$FWD" emp emp_truncate)" "CREATE TRIGGER emp_truncate AFTER TRUNCATE ON public.emp FOR EACH STATEMENT EXECUTE FUNCTION audit() [O]"
  assert_equal "$(q "$FWD" "select obj_description(oid, 'pg_trigger') from pg_trigger where tgname = 'emp_touch'")" "stamps rows"
  assert_equal "$(q "$FWD" "insert into emp (id, salary) values (1, 10) returning modified is not null")" "t"
  assert_equal "$(q "$BACK" "select count(*) from pg_trigger where not tgisinternal")" "0"
}

# bats test_tags=long
@test "trigger: a changed definition is CREATE OR REPLACE TRIGGER; the enabled state is ALTER TABLE" {
  roundtrip_both retrigger \
    "$BASE create trigger emp_touch before update on emp for each row execute function touch();" \
    "$BASE create trigger emp_touch before insert or update on emp for each row execute function touch();
     alter table emp disable trigger emp_touch;"
  file_has "$FWD_FILE" '^CREATE OR REPLACE TRIGGER emp_touch BEFORE INSERT OR UPDATE ON public.emp'
  file_has "$FWD_FILE" '^ALTER TABLE public.emp DISABLE TRIGGER emp_touch;'
  file_has "$BACK_FILE" '^ALTER TABLE public.emp ENABLE TRIGGER emp_touch;'
  file_lacks "$FWD_FILE" 'DROP TRIGGER'
  assert_equal "$(trigger_def "$FWD" emp emp_touch)" "CREATE TRIGGER emp_touch BEFORE INSERT OR UPDATE ON public.emp FOR EACH ROW EXECUTE FUNCTION touch() [D]"
  roundtrip_both states \
    "$BASE create trigger a before update on emp for each row execute function touch();
     create trigger b before update on emp for each row execute function touch();" \
    "$BASE create trigger a before update on emp for each row execute function touch();
     create trigger b before update on emp for each row execute function touch();
     alter table emp enable always trigger a; alter table emp enable replica trigger b;"
  assert_equal "$(trigger_def "$FWD" emp a)" "CREATE TRIGGER a BEFORE UPDATE ON public.emp FOR EACH ROW EXECUTE FUNCTION touch() [A]"
  assert_equal "$(trigger_def "$FWD" emp b)" "CREATE TRIGGER b BEFORE UPDATE ON public.emp FOR EACH ROW EXECUTE FUNCTION touch() [R]"
}

@test "constraint trigger (DEFERRABLE): a change is drop + create" {
  roundtrip_both ctrig \
    "$BASE create constraint trigger emp_check after insert on emp deferrable for each row execute function audit();" \
    "$BASE create constraint trigger emp_check after insert or update on emp deferrable initially deferred for each row execute function audit();"
  file_has "$FWD_FILE" '^-- DROP TRIGGER emp_check ON emp \(recreated because a constraint trigger cannot be replaced in place\)$'
  assert_equal "$(q "$FWD" "select tgdeferrable || ',' || tginitdeferred from pg_trigger where tgname = 'emp_check'")" "true,true"
}

# bats test_tags=long
@test "INSTEAD OF trigger on a view" {
  roundtrip_both instead "$BASE" \
    "$BASE create view emp_v as select id, name from emp;
     create function emp_v_insert() returns trigger language plpgsql as \$\$ begin insert into emp (id, name) values (new.id, upper(new.name)); return new; end \$\$;
     create trigger emp_v_ins instead of insert on emp_v for each row execute function emp_v_insert();"
  assert_equal "$(q "$FWD" "insert into emp_v values (5, 'x'); select name from emp where id = 5")" "X"
}

@test "event trigger: WHEN TAG IN, enabled state, comment / drop" {
  roundtrip_both evt "create function on_ddl() returns event_trigger language plpgsql as \$\$ begin end \$\$;" \
    "create function on_ddl() returns event_trigger language plpgsql as \$\$ begin end \$\$;
     create event trigger ddl_log on ddl_command_end when tag in ('CREATE TABLE', 'drop table') execute function on_ddl();
     alter event trigger ddl_log enable always;
     comment on event trigger ddl_log is 'logs ddl';"
  assert_equal "$(q "$FWD" "select concat_ws('|', evtevent, array_to_string(evttags, ','), evtenabled) from pg_event_trigger")" "ddl_command_end|CREATE TABLE,DROP TABLE|A"
  assert_equal "$(q "$FWD" "select obj_description(oid, 'pg_event_trigger') from pg_event_trigger")" "logs ddl"
  assert_equal "$(q "$BACK" "select count(*) from pg_event_trigger")" "0"
}

# bats test_tags=long
@test "rule: create, CREATE OR REPLACE RULE, drop" {
  roundtrip_both rule "$BASE create view emp_v as select id, name from emp; create table raises (id integer);" \
    "$BASE create view emp_v as select id, name from emp; create table raises (id integer);
     create rule emp_v_del as on delete to emp_v do instead delete from emp where id = old.id;
     create rule emp_log as on update to emp where new.salary > 100 do also insert into raises values (new.id);
     create rule emp_notify as on insert to emp do also notify emp_changes;
     comment on rule emp_log on emp is 'log raises';"
  assert_equal "$(rule_def "$FWD" emp_v emp_v_del)" "CREATE RULE emp_v_del AS ON DELETE TO public.emp_v DO INSTEAD DELETE FROM emp WHERE (emp.id = old.id);"
  assert_equal "$(rule_def "$FWD" emp emp_log)" "CREATE RULE emp_log AS ON UPDATE TO public.emp WHERE (new.salary > 100) DO INSERT INTO raises (id) VALUES (new.id);"
  assert_equal "$(rule_def "$FWD" emp emp_notify)" "CREATE RULE emp_notify AS ON INSERT TO public.emp DO NOTIFY emp_changes;"
  assert_equal "$(q "$FWD" "insert into emp (id, salary) values (1, 1); update emp set salary = 500; select count(*) from raises")" "1"
  roundtrip_both rulechange \
    "$BASE create rule r as on insert to emp do also notify a;" \
    "$BASE create rule r as on insert to emp do instead nothing;"
  file_has "$FWD_FILE" '^CREATE OR REPLACE RULE r AS ON INSERT TO public.emp DO INSTEAD NOTHING;'
}

@test "row-level security: enable and force / disable; policies with roles, USING and WITH CHECK" {
  sql "$PGFLUX_ADMIN_URL" "do \$\$ begin create role pgflux_reader; exception when duplicate_object then null; end \$\$"
  roundtrip_both rls "$BASE" \
    "$BASE
     alter table emp enable row level security;
     alter table emp force row level security;
     create policy readers on emp for select to pgflux_reader using (salary < 100);
     create policy everyone on emp for update to pgflux_reader, public using (true);
     create policy writers on emp as restrictive for insert with check (salary >= 0);
     comment on policy readers on emp is 'who reads';"
  assert_equal "$(row_security "$FWD" emp)" "true,true"
  assert_equal "$(policy_def "$FWD" emp readers)" "r|t|pgflux_reader|(salary < 100)|-"
  assert_equal "$(policy_def "$FWD" emp everyone)" "w|t|public|true|-"
  assert_equal "$(policy_def "$FWD" emp writers)" "a|f|public|-|(salary >= 0)"
  assert_equal "$(q "$FWD" "select obj_description(oid, 'pg_policy') from pg_policy where polname = 'readers'")" "who reads"
  assert_equal "$(row_security "$BACK" emp)" "false,false"
  assert_equal "$(policy_def "$BACK" emp readers)" "<none>"
}

# bats test_tags=long
@test "policy: roles and expressions change with ALTER POLICY; command, type or a removed clause mean drop + create" {
  roundtrip_both alterpol \
    "$BASE alter table emp enable row level security;
     create policy p on emp for update using (salary > 0) with check (salary > 0);
     create policy q on emp for select using (true);" \
    "$BASE alter table emp enable row level security;
     create policy p on emp for update using (salary > 10);
     create policy q on emp for delete using (true);"
  file_has "$FWD_FILE" '^-- DROP POLICY p ON emp \(recreated because a clause is removed\)$'
  file_has "$FWD_FILE" '^-- DROP POLICY q ON emp \(recreated because its command changes\)$'
  file_has "$BACK_FILE" '^ALTER POLICY p ON public.emp USING \(salary > 0\) WITH CHECK \(salary > 0\);'
  assert_equal "$(policy_def "$FWD" emp p)" "w|t|public|(salary > 10)|-"
  assert_equal "$(policy_def "$FWD" emp q)" "d|t|public|true|-"
}

@test "policy using a function and another table: created after both" {
  roundtrip_both polfn "" \
    "create table managers (name text);
     create function is_manager(n text) returns boolean language sql stable as 'select exists (select 1 from managers where name = n)';
     create table accounts (owner text);
     alter table accounts enable row level security;
     create policy by_manager on accounts using (is_manager(owner) or owner in (select name from managers));"
  assert_equal "$(policy_def "$FWD" accounts by_manager)" "*|t|public|(is_manager(owner) OR (owner IN ( SELECT managers.name FROM managers)))|-"
}

# bats test_tags=long
@test "a throwaway local shadow cluster gets the roles policies name (it has none of the target's)" {
  mkdir -p schema
  cat > schema/schema.sql <<'SQL'
create table t (id integer);
alter table t enable row level security;
create policy p on t to pgflux_only_on_target using (id > 0);
SQL
  run --separate-stderr flux-parse --shadow-db local
  assert_success
  assert_output --partial '"roles": ['
  assert_output --partial '"pgflux_only_on_target"'
}
