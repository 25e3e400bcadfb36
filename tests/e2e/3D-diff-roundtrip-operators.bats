#!/usr/bin/env bats
# Round trips of operators, casts and text search dictionaries and
# configurations: from a database loaded with BEFORE, generate + apply reach
# AFTER; drift finds nothing; the
# catalog is what AFTER says (see roundtrip.bash). Also: parse and snapshot
# agree on them, and text search parsers are refused at file:line.
bats_require_minimum_version 1.5.0
load helpers
load roundtrip
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }
setup() { roundtrip_setup; }

BASE="create schema app;
create type app.mood as enum ('sad', 'ok', 'happy');
create function app.mood_eq(app.mood, app.mood) returns boolean language sql immutable as \$\$ select \$1 = \$2 \$\$;
create function app.mood_ne(app.mood, app.mood) returns boolean language sql immutable as \$\$ select \$1 <> \$2 \$\$;
create function app.mood_same(app.mood, app.mood) returns boolean language sql immutable as \$\$ select \$1::text = \$2::text \$\$;
create function app.negate(integer) returns integer language sql immutable as \$\$ select -\$1 \$\$;"

# op_def URL SCHEMA NAME: the operator's definition as the catalog holds it.
op_def() {
  q "$1" "select coalesce((select concat_ws('|', format_type(o.oprleft, null), format_type(o.oprright, null),
            o.oprcode::regproc, o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest::regproc, o.oprjoin::regproc,
            o.oprcanhash, o.oprcanmerge, coalesce(obj_description(o.oid, 'pg_operator'), '<none>'))
          from pg_operator o join pg_namespace n on n.oid = o.oprnamespace
          where n.nspname = '$2' and o.oprname = '$3' and o.oprcode <> 0), '<none>')"
}

# cast_def URL SOURCE TARGET: the cast's method, context, function and comment.
cast_def() {
  q "$1" "select coalesce((select concat_ws('|', c.castmethod, c.castcontext, c.castfunc::regprocedure,
            coalesce(obj_description(c.oid, 'pg_cast'), '<none>'))
          from pg_cast c where c.castsource = '$2'::regtype and c.casttarget = '$3'::regtype), '<none>')"
}

@test "operator: binary and prefix, COMMUTATOR/NEGATOR/RESTRICT/JOIN/HASHES/MERGES, comment / drop" {
  roundtrip_both ops "$BASE" \
    "$BASE
     create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_eq,
       commutator = operator(app.===), negator = operator(app.!==), restrict = eqsel, join = eqjoinsel, hashes, merges);
     create operator app.!== (leftarg = app.mood, rightarg = app.mood, procedure = app.mood_ne,
       commutator = operator(app.!==), negator = operator(app.===));
     create operator app.~~ (rightarg = integer, function = app.negate);
     comment on operator app.=== (app.mood, app.mood) is 'same mood';
     comment on operator app.~~ (none, integer) is 'negation';"
  assert_equal "$(op_def "$FWD" app '===')" "app.mood|app.mood|app.mood_eq|app.===(app.mood,app.mood)|app.!==(app.mood,app.mood)|eqsel|eqjoinsel|t|t|same mood"
  assert_equal "$(op_def "$FWD" app '!==')" "app.mood|app.mood|app.mood_ne|app.!==(app.mood,app.mood)|app.===(app.mood,app.mood)|-|-|f|f|<none>"
  assert_equal "$(op_def "$FWD" app '~~')" "-|integer|app.negate|0|0|-|-|f|f|negation"
  assert_equal "$(q "$FWD" "select 'ok'::app.mood operator(app.===) 'ok'::app.mood, operator(app.~~) 5")" "t|-5"
  assert_equal "$(q "$BACK" "select count(*) from pg_operator where oprnamespace = 'app'::regnamespace")" "0"
  assert_equal "$(step_summaries "$FWD_FILE" | grep -c '^CREATE OPERATOR')" "3"
}

