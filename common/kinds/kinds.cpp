// The table of object kinds, in creation rank (the order of model.h's Kind).
#include "kinds/kinds.h"

#include "catalog/catalog.h"
#include "diff/differ_internal.h"
#include "model/attribute_checks.h"
#include "util/error.h"

namespace pgflux {
namespace {

using diff::k_collation_diff;
using diff::k_constraint_diff;
using diff::k_enum_diff;
using diff::k_extension_diff;
using diff::k_index_diff;
using diff::k_schema_diff;
using diff::k_sequence_diff;
using diff::k_table_diff;

// clang-format off
const std::vector<KindSpec> k_kinds = {
//   kind               name          keyword       naming                    schema relation top    blocks
    {Kind::schema,      "schema",     "SCHEMA",     Naming::plain,            false, false,   true,  false,
     check_schema,      catalog::read_schemas,      k_schema_diff},
    {Kind::extension,   "extension",  "EXTENSION",  Naming::plain,            false, false,   true,  false,
     check_extension,   catalog::read_extensions,   k_extension_diff},
    {Kind::collation,   "collation",  "COLLATION",  Naming::qualified,        true,  false,   true,  false,
     check_collation,   catalog::read_collations,   k_collation_diff},
    {Kind::enumeration, "enum",       "TYPE",       Naming::qualified,        true,  false,   true,  false,
     check_enum,        catalog::read_enums,        k_enum_diff},
    {Kind::sequence,    "sequence",   "SEQUENCE",   Naming::qualified,        true,  false,   true,  false,
     check_sequence,    catalog::read_sequences,    k_sequence_diff},
    {Kind::table,       "table",      "TABLE",      Naming::qualified,        true,  false,   true,  false,
     check_table,       catalog::read_tables,       k_table_diff},
    {Kind::constraint,  "constraint", "CONSTRAINT", Naming::within_relation,  true,  true,    false, false,
     check_constraint,  catalog::read_constraints,  k_constraint_diff},
    {Kind::index,       "index",      "INDEX",      Naming::qualified,        true,  true,    false, false,
     check_index,       catalog::read_indexes,      k_index_diff},
};
// clang-format on

}  // namespace

const std::vector<KindSpec>& all_kinds() { return k_kinds; }

const KindSpec& kind_spec(Kind kind) {
    const KindSpec& spec = k_kinds.at(static_cast<size_t>(kind));
    if (spec.kind != kind) fail(k_exit_internal, "the table of kinds is out of order");
    return spec;
}

}  // namespace pgflux
