# Schema files and directories: what flux-parse (and pg-flux through it)
# reads. Each must be exit 2 naming the file (and line:column for bytes).

t  schema-dir-missing 2 '^flux-parse: error: schema path "nope" does not exist$' 'flux-parse nope'
t  schema-dir-empty-string 2 'schema path "" does not exist' "flux-parse ''"
ts schema-path-through-a-file 2 'cannot read "schema/a\.sql/x": Not a directory' 'flux-parse schema/a.sql/x' <<'SETUP'
echo 'CREATE TABLE a (id int);' > schema/a.sql
SETUP
t  porcelain-drift-schema-dir-missing 2 'flux-parse: error: schema path "nope" does not exist' 'pg-flux --db "$DB" --shadow-db none --schema-dir nope drift'
t  porcelain-verify-schema-dir-missing 2 'flux-parse: error: schema path "nope" does not exist' 'pg-flux --db "$DB" --shadow-db none --schema-dir nope verify'
t  porcelain-generate-schema-dir-missing 2 'flux-parse: error: schema path "nope" does not exist' 'pg-flux --db "$DB" --shadow-db none --schema-dir nope migrate generate'

# NUL bytes: libpg_query reads C strings, so a NUL used to end the file there.
ts nul-in-statement 2 '^flux-parse: error: schema/a\.sql:2:17: NUL byte \(\\0\): a text file must not contain NUL bytes$' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE a (id int);\nCREATE TABLE b (\0id int);\nCREATE TABLE c (id int);\n' > schema/a.sql
SETUP
ts nul-first-byte 2 'schema/a\.sql:1:1: NUL byte' 'flux-parse schema' <<'SETUP'
printf '\0CREATE TABLE a (id int);\n' > schema/a.sql
SETUP
ts nul-in-comment 2 'schema/a\.sql:3:6: NUL byte' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE a (id int);\n\n-- ab\0 CREATE TABLE dropped (id int);\n' > schema/a.sql
SETUP
ts nul-in-string 2 'schema/b\.sql:1:31: NUL byte' 'flux-parse schema' <<'SETUP'
echo 'CREATE TABLE a (id int);' > schema/a.sql
printf "COMMENT ON TABLE a IS 'before \0after';\n" > schema/b.sql
SETUP
ts nul-in-subdirectory-file 2 'schema/sub/deep/c\.sql:1:3: NUL byte' 'flux-parse schema' <<'SETUP'
mkdir -p schema/sub/deep
printf 'CR\0EATE TABLE c (id int);\n' > schema/sub/deep/c.sql
SETUP
ts nul-porcelain-drift 2 'flux-parse: error: schema/a\.sql:1:25: NUL byte' 'pg-flux --db "$DB" --shadow-db none drift' <<'SETUP'
printf 'CREATE TABLE a (id int);\0\nDROP TABLE victim;\n' > schema/a.sql
SETUP
ts nul-porcelain-generate 2 'flux-parse: error: schema/a\.sql:1:25: NUL byte' 'pg-flux --db "$DB" --shadow-db none migrate generate' <<'SETUP'
printf 'CREATE TABLE a (id int);\0\n' > schema/a.sql
SETUP

# Encodings: schema files are UTF-8.
ts latin1-identifier 2 '^flux-parse: error: schema/a\.sql:1:17: not valid UTF-8 \(byte 0xE9\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE caf\xe9 (id int);\n' > schema/a.sql
SETUP
ts latin1-in-comment-string 2 'schema/a\.sql:2:26: not valid UTF-8 \(byte 0xFC\)' 'flux-parse schema' <<'SETUP'
printf "CREATE TABLE a (id int);\nCOMMENT ON TABLE a IS 'gr\xfc\xdfe';\n" > schema/a.sql
SETUP
ts latin1-in-sql-comment 2 'schema/a\.sql:1:6: not valid UTF-8 \(byte 0xFF\)' 'flux-parse schema' <<'SETUP'
printf -- '-- a \xff\nCREATE TABLE a (id int);\n' > schema/a.sql
SETUP
ts overlong-utf8 2 'schema/a\.sql:1:15: not valid UTF-8 \(byte 0xC0\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE "\xc0\xaf" (id int);\n' > schema/a.sql
SETUP
ts utf8-surrogate 2 'schema/a\.sql:1:15: not valid UTF-8 \(byte 0xED\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE "\xed\xa0\x80" (id int);\n' > schema/a.sql
SETUP
ts utf8-beyond-u10ffff 2 'schema/a\.sql:1:15: not valid UTF-8 \(byte 0xF4\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE "\xf4\x90\x80\x80" (id int);\n' > schema/a.sql
SETUP
ts utf8-truncated-at-end 2 'schema/a\.sql:2:1: not valid UTF-8 \(byte 0xE2\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE a (id int);\n\xe2\x82' > schema/a.sql
SETUP
ts utf8-stray-continuation 2 'schema/a\.sql:1:14: not valid UTF-8 \(byte 0x80\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE \x80a (id int);\n' > schema/a.sql
SETUP
ts utf16-file 2 'schema/a\.sql:1:1: not valid UTF-8 \(byte 0xFF\)' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE a (id int);\n' | iconv -f UTF-8 -t UTF-16 > schema/a.sql
SETUP
ts latin1-porcelain-verify 2 'flux-parse: error: schema/a\.sql:1:17: not valid UTF-8' 'pg-flux --db "$DB" --shadow-db none verify' <<'SETUP'
printf 'CREATE TABLE caf\xe9 (id int);\n' > schema/a.sql
SETUP
# A leading byte order mark (editors write one) is skipped; one elsewhere is
# an ordinary character and a syntax error there.
ts bom-leading-accepted 0 '"name": "bommed"' 'flux-parse schema' <<'SETUP'
printf '\xef\xbb\xbfCREATE TABLE bommed (id int);\n' > schema/a.sql
SETUP
ts bom-in-the-middle 2 'schema/a\.sql:2:1: syntax error' 'flux-parse schema' <<'SETUP'
printf 'CREATE TABLE a (id int);\n\xef\xbb\xbfCREATE TABLE b (id int);\n' > schema/a.sql
SETUP
ts bom-leading-line-numbers 2 'schema/a\.sql:2:8: syntax error at or near "TABEL"' 'flux-parse schema' <<'SETUP'
printf '\xef\xbb\xbfCREATE TABLE a (id int);\nCREATE TABEL b (id int);\n' > schema/a.sql
SETUP

