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

# _hn_set CLASS TAG: sets HN to hn's result without a subshell (the schema
# text names about 100 objects per class: forks made it take 15-30 s).
_hn_set() {
  local class=$1 tag=$2 pad
  case $class in
    tab) printf -v HN 'a\t%s' "$tag" ;;
    nl) printf -v HN 'a\n%s' "$tag" ;;
    cr) printf -v HN 'a\r%s' "$tag" ;;
    nlsql) printf -v HN '%s\nINSERT INTO victim VALUES (666);\n--' "$tag" ;;
    dq) printf -v HN 'a"%s' "$tag" ;;
    paren) printf -v HN 'a (b) %s' "$tag" ;;
    sq) printf -v HN "a'%s" "$tag" ;;
    semi) printf -v HN 'a, b; DROP TABLE victim; %s' "$tag" ;;
    dash) printf -v HN 'a--%s' "$tag" ;;
    cmt) printf -v HN 'a/*%s' "$tag" ;;
    bs) printf -v HN 'a\\%s\\' "$tag" ;;
    dollar) printf -v HN 'a$$%s$x$' "$tag" ;;
    eacute) printf -v HN 'é%s' "$tag" ;;
    cjk) printf -v HN '日本%s' "$tag" ;;
    emoji) printf -v HN '😀%s' "$tag" ;;
    mixed) printf -v HN 'Mixed%s' "$tag" ;;
    digit) printf -v HN '1%s' "$tag" ;;
    space) printf -v HN ' %s ' "$tag" ;;
    # exactly 63 bytes, ASCII
    len63) printf -v pad '%*s' $((63 - ${#tag} - 1)) ''; printf -v HN '%s_%s' "$tag" "${pad// /x}" ;;
    # exactly 63 bytes ending in a two-byte character (61 + 2)
    mb63) printf -v pad '%*s' $((61 - ${#tag} - 1)) ''; printf -v HN '%s_%sé' "$tag" "${pad// /x}" ;;
    *) echo "hn: unknown class $class" >&2; return 1 ;;
  esac
}
hn() { local HN; _hn_set "$1" "$2" || return 1; printf '%s' "$HN"; }

# hostile_names CLASS TAG...: sets QI[TAG] to TAG's name as a quoted identifier
# and QL[TAG] to it as a string literal, for each TAG (declare them first:
# local -A QI QL).
hostile_names() {
  local class=$1 tag HN; shift
  for tag in "$@"; do
    _hn_set "$class" "$tag" || return 1
    QI[$tag]="\"${HN//\"/\"\"}\""
    QL[$tag]="'${HN//\'/\'\'}'"
  done
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
  local -A QI QL
  hostile_names "$HC" agg arg attr attr-comment c2 c3 c4 c5 c6 castfn cfg child chk col col-comment coll comp con-comment dict dom domchk enum enum-comment evt evtfn fdw fk fn fn-comment1 fn-comment2 ft idn idx idx-comment k lab1 lab2 lab3 mv nn opfn opt optval p1 part pk pol proc pub rng role rule s schema-comment seq ser srv stat tbl tbl-comment1 tbl-comment2 trg trgfn unq uq vcol view
  S=${QI[s]}
  T="$S.${QI[tbl]}"
  cat <<SQL
create schema $S;
comment on schema $S is ${QL[schema-comment]};
create collation $S.${QI[coll]} (provider = icu, locale = 'und');
create type $S.${QI[enum]} as enum (${QL[lab1]}, ${QL[lab2]}$( [ "$variant" = 2 ] && printf ', %s' "${QL[lab3]}"));
comment on type $S.${QI[enum]} is ${QL[enum-comment]};
create type $S.${QI[rng]} as range (subtype = int4);
create domain $S.${QI[dom]} as int constraint ${QI[domchk]} check (value > 0);
create type $S.${QI[comp]} as (${QI[attr]} int, b text);
comment on column $S.${QI[comp]}.${QI[attr]} is ${QL[attr-comment]};
create sequence $S.${QI[seq]};
create function $S.${QI[fn]}(${QI[arg]} int) returns int language sql as 'select \$1';
comment on function $S.${QI[fn]}(int) is ${QL[fn-comment$variant]};
create procedure $S.${QI[proc]}(${QI[arg]} int) language sql as 'select 1';
create aggregate $S.${QI[agg]}(int) (sfunc = int4pl, stype = int);
create function $S.${QI[castfn]}($S.${QI[comp]}) returns text language sql as 'select \$1.b';
create cast ($S.${QI[comp]} as text) with function $S.${QI[castfn]}($S.${QI[comp]});
create function $S.${QI[opfn]}(int, $S.${QI[dom]}) returns bool language sql as 'select \$1 = \$2';
create operator $S.=== (leftarg = int, rightarg = $S.${QI[dom]}, function = $S.${QI[opfn]});
create text search dictionary $S.${QI[dict]} (template = simple);
create text search configuration $S.${QI[cfg]} (parser = default);
create foreign data wrapper ${QI[fdw]};
create server ${QI[srv]} foreign data wrapper ${QI[fdw]};
create user mapping for ${QI[role]} server ${QI[srv]};
create table $T (
  ${QI[col]} int constraint ${QI[pk]} primary key,
  ${QI[c2]} text constraint ${QI[nn]} not null constraint ${QI[chk]} check (${QI[c2]} <> ''),
  ${QI[c3]} $S.${QI[enum]} default ${QL[lab1]},
  ${QI[c4]} $S.${QI[dom]},
  ${QI[ser]} serial,
  ${QI[c6]} bigint default nextval($(ql "$S.${QI[seq]}")),
  ${QI[idn]} int generated always as identity,$( [ "$variant" = 2 ] && printf '\n  %s int,' "${QI[c5]}")
  constraint ${QI[uq]} unique (${QI[c2]}, ${QI[c3]})
);
comment on table $T is ${QL[tbl-comment$variant]};
comment on column $T.${QI[col]} is ${QL[col-comment]};
comment on constraint ${QI[chk]} on $T is ${QL[con-comment]};
create table $S.${QI[child]} (${QI[col]} int constraint ${QI[fk]} references $T (${QI[col]}) on delete cascade);
create index ${QI[idx]} on $T (lower(${QI[c2]})) where ${QI[col]} > 0;
comment on index $S.${QI[idx]} is ${QL[idx-comment]};
create table $S.${QI[part]} (${QI[k]} int not null) partition by range (${QI[k]});
create table $S.${QI[p1]} partition of $S.${QI[part]} for values from (0) to (10);
create foreign table $S.${QI[ft]} (${QI[col]} int options (${QI[opt]} ${QL[optval]})) server ${QI[srv]};
create view $S.${QI[view]} as select ${QI[col]} as ${QI[vcol]}, ${QI[c2]} from $T;
create materialized view $S.${QI[mv]} as select ${QI[col]} from $T;
create rule ${QI[rule]} as on insert to $S.${QI[view]} do instead nothing;
create function $S.${QI[trgfn]}() returns trigger language plpgsql as \$\$ begin return new; end \$\$;
create trigger ${QI[trg]} before insert on $T for each row execute function $S.${QI[trgfn]}();
alter table $T enable row level security;
create policy ${QI[pol]} on $T to ${QI[role]} using (${QI[col]} > 0);
create function $S.${QI[evtfn]}() returns event_trigger language plpgsql as \$\$ begin end \$\$;
create event trigger ${QI[evt]} on ddl_command_end execute function $S.${QI[evtfn]}();
create publication ${QI[pub]} for table $T;
create statistics $S.${QI[stat]} on ${QI[col]}, ${QI[c2]} from $T;
grant usage on schema $S to ${QI[role]};
grant select$( [ "$variant" = 2 ] && printf ', insert') on $T to ${QI[role]};
grant select (${QI[col]}) on $S.${QI[child]} to ${QI[role]};
alter default privileges in schema $S grant select on tables to ${QI[role]};
set search_path = $S, public;
create table ${QI[unq]} (${QI[col]} int references ${QI[tbl]});
reset search_path;
SQL
}
