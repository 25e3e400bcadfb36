# Options of the plumbing tools: unknown, missing values, repeated,
# conflicting, bad URLs and bad enum values are exit 2 naming the option.

P='"$FIX/plan.json"' C='"$FIX/classified.json"' L='"$FIX/live.json"' D='"$FIX/desired.json"'

# flux-parse
t parse-unknown-option 2 "^flux-parse: error: Option .bogus. does not exist" 'flux-parse --bogus schema'
t parse-shadow-db-missing-value 2 "^flux-parse: error: Option .shadow-db. is missing an argument" 'flux-parse schema --shadow-db'
t parse-shadow-db-bad-value 2 '^flux-parse: error: --shadow-db must be none, local, auto, or a connection URL or string$' 'flux-parse --shadow-db bogus schema'
t parse-shadow-db-bad-url 2 '^flux-parse: error: invalid connection string or URL: .*invalid' 'flux-parse --shadow-db "postgresql://x:99999/db" schema'
t parse-shadow-db-bad-conninfo 2 '^flux-parse: error: invalid connection string or URL: missing "=" after' 'flux-parse --shadow-db "host=x port" schema'
t parse-shadow-db-twice 2 '^flux-parse: error: option --shadow-db is given more than once' 'flux-parse --shadow-db none --shadow-db local schema'
t parse-db-bad-conninfo 2 '^flux-parse: error: invalid connection string or URL' 'flux-parse --shadow-db auto --db "not a url =" schema'
t parse-db-password-not-printed 2 '^flux-parse: error: invalid connection string or URL: .*\(the connection string\)"?$' 'flux-parse --shadow-db auto --db "postgresql://u:s3cret@[::1/x" schema'
t parse-help-extra 2 '^flux-parse: error: Option .hepl. does not exist' 'flux-parse --hepl'

# flux-snapshot
t snapshot-unknown-option 2 "^flux-snapshot: error: Option .bogus. does not exist" 'flux-snapshot --db "$DB" --bogus'
t snapshot-extra-argument 2 '^flux-snapshot: error: unexpected argument "extra"' 'flux-snapshot --db "$DB" extra'
t snapshot-db-missing-value 2 "^flux-snapshot: error: Option .db. is missing an argument" 'flux-snapshot --db'
t snapshot-db-twice 2 '^flux-snapshot: error: option --db is given more than once' 'flux-snapshot --db "$DB" --db "$DB"'
t snapshot-db-bad-conninfo 2 '^flux-snapshot: error: invalid connection string or URL: missing "=" after "not"' 'flux-snapshot --db "not a url ="'
t snapshot-db-bad-port 2 '^flux-snapshot: error: invalid connection string or URL: invalid port number' 'flux-snapshot --db "postgresql://localhost:99999/x"'
t snapshot-db-bad-sslmode 2 '^flux-snapshot: error: invalid connection string or URL: invalid sslmode value' 'flux-snapshot --db "postgresql://localhost/x?sslmode=sometimes"'
t snapshot-db-bad-url-parameter 2 '^flux-snapshot: error: invalid connection string or URL: invalid URI query parameter' 'flux-snapshot --db "postgresql://localhost/x?frobnicate=1"'
t snapshot-db-bad-scheme 2 '^flux-snapshot: error: invalid connection string or URL' 'flux-snapshot --db "mysql://localhost/x"'
t snapshot-db-unterminated-quote 2 '^flux-snapshot: error: invalid connection string or URL: unterminated quoted string' "flux-snapshot --db \"host='x\""
t snapshot-db-bad-timeout 2 '^flux-snapshot: error: invalid connection string or URL: .*invalid integer value "soon" for connection option "connect_timeout"' 'flux-snapshot --db "postgresql://localhost/x?connect_timeout=soon"'
t snapshot-db-url-password-redacted 2 '^flux-snapshot: error: invalid connection string or URL: [^h]*$' 'flux-snapshot --db "postgresql://u:hunter2@localhost:99999/x"'
t snapshot-database-url-env-bad 2 '^flux-snapshot: error: invalid connection string or URL' 'DATABASE_URL="host=x port" flux-snapshot'

# flux-diff
t diff-one-model 2 '^flux-diff: error: expected two models: CURRENT DESIRED' "flux-diff $L"
t diff-three-models 2 '^flux-diff: error: expected two models' "flux-diff $L $D $D"
t diff-both-stdin 2 '^flux-diff: error: only one of CURRENT and DESIRED can be stdin' 'flux-diff - -'
t diff-bad-format 2 '^flux-diff: error: --format must be plan, summary or drift' "flux-diff --format yaml $L $D"
t diff-format-twice 2 '^flux-diff: error: option --format is given more than once' "flux-diff --format summary --format plan $L $D"
t diff-bad-owners 2 '^flux-diff: error: --owners must be managed or unmanaged' "flux-diff --owners some $L $D"
t diff-owners-missing-value 2 "^flux-diff: error: Option .owners. is missing an argument" "flux-diff $L $D --owners"
t diff-strict-without-summary 2 '^flux-diff: error: option --strict only applies with --format summary, --format drift or --exit-code' "flux-diff --strict $L $D"
t diff-unknown-option 2 "^flux-diff: error: Option .exit-status. does not exist" "flux-diff --exit-status $L $D"
t diff-boolean-with-value 2 '^flux-diff: error: Argument .yes. failed to parse' "flux-diff --exit-code=yes $L $D"

