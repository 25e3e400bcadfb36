# Hostile or impossible values in a model document's fields that reach DDL.
# Shared and cached models are untrusted input: every such field must be
# validated when the document is read (exit 2 naming the tool and the field),
# so that nothing reaches the database. (Validation is the lead's part of
# issue 8; run this group alone with: tests/badinput/run --group json-semantic)

# ms NAME FIELD_REGEX JQ: flux-diff reads the desired model changed by JQ.
ms() { ts "$1" 2 "^flux-diff: error: bad\\.json: .*$2" 'flux-diff "$FIX/live.json" bad.json' <<<"jqf $(printf '%q' "$3") \"\$FIX/desired.json\" bad.json"; }
# chain NAME FIELD_REGEX JQ: the whole generate/apply chain on that model.
chain() {
  ts "$1" 2 "^flux-(diff|hazards|track|apply): error: .*$2" 'flux-diff "$FIX/live.json" bad.json > plan.json && flux-hazards plan.json > classified.json && flux-track new --db "$DB" classified.json && flux-apply --db "$DB" --allow-hazards all' \
    <<<"jqf $(printf '%q' "$3") \"\$FIX/desired.json\" bad.json"
}
added='.objects[] | select(.kind == "table" and .name == "added") | .attributes'
label_idx='.objects[] | select(.name == "added_label_idx") | .attributes'
lower_idx='.objects[] | select(.name == "added_lower_idx") | .attributes'

ms opclass-injection 'opclass' "($label_idx.elements[0].opclass) = \"text_ops); UPDATE public.victim SET id = 0; ALTER ROLE postgres PASSWORD 'pwned'; SELECT (1\""
ms opclass-two-names 'opclass' "($label_idx.elements[0].opclass) = \"text_ops text_ops\""
ms index-expression-injection 'expression' "($lower_idx.elements[0].expression) = \"lower(label)); DROP TABLE public.victim; --\""
ms index-expression-two 'expression' "($lower_idx.elements[0].expression) = \"lower(label), upper(label)\""
ms index-predicate-injection 'where' "($label_idx.where) = \"id > 0; DROP TABLE public.victim\""
ms index-method-injection 'method' "($label_idx.method) = \"btree (label); DROP TABLE public.victim; --\""
ms index-options-injection 'options' "($label_idx.options) = [\"fillfactor=70); DROP TABLE public.victim; --\"]"
ms column-default-injection 'default' "($added.columns[1].default) = \"'x'); DROP TABLE public.victim; --\""
ms column-default-statement 'default' "($added.columns[1].default) = \"(SELECT 1); DELETE FROM public.victim\""
ms column-generated-injection 'generated' "($added.columns[3].generated) = \"n * 2) STORED; DROP TABLE public.victim; --\""
ms column-type-injection 'type' "($added.columns[0].type) = \"bigint; DROP TABLE public.victim; --\""
ms column-type-two-types 'type' "($added.columns[0].type) = \"bigint, evil integer\""
ms column-type-empty 'type' "($added.columns[0].type) = \"\""
ms column-collation-injection 'collation' "($added.columns[1].collation) = \"pg_catalog.\\\"C\\\"; DROP TABLE public.victim; --\""
ms column-name-empty 'name' "($added.columns[2].name) = \"\""
ms check-expression-injection 'expression' "(.objects[] | select(.name == \"added_n_check\") | .attributes.expression) = \"n > 0); DELETE FROM public.victim; --\""
ms sequence-data-type-injection 'data_type' "(.objects[] | select(.name == \"ticket\") | .attributes.data_type) = \"bigint; DROP TABLE public.victim\""
ms sequence-data-type-not-integer 'data_type' "(.objects[] | select(.name == \"ticket\") | .attributes.data_type) = \"text\""
ms domain-type-injection 'type' "(.objects[] | select(.name == \"positive\") | .attributes.type) = \"integer; DROP TABLE public.victim\""
ms domain-check-injection 'checks' "(.objects[] | select(.name == \"positive\") | .attributes.checks.positive_check) = \"VALUE > 0); DROP TABLE public.victim; --\""
ms enum-duplicate-labels 'values' "(.objects[] | select(.name == \"size\") | .attributes.values) = [\"s\", \"m\", \"s\"]"
ms enum-empty-label 'values' "(.objects[] | select(.name == \"size\") | .attributes.values) = [\"s\", \"\"]"
ms enum-label-too-long 'values' "(.objects[] | select(.name == \"size\") | .attributes.values) = [\"$(printf 'l%.0s' {1..70})\"]"
ms table-name-empty 'name' '(.objects[] | select(.kind == "table" and .name == "added") | .name) = ""'
ms schema-name-empty 'schema' '(.objects[] | select(.kind == "table" and .name == "added") | .schema) = ""'
ms object-name-nul 'name' '(.objects[] | select(.kind == "table" and .name == "added") | .name) = "add\u0000ed"'
ms enum-label-nul 'values' '(.objects[] | select(.name == "size") | .attributes.values) = ["s\u0000; DROP TABLE public.victim"]'

chain chain-opclass-injection 'opclass' "($label_idx.elements[0].opclass) = \"text_ops); UPDATE public.victim SET id = 0; ALTER ROLE postgres PASSWORD 'pwned'; SELECT (1\""
chain chain-default-injection 'default' "($added.columns[1].default) = \"'x'); DROP TABLE public.victim; --\""
chain chain-type-injection 'type' "($added.columns[0].type) = \"bigint); DELETE FROM public.victim; CREATE TABLE app.evil (x int\""
chain chain-collation-injection 'collation' "($added.columns[1].collation) = \"pg_catalog.\\\"C\\\"; DROP TABLE public.victim; --\""
chain chain-sequence-type-injection 'data_type' "(.objects[] | select(.name == \"ticket\") | .attributes.data_type) = \"bigint; DROP TABLE public.victim\""
