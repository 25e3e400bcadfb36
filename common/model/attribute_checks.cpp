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

void check_arguments(const JsonField& a) {
    check_each(a["arguments"], [](const JsonField& arg) {
        check_fields(arg, {{"mode", FieldType::string, true}, {"name", FieldType::string, false},
                           {"type", FieldType::string, true}, {"default", FieldType::string, false}});
        check_one_of(arg["mode"], {"in", "out", "inout", "variadic", "table"});
    });
}

void check_enabled(const JsonField& a) {
    check_fields(a, {{"enabled", FieldType::string, true}});
    check_one_of(a["enabled"], {"origin", "disabled", "replica", "always"});
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

void check_options_object(const JsonField& options) {
    for (auto it = options.object().begin(); it != options.object().end(); ++it) options[it.key()].string();
}

void check_foreign_data_wrapper(const JsonField& a) {
    check_fields(a, {{"handler", FieldType::string, false}, {"validator", FieldType::string, false},
                     {"options", FieldType::object, true}});
    check_options_object(a["options"]);
}

void check_server(const JsonField& a) {
    check_fields(a, {{"wrapper", FieldType::string, true}, {"type", FieldType::string, false},
                     {"version", FieldType::string, false}, {"options", FieldType::object, true}});
    check_options_object(a["options"]);
}

void check_user_mapping(const JsonField& a) {
    check_fields(a, {{"options", FieldType::object, true}, {"secret_options", FieldType::strings, true},
                     {"secret_values", FieldType::object, false}});
    check_options_object(a["options"]);
    if (a.has("secret_values")) check_options_object(a["secret_values"]);
}

void check_publication(const JsonField& a) {
    check_fields(a, {{"all_tables", FieldType::boolean, true}, {"tables", FieldType::array, true},
                     {"schemas", FieldType::strings, true}, {"publish", FieldType::strings, true},
                     {"via_root", FieldType::boolean, true}});
    check_each(a["publish"], [](const JsonField& p) { check_one_of(p, {"insert", "update", "delete", "truncate"}); });
    check_each(a["tables"], [](const JsonField& t) {
        check_fields(t, {{"schema", FieldType::string, true}, {"table", FieldType::string, true},
                         {"columns", FieldType::strings, false}, {"where", FieldType::string, false}});
    });
}

void check_default_privilege(const JsonField& a) { check_fields(a, {{"acl", FieldType::object, true}}); }

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
    check_fields(a, {{"unlogged", FieldType::boolean, true}, {"columns", FieldType::array, true},
                     {"row_security", FieldType::boolean, false}, {"force_row_security", FieldType::boolean, false}});
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

namespace pgflux {

void check_routine(const JsonField& a) {
    check_fields(a, {{"arguments", FieldType::array, true}, {"returns", FieldType::string, false},
                     {"language", FieldType::string, true}, {"body", FieldType::string, false},
                     {"sql_body", FieldType::string, false}, {"library", FieldType::string, false},
                     {"volatility", FieldType::string, true}, {"strict", FieldType::boolean, true},
                     {"security_definer", FieldType::boolean, true}, {"leakproof", FieldType::boolean, true},
                     {"parallel", FieldType::string, true}, {"cost", FieldType::number, true},
                     {"rows", FieldType::number, true}, {"window", FieldType::boolean, true},
                     {"config", FieldType::strings, true}});
    check_arguments(a);
    check_one_of(a["volatility"], {"volatile", "stable", "immutable"});
    check_one_of(a["parallel"], {"unsafe", "restricted", "safe"});
    if (a.has("body") == a.has("sql_body")) a.fail("a routine has either a \"body\" or a \"sql_body\"");
}

void check_aggregate(const JsonField& a) {
    check_fields(a, {{"arguments", FieldType::array, true}, {"kind", FieldType::string, true},
                     {"direct_arguments", FieldType::integer, true}, {"sfunc", FieldType::string, true},
                     {"stype", FieldType::string, true}, {"sspace", FieldType::integer, true},
                     {"finalfunc", FieldType::string, false}, {"finalfunc_extra", FieldType::boolean, true},
                     {"finalfunc_modify", FieldType::string, true}, {"combinefunc", FieldType::string, false},
                     {"serialfunc", FieldType::string, false}, {"deserialfunc", FieldType::string, false},
                     {"initcond", FieldType::string, false}, {"msfunc", FieldType::string, false},
                     {"minvfunc", FieldType::string, false}, {"mstype", FieldType::string, false},
                     {"msspace", FieldType::integer, true}, {"mfinalfunc", FieldType::string, false},
                     {"mfinalfunc_extra", FieldType::boolean, true}, {"mfinalfunc_modify", FieldType::string, true},
                     {"minitcond", FieldType::string, false}, {"sortop", FieldType::string, false},
                     {"parallel", FieldType::string, true}});
    check_arguments(a);
    check_one_of(a["kind"], {"normal", "ordered_set", "hypothetical"});
    check_one_of(a["finalfunc_modify"], {"read_only", "shareable", "read_write"});
    check_one_of(a["mfinalfunc_modify"], {"read_only", "shareable", "read_write"});
    check_one_of(a["parallel"], {"unsafe", "restricted", "safe"});
}

void check_view(const JsonField& a) {
    check_fields(a, {{"query", FieldType::string, true}, {"columns", FieldType::array, false},
                     {"options", FieldType::strings, true}, {"column_comments", FieldType::object, false},
                     {"column_defaults", FieldType::object, false}, {"with_data", FieldType::boolean, false}});
    if (a.has("columns"))
        check_each(a["columns"], [](const JsonField& c) {
            check_fields(c, {{"name", FieldType::string, true}, {"type", FieldType::string, false}});
        });
    for (const char* map : {"column_comments", "column_defaults"})
        if (a.has(map))
            for (auto it = a[map].object().begin(); it != a[map].object().end(); ++it) a[map][it.key()].string();
}

void check_trigger(const JsonField& a) {
    check_fields(a, {{"timing", FieldType::string, true}, {"events", FieldType::strings, true},
                     {"columns", FieldType::strings, true}, {"level", FieldType::string, true},
                     {"when", FieldType::string, false}, {"function", FieldType::string, true},
                     {"arguments", FieldType::strings, true}, {"referencing", FieldType::object, false},
                     {"constraint", FieldType::boolean, true}, {"deferrable", FieldType::boolean, true},
                     {"initially_deferred", FieldType::boolean, true}, {"from", FieldType::string, false}});
    check_one_of(a["timing"], {"before", "after", "instead_of"});
    check_one_of(a["level"], {"row", "statement"});
    for (size_t i = 0; i < a["events"].array().size(); ++i)
        check_one_of(a["events"][i], {"insert", "delete", "update", "truncate"});
    if (a.has("referencing"))
        check_fields(a["referencing"], {{"old_table", FieldType::string, false}, {"new_table", FieldType::string, false}});
    check_enabled(a);
}

void check_rule(const JsonField& a) {
    check_fields(a, {{"event", FieldType::string, true}, {"instead", FieldType::boolean, true},
                     {"where", FieldType::string, false}, {"actions", FieldType::strings, true}});
    check_one_of(a["event"], {"select", "insert", "update", "delete"});
}

void check_policy(const JsonField& a) {
    check_fields(a, {{"permissive", FieldType::boolean, true}, {"command", FieldType::string, true},
                     {"roles", FieldType::strings, true}, {"using", FieldType::string, false},
                     {"check", FieldType::string, false}});
    check_one_of(a["command"], {"all", "select", "insert", "update", "delete"});
}

void check_event_trigger(const JsonField& a) {
    check_fields(a, {{"event", FieldType::string, true}, {"tags", FieldType::strings, true},
                     {"function", FieldType::string, true}});
    check_enabled(a);
}

void check_operator(const JsonField& a) {
    check_fields(a, {{"left", FieldType::string, false}, {"right", FieldType::string, true},
                     {"function", FieldType::string, true}, {"commutator", FieldType::string, false},
                     {"negator", FieldType::string, false}, {"restrict", FieldType::string, false},
                     {"join", FieldType::string, false}, {"hashes", FieldType::boolean, true},
                     {"merges", FieldType::boolean, true}});
}

void check_cast(const JsonField& a) {
    check_fields(a, {{"source", FieldType::string, true}, {"target", FieldType::string, true},
                     {"method", FieldType::string, true}, {"function", FieldType::string, false},
                     {"context", FieldType::string, true}});
    check_one_of(a["method"], {"function", "binary", "inout"});
    check_one_of(a["context"], {"explicit", "assignment", "implicit"});
    if ((a["method"].string() == "function") != a.has("function"))
        a.fail("a cast has a \"function\" exactly when its method is \"function\"");
}

void check_ts_dictionary(const JsonField& a) {
    check_fields(a, {{"template", FieldType::string, true}, {"options", FieldType::object, true}});
    for (auto it = a["options"].object().begin(); it != a["options"].object().end(); ++it) a["options"][it.key()].string();
}

void check_ts_configuration(const JsonField& a) {
    check_fields(a, {{"parser", FieldType::string, true}, {"mappings", FieldType::object, true}});
    for (auto it = a["mappings"].object().begin(); it != a["mappings"].object().end(); ++it)
        check_fields(a["mappings"], {{it.key().c_str(), FieldType::strings, true}});
}

}  // namespace pgflux
