// pg-flux dump: a live database written as schema files. The statements are
// the plan that creates the database's model from nothing (flux-diff
// --from-nothing), so reading the files back gives the same model; this
// module only lays them out in files.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "diff/plan.h"
#include "model/model.h"

namespace pgflux {

// flat: one file, schema.sql. per-schema: a file per schema (<schema>.sql),
// and 0_database.sql for what belongs to no schema (extensions, casts, event
// triggers, foreign data wrappers, servers, user mappings, publications,
// default privileges of every schema). per-kind: a directory per schema (and
// 0_database/) with a file per kind (tables.sql, views.sql, functions.sql,
// ...); constraints, indexes, triggers, rules and policies go with their
// table, view or domain.
enum class DumpLayout { flat, per_schema, per_kind };

// "flat", "per-schema" or "per-kind"; anything else is a usage error.
DumpLayout dump_layout(const std::string& name);

// A name as a file name: kept when it is a plain lower-case identifier
// ([a-z_][a-z0-9_]*), else each byte outside [a-z0-9_] (and a leading digit)
// written @XX (hexadecimal). Names differing only in case get different file
// names (so case-insensitive file systems keep them apart), no name becomes
// "." or "..", and none collides with 0_database, which starts with a digit
// and sorts before them all ('@' sorts after the digits; '%' would not).
std::string dump_file_name(const std::string& name);

// The files of the dump: relative path -> content, in the plan's (dependency)
// order within each file. `plan` creates the model from nothing.
std::map<std::string, std::string> dump_files(const Plan& plan, DumpLayout layout);

// A snapshot never has the values of user mappings' secret options
// (passwords): each becomes a '${VARIABLE}' reference, as schema files write
// them. Returns a message per reference made, naming its variable.
std::vector<std::string> reference_secrets(Model& model);

}  // namespace pgflux
