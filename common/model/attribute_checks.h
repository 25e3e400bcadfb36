// Checks of the attributes in model documents (untrusted input): each kind's
// check (kinds/kinds.h) says which keys it knows and their JSON types, and
// fails naming the document and the field. Unknown keys are allowed.
#pragma once

#include <functional>
#include <initializer_list>

#include "util/document.h"

namespace pgflux {

enum class FieldType { string, boolean, integer, number, strings, object, array };

struct FieldSpec {
    const char* name;
    FieldType type;
    bool required;
};

// Fails unless `f` is an object whose known keys have their types.
void check_fields(const JsonField& f, std::initializer_list<FieldSpec> fields);
// Runs `item` on every element of an array field.
void check_each(const JsonField& array, const std::function<void(const JsonField&)>& item);
void check_unique_names(const JsonField& array);
// Fails unless the string field is one of `values`.
void check_one_of(const JsonField& f, std::initializer_list<const char*> values);

// The checks of the kinds (attributes.h describes them).
void check_schema(const JsonField& a);
void check_default_privilege(const JsonField& a);
void check_foreign_data_wrapper(const JsonField& a);
void check_server(const JsonField& a);
void check_user_mapping(const JsonField& a);
void check_publication(const JsonField& a);
void check_foreign_table(const JsonField& a);
void check_extension(const JsonField& a);
void check_collation(const JsonField& a);
void check_enum(const JsonField& a);
void check_range_type(const JsonField& a);
void check_domain(const JsonField& a);
void check_composite_type(const JsonField& a);
void check_sequence(const JsonField& a);
void check_table(const JsonField& a);
void check_constraint(const JsonField& a);
void check_index(const JsonField& a);
void check_routine(const JsonField& a);
void check_aggregate(const JsonField& a);
void check_view(const JsonField& a);
void check_trigger(const JsonField& a);
void check_rule(const JsonField& a);
void check_policy(const JsonField& a);
void check_event_trigger(const JsonField& a);
void check_statistics(const JsonField& a);
void check_operator(const JsonField& a);
void check_cast(const JsonField& a);
void check_ts_dictionary(const JsonField& a);
void check_ts_configuration(const JsonField& a);

}  // namespace pgflux