# bats test_tags=long
@test "operator: RESTRICT and JOIN change in place; a new function drops and creates it" {
  roundtrip_both opsalter \
    "$BASE create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_eq, restrict = eqsel);" \
    "$BASE create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_eq, join = eqjoinsel);"
  file_has "$FWD_FILE" '^ALTER OPERATOR app\.=== \(app\.mood, app\.mood\) SET \(RESTRICT = NONE, JOIN = eqjoinsel\);$'
  file_has "$BACK_FILE" '^ALTER OPERATOR app\.=== \(app\.mood, app\.mood\) SET \(RESTRICT = eqsel, JOIN = NONE\);$'
  file_lacks "$FWD_FILE" 'DROP OPERATOR'
  assert_equal "$(op_def "$FWD" app '===')" "app.mood|app.mood|app.mood_eq|0|0|-|eqjoinsel|f|f|<none>"
  roundtrip_both opsreplace \
    "$BASE create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_eq);" \
    "$BASE create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_same, hashes);"
  file_has "$FWD_FILE" '^DROP OPERATOR app\.=== \(app\.mood, app\.mood\);$'
  file_has "$FWD_FILE" '^-- DROP OPERATOR app\.===\(app\.mood, app\.mood\) \(recreated because its definition changes\)$'
  assert_equal "$(op_def "$FWD" app '===')" "app.mood|app.mood|app.mood_same|0|0|-|-|t|f|<none>"
  assert_equal "$(op_def "$BACK" app '===')" "app.mood|app.mood|app.mood_eq|0|0|-|-|f|f|<none>"
}

@test "operator replaced under a view, an index and a CHECK constraint that use it: they are recreated" {
  local before="$BASE
    create table app.pairs (a app.mood, b app.mood);
    create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_eq);
    create view app.same as select a, b, a operator(app.===) b as equal from app.pairs;
    create index pairs_same on app.pairs ((a operator(app.===) b));
    alter table app.pairs add constraint pairs_check check (a operator(app.===) a);"
  local after="${before/function = app.mood_eq)/function = app.mood_same)}"
  [ "$before" != "$after" ] || fail "the test's AFTER schema is not different"
  roundtrip_both opdeps "$before" "$after" "insert into app.pairs values ('ok', 'ok'), ('sad', 'happy');"
  file_has "$FWD_FILE" '^-- DROP VIEW app\.same \(recreated because operator app\.===\(app\.mood, app\.mood\) is recreated\)$'
  file_has "$FWD_FILE" '^-- DROP INDEX app\.pairs_same \(recreated because operator app\.===\(app\.mood, app\.mood\) is recreated\)$'
  file_has "$FWD_FILE" 'DROP CONSTRAINT pairs_check'
  assert_equal "$(op_def "$FWD" app '===')" "app.mood|app.mood|app.mood_same|0|0|-|-|f|f|<none>"
  assert_equal "$(q "$FWD" "select string_agg(equal::text, ',' order by a) from app.same")" "false,true"
  assert_equal "$(index_def "$FWD" app.pairs_same)" "CREATE INDEX pairs_same ON app.pairs USING btree (((a OPERATOR(app.===) b)))"
  # The view, index and constraint now use the new operator (pg_depend).
  assert_equal "$(q "$FWD" "select count(distinct d.classid) from pg_depend d join pg_operator o on o.oid = d.refobjid
                             where d.refclassid = 'pg_operator'::regclass and o.oprname = '===' and d.deptype = 'n'")" "3"
}

