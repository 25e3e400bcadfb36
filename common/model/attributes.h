// Attributes of each object kind, in canonical form. Both flux-parse and
// flux-snapshot build them through the helpers in canon/definitions.h, so a
// key spelled here is spelled the same on both sides. Absent optional keys
// mean "none" (no comment, no default, ...).
//
// schema      {comment?}
// extension   {schema, version?, comment?}        parsed: version only when
//              pinned; snapshot and shadow: the installed version
// collation   {provider: "libc"|"icu", locale?, lc_collate?, lc_ctype?,
//              deterministic, comment?}
// enum        {values: [..], comment?}
// range_type  {subtype, subtype_opclass? (not the subtype's default),
//              collation? (not the subtype's), canonical?, subtype_diff?,
//              multirange (the multirange type's name, in the same schema),
//              comment?}
// domain      {type (the base type), collation? (not the base type's),
//              default?, not_null, checks: {name: expression},
//              check_comments?: {name: text}, comment?}
// composite_type {attributes: [{name, type, collation?, comment?}..] (in
//              row order), comment?}
// sequence    {data_type, start, increment, min_value, max_value, cache, cycle,
//              owned_by?: {table, column}, comment?}
// table       {unlogged, columns: [column..], options? (storage parameters,
//              sorted name=value), replica_identity? ("full"|"nothing"|"index"),
//              replica_identity_index?, comment?}
//   column    {name, type, not_null, default?, generated?, collation?,
//              identity?: {always, sequence: {name, start, increment,
//              min_value, max_value, cache, cycle}}, storage? (not the
//              type's), statistics? (not -1), comment?}
// constraint  {type: "primary_key"|"unique"|"check"|"foreign_key"|"exclusion",
//              deferrable, initially_deferred, comment?, and by type:
//              primary_key/unique: columns, include, index_options,
//                                  nulls_not_distinct (unique), index_comment?
//              check:       expression, no_inherit, not_valid
//              foreign_key: columns, references: {schema, table, columns},
//                           match, on_update, on_delete, on_delete_columns?
//                           (ON DELETE SET NULL (cols)), not_valid
//              exclusion:   method, elements, include, index_options, where?,
//                           index_comment?}
//              (index_comment: COMMENT ON INDEX for the backing index)
// index       {unique, method, elements: [element..], include, where?,
//              nulls_not_distinct, options, invalid? (live side: a failed
//              CREATE INDEX CONCURRENTLY), comment?}
//   element   {column | expression, collation?, opclass?, opclass_options?,
//              descending, nulls_first, operator? (exclusion only),
//              statistics? (index expression columns)}
#pragma once

#include "model/model.h"

namespace pgflux {

// Index of a column in a table's attrs["columns"], or -1.
int column_index(const json& table_attrs, const std::string& column);

}  // namespace pgflux
