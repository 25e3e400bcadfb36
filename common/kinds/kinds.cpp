// The table of object kinds, in creation rank (the order of model.h's Kind).
#include "kinds/kinds.h"

#include "catalog/catalog.h"
#include "diff/differ_internal.h"
#include "model/attribute_checks.h"
#include "util/error.h"

namespace pgflux {
namespace {

using namespace diff;

// clang-format off
const std::vector<KindSpec> k_kinds = {
//   kind                     name                 keyword              naming                   schema relation top    blocks
    {Kind::schema,            "schema",            "SCHEMA",            Naming::plain,           false, false,   true,  false,
     check_schema,            catalog::read_schemas,            k_schema_diff},
    {Kind::default_privilege, "default_privilege", "DEFAULT PRIVILEGES", Naming::defaults,      false, false,   false, false,
     check_default_privilege, catalog::read_default_privileges, k_default_privilege_diff},
    {Kind::extension,         "extension",         "EXTENSION",         Naming::plain,           false, false,   true,  false,
     check_extension,         catalog::read_extensions,         k_extension_diff},
    {Kind::collation,         "collation",         "COLLATION",         Naming::qualified,       true,  false,   true,  false,
     check_collation,         catalog::read_collations,         k_collation_diff},
    {Kind::enumeration,       "enum",              "TYPE",              Naming::qualified,       true,  false,   true,  false,
     check_enum,              catalog::read_enums,              k_enum_diff},
    {Kind::range_type,        "range_type",        "TYPE",              Naming::qualified,       true,  false,   true,  false,
     check_range_type,        catalog::read_range_types,        k_range_type_diff},
    {Kind::domain,            "domain",            "DOMAIN",            Naming::qualified,       true,  false,   true,  false,
     check_domain,            catalog::read_domains,            k_domain_diff},
    {Kind::composite_type,    "composite_type",    "TYPE",              Naming::qualified,       true,  false,   true,  false,
     check_composite_type,    catalog::read_composite_types,    k_composite_type_diff},
    {Kind::sequence,          "sequence",          "SEQUENCE",          Naming::qualified,       true,  false,   true,  false,
     check_sequence,          catalog::read_sequences,          k_sequence_diff},
    {Kind::function,          "function",          "FUNCTION",          Naming::routine,         true,  false,   true,  true,
     check_routine,           catalog::read_functions,          k_function_diff},
    {Kind::procedure,         "procedure",         "PROCEDURE",         Naming::routine,         true,  false,   true,  true,
     check_routine,           catalog::read_procedures,         k_procedure_diff},
    {Kind::aggregate,         "aggregate",         "AGGREGATE",         Naming::routine,         true,  false,   true,  false,
     check_aggregate,         catalog::read_aggregates,         k_aggregate_diff},
    {Kind::operator_,         "operator",          "OPERATOR",          Naming::operator_,       true,  false,   false, false,
     check_operator,          catalog::read_operators,          k_operator_diff},
    {Kind::cast,              "cast",              "CAST",              Naming::cast,            false, false,   false, false,
     check_cast,              catalog::read_casts,              k_cast_diff},
    {Kind::text_search_dictionary, "text_search_dictionary", "TEXT SEARCH DICTIONARY", Naming::qualified, true, false, false, false,
     check_ts_dictionary,     catalog::read_ts_dictionaries,    k_ts_dictionary_diff},
    {Kind::text_search_configuration, "text_search_configuration", "TEXT SEARCH CONFIGURATION", Naming::qualified, true, false, false, false,
     check_ts_configuration,  catalog::read_ts_configurations,  k_ts_configuration_diff},
    {Kind::foreign_data_wrapper, "foreign_data_wrapper", "FOREIGN DATA WRAPPER", Naming::plain, false, false, true, false,
     check_foreign_data_wrapper, catalog::read_foreign_data_wrappers, k_foreign_data_wrapper_diff},
    {Kind::server,            "server",            "SERVER",            Naming::plain,           false, false,   true,  false,
     check_server,            catalog::read_servers,            k_server_diff},
    {Kind::user_mapping,      "user_mapping",      "USER MAPPING",      Naming::mapping,         false, false,   false, false,
     check_user_mapping,      catalog::read_user_mappings,      k_user_mapping_diff},
    {Kind::table,             "table",             "TABLE",             Naming::qualified,       true,  false,   true,  false,
     check_table,             catalog::read_tables,             k_table_diff},
    {Kind::foreign_table,     "foreign_table",     "FOREIGN TABLE",     Naming::qualified,       true,  false,   true,  false,
     check_foreign_table,     catalog::read_foreign_tables,     k_foreign_table_diff},
    {Kind::view,              "view",              "VIEW",              Naming::qualified,       true,  false,   true,  true,
     check_view,              catalog::read_views,              k_view_diff},
    {Kind::materialized_view, "materialized_view", "MATERIALIZED VIEW", Naming::qualified,       true,  false,   true,  true,
     check_view,              catalog::read_materialized_views, k_materialized_view_diff},
    {Kind::constraint,        "constraint",        "CONSTRAINT",        Naming::within_relation, true,  true,    false, false,
     check_constraint,        catalog::read_constraints,        k_constraint_diff},
    {Kind::index,             "index",             "INDEX",             Naming::qualified,       true,  true,    false, false,
     check_index,             catalog::read_indexes,            k_index_diff},
    {Kind::rule,              "rule",              "RULE",              Naming::within_relation, true,  true,    false, true,
     check_rule,              catalog::read_rules,              k_rule_diff},
    {Kind::trigger,           "trigger",           "TRIGGER",           Naming::within_relation, true,  true,    false, true,
     check_trigger,           catalog::read_triggers,           k_trigger_diff},
    {Kind::policy,            "policy",            "POLICY",            Naming::within_relation, true,  true,    false, true,
     check_policy,            catalog::read_policies,           k_policy_diff},
    {Kind::event_trigger,     "event_trigger",     "EVENT TRIGGER",     Naming::plain,           false, false,   true,  false,
     check_event_trigger,     catalog::read_event_triggers,     k_event_trigger_diff},
    {Kind::publication,       "publication",       "PUBLICATION",       Naming::plain,           false, false,   true,  false,
     check_publication,       catalog::read_publications,       k_publication_diff},
    {Kind::statistics,        "statistics",        "STATISTICS",        Naming::qualified,       true,  true,    false, true,
     check_statistics,        catalog::read_statistics,         k_statistics_diff},
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
