#!/usr/bin/env bats
# The man pages: each exists, is installed, renders without warnings, has the
# usual sections, documents every option its tool's --help prints, and its
# EXAMPLES run (as jq's do): lines starting with "$ " inside .EX/.EE in the
# EXAMPLES section are commands, run in order in a directory with a small
# schema/ and DATABASE_URL set to an empty database; "# exits N" at the end
# of a line is the exit status the page promises (0 otherwise).
bats_require_minimum_version 1.5.0
load helpers
setup_file() { pgflux_setup_file; }
teardown_file() { pgflux_teardown_file; }

MAN="$PGFLUX_SOURCE/man"
PAGES=(pg-flux.1 flux-parse.1 flux-snapshot.1 flux-diff.1 flux-hazards.1 flux-apply.1 flux-track.1
       pgflux-cluster.1 pgflux-formats.5 pgflux.toml.5)

setup() {
  pgflux_setup
  # Run in a directory the postgres user can traverse: as root, pgflux-cluster
  # (pg-flux embedded, the pgflux-cluster examples) runs initdb and pg_ctl as
  # postgres on DIR/data.
  WORK=$(mktemp -d /tmp/pgflux-man.XXXXXX)
  chmod 755 "$WORK"
  cd "$WORK" || return 1
  write_schema app.sql <<'SQL'
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE
);
SQL
  export DATABASE_URL="$DB"
}

# Clusters the examples start in the test directory (pg-flux embedded,
# pgflux-cluster) are destroyed even when an example failed.
teardown() {
  local dir
  for dir in .pgflux demo; do
    if [ -d "$WORK/$dir" ]; then pgflux-cluster destroy "$WORK/$dir" >/dev/null 2>&1; fi
  done
  rm -rf "$WORK"
}