# bats test_tags=long
@test "cast: WITH FUNCTION, WITHOUT FUNCTION, WITH INOUT, contexts, comment / drop; a change drops and creates it" {
  local base="$BASE
    create extension citext with schema public;
    create function app.mood_of(integer) returns app.mood language sql immutable as \$\$ select (enum_range(null::app.mood))[\$1] \$\$;"
  roundtrip_both casts "$base" \
    "$base
     create cast (integer as app.mood) with function app.mood_of(integer) as assignment;
     create cast (public.citext as bytea) without function;
     create cast (app.mood as text) with inout as assignment;
     comment on cast (integer as app.mood) is 'by position';"
  assert_equal "$(cast_def "$FWD" integer app.mood)" "f|a|app.mood_of(integer)|by position"
  assert_equal "$(cast_def "$FWD" public.citext bytea)" "b|e|-|<none>"
  assert_equal "$(cast_def "$FWD" app.mood text)" "i|a|-|<none>"
  assert_equal "$(q "$FWD" "select 2::app.mood")" "ok"
  assert_equal "$(q "$BACK" "select count(*) from pg_cast c where oid >= 16384 and not exists (select 1 from pg_depend d
                             where d.classid = 'pg_cast'::regclass and d.objid = c.oid and d.deptype = 'e')")" "0"
  roundtrip_both castchange \
    "$base create cast (integer as app.mood) with function app.mood_of(integer);" \
    "$base create cast (integer as app.mood) with function app.mood_of(integer) as implicit;"
  file_has "$FWD_FILE" '^DROP CAST \(integer AS app\.mood\);$'
  file_has "$FWD_FILE" '^CREATE CAST \(integer AS app\.mood\) WITH FUNCTION app\.mood_of\(integer\) AS IMPLICIT;$'
  assert_equal "$(cast_def "$FWD" integer app.mood)" "f|i|app.mood_of(integer)|<none>"
  assert_equal "$(cast_def "$BACK" integer app.mood)" "f|e|app.mood_of(integer)|<none>"
}

# ts_dict URL NAME: template and options of a dictionary, and its comment.
ts_dict() {
  q "$1" "select coalesce((select concat_ws('|', t.tmplname, d.dictinitoption, coalesce(obj_description(d.oid, 'pg_ts_dict'), '<none>'))
          from pg_ts_dict d join pg_ts_template t on t.oid = d.dicttemplate where d.oid = '$2'::regdictionary), '<none>')"
}
# ts_map URL CONFIG TOKEN: the dictionaries a token maps to.
ts_map() {
  q "$1" "select coalesce((select string_agg(m.mapdict::regdictionary::text, ',' order by m.mapseqno)
          from pg_ts_config_map m join ts_token_type('default') t on t.tokid = m.maptokentype
          where m.mapcfg = '$2'::regconfig and t.alias = '$3'), '<none>')"
}

TS_BASE="create schema app;"

@test "text search: dictionary (options) and configuration (COPY, mappings), comments / drop" {
  roundtrip_both ts "$TS_BASE" \
    "$TS_BASE
     create text search dictionary app.en_simple (template = simple, stopwords = english, accept = false);
     create text search configuration app.en (copy = english);
     alter text search configuration app.en alter mapping for asciiword, word with app.en_simple, english_stem;
     alter text search configuration app.en drop mapping for email, url, url_path;
     create text search configuration app.bare (parser = default);
     alter text search configuration app.bare add mapping for asciiword with simple;
     comment on text search dictionary app.en_simple is 'english stop words';
     comment on text search configuration app.en is 'english, our way';"
  assert_equal "$(ts_dict "$FWD" app.en_simple)" "simple|accept = 'false', stopwords = 'english'|english stop words"
  assert_equal "$(ts_map "$FWD" app.en asciiword)" "app.en_simple,english_stem"
  assert_equal "$(ts_map "$FWD" app.en hword)" "english_stem"
  assert_equal "$(ts_map "$FWD" app.en email)" "<none>"
  assert_equal "$(ts_map "$FWD" app.bare asciiword)" "simple"
  assert_equal "$(q "$FWD" "select obj_description('app.en'::regconfig, 'pg_ts_config')")" "english, our way"
  assert_equal "$(q "$FWD" "select to_tsvector('app.en', 'The running dogs')")" "'dog':3 'run':2"
  assert_equal "$(q "$BACK" "select count(*) from pg_ts_config where cfgnamespace = 'app'::regnamespace")" "0"
  assert_equal "$(q "$BACK" "select count(*) from pg_ts_dict where dictnamespace = 'app'::regnamespace")" "0"
}

