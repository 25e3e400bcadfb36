// Unit tests for canonical type names: every built-in spelling maps to what
// format_type() prints (with an empty search_path), user types are qualified.
#include "canon/types.h"

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "util/error.h"

namespace pgflux {
namespace {

std::string canon_type(const std::string& text) { return canonical_type_text(text, nullptr); }

// Resolves "mood" and "vector" to public, "status" to app; nothing else.
std::optional<std::string> lookup(const std::string& name) {
    if (name == "mood" || name == "vector") return std::string("public");
    if (name == "status") return std::string("app");
    return std::nullopt;
}

std::string canon_with_lookup(const std::string& text) { return canonical_type_text(text, lookup); }

TEST(CanonicalType, Integers) {
    EXPECT_EQ(canon_type("int"), "integer");
    EXPECT_EQ(canon_type("int4"), "integer");
    EXPECT_EQ(canon_type("integer"), "integer");
    EXPECT_EQ(canon_type("INTEGER"), "integer");
    EXPECT_EQ(canon_type("bigint"), "bigint");
    EXPECT_EQ(canon_type("int8"), "bigint");
    EXPECT_EQ(canon_type("smallint"), "smallint");
    EXPECT_EQ(canon_type("int2"), "smallint");
    EXPECT_EQ(canon_type("pg_catalog.int4"), "integer");
}

TEST(CanonicalType, SerialIsNotATypeHere) {
    // serial is a CREATE TABLE shorthand; as a type name it is just an unresolved name.
    EXPECT_EQ(canon_type("serial"), "serial");
    EXPECT_EQ(canon_type("bigserial"), "bigserial");
}

TEST(CanonicalType, FloatingPoint) {
    EXPECT_EQ(canon_type("real"), "real");
    EXPECT_EQ(canon_type("float4"), "real");
    EXPECT_EQ(canon_type("float"), "double precision");
    EXPECT_EQ(canon_type("float(24)"), "real");
    EXPECT_EQ(canon_type("float(1)"), "real");
    EXPECT_EQ(canon_type("float(25)"), "double precision");
    EXPECT_EQ(canon_type("float(53)"), "double precision");
    EXPECT_EQ(canon_type("double precision"), "double precision");
    EXPECT_EQ(canon_type("float8"), "double precision");
}

TEST(CanonicalType, Numeric) {
    EXPECT_EQ(canon_type("numeric"), "numeric");
    EXPECT_EQ(canon_type("decimal"), "numeric");
    EXPECT_EQ(canon_type("decimal(10,2)"), "numeric(10,2)");
    EXPECT_EQ(canon_type("numeric(10, 2)"), "numeric(10,2)");
    EXPECT_EQ(canon_type("numeric(10)"), "numeric(10,0)");
    EXPECT_EQ(canon_type("dec(5)"), "numeric(5,0)");
}

TEST(CanonicalType, CharacterTypes) {
    EXPECT_EQ(canon_type("varchar"), "character varying");
    EXPECT_EQ(canon_type("varchar(20)"), "character varying(20)");
    EXPECT_EQ(canon_type("character varying(20)"), "character varying(20)");
    EXPECT_EQ(canon_type("char varying(3)"), "character varying(3)");
    EXPECT_EQ(canon_type("char"), "character(1)");
    EXPECT_EQ(canon_type("character"), "character(1)");
    EXPECT_EQ(canon_type("char(5)"), "character(5)");
    EXPECT_EQ(canon_type("character(5)"), "character(5)");
    EXPECT_EQ(canon_type("bpchar(5)"), "character(5)");
    EXPECT_EQ(canon_type("text"), "text");
}

TEST(CanonicalType, BpcharWithoutLengthIsNotCharacter) {
    // format_type(bpchar, -1) prints "bpchar": "character" alone would mean character(1).
    EXPECT_EQ(canon_type("bpchar"), "bpchar");
}

TEST(CanonicalType, QuotedCharIsTheSingleByteType) {
    EXPECT_EQ(canon_type("\"char\""), "\"char\"");
    EXPECT_EQ(canon_type("pg_catalog.\"char\""), "\"char\"");
}

TEST(CanonicalType, Timestamps) {
    EXPECT_EQ(canon_type("timestamp"), "timestamp without time zone");
    EXPECT_EQ(canon_type("timestamp without time zone"), "timestamp without time zone");
    EXPECT_EQ(canon_type("timestamp(3)"), "timestamp(3) without time zone");
    EXPECT_EQ(canon_type("timestamptz"), "timestamp with time zone");
    EXPECT_EQ(canon_type("timestamp with time zone"), "timestamp with time zone");
    EXPECT_EQ(canon_type("timestamp(3) with time zone"), "timestamp(3) with time zone");
    EXPECT_EQ(canon_type("timestamptz(6)"), "timestamp(6) with time zone");
}

TEST(CanonicalType, Times) {
    EXPECT_EQ(canon_type("time"), "time without time zone");
    EXPECT_EQ(canon_type("time(0)"), "time(0) without time zone");
    EXPECT_EQ(canon_type("timetz"), "time with time zone");
    EXPECT_EQ(canon_type("time with time zone"), "time with time zone");
    EXPECT_EQ(canon_type("time(2) with time zone"), "time(2) with time zone");
    EXPECT_EQ(canon_type("date"), "date");
}

TEST(CanonicalType, Intervals) {
    EXPECT_EQ(canon_type("interval"), "interval");
    EXPECT_EQ(canon_type("interval year"), "interval year");
    EXPECT_EQ(canon_type("interval year to month"), "interval year to month");
    EXPECT_EQ(canon_type("interval day to second"), "interval day to second");
    EXPECT_EQ(canon_type("interval day to second(3)"), "interval day to second(3)");
    EXPECT_EQ(canon_type("interval hour to minute"), "interval hour to minute");
    EXPECT_EQ(canon_type("interval minute to second"), "interval minute to second");
    EXPECT_EQ(canon_type("interval second(2)"), "interval second(2)");
    EXPECT_EQ(canon_type("interval(6)"), "interval(6)");
}

TEST(CanonicalType, BitStrings) {
    EXPECT_EQ(canon_type("bit"), "bit(1)");
    EXPECT_EQ(canon_type("bit(3)"), "bit(3)");
    EXPECT_EQ(canon_type("bit varying(5)"), "bit varying(5)");
    EXPECT_EQ(canon_type("bit varying"), "bit varying");
    EXPECT_EQ(canon_type("varbit"), "bit varying");
    EXPECT_EQ(canon_type("varbit(7)"), "bit varying(7)");
}

TEST(CanonicalType, QuotedBitWithoutLengthIsNotBitOne) {
    // format_type(bit, -1) prints "bit" quoted: a bare bit would mean bit(1).
    EXPECT_EQ(canon_type("\"bit\""), "\"bit\"");
}

TEST(CanonicalType, OtherBuiltins) {
    EXPECT_EQ(canon_type("boolean"), "boolean");
    EXPECT_EQ(canon_type("bool"), "boolean");
    EXPECT_EQ(canon_type("uuid"), "uuid");
    EXPECT_EQ(canon_type("jsonb"), "jsonb");
    EXPECT_EQ(canon_type("json"), "json");
    EXPECT_EQ(canon_type("bytea"), "bytea");
    EXPECT_EQ(canon_type("inet"), "inet");
    EXPECT_EQ(canon_type("money"), "money");
    EXPECT_EQ(canon_type("tsvector"), "tsvector");
    EXPECT_EQ(canon_type("name"), "name");
    EXPECT_EQ(canon_type("oid"), "oid");
    EXPECT_EQ(canon_type("int4range"), "int4range");
}

TEST(CanonicalType, Arrays) {
    EXPECT_EQ(canon_type("int[]"), "integer[]");
    EXPECT_EQ(canon_type("int[][]"), "integer[]");
    EXPECT_EQ(canon_type("text[3]"), "text[]");
    EXPECT_EQ(canon_type("integer ARRAY"), "integer[]");
    EXPECT_EQ(canon_type("varchar(10)[]"), "character varying(10)[]");
    EXPECT_EQ(canon_type("timestamptz[]"), "timestamp with time zone[]");
    EXPECT_EQ(canon_type("numeric(10,2)[]"), "numeric(10,2)[]");
}

TEST(CanonicalType, QualifiedUserTypes) {
    EXPECT_EQ(canon_type("public.mood"), "public.mood");
    EXPECT_EQ(canon_type("app.status[]"), "app.status[]");
    EXPECT_EQ(canon_type("\"My Schema\".\"Mood\""), "\"My Schema\".\"Mood\"");
    EXPECT_EQ(canon_type("app.\"order\""), "app.\"order\"");
    // A qualified name wins over the lookup.
    EXPECT_EQ(canon_with_lookup("other.mood"), "other.mood");
}

TEST(CanonicalType, UnqualifiedUserTypesResolveThroughTheLookup) {
    EXPECT_EQ(canon_with_lookup("mood"), "public.mood");
    EXPECT_EQ(canon_with_lookup("mood[]"), "public.mood[]");
    EXPECT_EQ(canon_with_lookup("status"), "app.status");
}

TEST(CanonicalType, BuiltinsAreNotLookedUp) {
    bool called = false;
    TypeLookup spy = [&](const std::string&) -> std::optional<std::string> {
        called = true;
        return std::string("public");
    };
    EXPECT_EQ(canonical_type_text("text", spy), "text");
    EXPECT_EQ(canonical_type_text("int", spy), "integer");
    EXPECT_FALSE(called);
}

TEST(CanonicalType, UnresolvedUserTypesStayUnqualified) {
    EXPECT_EQ(canon_with_lookup("citext"), "citext");
    EXPECT_EQ(canon_type("mood"), "mood");
    EXPECT_EQ(canon_type("\"Mood\""), "\"Mood\"");
}

TEST(CanonicalType, TypmodsOnUserTypes) {
    EXPECT_EQ(canon_with_lookup("vector(384)"), "public.vector(384)");
    EXPECT_EQ(canon_type("extensions.vector(3)"), "extensions.vector(3)");
    EXPECT_EQ(canon_with_lookup("vector(384)[]"), "public.vector(384)[]");
}

TEST(CanonicalType, NotATypeIsAnError) {
    EXPECT_THROW(canon_type("int)"), pq::SqlSyntaxError);
    try {
        canon_type("int + 1");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code, k_exit_usage);
    }
}

TEST(CanonicalType, CanonicalFormsAreFixedPoints) {
    for (const char* text : {"integer", "character varying(20)", "timestamp(3) with time zone",
                             "time without time zone", "interval day to second(3)", "numeric(10,2)",
                             "bit varying(5)", "double precision", "character(5)", "integer[]",
                             "public.mood", "\"char\""}) {
        EXPECT_EQ(canon_type(text), text) << text;
    }
}

// A string modifier (a user type whose typmodin reads text) stays a literal,
// quoted: found by the short fuzzing run, where it lost its quotes.
TEST(CanonicalType, StringModifiersStayLiterals) {
    EXPECT_EQ(canon_with_lookup("vector('a''b \"c\"')"), "public.vector('a''b \"c\"')");
    EXPECT_EQ(canon_with_lookup("vector(3)"), "public.vector(3)");
}

TEST(IsBuiltinType, KnowsPgCatalogTypes) {
    EXPECT_TRUE(is_builtin_type("int4"));
    EXPECT_TRUE(is_builtin_type("text"));
    EXPECT_TRUE(is_builtin_type("jsonb"));
    EXPECT_FALSE(is_builtin_type("integer"));  // a grammar alias, not a pg_catalog type name
    EXPECT_FALSE(is_builtin_type("mood"));
    EXPECT_FALSE(is_builtin_type("serial"));
}

TEST(ElementType, StripsOneArraySuffix) {
    EXPECT_EQ(element_type("public.mood[]"), "public.mood");
    EXPECT_EQ(element_type("integer[]"), "integer");
    EXPECT_EQ(element_type("integer"), "integer");
    EXPECT_EQ(element_type("[]"), "[]");
}

TEST(ShortTypeName, AsAUserWritesIt) {
    EXPECT_EQ(short_type_name("timestamp with time zone"), "timestamptz");
    EXPECT_EQ(short_type_name("timestamp(3) with time zone"), "timestamptz(3)");
    EXPECT_EQ(short_type_name("timestamp without time zone"), "timestamp");
    EXPECT_EQ(short_type_name("time with time zone"), "timetz");
    EXPECT_EQ(short_type_name("time(2) without time zone"), "time(2)");
    EXPECT_EQ(short_type_name("character varying(20)"), "varchar(20)");
    EXPECT_EQ(short_type_name("character varying"), "varchar");
    EXPECT_EQ(short_type_name("character(2)[]"), "char(2)[]");
    EXPECT_EQ(short_type_name("bit varying(5)"), "varbit(5)");
    EXPECT_EQ(short_type_name("timestamp with time zone[]"), "timestamptz[]");
    for (const char* same : {"integer", "boolean", "double precision", "numeric(10,2)", "text", "public.mood",
                             "public.\"character varying\"", "bit(4)", "interval"})
        EXPECT_EQ(short_type_name(same), same);
}

}  // namespace
}  // namespace pgflux
