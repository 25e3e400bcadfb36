#!/usr/bin/env bats
# Packaging: the .deb that `cpack -G DEB` makes in a build folder (every tool,
# pg-flux, the man pages, the JSON Schemas, the bash and zsh completions;
# stripped binaries), installed into a scratch root with dpkg -x and run from
# there; the completions; a build configured without the tests needs neither
# GoogleTest nor bats.
load helpers

setup_file() {
  pgflux_setup_file
  # One package for the suite (cpack strips and compresses: ~7 s).
  PKG_DIR=$(mktemp -d /tmp/pgflux-package.XXXXXX)
  export PKG_DIR
  (cd "$PGFLUX_BIN/.." && cpack -G DEB -B "$PKG_DIR") > "$PKG_DIR/cpack.log" 2>&1 || {
    cat "$PKG_DIR/cpack.log" >&3
    return 1
  }
  PKG=$(ls "$PKG_DIR"/pg-flux_*.deb)
  export PKG
  PKG_ROOT=$PKG_DIR/root
  dpkg -x "$PKG" "$PKG_ROOT"
  export PKG_ROOT
}
teardown_file() {
  pgflux_teardown_file
  rm -rf "${PKG_DIR:-/nonexistent}"
}
setup() { pgflux_setup; }

# The project's version, as CMakeLists.txt says.
project_version() { sed -n 's/^project(pg-flux VERSION \([0-9.]*\).*/\1/p' "$PGFLUX_SOURCE/CMakeLists.txt"; }
# A PATH with the extracted package's programs and the system's, not the build's.
package_path() { printf '%s' "$PKG_ROOT/usr/bin:$PGFLUX_PG_BINDIR:/usr/sbin:/usr/bin:/sbin:/bin"; }

@test "cpack -G DEB: the package lists every tool, pg-flux, the man pages, the schemas and the completions" {
  assert_equal "$(basename "$PKG")" "pg-flux_$(project_version)_amd64.deb"
  run dpkg -c "$PKG"
  assert_success
  local path
  for path in flux-parse flux-snapshot flux-diff flux-hazards flux-apply flux-track pg-flux pgflux-cluster; do
    assert_line --regexp "^-rwxr-xr-x .* \./usr/bin/$path\$"
  done
  for path in flux-parse flux-snapshot flux-diff flux-hazards flux-apply flux-track pg-flux; do
    assert_line --regexp "^-rw-r--r-- .* \./usr/share/bash-completion/completions/$path\$"
  done
  for path in pg-flux flux-parse flux-snapshot flux-diff flux-hazards flux-apply flux-track pgflux-cluster; do
    assert_output --partial "./usr/share/man/man1/$path.1"
  done
  assert_output --partial "./usr/share/man/man5/pgflux-formats.5"
  assert_output --partial "./usr/share/man/man5/pgflux.toml.5"
  assert_output --partial "./usr/share/zsh/vendor-completions/_pg-flux"
  assert_output --partial "./usr/share/pg-flux/schemas/pgflux.model.v1.schema.json"
  # Its dependencies: the libraries the tools link (dpkg-shlibdeps) and psql.
  run dpkg-deb -f "$PKG" Depends
  assert_output --partial "libpq5"
  assert_output --partial "libpg-query"
  assert_output --partial "postgresql-client-15"
  assert_output --partial "jq"
  # The binaries are stripped, and so an order of magnitude smaller than the build's.
  run file "$PKG_ROOT/usr/bin/flux-diff"
  assert_output --partial ", stripped"
  [ "$(stat -c %s "$PKG_ROOT/usr/bin/flux-diff")" -lt 8000000 ]
}

@test "installed from the package (dpkg -x), pg-flux runs its own tools: --version, drift" {
  run env PATH="$(package_path)" pg-flux --version
  assert_success
  assert_output "pg-flux $(project_version)"
  write_schema app.sql <<'SQL'
create table account (id bigint primary key, email text not null unique);
SQL
  load_schema "$DB"
  run env PATH="$(package_path)" pg-flux --db "$DB" drift
  assert_success
  assert_output --partial "no drift"
  sql "$DB" "alter table account add column note text"
  run env PATH="$(package_path)" pg-flux --db "$DB" drift
  assert_failure 1
  assert_output --partial "note"
  # The man pages render from the package.
  run man -l "$PKG_ROOT/usr/share/man/man1/pg-flux.1"
  assert_success
  assert_output --partial "pg-flux"
}