# bats test_tags=long
@test "text search: options and mappings change in place; a new template drops and creates the dictionary and its configuration" {
  local before="$TS_BASE
    create text search dictionary app.d (template = simple, stopwords = english);
    create text search configuration app.c (parser = default);
    alter text search configuration app.c add mapping for asciiword, word with app.d;
    alter text search configuration app.c add mapping for int with simple;"
  roundtrip_both tsalter "$before" \
    "$TS_BASE
    create text search dictionary app.d (template = simple, accept = false);
    create text search configuration app.c (parser = default);
    alter text search configuration app.c add mapping for asciiword with app.d, simple;
    alter text search configuration app.c add mapping for word with app.d;
    alter text search configuration app.c add mapping for uint with simple;"
  file_has "$FWD_FILE" '^ALTER TEXT SEARCH DICTIONARY app\.d \(accept = '"'false'"', stopwords\);$'
  file_has "$FWD_FILE" '^ALTER TEXT SEARCH CONFIGURATION app\.c ALTER MAPPING FOR asciiword WITH app\.d, pg_catalog\.simple;$'
  file_has "$FWD_FILE" '^ALTER TEXT SEARCH CONFIGURATION app\.c ADD MAPPING FOR uint WITH pg_catalog\.simple;$'
  file_has "$FWD_FILE" '^ALTER TEXT SEARCH CONFIGURATION app\.c DROP MAPPING FOR "int";$'
  file_lacks "$FWD_FILE" 'DROP TEXT SEARCH'
  assert_equal "$(ts_dict "$FWD" app.d)" "simple|accept = 'false'|<none>"
  assert_equal "$(ts_map "$FWD" app.c asciiword)" "app.d,simple"
  assert_equal "$(ts_map "$FWD" app.c int)" "<none>"
  roundtrip_both tstemplate "$before" "${before/template = simple, stopwords = english/template = snowball, language = english}"
  file_has "$FWD_FILE" '^DROP TEXT SEARCH DICTIONARY app\.d;$'
  file_has "$FWD_FILE" '^-- DROP TEXT SEARCH CONFIGURATION app\.c \(recreated because text search dictionary app\.d is recreated\)$'
  assert_equal "$(ts_dict "$FWD" app.d)" "snowball|language = 'english'|<none>"
  assert_equal "$(ts_map "$FWD" app.c word)" "app.d"
}

@test "without a shadow database: operators, casts and text search objects converge too" {
  RT_SHADOW=none roundtrip_both noshadow "$BASE" \
    "$BASE
     create operator app.=== (leftarg = app.mood, rightarg = app.mood, function = app.mood_eq, commutator = operator(app.===));
     create cast (app.mood as integer) with inout;
     create text search dictionary app.d (template = simple, stopwords = english);
     create text search configuration app.c (copy = russian);
     alter text search configuration app.c alter mapping for word with app.d;"
  assert_equal "$(op_def "$FWD" app '===')" "app.mood|app.mood|app.mood_eq|app.===(app.mood,app.mood)|0|-|-|f|f|<none>"
  assert_equal "$(ts_map "$FWD" app.c asciiword)" "english_stem"
  assert_equal "$(ts_map "$FWD" app.c word)" "app.d"
}

