# hostile_names.bash: schema text for 3F-hostile-names.bats. Every object kind
# pg-flux models, named with one class of hostile identifier.
#
# hn CLASS TAG     the raw identifier of class CLASS for the object tagged TAG
# qi RAW           RAW as a quoted identifier ("a""b")
# ql RAW           RAW as a string literal ('a''b')
# hostile_schema CLASS [VARIANT]
#                  DDL creating one object of every kind named with CLASS
#                  (VARIANT 2 changes some of them: comments, a column, an
#                  enum label, grants), all in one schema of that class;
#                  global objects (wrapper, server, event trigger,
#                  publication, role grants) carry the class too.
# hostile_roles CLASS  CREATE ROLE for the class's role (a cluster-wide name).

hn() {
  local class=$1 tag=$2 pad
  case $class in
    tab) printf 'a\t%s' "$tag" ;;
    nl) printf 'a\n%s' "$tag" ;;
    cr) printf 'a\r%s' "$tag" ;;
    nlsql) printf '%s\nINSERT INTO victim VALUES (666);\n--' "$tag" ;;
    dq) printf 'a"%s' "$tag" ;;
    paren) printf 'a (b) %s' "$tag" ;;
    sq) printf "a'%s" "$tag" ;;
    semi) printf 'a, b; DROP TABLE victim; %s' "$tag" ;;
    dash) printf 'a--%s' "$tag" ;;
    cmt) printf 'a/*%s' "$tag" ;;
    bs) printf 'a\\%s\\' "$tag" ;;
    dollar) printf 'a$$%s$x$' "$tag" ;;
    eacute) printf 'é%s' "$tag" ;;
    cjk) printf '日本%s' "$tag" ;;
    emoji) printf '😀%s' "$tag" ;;
    mixed) printf 'Mixed%s' "$tag" ;;
    digit) printf '1%s' "$tag" ;;
    space) printf ' %s ' "$tag" ;;
    # exactly 63 bytes, ASCII
    len63) pad=$(printf '%*s' $((63 - ${#tag} - 1)) '' | tr ' ' 'x'); printf '%s_%s' "$tag" "$pad" ;;
    # exactly 63 bytes ending in a two-byte character (61 + 2)
    mb63) pad=$(printf '%*s' $((61 - ${#tag} - 1)) '' | tr ' ' 'x'); printf '%s_%sé' "$tag" "$pad" ;;
    *) echo "hn: unknown class $class" >&2; return 1 ;;
  esac
}

qi() { local s=${1//\"/\"\"}; printf '"%s"' "$s"; }
ql() { local s=${1//\'/\'\'}; printf "'%s'" "$s"; }

# N TAG: the quoted name of TAG in the current class ($HC).
N() { qi "$(hn "$HC" "$1")"; }
# L TAG: a literal of the raw name (for comments and labels).
L() { ql "$(hn "$HC" "$1")"; }

hostile_roles() {
  local HC=$1
  printf 'CREATE ROLE %s;\n' "$(N role)"
}

hostile_schema() {
  local HC=$1 variant=${2:-1} S T
  S=$(N s)
  T="$S.$(N tbl)"
  cat <<SQL
create schema $S;
comment on schema $S is $(L schema-comment);
create collation $S.$(N coll) (provider = icu, locale = 'und');
create type $S.$(N enum) as enum ($(L lab1), $(L lab2)$( [ "$variant" = 2 ] && printf ', %s' "$(L lab3)"));
comment on type $S.$(N enum) is $(L enum-comment);
create type $S.$(N rng) as range (subtype = int4);
create domain $S.$(N dom) as int constraint $(N domchk) check (value > 0);
create type $S.$(N comp) as ($(N attr) int, b text);
comment on column $S.$(N comp).$(N attr) is $(L attr-comment);
create sequence $S.$(N seq);
create function $S.$(N fn)($(N arg) int) returns int language sql as 'select \$1';
comment on function $S.$(N fn)(int) is $(L fn-comment$variant);
create procedure $S.$(N proc)($(N arg) int) language sql as 'select 1';
create aggregate $S.$(N agg)(int) (sfunc = int4pl, stype = int);
create function $S.$(N castfn)($S.$(N comp)) returns text language sql as 'select \$1.b';
create cast ($S.$(N comp) as text) with function $S.$(N castfn)($S.$(N comp));
create function $S.$(N opfn)(int, $S.$(N dom)) returns bool language sql as 'select \$1 = \$2';
create operator $S.=== (leftarg = int, rightarg = $S.$(N dom), function = $S.$(N opfn));
create text search dictionary $S.$(N dict) (template = simple);
create text search configuration $S.$(N cfg) (parser = default);
create foreign data wrapper $(N fdw);
create server $(N srv) foreign data wrapper $(N fdw);
create user mapping for $(N role) server $(N srv);
create table $T (
  $(N col) int constraint $(N pk) primary key,
  $(N c2) text constraint $(N nn) not null constraint $(N chk) check ($(N c2) <> ''),
  $(N c3) $S.$(N enum) default $(L lab1),
  $(N c4) $S.$(N dom),
  $(N ser) serial,
  $(N c6) bigint default nextval($(ql "$S.$(N seq)")),
  $(N idn) int generated always as identity,$( [ "$variant" = 2 ] && printf '\n  %s int,' "$(N c5)")
  constraint $(N uq) unique ($(N c2), $(N c3))
);
comment on table $T is $(L tbl-comment$variant);
comment on column $T.$(N col) is $(L col-comment);
comment on constraint $(N chk) on $T is $(L con-comment);
create table $S.$(N child) ($(N col) int constraint $(N fk) references $T ($(N col)) on delete cascade);
create index $(N idx) on $T (lower($(N c2))) where $(N col) > 0;
comment on index $S.$(N idx) is $(L idx-comment);
create table $S.$(N part) ($(N k) int not null) partition by range ($(N k));
create table $S.$(N p1) partition of $S.$(N part) for values from (0) to (10);
create foreign table $S.$(N ft) ($(N col) int options ($(N opt) $(L optval))) server $(N srv);
create view $S.$(N view) as select $(N col) as $(N vcol), $(N c2) from $T;
create materialized view $S.$(N mv) as select $(N col) from $T;
create rule $(N rule) as on insert to $S.$(N view) do instead nothing;
create function $S.$(N trgfn)() returns trigger language plpgsql as \$\$ begin return new; end \$\$;
create trigger $(N trg) before insert on $T for each row execute function $S.$(N trgfn)();
alter table $T enable row level security;
create policy $(N pol) on $T to $(N role) using ($(N col) > 0);
create function $S.$(N evtfn)() returns event_trigger language plpgsql as \$\$ begin end \$\$;
create event trigger $(N evt) on ddl_command_end execute function $S.$(N evtfn)();
create publication $(N pub) for table $T;
create statistics $S.$(N stat) on $(N col), $(N c2) from $T;
grant usage on schema $S to $(N role);
grant select$( [ "$variant" = 2 ] && printf ', insert') on $T to $(N role);
grant select ($(N col)) on $S.$(N child) to $(N role);
alter default privileges in schema $S grant select on tables to $(N role);
set search_path = $S, public;
create table $(N unq) ($(N col) int references $(N tbl));
reset search_path;
SQL
}