# Links, special files, permissions.
ts dangling-symlink 2 '^flux-parse: error: "schema/b\.sql" is a dangling symbolic link \(to "missing\.sql", which does not exist\)' 'flux-parse schema' <<'SETUP'
echo 'CREATE TABLE a (id int);' > schema/a.sql
ln -s missing.sql schema/b.sql
SETUP
ts dangling-symlink-directory 2 '"schema/shared" is a dangling symbolic link' 'flux-parse schema' <<'SETUP'
ln -s ../nowhere schema/shared
SETUP
ts dangling-symlink-porcelain 2 'flux-parse: error: "schema/b\.sql" is a dangling symbolic link' 'pg-flux --db "$DB" --shadow-db none migrate generate' <<'SETUP'
ln -s missing.sql schema/b.sql
SETUP
ts symlink-loop-files 2 'is a symbolic link loop' 'flux-parse schema' <<'SETUP'
ln -s b.sql schema/a.sql
ln -s a.sql schema/b.sql
SETUP
ts symlink-loop-directory 2 '"schema/sub/up" is a symbolic link loop: it leads back to a directory that contains it' 'flux-parse schema' <<'SETUP'
mkdir schema/sub
ln -s .. schema/sub/up
SETUP
ts symlink-loop-self 2 '"schema/self" is a symbolic link loop' 'flux-parse schema' <<'SETUP'
ln -s . schema/self
SETUP
ts symlink-directory-followed 0 '"name": "shared_t"' 'flux-parse schema' <<'SETUP'
mkdir shared
echo 'CREATE TABLE shared_t (id int);' > shared/s.sql
ln -s ../shared schema/shared
SETUP
ts symlink-given-path-dangling 2 '"link" is a dangling symbolic link' 'flux-parse link' <<'SETUP'
ln -s nowhere link
SETUP
ts fifo-schema-file 2 '"schema/x\.sql" is not a regular file' 'flux-parse schema' <<'SETUP'
mkfifo schema/x.sql
SETUP
ts unreadable-schema-file 2 'cannot read "schema/a\.sql": Permission denied' 'as_nobody flux-parse schema' <<'SETUP'
echo 'CREATE TABLE a (id int);' > schema/a.sql
chmod 000 schema/a.sql
SETUP
ts unreadable-schema-subdirectory 2 'cannot read directory "schema/private": Permission denied' 'as_nobody flux-parse schema' <<'SETUP'
mkdir schema/private
echo 'CREATE TABLE a (id int);' > schema/private/a.sql
chmod 000 schema/private
SETUP
ts unreadable-schema-dir 2 'cannot read directory "schema": Permission denied' 'as_nobody flux-parse schema' <<'SETUP'
chmod 000 schema
SETUP
ts unreadable-explicit-file 2 'cannot read "s2/b\.sql": Permission denied' 'as_nobody flux-parse s2/b.sql' <<'SETUP'
mkdir s2
echo 'CREATE TABLE b (id int);' > s2/b.sql
chmod 000 s2/b.sql
SETUP
ts unreadable-porcelain-drift 2 'flux-parse: error: cannot read "schema/a\.sql": Permission denied' 'as_nobody pg-flux --db "$DB" --shadow-db none drift' <<'SETUP'
echo 'CREATE TABLE a (id int);' > schema/a.sql
chmod 000 schema/a.sql
SETUP
