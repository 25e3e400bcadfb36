// Attribute checks of model documents, per kind.
#include "model/attribute_checks.h"

#include <string>

namespace pgflux {
namespace {

const std::initializer_list<FieldSpec> k_sequence_options = {
    {"start", FieldType::integer, true},     {"increment", FieldType::integer, true},
    {"min_value", FieldType::integer, true}, {"max_value", FieldType::integer, true},
    {"cache", FieldType::integer, true},     {"cycle", FieldType::boolean, true}};

void check_column(const JsonField& c) {
    check_fields(c, {{"name", FieldType::string, true}, {"type", FieldType::string, true},
                     {"not_null", FieldType::boolean, true}, {"default", FieldType::string, false},
                     {"generated", FieldType::string, false}, {"collation", FieldType::string, false},
                     {"comment", FieldType::string, false}, {"identity", FieldType::object, false}});
    if (c.has("identity")) {
        check_fields(c["identity"], {{"always", FieldType::boolean, true}, {"sequence", FieldType::object, true}});
        check_fields(c["identity"]["sequence"], {{"name", FieldType::string, true}});
        check_fields(c["identity"]["sequence"], k_sequence_options);
    }
}

void check_element(const JsonField& e, bool exclusion) {
    check_fields(e, {{"column", FieldType::string, false}, {"expression", FieldType::string, false},
                     {"collation", FieldType::string, false}, {"opclass", FieldType::string, false},
                     {"opclass_options", FieldType::strings, false}, {"descending", FieldType::boolean, true},
                     {"nulls_first", FieldType::boolean, true}, {"operator", FieldType::string, exclusion}});
    if (e.has("column") == e.has("expression")) e.fail("an element has either a column or an expression");
}

}  // namespace

void check_fields(const JsonField& f, std::initializer_list<FieldSpec> fields) {
    f.object();
    for (const FieldSpec& spec : fields) {
        if (!f.has(spec.name)) {
            if (spec.required) f[spec.name];  // reports "missing"
            continue;
        }
        JsonField v = f[spec.name];
        switch (spec.type) {
            case FieldType::string: v.string(); break;
            case FieldType::boolean: v.boolean(); break;
            case FieldType::integer: v.integer(); break;
            case FieldType::number:
                if (!v.value().is_number()) v.fail("expected a number");
                break;
            case FieldType::object: v.object(); break;
            case FieldType::array: v.array(); break;
            case FieldType::strings:
                for (size_t i = 0; i < v.array().size(); ++i) v[i].string();
                break;
        }
    }
}

void check_each(const JsonField& array, const std::function<void(const JsonField&)>& item) {
    for (size_t i = 0; i < array.array().size(); ++i) item(array[i]);
}

void check_one_of(const JsonField& f, std::initializer_list<const char*> values) {
    std::string value = f.string(), list;
    for (const char* v : values) {
        if (value == v) return;
        list += std::string(list.empty() ? "" : ", ") + v;
    }
    f.fail("unknown value \"" + value + "\" (expected one of: " + list + ")");
}

void check_schema(const JsonField&) {}

void check_extension(const JsonField& a) {
    check_fields(a, {{"schema", FieldType::string, true}, {"version", FieldType::string, false}});
}

void check_collation(const JsonField& a) {
    check_fields(a, {{"provider", FieldType::string, true}, {"deterministic", FieldType::boolean, true},
                     {"locale", FieldType::string, false}, {"lc_collate", FieldType::string, false},
                     {"lc_ctype", FieldType::string, false}});
}

void check_enum(const JsonField& a) { check_fields(a, {{"values", FieldType::strings, true}}); }

void check_sequence(const JsonField& a) {
    check_fields(a, {{"data_type", FieldType::string, true}, {"owned_by", FieldType::object, false}});
    check_fields(a, k_sequence_options);
    if (a.has("owned_by"))
        check_fields(a["owned_by"], {{"table", FieldType::string, true}, {"column", FieldType::string, true}});
}

void check_table(const JsonField& a) {
    check_fields(a, {{"unlogged", FieldType::boolean, true}, {"columns", FieldType::array, true}});
    check_each(a["columns"], check_column);
}

void check_constraint(const JsonField& a) {
    check_fields(a, {{"type", FieldType::string, true}, {"deferrable", FieldType::boolean, true},
                     {"initially_deferred", FieldType::boolean, true}, {"index_comment", FieldType::string, false}});
    std::string type = a["type"].string();
    if (type == "primary_key" || type == "unique") {
        check_fields(a, {{"columns", FieldType::strings, true}, {"include", FieldType::strings, true},
                         {"index_options", FieldType::strings, true},
                         {"nulls_not_distinct", FieldType::boolean, type == "unique"}});
    } else if (type == "check") {
        check_fields(a, {{"expression", FieldType::string, true}, {"no_inherit", FieldType::boolean, true},
                         {"not_valid", FieldType::boolean, true}});
    } else if (type == "foreign_key") {
        check_fields(a, {{"columns", FieldType::strings, true}, {"references", FieldType::object, true},
                         {"match", FieldType::string, true}, {"on_update", FieldType::string, true},
                         {"on_delete", FieldType::string, true}, {"on_delete_columns", FieldType::strings, false},
                         {"not_valid", FieldType::boolean, true}});
        check_fields(a["references"], {{"schema", FieldType::string, true}, {"table", FieldType::string, true},
                                       {"columns", FieldType::strings, true}});
    } else if (type == "exclusion") {
        check_fields(a, {{"method", FieldType::string, true}, {"elements", FieldType::array, true},
                         {"include", FieldType::strings, true}, {"index_options", FieldType::strings, true},
                         {"where", FieldType::string, false}});
        check_each(a["elements"], [](const JsonField& e) { check_element(e, true); });
    } else {
        a["type"].fail("unknown constraint type \"" + type + "\"");
    }
}

void check_index(const JsonField& a) {
    check_fields(a, {{"unique", FieldType::boolean, true}, {"method", FieldType::string, true},
                     {"elements", FieldType::array, true}, {"include", FieldType::strings, true},
                     {"where", FieldType::string, false}, {"nulls_not_distinct", FieldType::boolean, true},
                     {"options", FieldType::strings, true}, {"invalid", FieldType::boolean, false}});
    check_each(a["elements"], [](const JsonField& e) { check_element(e, false); });
}

}  // namespace pgflux
