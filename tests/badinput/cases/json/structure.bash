# Documents of the right format and version whose content violates the JSON
# Schema (missing fields, wrong types, unknown kinds): exit 2 naming the
# document and the field, never a crash or a library message.

# mm NAME REGEX JQ: the desired model changed by the jq filter JQ, read by flux-diff.
mm() { ts "$1" 2 "$2" 'flux-diff "$FIX/live.json" bad.json' <<<"jqf $(printf '%q' "$3") \"\$FIX/desired.json\" bad.json"; }
# pm NAME REGEX JQ: the plan changed by JQ, read by flux-hazards.
pm() { ts "$1" 2 "$2" 'flux-hazards bad.json' <<<"jqf $(printf '%q' "$3") \"\$FIX/plan.json\" bad.json"; }
# tm NAME REGEX JQ: the classified plan changed by JQ, read by flux-track new (connected).
tm() { ts "$1" 2 "$2" 'flux-track new --db "$DB" bad.json' <<<"jqf $(printf '%q' "$3") \"\$FIX/classified.json\" bad.json"; }

mm model-objects-missing '^flux-diff: error: bad\.json: objects: missing' 'del(.objects)'
mm model-objects-not-array '^flux-diff: error: bad\.json: objects: expected an array' '.objects = {}'
mm model-object-not-object '^flux-diff: error: bad\.json: objects\[0\]: expected an object' '.objects[0] = 7'
mm model-kind-missing '^flux-diff: error: bad\.json: objects\[0\]\.kind: missing' 'del(.objects[0].kind)'
mm model-kind-number '^flux-diff: error: bad\.json: objects\[0\]\.kind: expected a string' '.objects[0].kind = 3'
mm model-kind-unknown '^flux-diff: error: bad\.json: objects\[0\]\.kind: .*tablee' '.objects[0].kind = "tablee"'
mm model-name-missing '^flux-diff: error: bad\.json: objects\[0\]\.name: missing' 'del(.objects[0].name)'
mm model-name-number '^flux-diff: error: bad\.json: objects\[0\]\.name: expected a string' '.objects[0].name = 12'
mm model-schema-number '^flux-diff: error: bad\.json: objects\[1\]\.schema: expected a string' '.objects[1].schema = false'
mm model-attributes-string '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes: expected an object' '(.objects[] | select(.name == "added" and .kind == "table") | .attributes) = "x"'
mm model-columns-not-array '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.columns' '(.objects[] | select(.name == "added" and .kind == "table") | .attributes.columns) = {}'
mm model-column-type-number '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.columns\[0\]\.type' '(.objects[] | select(.name == "added" and .kind == "table") | .attributes.columns[0].type) = 5'
mm model-column-name-missing '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.columns\[1\]\.name' '(.objects[] | select(.name == "added" and .kind == "table") | .attributes.columns[1]) |= del(.name)'
mm model-not-null-string '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.columns\[0\]\.not_null' '(.objects[] | select(.name == "added" and .kind == "table") | .attributes.columns[0].not_null) = "yes"'
mm model-enum-values-not-array '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.values' '(.objects[] | select(.name == "size") | .attributes.values) = "s,m,l"'
mm model-enum-value-number '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.values\[1\]' '(.objects[] | select(.name == "size") | .attributes.values[1]) = 2'
mm model-sequence-start-string '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes\.start' '(.objects[] | select(.name == "ticket") | .attributes.start) = "1"'
mm model-index-elements-missing '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.attributes.*elements' '(.objects[] | select(.name == "added_lower_idx") | .attributes) |= del(.elements)'
mm model-depends-on-not-array '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.depends_on' '(.objects[] | select(.name == "ticket") | .depends_on) = "app"'
mm model-depends-on-unknown-kind '^flux-diff: error: bad\.json: objects\[[0-9]+\]\.depends_on\[0\]\.kind' '(.objects[] | select(.name == "ticket") | .depends_on[0].kind) = "galaxy"'
mm model-index-without-table '^flux-diff: error: bad\.json: objects\[[0-9]+\]: a index needs a "table"' '(.objects[] | select(.name == "added_lower_idx")) |= del(.table)'
mm model-duplicate-object '^flux-diff: error: bad\.json: .*(twice|duplicate)' '.objects += [.objects[0]]'

pm plan-steps-missing '^flux-hazards: error: bad\.json: steps: missing' 'del(.steps)'
pm plan-steps-not-array '^flux-hazards: error: bad\.json: steps: expected an array' '.steps = "all"'
pm plan-step-not-object '^flux-hazards: error: bad\.json: steps\[0\]: expected an object' '.steps[0] = []'
pm plan-step-sql-missing '^flux-hazards: error: bad\.json: steps\[0\]\.sql: missing' '.steps[0] |= del(.sql)'
pm plan-step-sql-number '^flux-hazards: error: bad\.json: steps\[0\]\.sql: expected a string' '.steps[0].sql = 1'
pm plan-step-summary-missing '^flux-hazards: error: bad\.json: steps\[0\]\.summary: missing' '.steps[0] |= del(.summary)'
pm plan-step-action-number '^flux-hazards: error: bad\.json: steps\[0\]\.action: expected a string' '.steps[0].action = 0'
pm plan-step-phase-unknown '^flux-hazards: error: bad\.json: steps\[0\]\.phase: expected "transactional" or "after-commit"' '.steps[0].phase = "whenever"'
pm plan-step-object-missing '^flux-hazards: error: bad\.json: steps\[0\]\.object: missing' '.steps[0] |= del(.object)'
pm plan-step-object-kind-unknown '^flux-hazards: error: bad\.json: steps\[0\]\.object\.kind: .*spaceship' '.steps[0].object.kind = "spaceship"'
pm plan-step-hazards-not-array '^flux-hazards: error: bad\.json: steps\[0\]\.hazards: expected an array' '.steps[0].hazards = "none"'
pm plan-classified-string '^flux-hazards: error: bad\.json: classified: expected true or false' '.classified = "yes"'
pm plan-live-count-string '^flux-hazards: error: bad\.json: live_object_count: expected an integer' '.live_object_count = "many"'
pm plan-baseline-number '^flux-hazards: error: bad\.json: baseline_hash: expected a string' '.baseline_hash = 5'
pm plan-notes-not-array '^flux-hazards: error: bad\.json: notes: expected an array' '.notes = "none"'

tm track-steps-not-array '^flux-track: error: bad\.json: steps: expected an array' '.steps = {}'
tm track-step-sql-missing '^flux-track: error: bad\.json: steps\[0\]\.sql: missing' '.steps[0] |= del(.sql)'
tm track-hazard-not-object '^flux-track: error: bad\.json: steps\[[0-9]+\]\.hazards\[0\]: expected an object' '.steps[0].hazards = ["DATA_LOSS"]'
tm track-hazard-code-missing '^flux-track: error: bad\.json: steps\[0\]\.hazards\[0\]\.code: missing' '.steps[0].hazards = [{"message": "m"}]'
tm track-classified-missing '^flux-track: error: (bad\.json: classified: missing|the plan has not been classified)' 'del(.classified)'
tm track-target-number '^flux-track: error: bad\.json: target_hash: expected a string' '.target_hash = 7'
