# Schema files that do not parse: exit 2 with file:line:column and
# PostgreSQL's own message.

# sq NAME REGEX SQL: schema/a.sql is SQL; flux-parse must fail with REGEX.
sq() { ts "$1" 2 "$2" 'flux-parse schema' <<<"printf '%s\n' $(printf '%q' "$3") > schema/a.sql"; }

sq syntax-missing-paren 'schema/a\.sql:1:23: syntax error at or near ";"' 'CREATE TABLE a (id int;'
sq syntax-typo-keyword 'schema/a\.sql:1:1: syntax error at or near "CRATE"' 'CRATE TABLE a (id int);'
sq syntax-second-line 'schema/a\.sql:2:25: syntax error at or near "int"' 'CREATE TABLE a (id int);
CREATE TABLE b (int int int);'
sq syntax-unterminated-string 'schema/a\.sql:1:32: unterminated quoted string' "CREATE TABLE a (id int DEFAULT 'abc);"
sq syntax-unterminated-identifier 'schema/a\.sql:1:14: unterminated quoted identifier' 'CREATE TABLE "a (id int);'
sq syntax-empty-identifier 'schema/a\.sql:1:14: zero-length delimited identifier' 'CREATE TABLE "" (id int);'
sq syntax-unterminated-comment 'schema/a\.sql:2:1: unterminated /\* comment' 'CREATE TABLE a (id int);
/* never closed'
sq syntax-nested-comment-unterminated 'unterminated /\* comment' 'CREATE TABLE a (id int); /* outer /* inner */ still inside'
sq syntax-unterminated-dollar-quote 'schema/a\.sql:1:49: unterminated dollar-quoted string' 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; CREATE TABLE
x (id int);'
sq syntax-mismatched-dollar-tags 'schema/a\.sql:1:[0-9]+: unterminated dollar-quoted string' 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $a$ SELECT 1 $b$;'
sq syntax-reserved-word-name 'schema/a\.sql:1:14: syntax error at or near "select"' 'CREATE TABLE select (id int);'
sq syntax-bad-unicode-escape 'schema/a\.sql:1:[0-9]+: invalid Unicode escape' 'CREATE TABLE U&"\zzzz" (id int);'
sq syntax-unicode-escape-nul 'schema/a\.sql:1:[0-9]+: invalid Unicode escape value' 'CREATE TABLE U&"\0000" (id int);'
sq syntax-trailing-garbage 'schema/a\.sql:1:26: syntax error at or near "garbage"' 'CREATE TABLE a (id int); garbage'
sq syntax-missing-semicolon 'schema/a\.sql:2:1: syntax error at or near "CREATE"' 'CREATE TABLE a (id int)
CREATE TABLE b (id int);'
sq syntax-atomic-body 'schema/a\.sql:1:[0-9]+: syntax error' 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELEC 1; END;'
sq syntax-default-expression 'schema/a\.sql:1:36: syntax error at or near "\)"' 'CREATE TABLE a (id int DEFAULT + + );'
sq syntax-check-expression 'schema/a\.sql:1:[0-9]+: syntax error' 'CREATE TABLE a (id int CHECK (id >));'
sq syntax-index-where 'schema/a\.sql:2:[0-9]+: syntax error' 'CREATE TABLE a (id int);
CREATE INDEX ai ON a (id) WHERE;'
sq syntax-view-query 'schema/a\.sql:1:[0-9]+: syntax error at or near "FROM"' 'CREATE VIEW v AS SELECT FROM FROM a;'
sq syntax-only-a-semicolon-and-junk 'schema/a\.sql:1:3: syntax error at or near "\)"' '; );'
sq syntax-bad-number 'schema/a\.sql:1:[0-9]+: trailing junk after numeric literal' 'CREATE TABLE a (id int DEFAULT 12abc);'
sq syntax-deep-parentheses-unbalanced 'schema/a\.sql:1:[0-9]+: syntax error' "CREATE TABLE a (id int DEFAULT $(printf '(%.0s' {1..200})1$(printf ')%.0s' {1..199}));"

ts syntax-error-in-second-file 2 '^flux-parse: error: schema/b\.sql:3:8: syntax error at or near "TABEL"' 'flux-parse schema' <<'SETUP'
echo 'CREATE TABLE a (id int);' > schema/a.sql
printf -- '-- b\n\nCREATE TABEL b (id int);\n' > schema/b.sql
SETUP
ts syntax-error-line-100001 2 'schema/big\.sql:100001:8: syntax error at or near "TABEL"' 'flux-parse schema' <<'SETUP'
{ for i in $(seq 1 100000); do echo "-- comment line $i"; done; echo 'CREATE TABEL x (id int);'; } > schema/big.sql
SETUP
ts syntax-error-after-multibyte 2 'schema/a\.sql:1:24: syntax error at or near "TABEL"' 'flux-parse schema' <<'SETUP'
printf '/* ééééé ☃☃☃ */ CREATE TABEL x (id int);\n' > schema/a.sql
SETUP
ts syntax-error-porcelain-drift 2 'flux-parse: error: schema/a\.sql:1:8: syntax error at or near "TABEL"' 'pg-flux --db "$DB" --shadow-db none drift' <<'SETUP'
echo 'CREATE TABEL a (id int); DROP TABLE victim;' > schema/a.sql
SETUP
ts syntax-error-porcelain-generate 2 'flux-parse: error: schema/zz\.sql:1:8: syntax error' 'pg-flux --db "$DB" --shadow-db none migrate generate' <<'SETUP'
cp -r "$FIX/schema/." schema/
echo 'CREATE TABEL a (id int);' > schema/zz.sql
SETUP
ts syntax-error-porcelain-shadow 2 'flux-parse: error: schema/a\.sql:1:8: syntax error' 'pg-flux --db "$DB" migrate generate' <<'SETUP'
echo 'CREATE TABEL a (id int);' > schema/a.sql
SETUP