# flux-hazards
t hazards-unknown-option 2 "^flux-hazards: error: Option .force. does not exist" "flux-hazards --force $C"
t hazards-live-objects-not-a-number 2 "^flux-hazards: error: Argument .abc. failed to parse" 'flux-hazards --sql m.sql --live-objects abc'
ts hazards-live-objects-negative 2 '^flux-hazards: error: --live-objects must be 0 or more' 'flux-hazards --sql m.sql --live-objects -5' <<<'echo "SELECT 1;" > m.sql'
t hazards-live-objects-overflow 2 "^flux-hazards: error: Argument .99999999999999999999. failed to parse" 'flux-hazards --sql m.sql --live-objects 99999999999999999999'
t hazards-live-objects-without-sql 2 '^flux-hazards: error: option --live-objects only applies with --sql' "flux-hazards --live-objects 4 $P"
ts hazards-rewrite-option-with-sql 2 '^flux-hazards: error: option --no-auto-not-valid only applies to plans' 'flux-hazards --sql --no-auto-not-valid m.sql' <<<'echo "SELECT 1;" > m.sql'
ts hazards-concurrent-option-with-sql 2 '^flux-hazards: error: option --no-concurrent-indexes only applies to plans' 'flux-hazards --sql --no-concurrent-indexes m.sql' <<<'echo "SELECT 1;" > m.sql'
t hazards-allow-without-check 2 '^flux-hazards: error: option --allow-hazards only applies with --check' "flux-hazards --allow-hazards all $P"
t hazards-allow-unknown-code 2 '^flux-hazards: error: unknown hazard "EVERYTHING" in --allow-hazards' "flux-hazards --check --allow-hazards DATA_LOSS,EVERYTHING $P"
t hazards-allow-twice 2 '^flux-hazards: error: option --allow-hazards is given more than once' "flux-hazards --check --allow-hazards all --allow-hazards DATA_LOSS $P"
t hazards-sql-from-stdin 2 '^flux-hazards: error: --sql needs a FILE' 'flux-hazards --sql < /dev/null'
t hazards-two-files 2 '^flux-hazards: error: unexpected argument' "flux-hazards $P $P"

# flux-apply
t apply-unknown-option 2 "^flux-apply: error: Option .dry-run. does not exist" 'flux-apply --db "$DB" --dry-run'
t apply-extra-argument 2 '^flux-apply: error: unexpected argument "migrations"' 'flux-apply --db "$DB" migrations'
t apply-bad-format 2 '^flux-apply: error: --format must be json or text' 'flux-apply --db "$DB" --format xml'
t apply-format-missing-value 2 "^flux-apply: error: Option .format. is missing an argument" 'flux-apply --db "$DB" --format'
t apply-allow-unknown-code 2 '^flux-apply: error: unknown hazard "BOGUS" in --allow-hazards' 'flux-apply --db "$DB" --allow-hazards BOGUS'
t apply-migrations-dir-twice 2 '^flux-apply: error: option --migrations-dir is given more than once' 'flux-apply --db "$DB" --migrations-dir migrations --migrations-dir other'
t apply-db-bad-conninfo 2 '^flux-apply: error: invalid connection string or URL' 'flux-apply --db "dbname=x =y"'
t apply-db-bad-port 2 '^flux-apply: error: invalid connection string or URL: invalid integer value "seventy" for connection option "port"' 'flux-apply --db "host=/tmp port=seventy"'
t apply-prove-without-live 2 '^flux-apply: error: --prove needs --live MODEL' "flux-apply --prove $C"
t apply-prove-and-replay 2 '^flux-apply: error: --prove and --replay are exclusive' "flux-apply --prove $C --replay x.sql --live $L"
t apply-live-without-prove 2 '^flux-apply: error: option --live only applies to --prove and --replay' "flux-apply --db \"\$DB\" --live $L"
t apply-prove-with-undo 2 '^flux-apply: error: option --undo only applies to applying \(not with --prove or --replay\)' "flux-apply --prove $C --live $L --desired $D --undo x.sql"

# flux-track
t track-no-command 2 '^flux-track: error: missing COMMAND \(status, new, plan, dump, config, baseline, repair or pending\)' 'flux-track --db "$DB"'
t track-unknown-command 2 '^flux-track: error: unknown command "apply"' 'flux-track apply --db "$DB"'
t track-status-extra-argument 2 '^flux-track: error: unexpected argument "extra"' 'flux-track status extra --db "$DB"'
t track-new-two-files 2 '^flux-track: error: unexpected argument' "flux-track new --offline $C $C"
t track-bad-format 2 '^flux-track: error: --format must be json or text' 'flux-track status --db "$DB" --format csv'
t track-format-with-baseline 2 '^flux-track: error: option --format only applies to flux-track status and new' 'flux-track baseline --db "$DB" --format text'
t track-label-with-status 2 '^flux-track: error: option --label only applies to flux-track new' 'flux-track status --db "$DB" --label x'
t track-pending-without-live 2 '^flux-track: error: flux-track pending needs --live MODEL' 'flux-track pending --db "$DB"'
t track-live-with-status 2 '^flux-track: error: option --live only applies to flux-track pending' "flux-track status --db \"\$DB\" --live $L"
t track-offline-with-baseline 2 '^flux-track: error: option --offline only applies to flux-track new' 'flux-track baseline --db "$DB" --offline'
t track-label-400 2 '^flux-track: error: --label is 400 bytes long; at most 100' "flux-track new --offline --label $(printf 'x%.0s' {1..400}) $C"
t track-label-multibyte-long 2 '^flux-track: error: --label is 150 bytes long' "flux-track new --offline --label $(printf 'é%.0s' {1..75}) $C"
t track-label-twice 2 '^flux-track: error: option --label is given more than once' "flux-track new --offline --label a --label b $C"
t track-db-bad-conninfo 2 '^flux-track: error: invalid connection string or URL' 'flux-track status --db "port=5432 host"'
