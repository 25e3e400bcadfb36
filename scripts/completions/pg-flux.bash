# bash completion for pg-flux and its tools (flux-parse, flux-snapshot,
# flux-diff, flux-hazards, flux-apply, flux-track). Installed as
# share/bash-completion/completions/<command>, one copy per command name.
#
# Commands and options are read from the program's own --help, once per shell
# and program, so the completion offers exactly what the installed version
# accepts; only the values of a few options are known here.

# _pg_flux_help PROGRAM: the --help text of PROGRAM, remembered.
declare -gA _pg_flux_help_text=()
_pg_flux_help() {
  if [ -z "${_pg_flux_help_text[$1]+set}" ]; then
    _pg_flux_help_text[$1]=$("$1" --help 2>/dev/null)
  fi
  printf '%s' "${_pg_flux_help_text[$1]}"
}

# _pg_flux_options PROGRAM: its long options (and -v, -h), one per line.
_pg_flux_options() {
  _pg_flux_help "$1" | grep -oE '(^|[[:space:],])--?[a-z][a-z0-9-]*' | tr -d ' ,\t' | sort -u
}

# _pg_flux_takes_value PROGRAM OPTION: does OPTION take a value? (pg-flux's
# help writes "--db URL", cxxopts' "--format arg".)
_pg_flux_takes_value() {
  _pg_flux_help "$1" | grep -qE "^[[:space:]]*(-[a-z], )?$2 ([A-Z]+|arg)([[:space:]]|$)"
}

# _pg_flux_commands PROGRAM [WORD]: the commands of its help's "Commands:"
# section (the first word of each), or the subcommands of WORD
# ("migrate generate", "embedded start|stop|...").
_pg_flux_commands() {
  _pg_flux_help "$1" | sed -n '/^Commands:/,/^Options:/p' | grep -E '^  [a-z]' |
    awk -v w="${2:-}" '
      w == "" { print $1; next }
      $1 == w && NF > 1 { n = split($2, s, "|"); for (i = 1; i <= n; i++) if (s[i] ~ /^[a-z]/) print s[i] }' |
    sort -u
}

_pg_flux_complete() {
  local program=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local i word words=()
  COMPREPLY=()
  # --opt=value: complete the value ("=" is a word of its own when it is in
  # COMP_WORDBREAKS, as it is by default).
  if [[ $cur == = ]]; then
    cur=""
  elif [[ $prev == = ]] && [ "$COMP_CWORD" -ge 2 ]; then
    prev=${COMP_WORDS[COMP_CWORD-2]}
  elif [[ $cur == --*=* ]]; then
    prev=${cur%%=*}
    cur=${cur#*=}
  fi
  if [[ $prev == -* ]] && _pg_flux_takes_value "$program" "$prev"; then
    :
  else
    prev=""
  fi
  if [ -n "$prev" ]; then
    case "$prev" in
      --format)
        if [ "${program##*/}" = flux-diff ]; then COMPREPLY=($(compgen -W "plan summary drift" -- "$cur"))
        else COMPREPLY=($(compgen -W "text json" -- "$cur")); fi ;;
      --shadow-db) COMPREPLY=($(compgen -W "auto none local" -- "$cur")) ;;
      --renames) COMPREPLY=($(compgen -W "declared prompt" -- "$cur")) ;;
      --owners) COMPREPLY=($(compgen -W "managed unmanaged" -- "$cur")) ;;
      --layout) COMPREPLY=($(compgen -W "per-schema flat per-kind" -- "$cur")) ;;
      --db) COMPREPLY=($(compgen -W "embedded" -- "$cur")) ;;
      --allow-hazards)
        # The codes are those the help lists, in parentheses, and all.
        local codes
        codes=$(_pg_flux_help "$program" | sed -n '/--allow-hazards/,/)/p' |
          sed 's/--allow-hazards [A-Z]*//' | grep -oE '[A-Z][A-Z_]+' | sort -u)
        COMPREPLY=($(compgen -W "$codes all" -- "${cur##*,}"))
        if [[ $cur == *,* ]]; then COMPREPLY=("${COMPREPLY[@]/#/${cur%,*},}"); fi ;;
      --schema-dir|--migrations-dir|--out) COMPREPLY=($(compgen -d -- "$cur")) ;;
      --config) COMPREPLY=($(compgen -f -X '!*.toml' -- "$cur") $(compgen -d -- "$cur")) ;;
      *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_pg_flux_options "$program")" -- "$cur"))
    return 0
  fi
  # The words before this one that are not options or option values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == -* ]]; then
      if [[ $word != *=* ]] && _pg_flux_takes_value "$program" "$word"; then
        i=$((i + 1))
        [[ ${COMP_WORDS[i]:-} == = ]] && i=$((i + 1))   # --opt = value
      fi
      continue
    fi
    words+=("$word")
  done
  if [ -z "$(_pg_flux_commands "$program")" ]; then
    COMPREPLY=($(compgen -f -- "$cur"))   # a tool: its operands are files
    return 0
  fi
  case ${#words[@]} in
    0) COMPREPLY=($(compgen -W "$(_pg_flux_commands "$program")" -- "$cur")) ;;
    1) COMPREPLY=($(compgen -W "$(_pg_flux_commands "$program" "${words[0]}")" -- "$cur")) ;;
    *)
      # migrate undo FILE, migrate baseline FILE...: migration files.
      COMPREPLY=($(compgen -f -X '!*.sql' -- "$cur") $(compgen -d -- "$cur")) ;;
  esac
  [ ${#COMPREPLY[@]} -eq 0 ] && [ ${#words[@]} -ge 2 ] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}

_pg_flux() { _pg_flux_complete "$1"; }
complete -F _pg_flux -o filenames pg-flux flux-parse flux-snapshot flux-diff flux-hazards flux-apply flux-track
