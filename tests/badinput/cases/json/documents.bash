# JSON documents that are not well-formed, or not the document expected:
# exit 2 naming the document (and line/column for syntax), for each reader:
# models (flux-diff), plans (flux-hazards, flux-track new).

# jm NAME REGEX TEXT: flux-diff reads TEXT as the live model.
jm() { ts "$1" 2 "$2" 'flux-diff bad.json "$FIX/desired.json"' <<<"printf '%s' $(printf '%q' "$3") > bad.json"; }
# jp NAME REGEX TEXT: flux-hazards reads TEXT as a plan.
jp() { ts "$1" 2 "$2" 'flux-hazards bad.json' <<<"printf '%s' $(printf '%q' "$3") > bad.json"; }
# jt NAME REGEX TEXT: flux-track new reads TEXT as a classified plan (connected).
jt() { ts "$1" 2 "$2" 'flux-track new --db "$DB" bad.json' <<<"printf '%s' $(printf '%q' "$3") > bad.json"; }

jm model-empty '^flux-diff: error: bad\.json: empty input, expected a pgflux\.model document' ''
jm model-whitespace 'bad\.json: empty input' $'  \n\t\n'
jm model-open-brace '^flux-diff: error: bad\.json:1:2: invalid JSON: syntax error while parsing object key - unexpected end of input; expected string literal$' '{'
jm model-array 'bad\.json: expected a JSON object with a "format" field' '[]'
jm model-null 'bad\.json: expected a JSON object' 'null'
jm model-number 'bad\.json: expected a JSON object' '42'
jm model-string 'bad\.json: expected a JSON object' '"pgflux.model"'
jm model-trailing-garbage 'bad\.json:1:5[0-9]: invalid JSON: syntax error while parsing value' '{"format": "pgflux.model", "version": 1, "objects": []} trailing'
jm model-two-documents 'bad\.json:[0-9]+:[0-9]+: invalid JSON' '{"format": "pgflux.model", "version": 1} {"format": "pgflux.model", "version": 1}'
jm model-comment 'bad\.json:[0-9]+:[0-9]+: invalid JSON' '// a model
{"format": "pgflux.model", "version": 1}'
jm model-single-quotes 'bad\.json:[0-9]+:[0-9]+: invalid JSON' "{'format': 'pgflux.model', 'version': 1}"
jm model-trailing-comma 'bad\.json:[0-9]+:[0-9]+: invalid JSON' '{"format": "pgflux.model", "version": 1,}'
jm model-nan 'bad\.json:[0-9]+:[0-9]+: invalid JSON' '{"format": "pgflux.model", "version": NaN}'
jm model-bad-escape 'bad\.json:[0-9]+:[0-9]+: invalid JSON' '{"format": "pgflux.m\odel", "version": 1}'
jm model-lone-surrogate 'bad\.json:[0-9]+:[0-9]+: invalid JSON.*surrogate' '{"format": "pgflux.model", "version": 1, "x": "\ud800"}'
jm model-raw-control-character 'bad\.json:[0-9]+:[0-9]+: invalid JSON.*control character' $'{"format": "pgflux.model\x01", "version": 1}'
jm model-unclosed-string 'bad\.json:[0-9]+:[0-9]+: invalid JSON' '{"format": "pgflux.model'
jm model-missing-format 'bad\.json: missing "format" \(expected "pgflux\.model"\)' '{"version": 1, "objects": []}'
jm model-format-not-string 'bad\.json: missing "format"' '{"format": 1, "version": 1}'
jm model-wrong-format-plan 'bad\.json: wrong format "pgflux\.plan" \(expected "pgflux\.model"\)' '{"format": "pgflux.plan", "version": 1, "steps": []}'
jm model-wrong-format-case 'bad\.json: wrong format "PGFLUX\.MODEL"' '{"format": "PGFLUX.MODEL", "version": 1}'
jm model-missing-version 'bad\.json: missing or non-integer "version"' '{"format": "pgflux.model", "objects": []}'
jm model-version-2 'bad\.json: unsupported pgflux\.model version 2 \(this tool reads version 1\)' '{"format": "pgflux.model", "version": 2, "objects": []}'
jm model-version-0 'bad\.json: unsupported pgflux\.model version 0' '{"format": "pgflux.model", "version": 0}'
jm model-version-string 'bad\.json: missing or non-integer "version"' '{"format": "pgflux.model", "version": "1"}'
jm model-version-float 'bad\.json: missing or non-integer "version"' '{"format": "pgflux.model", "version": 1.5}'
jm model-version-huge 'bad\.json: (missing or non-integer "version"|unsupported pgflux\.model version)' '{"format": "pgflux.model", "version": 123456789012345678901234567890}'
jm model-version-negative 'bad\.json: unsupported pgflux\.model version -1' '{"format": "pgflux.model", "version": -1}'
ts model-truncated 2 '^flux-diff: error: live\.json:[0-9]+:[0-9]+: invalid JSON: .*unexpected end of input' 'flux-diff live.json "$FIX/desired.json"' <<'SETUP'
head -c 700 "$FIX/live.json" > live.json
SETUP
ts model-truncated-desired 2 '^flux-diff: error: desired\.json:[0-9]+:[0-9]+: invalid JSON' 'flux-diff "$FIX/live.json" desired.json' <<'SETUP'
head -c 1500 "$FIX/desired.json" > desired.json
SETUP
ts model-truncated-stdin 2 '^flux-diff: error: standard input:[0-9]+:[0-9]+: invalid JSON' 'flux-diff - "$FIX/desired.json" < live.json' <<'SETUP'
head -c 333 "$FIX/live.json" > live.json
SETUP
ts model-deep-nesting 2 '^flux-diff: error: bad\.json: ' 'flux-diff bad.json "$FIX/desired.json"' <<'SETUP'
python3 -c "print('{\"format\": \"pgflux.model\", \"version\": 1, \"objects\": ' + '[' * 100000 + ']' * 100000 + '}')" > bad.json
SETUP
ts model-deep-nesting-unclosed 2 '^flux-diff: error: bad\.json:[0-9]+:[0-9]+: invalid JSON' 'flux-diff bad.json "$FIX/desired.json"' <<'SETUP'
python3 -c "print('[' * 200000)" > bad.json
SETUP
ts model-utf16 2 '^flux-diff: error: live\.json:1:1: not valid UTF-8 \(byte 0xFF\)' 'flux-diff live.json "$FIX/desired.json"' <<'SETUP'
iconv -f UTF-8 -t UTF-16 "$FIX/live.json" > live.json
SETUP
ts model-bom-accepted 0 '"format": "pgflux\.plan"' 'flux-diff live.json "$FIX/desired.json"' <<'SETUP'
{ printf '\xef\xbb\xbf'; cat "$FIX/live.json"; } > live.json
SETUP
ts model-porcelain-pipe-is-plan 2 '^flux-diff: error: standard input: wrong format "pgflux\.plan"' 'flux-diff - "$FIX/desired.json" < "$FIX/plan.json"'