# bats test_tags=long
@test "parse and snapshot agree on operators, casts and text search objects" {
  mkdir -p agree && cd agree
  DB=$(new_db "$(rt_db_name agree)")
  write_schema a.sql <<SQL
$BASE
set search_path = app, public;
create operator === (leftarg = mood, rightarg = mood, function = mood_eq, commutator = ===, negator = !==,
  restrict = eqsel, join = eqjoinsel, merges);
create operator !== (leftarg = mood, rightarg = mood, function = mood_ne);
create operator ~~ (rightarg = int4, function = negate);
comment on operator === (mood, mood) is 'same';
create extension citext with schema public;
create cast (public.citext as bytea) without function as implicit;
create cast (mood as int4) with inout as assignment;
create cast (text as mood) with inout;
comment on cast (mood as int4) is 'position';
create text search dictionary d (template = pg_catalog.simple, StopWords = english);
alter text search dictionary d (accept = false);
create text search configuration c (copy = pg_catalog.french);
alter text search configuration c alter mapping replace french_stem with d;
alter text search configuration c drop mapping if exists for url, protocol;
comment on text search configuration c is 'french-ish';
create table t (a mood, b mood);
create view v as select a operator(app.===) b as same from app.t;
SQL
  load_schema "$DB" || fail "psql could not load the schema"
  flux-snapshot --db "$DB" > live.json
  for shadow in "$PGFLUX_ADMIN_URL" none; do
    flux-parse --shadow-db "$shadow" > parsed.json || fail "flux-parse --shadow-db $shadow failed"
    run --separate-stderr flux-diff --exit-code --format summary live.json parsed.json
    [ "$status" -eq 0 ] && [ -z "$output" ] || fail "flux-parse --shadow-db $shadow differs from the loaded database: $output $stderr"
  done
  python3 - <<'PY' || fail "unexpected attributes in live.json"
import json
objs = {(o['kind'], o['name'], o.get('signature')): o for o in json.load(open('live.json'))['objects']}
op = objs[('operator', '===', 'app.mood, app.mood')]['attributes']
assert op == {'left': 'app.mood', 'right': 'app.mood', 'function': 'app.mood_eq', 'commutator': 'app.===',
              'negator': 'app.!==', 'restrict': 'eqsel', 'join': 'eqjoinsel', 'hashes': False, 'merges': True,
              'comment': 'same', 'owner': 'postgres'}, op
assert objs[('operator', '~~', 'NONE, integer')]['attributes']['right'] == 'integer'
cast = objs[('cast', '(app.mood AS integer)', None)]['attributes']
assert cast == {'source': 'app.mood', 'target': 'integer', 'method': 'inout', 'context': 'assignment', 'comment': 'position'}, cast
cast = objs[('cast', '(public.citext AS bytea)', None)]['attributes']
assert cast == {'source': 'public.citext', 'target': 'bytea', 'method': 'binary', 'context': 'implicit'}, cast
assert objs[('operator', '!==', 'app.mood, app.mood')]['attributes']['negator'] == 'app.===' 
d = objs[('text_search_dictionary', 'd', None)]['attributes']
assert d == {'template': 'simple', 'options': {'stopwords': 'english', 'accept': 'false'}, 'owner': 'postgres'}, d
c = objs[('text_search_configuration', 'c', None)]
assert c['attributes']['mappings']['word'] == ['app.d'] and 'url' not in c['attributes']['mappings'], c
assert any(dep['kind'] == 'text_search_dictionary' and dep['name'] == 'd' for dep in c['depends_on']), c['depends_on']
v = objs[('view', 'v', None)]
assert any(dep['kind'] == 'operator' and dep['name'] == '===' for dep in v['depends_on']), v['depends_on']
PY
}

@test "CREATE TEXT SEARCH PARSER and TEMPLATE are errors naming file and line; so is a cast between built-in types" {
  mkdir -p errs && cd errs
  write_schema a.sql <<'SQL'
create schema app;

create text search parser app.p (start = prsd_start, gettoken = prsd_nexttoken, end = prsd_end, lextypes = prsd_lextype);
SQL
  run -2 flux-parse --shadow-db none
  assert_output "flux-parse: error: schema/a.sql:3:1: CREATE TEXT SEARCH PARSER is not supported by pg-flux (text search parsers and templates are written in C; define dictionaries and configurations that use the built-in ones)"
  write_schema a.sql <<'SQL'
create text search template app.t (lexize = dsimple_lexize);
SQL
  run -2 flux-parse --shadow-db none
  assert_output --partial "schema/a.sql:1:1: CREATE TEXT SEARCH TEMPLATE is not supported by pg-flux"
  write_schema a.sql <<'SQL'
create function public.to_int(text) returns integer language sql as $$ select 1 $$;
create cast (text as bigint) with inout;
SQL
  run -2 flux-parse --shadow-db none
  assert_output "flux-parse: error: schema/a.sql:2:1: cast (text AS bigint) is not supported: pg-flux models casts that involve a type or function of the schema files, not casts between built-in types"
  write_schema a.sql <<'SQL'
create schema app;
create text search configuration app.c (parser = default);
alter text search configuration app.c add mapping for nosuchtoken with simple;
SQL
  run -2 flux-parse --shadow-db none
  assert_output "flux-parse: error: schema/a.sql:3:1: token type nosuchtoken does not exist in the default parser"
}
