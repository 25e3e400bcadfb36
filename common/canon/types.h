// Canonical type names, as format_type() prints them with an empty
// search_path: integer, character varying(20), timestamp(3) with time zone,
// public.order_status[]. Source TypeName nodes and live format_type() text
// both go through canonical_type, so the two sides agree by construction.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "sql/message.h"

namespace pgflux {

// Schema of the user-defined type an unqualified name resolves to, if any.
using TypeLookup = std::function<std::optional<std::string>(const std::string& name)>;

std::string canonical_type(const pq::Msg& type_name, const TypeLookup& lookup);
// A routine's argument or result type, as format_type(oid, NULL) prints it:
// PostgreSQL keeps no modifier there (varchar(10) is character varying).
// SETOF is kept ("SETOF public.users").
std::string canonical_routine_type(const pq::Msg& type_name, const TypeLookup& lookup);
// Canonical form of a type written as text ("int4", "public.mood[]").
std::string canonical_type_text(const std::string& text, const TypeLookup& lookup);
// Is `name` a type in pg_catalog (so an unqualified reference means it)?
bool is_builtin_type(const std::string& name);
// "public.mood[]" -> "public.mood"
std::string element_type(const std::string& canonical);
// A canonical built-in type as a user writes it, for summaries (drift
// lines), never for SQL: timestamp with time zone -> timestamptz,
// timestamp(3) without time zone -> timestamp(3), time with time zone ->
// timetz, character varying(20) -> varchar(20), character(2) -> char(2),
// bit varying(5) -> varbit(5); arrays keep their []; everything else
// (integer, boolean, double precision, numeric(10,2), user types) as it is.
std::string short_type_name(const std::string& canonical);

}  // namespace pgflux