# unroff: roff escapes used in the pages, back to plain text.
unroff() {
  sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\(lq/"/g' -e 's/\\(rq/"/g' \
      -e 's/\\&//g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g'
}

# examples_of PAGE: the runnable example commands of a page, one a line.
examples_of() {
  awk '/^\.SH / { in_examples = ($0 ~ /^\.SH "?EXAMPLES"?$/); block = 0; next }
       in_examples && /^\.EX/ { block = 1; next }
       in_examples && /^\.EE/ { block = 0; next }
       in_examples && block && /^\$ / { print substr($0, 3) }' "$MAN/$1" | unroff
}

# run_examples PAGE: runs the examples of PAGE in order in the current
# directory and checks each exit status against the page.
run_examples() {
  local commands cmd expected n=0
  mapfile -t commands < <(examples_of "$1")
  [ "${#commands[@]}" -gt 0 ] || fail "$1 has no runnable examples"
  for cmd in "${commands[@]}"; do
    n=$((n + 1))
    expected=0
    if [[ $cmd =~ \#[[:space:]]*exits[[:space:]]+([0-9]+)[[:space:]]*$ ]]; then expected=${BASH_REMATCH[1]}; fi
    run bash -o pipefail -c "$cmd" </dev/null
    if [ "$status" -ne "$expected" ]; then
      fail "$1, example $n: \`$cmd\` exited $status; the page says $expected. Output:
$output"
    fi
  done
}

# options_in TEXT: the options (-x, --long-name) a --help text mentions.
options_in() {
  grep -oE -- '(^|[[:space:],(])--?[A-Za-z][A-Za-z-]*' <<<"$1" | sed -E 's/^[[:space:],(]//' | sort -u
}

# documents PAGE WORD...: each WORD (an option or a command) appears in PAGE.
documents() {
  local page=$1 word text
  shift
  text=$(unroff < "$MAN/$page")
  for word in "$@"; do
    grep -qE -- "(^|[^A-Za-z-])${word}([^A-Za-z-]|\$)" <<<"$text" || fail "$page does not mention $word"
  done
}

# help_documented TOOL: every option of `TOOL --help` is in TOOL.1.
help_documented() {
  run -0 "$1" --help
  local options
  mapfile -t options < <(options_in "$output")
  [ "${#options[@]}" -gt 2 ] || fail "no options found in $1 --help"
  documents "$1.1" "${options[@]}"
}

@test "every page exists, is installed by man/CMakeLists.txt and renders without warnings" {
  command -v groff >/dev/null || fail "groff is not installed (apt-get install groff-base)"
  local page
  for page in "${PAGES[@]}"; do
    assert_file_exists "$MAN/$page"
    grep -qF "$page" "$MAN/CMakeLists.txt" || fail "man/CMakeLists.txt does not install $page"
    run groff -man -Tutf8 -ww -z "$MAN/$page"
    assert_success
    assert_output ""
    if command -v man >/dev/null; then
      run bash -c 'LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" >/dev/null' _ "$MAN/$page"
      assert_success
      assert_output ""
    fi
  done
  # No page is left out of the list.
  for page in "$MAN"/*.[1-9]; do
    [[ " ${PAGES[*]} " == *" $(basename "$page") "* ]] || fail "$(basename "$page") is not checked by this suite"
  done
}

@test "every page has its sections and a NAME line for whatis" {
  local page name
  for page in "${PAGES[@]}"; do
    name=${page%.*}
    for section in NAME SYNOPSIS DESCRIPTION EXAMPLES '"?SEE ALSO"?'; do
      grep -qE "^\.SH ${section}\$" "$MAN/$page" || fail "$page has no $section section"
    done
    if [[ $page == *.1 ]]; then
      for section in OPTIONS '"?EXIT STATUS"?'; do
        grep -qE "^\.SH ${section}\$" "$MAN/$page" || fail "$page has no $section section"
      done
    fi
    run sed -n '/^\.SH NAME/{n;p;}' "$MAN/$page"
    assert_output --regexp "^${name} \\\\- [a-z]"
  done
}

@test "every option of the tools' --help is in their man pages" {
  for tool in flux-parse flux-snapshot flux-diff flux-hazards flux-apply flux-track; do
    help_documented "$tool"
  done
  documents flux-track.1 status new baseline repair pending
}

@test "every command and option of pg-flux --help is in pg-flux.1" {
  help_documented pg-flux
  documents pg-flux.1 "migrate generate" "migrate apply" "migrate status" "migrate baseline" "migrate repair" \
    drift verify embedded start stop status url destroy help \
    DATABASE_URL PGHOST PGSERVICE _pgflux.migrations --allow-hazards=all
  # The tracking table's columns, as tracking.h lists them.
  local columns
  mapfile -t columns < <(sed -n 's|^//   \([a-z_]*\) .*|\1|p' "$PGFLUX_SOURCE/common/tracking/tracking.h")
  [ "${#columns[@]}" -ge 11 ] || fail "cannot read the columns of _pgflux.migrations from tracking.h"
  documents pg-flux.1 "${columns[@]}"
}

@test "every command and option of pgflux-cluster's usage is in pgflux-cluster.1" {
  run -2 pgflux-cluster
  local options
  mapfile -t options < <(options_in "$output")
  [ "${#options[@]}" -gt 0 ] || fail "no options found in pgflux-cluster's usage"
  documents pgflux-cluster.1 "${options[@]}" start stop url status destroy PG_BIN
}

@test "the examples of pg-flux(1) run" {
  run_examples pg-flux.1
}

@test "the examples of pgflux.toml(5) run" {
  run_examples pgflux.toml.5
}

@test "every key of pgflux.toml is in pgflux.toml(5)" {
  local keys
  mapfile -t keys < <(sed -n '/^const std::vector<std::string> k_config_keys = {/,/};/p' \
    "$PGFLUX_SOURCE/common/config/config.cpp" | grep -oE '"[a-z_]+"' | tr -d '"')
  [ "${#keys[@]}" -ge 10 ] || fail "cannot read the keys from config.cpp"
  documents pgflux.toml.5 "${keys[@]}" schemas tracking_schema
}

@test "the examples of flux-parse(1) run" {
  run_examples flux-parse.1
}

@test "the examples of flux-snapshot(1) run" {
  load_schema "$DB"
  run_examples flux-snapshot.1
}

@test "the examples of flux-diff(1) run" {
  run_examples flux-diff.1
}

@test "the examples of flux-hazards(1) run" {
  run_examples flux-hazards.1
}

@test "the examples of flux-apply(1) run" {
  run_examples flux-apply.1
}

@test "the examples of flux-track(1) run" {
  run_examples flux-track.1
}

@test "the examples of pgflux-cluster(1) run" {
  run_examples pgflux-cluster.1
}

@test "the examples of pgflux-formats(5) run" {
  run_examples pgflux-formats.5
}