# complete WORDS...: what the packaged bash completion offers for the last word.
complete_bash() {
  PATH="$(package_path)" bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _pg_flux "$1"; printf "%s\n" "${COMPREPLY[@]}"' _ "$PKG_ROOT/usr/share/bash-completion/completions/pg-flux" "$@"
}

@test "bash completion: commands, subcommands, every option of --help, and option values" {
  run complete_bash pg-flux ""
  assert_output "$(printf '%s\n' drift dump embedded help migrate plan verify)"
  run complete_bash pg-flux --db "$DB" migrate ""
  assert_output "$(printf '%s\n' apply baseline generate rebase repair status undo)"
  run complete_bash pg-flux embedded st
  assert_output "$(printf '%s\n' start status stop)"
  # Every option the help names is offered.
  local option
  run complete_bash pg-flux --
  for option in $(PATH="$(package_path)" pg-flux --help | grep -oE '^  +--[a-z-]+' | tr -d ' '); do
    assert_line "$option"
  done
  run complete_bash pg-flux --format ""
  assert_output "$(printf '%s\n' text json)"
  run complete_bash pg-flux --format = j
  assert_output json
  run complete_bash pg-flux migrate apply --allow-hazards DATA_LOSS,MA
  assert_output "DATA_LOSS,MASS_DROP"
  run complete_bash pg-flux --shadow-db ""
  assert_output "$(printf '%s\n' auto none local)"
  run complete_bash pg-flux dump --layout per-
  assert_output "$(printf '%s\n' per-schema per-kind)"
  # A tool: its options from its own --help.
  run complete_bash flux-diff --ex
  assert_output "--exit-code"
  run complete_bash flux-diff --format ""
  assert_output "$(printf '%s\n' plan summary drift)"
}

@test "zsh completion: commands and values, from the packaged file" {
  cat > zcomp.zsh <<'ZSH'
compadd() { if [[ $1 == -a ]]; then print -r -- "${(@P)2}"; else print -r -- "$@"; fi }
compset() { :; }
_files() { print -r -- "FILES $*"; }
c() { words=("$@"); CURRENT=$#words; source $PKG_ROOT/usr/share/zsh/vendor-completions/_pg-flux; }
c pg-flux ""
c pg-flux migrate ""
c pg-flux --shadow-db ""
c pg-flux migrate undo ""
ZSH
  run env PATH="$(package_path)" PKG_ROOT="$PKG_ROOT" zsh -f zcomp.zsh
  assert_success
  assert_line "drift dump embedded help migrate plan verify"
  assert_line "apply baseline generate rebase repair status undo"
  assert_line "auto none local"
  assert_line "FILES -g *.sql"
}

# configure DIR [ARGS...]: cmake configures the source tree into DIR with
# GoogleTest refused to find_package and /usr/bin and /bin (where bats is) hidden from
# find_program (with a PATH of those only: bats puts its own folder on PATH); the
# compilers and make are named.
configure() {
  local dir=$1; shift
  env PATH=/usr/sbin:/usr/bin:/sbin:/bin cmake -S "$PGFLUX_SOURCE" -B "$dir" -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON "-DCMAKE_IGNORE_PATH=/usr/bin;/bin" \
    -DCMAKE_C_COMPILER=/usr/bin/cc -DCMAKE_CXX_COMPILER=/usr/bin/c++ -DCMAKE_MAKE_PROGRAM=/usr/bin/make "$@"
}

@test "a build configured without the tests needs neither GoogleTest nor bats" {
  run configure notests
  assert_success
  # The tools and their installation are there; no test is.
  assert_file_contains notests/Makefile 'flux-diff'
  assert_file_not_exist notests/tests
  run grep -rh '^add_test' notests --include=CTestTestfile.cmake
  assert_output ""
  # The same configuration with the tests on needs them: it fails, naming GoogleTest.
  run configure withtests -DPGFLUX_TESTS=ON
  assert_failure
  assert_output --partial "GTest"
  # And with GoogleTest found, it fails naming bats: /usr/bin is hidden indeed.
  run configure withtests2 -DPGFLUX_TESTS=ON -DCMAKE_DISABLE_FIND_PACKAGE_GTest=OFF
  assert_failure
  assert_output --partial "BATS_EXECUTABLE"
}