jp plan-empty '^flux-hazards: error: bad\.json: empty input, expected a pgflux\.plan document' ''
jp plan-open-bracket '^flux-hazards: error: bad\.json:[0-9]+:[0-9]+: invalid JSON' '['
jp plan-array 'bad\.json: expected a JSON object' '[{"format": "pgflux.plan"}]'
jp plan-wrong-format-model 'bad\.json: wrong format "pgflux\.model" \(expected "pgflux\.plan"\)' '{"format": "pgflux.model", "version": 1, "objects": []}'
jp plan-wrong-format-apply-result 'bad\.json: wrong format "pgflux\.apply-result"' '{"format": "pgflux.apply-result", "version": 1, "applied": []}'
jp plan-wrong-format-status 'bad\.json: wrong format "pgflux\.status"' '{"format": "pgflux.status", "version": 1}'
jp plan-missing-format 'bad\.json: missing "format" \(expected "pgflux\.plan"\)' '{"version": 1, "steps": []}'
jp plan-version-2 'bad\.json: unsupported pgflux\.plan version 2' '{"format": "pgflux.plan", "version": 2, "steps": []}'
jp plan-version-null 'bad\.json: missing or non-integer "version"' '{"format": "pgflux.plan", "version": null}'
ts plan-truncated 2 '^flux-hazards: error: plan\.json:[0-9]+:[0-9]+: invalid JSON' 'flux-hazards plan.json' <<'SETUP'
head -c 900 "$FIX/plan.json" > plan.json
SETUP
ts plan-truncated-stdin 2 '^flux-hazards: error: standard input:[0-9]+:[0-9]+: invalid JSON' 'head -c 901 "$FIX/plan.json" | flux-hazards'
t  plan-stdin-empty 2 '^flux-hazards: error: standard input: empty input, expected a pgflux\.plan document' 'flux-hazards < /dev/null'
ts plan-utf16 2 '^flux-hazards: error: plan\.json:1:1: not valid UTF-8' 'flux-hazards plan.json' <<'SETUP'
iconv -f UTF-8 -t UTF-16 "$FIX/plan.json" > plan.json
SETUP

jt track-empty '^flux-track: error: bad\.json: empty input, expected a pgflux\.plan document' ''
jt track-invalid '^flux-track: error: bad\.json:[0-9]+:[0-9]+: invalid JSON' '{"format": "pgflux.plan", "version": 1, "steps": [}'
jt track-wrong-format '^flux-track: error: bad\.json: wrong format "pgflux\.model"' '{"format": "pgflux.model", "version": 1}'
jt track-version-3 '^flux-track: error: bad\.json: unsupported pgflux\.plan version 3' '{"format": "pgflux.plan", "version": 3}'
ts track-truncated 2 '^flux-track: error: classified\.json:[0-9]+:[0-9]+: invalid JSON' 'flux-track new --db "$DB" classified.json' <<'SETUP'
head -c 1200 "$FIX/classified.json" > classified.json
SETUP
ts track-unclassified-plan 2 '^flux-track: error: the plan has not been classified; pipe it through flux-hazards first' 'flux-track new --db "$DB" "$FIX/plan.json"'
t  track-stdin-model 2 '^flux-track: error: standard input: wrong format "pgflux\.model"' 'flux-track new --db "$DB" < "$FIX/live.json"'
