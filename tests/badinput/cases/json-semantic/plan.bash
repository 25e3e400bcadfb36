# Hostile or impossible values in a plan's steps: every step must parse as
# exactly the statement it claims, and flux-track new must not write a
# summary, hash or hazard code verbatim (exit 2 naming the tool and the
# field; no file written, nothing reaches the database).

# ps NAME FIELD_REGEX JQ: flux-track new (connected) reads the classified plan changed by JQ.
ps() { ts "$1" 2 "^flux-track: error: bad\\.json: .*$2" 'flux-track new --db "$DB" bad.json' <<<"jqf $(printf '%q' "$3") \"\$FIX/classified.json\" bad.json"; }
# ph NAME FIELD_REGEX JQ: flux-hazards reads the plan changed by JQ.
ph() { ts "$1" 2 "^flux-hazards: error: bad\\.json: .*$2" 'flux-hazards bad.json' <<<"jqf $(printf '%q' "$3") \"\$FIX/plan.json\" bad.json"; }
# pchain NAME FIELD_REGEX JQ: the classified plan changed by JQ, through flux-track new and flux-apply.
pchain() {
  ts "$1" 2 "^flux-(track|apply): error: .*$2" 'flux-track new --db "$DB" bad.json && flux-apply --db "$DB" --allow-hazards all' \
    <<<"jqf $(printf '%q' "$3") \"\$FIX/classified.json\" bad.json"
}

ps step-sql-empty 'steps\[0\]\.sql' '.steps[0].sql = ""'
ps step-sql-comment-only 'steps\[0\]\.sql' '.steps[0].sql = "-- nothing"'
ps step-sql-unparseable 'steps\[0\]\.sql' '.steps[0].sql = "CREATE TABLE ("'
ps step-sql-other-statement 'steps\[0\]\.sql' '.steps[0].sql = "DROP TABLE public.victim;"'
ps step-sql-two-statements 'steps\[0\]\.sql' '.steps[0].sql = (.steps[0].sql + " DROP TABLE public.victim;")'
ps step-sql-commit-escape 'steps\[0\]\.sql' '.steps[0].sql = "COMMIT; DROP TABLE public.victim; BEGIN;"'
ps step-sql-do-block 'steps\[0\]\.sql' '.steps[0].sql = "DO $$ BEGIN EXECUTE '"'"'DROP TABLE public.victim'"'"'; END $$;"'
ps step-summary-newline 'steps\[0\]\.summary' '.steps[0].summary = "CREATE TABLE x\nDROP TABLE public.victim;\n--"'
ps step-summary-carriage-return 'steps\[0\]\.summary' '.steps[0].summary = "ok\rDELETE FROM public.victim;"'
ps baseline-hash-injection 'baseline_hash' '.baseline_hash = "sha256:00\nDROP TABLE public.victim;"'
ps baseline-hash-not-a-hash 'baseline_hash' '.baseline_hash = "md5:xyz"'
ps target-hash-injection 'target_hash' '.target_hash = "x\nDELETE FROM public.victim;\n"'
ps hazard-code-injection 'hazards\[0\]\.code' '.steps[0].hazards = [{"code": "DATA_LOSS\nDROP TABLE public.victim;\n--", "message": "m"}]'
ps hazard-code-unknown 'hazards\[0\]\.code' '.steps[0].hazards = [{"code": "SOMETHING", "message": "m"}]'
ps hazard-message-newline 'hazards\[0\]\.message' '.steps[0].hazards = [{"code": "DATA_LOSS", "message": "m\nDROP TABLE public.victim;"}]'
ph hazards-step-sql-other-statement 'steps\[0\]\.sql' '.steps[0].sql = "DROP TABLE public.victim;"'
ph hazards-step-sql-two-statements 'steps\[0\]\.sql' '.steps[0].sql = (.steps[0].sql + " DELETE FROM public.victim;")'
ph hazards-step-sql-empty 'steps\[0\]\.sql' '.steps[0].sql = ""'
ph hazards-step-sql-unparseable 'steps\[0\]\.sql' '.steps[0].sql = "ALTER TABLE"'
pchain chain-step-sql-swapped 'steps\[0\]\.sql' '.steps[0].sql = "DROP TABLE public.victim;"'
pchain chain-step-sql-appended 'steps\[0\]\.sql' '.steps[0].sql = (.steps[0].sql + " DELETE FROM public.victim; ALTER ROLE postgres PASSWORD '"'"'pwned'"'"';")'
pchain chain-summary-newline 'summary' '.steps[0].summary = "x\nDELETE FROM public.victim;\n--"'
pchain chain-hazard-code-newline 'code' '.steps[0].hazards = [{"code": "X\nDELETE FROM public.victim;\n--", "message": "m"}]'
