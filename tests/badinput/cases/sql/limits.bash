# Deep nesting and huge inputs: a clear error (or a clean result), never a
# crash, a hang or exit 5.

ts deep-parentheses-10000 2 'schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'flux-parse schema' <<'SETUP'
python3 -c "print('CREATE TABLE a (id int DEFAULT ' + '(' * 10000 + '1' + ')' * 10000 + ');')" > schema/a.sql
SETUP
ts deep-function-calls-5000 2 'schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'flux-parse schema' <<'SETUP'
python3 -c "print('CREATE TABLE a (id int DEFAULT ' + 'abs(' * 5000 + '1' + ')' * 5000 + ');')" > schema/a.sql
SETUP
ts deep-case-expressions 2 'schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'flux-parse schema' <<'SETUP'
python3 -c "print('CREATE TABLE a (id int CHECK (' + 'CASE WHEN true THEN ' * 3000 + 'true' + ' END' * 3000 + '));')" > schema/a.sql
SETUP
ts deep-subqueries-view 2 'schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'flux-parse schema' <<'SETUP'
python3 -c "print('CREATE VIEW v AS ' + 'SELECT * FROM (' * 3000 + 'SELECT 1 AS x' + ') s' * 3000 + ';')" > schema/a.sql
SETUP
ts deep-arrays 2 'schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'flux-parse schema' <<'SETUP'
python3 -c "print('CREATE TABLE a (id int[] DEFAULT ' + 'ARRAY[' * 5000 + '1' + ']' * 5000 + ');')" > schema/a.sql
SETUP
ts deep-boolean-chain 2 'schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'flux-parse schema' <<'SETUP'
python3 -c "print('CREATE TABLE a (id int CHECK (' + 'NOT ' * 20000 + 'true));')" > schema/a.sql
SETUP
ts deep-nesting-porcelain 2 'flux-parse: error: schema/a\.sql:1:[0-9]+: memory exhausted at or near' 'pg-flux --db "$DB" --shadow-db none drift' <<'SETUP'
python3 -c "print('CREATE TABLE a (id int DEFAULT ' + '(' * 10000 + '1' + ')' * 10000 + ');')" > schema/a.sql
SETUP
ts huge-too-many-columns 2 '^flux-parse: error: schema/a\.sql:1:1: table wide: PostgreSQL rejects it: tables can have at most 1600 columns' 'flux-parse --shadow-db "$DB" schema' <<'SETUP'
python3 -c "print('CREATE TABLE wide (' + ', '.join('c%d int' % i for i in range(1700)) + ');')" > schema/a.sql
SETUP
ts huge-file-error-at-end 2 'schema/a\.sql:20001:1: syntax error at or near "oops"' 'flux-parse schema' <<'SETUP'
python3 -c "
for i in range(20000): print('CREATE TABLE t%d (id int, body text DEFAULT \'%s\');' % (i, 'x' * 100))
print('oops;')" > schema/a.sql
SETUP
ts huge-duplicate-after-many 2 'schema/b\.sql:1:1: .*defined twice \(first defined at schema/a\.sql:5000:1\)' 'flux-parse schema' <<'SETUP'
python3 -c "
for i in range(5000): print('CREATE TABLE t%d (id int);' % i)" > schema/a.sql
echo 'CREATE TABLE t4999 (id int);' > schema/b.sql
SETUP
ts huge-string-literal-nul-at-end 2 'schema/a\.sql:1:5000030: NUL byte' 'flux-parse schema' <<'SETUP'
python3 -c "
import sys
sys.stdout.write('COMMENT ON SCHEMA public IS \'' + 'x' * 5000000 + '\\0\';\n')" > schema/a.sql
SETUP
