// Attribute checks of model documents, per kind.
#include "model/attribute_checks.h"

#include <cctype>
#include <set>
#include <string>
#include <unordered_set>

#include "canon/expressions.h"
#include "sql/parser.h"

namespace pgflux {
namespace {

const std::initializer_list<FieldSpec> k_sequence_options = {
    {"start", FieldType::integer, true},     {"increment", FieldType::integer, true},
    {"min_value", FieldType::integer, true}, {"max_value", FieldType::integer, true},
    {"cache", FieldType::integer, true},     {"cycle", FieldType::boolean, true}};

// A statistics target other than the default (-1, not stored): 0 to 10000.
void check_statistics_target(const JsonField& target) {
    int64_t value = target.integer();
    if (value < 0 || value > 10000) target.fail("a statistics target is between 0 and 10000");
}

// A storage parameter as stored: name=value, the name a plain lower-case word
// (it is written into SQL as is; the value is quoted), the value a number or
// a word, as PostgreSQL's parameters take.
void check_options(const JsonField& options) {
    for (size_t i = 0; i < options.array().size(); ++i) {
        std::string text = options[i].string();
        size_t eq = text.find('=');
        std::string name = text.substr(0, eq);
        bool plain = !name.empty() && eq != std::string::npos && eq + 1 < text.size();
        for (char c : name) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
        for (char c : text.substr(eq == std::string::npos ? text.size() : eq + 1))
            plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+');
        if (!plain) options[i].fail("a storage parameter is name=value with a lower-case name and a number or word");
    }
}

// A column's or attribute's name: 1 to 63 bytes, no NUL.
void check_column_name(const JsonField& f) {
    std::string name = f.string();
    if (name.empty() || name.size() > 63 || name.find('\0') != std::string::npos)
        f.fail("a name is 1 to 63 bytes without a NUL byte");
}

// A string field that must be exactly one type name ("integer",
// "public.mood[]"): it is pasted into DDL.
// A large model repeats the same types and expressions on every table: the
// texts accepted so far are remembered, and each is parsed once per process.
void check_type_text(const JsonField& f) {
    static std::unordered_set<std::string> accepted;
    std::string text = f.string();
    if (accepted.count(text)) return;
    bool ok = false;
    try {
        pq::ParsedExpression parsed = pq::parse_expression("NULL::" + text);
        const pq::Msg& e = parsed.expr;
        ok = e.is("TypeCast") && e.get("arg").is("A_Const") && e.get("arg").flag("isnull");
    } catch (const std::exception&) {
    }
    if (!ok) f.fail("not a type name: " + text);
    accepted.insert(std::move(text));
}

// A string field that must be exactly one expression.
void check_expression_text(const JsonField& f) {
    static std::unordered_set<std::string> accepted;
    std::string text = f.string();
    if (accepted.count(text)) return;
    try {
        pq::parse_expression(text);
    } catch (const std::exception&) {
        f.fail("not a single expression: " + text);
    }
    accepted.insert(std::move(text));
}

// A string field that must be one possibly qualified name ("public.f", "\"C\"").
void check_name_text(const JsonField& f) {
    std::string text = f.string();
    bool ok = false;
    try {
        pq::ParsedExpression parsed = pq::parse_expression(text);
        const pq::Msg& e = parsed.expr;
        ok = e.is("ColumnRef") && !e.list("fields").empty() && e.list("fields").size() <= 2;
        for (const pq::Msg& field : e.list("fields")) ok = ok && field.is("String");
    } catch (const std::exception&) {
    }
    if (!ok) f.fail("not a name: " + text);
}

// A string field that must be one operator name ("=", "&&",
// "public.===" or "OPERATOR(public.===)"): it is pasted after WITH.
void check_operator_text(const JsonField& f) {
    std::string text = f.string();
    bool ok = false;
    try {
        pq::ParsedExpression parsed = pq::parse_expression("1 " + text + " 1");
        ok = parsed.expr.is("A_Expr") && parsed.expr.enumeration("kind") == "AEXPR_OP";
    } catch (const std::exception&) {
    }
    if (!ok) f.fail("not an operator: " + text);
}

// A routine's result type: a type name, or SETOF and one.
void check_returns_text(const JsonField& f) {
    std::string text = f.string();
    if (text.rfind("SETOF ", 0) == 0) text = text.substr(6);
    bool ok = false;
    try {
        pq::ParsedExpression parsed = pq::parse_expression("NULL::" + text);
        ok = parsed.expr.is("TypeCast") && parsed.expr.get("arg").is("A_Const");
    } catch (const std::exception&) {
    }
    if (!ok) f.fail("not a result type: " + f.string());
}

// A string field that must be exactly one statement of `type` once `prefix`
// is put before it (a view's query, a routine's BEGIN ATOMIC body).
void check_statement_text(const JsonField& f, const std::string& prefix, const std::string& type,
                          const std::string& what) {
    bool ok = false;
    try {
        auto parsed = pq::ParseResult::parse(prefix + f.string());
        ok = parsed->statements().size() == 1 && parsed->statements()[0].node.is(type);
    } catch (const std::exception&) {
    }
    if (!ok) f.fail("not " + what);
}

void check_column(const JsonField& c) {
    check_fields(c, {{"name", FieldType::string, true}, {"type", FieldType::string, true},
                     {"not_null", FieldType::boolean, true}, {"default", FieldType::string, false},
                     {"generated", FieldType::string, false}, {"collation", FieldType::string, false},
                     {"comment", FieldType::string, false}, {"identity", FieldType::object, false},
                     {"storage", FieldType::string, false}, {"statistics", FieldType::integer, false},
                     {"inherited", FieldType::boolean, false}});
    check_column_name(c["name"]);
    if (c.has("storage")) check_one_of(c["storage"], {"plain", "external", "extended", "main"});
    if (c.has("statistics")) check_statistics_target(c["statistics"]);
    check_type_text(c["type"]);
    for (const char* key : {"default", "generated"})
        if (c.has(key)) check_expression_text(c[key]);
    if (c.has("collation")) check_name_text(c["collation"]);
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
                     {"nulls_first", FieldType::boolean, true}, {"operator", FieldType::string, exclusion},
                     {"statistics", FieldType::integer, false}});
    if (e.has("statistics")) check_statistics_target(e["statistics"]);
    if (e.has("column") == e.has("expression")) e.fail("an element has either a column or an expression");
    if (e.has("expression")) check_expression_text(e["expression"]);
    for (const char* key : {"collation", "opclass"})
        if (e.has(key)) check_name_text(e[key]);
    if (e.has("operator")) check_operator_text(e["operator"]);
}

void check_arguments(const JsonField& a) {
    check_each(a["arguments"], [](const JsonField& arg) {
        check_fields(arg, {{"mode", FieldType::string, true}, {"name", FieldType::string, false},
                           {"type", FieldType::string, true}, {"default", FieldType::string, false}});
        check_one_of(arg["mode"], {"in", "out", "inout", "variadic", "table"});
        check_type_text(arg["type"]);
        if (arg.has("default")) check_expression_text(arg["default"]);
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

// After check_each: the "name" of each item of `array` (columns, attributes)
// is unique; the differ finds them by name.
void check_unique_names(const JsonField& array) {
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < array.array().size(); ++i)
        if (!seen.insert(array[i]["name"].string()).second)
            array[i]["name"].fail("a second item named \"" + array[i]["name"].string() + "\"");
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
    for (const char* f : {"handler", "validator"})
        if (a.has(f)) check_name_text(a[f]);  // pasted into DDL
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
        if (t.has("where")) check_expression_text(t["where"]);
    });
}

void check_foreign_table(const JsonField& a) {
    check_fields(a, {{"server", FieldType::string, true}, {"options", FieldType::object, true},
                     {"columns", FieldType::array, true}, {"column_comments", FieldType::object, false}});
    check_options_object(a["options"]);
    check_each(a["columns"], [](const JsonField& c) {
        check_fields(c, {{"name", FieldType::string, true}, {"type", FieldType::string, true},
                         {"not_null", FieldType::boolean, true}, {"default", FieldType::string, false},
                         {"collation", FieldType::string, false}, {"options", FieldType::object, true}});
        check_options_object(c["options"]);
        check_type_text(c["type"]);
        if (c.has("default")) check_expression_text(c["default"]);
        if (c.has("collation")) check_name_text(c["collation"]);
    });
    check_unique_names(a["columns"]);
}

void check_default_privilege(const JsonField& a) { check_fields(a, {{"acl", FieldType::object, true}}); }

void check_extension(const JsonField& a) {
    check_fields(a, {{"schema", FieldType::string, true}, {"version", FieldType::string, false}});
}

void check_collation(const JsonField& a) {
    check_fields(a, {{"provider", FieldType::string, true}, {"deterministic", FieldType::boolean, true},
                     {"locale", FieldType::string, false}, {"lc_collate", FieldType::string, false},
                     {"lc_ctype", FieldType::string, false}});
    check_one_of(a["provider"], {"libc", "icu"});  // written into CREATE COLLATION as a keyword
}

// An enum's labels: distinct, 1 to 63 bytes, no NUL (as PostgreSQL stores them).
void check_enum(const JsonField& a) {
    check_fields(a, {{"values", FieldType::strings, true}});
    std::set<std::string> seen;
    for (size_t i = 0; i < a["values"].array().size(); ++i) {
        std::string label = a["values"][i].string();
        if (label.empty() || label.size() > 63 || label.find('\0') != std::string::npos)
            a["values"][i].fail("an enum label is 1 to 63 bytes without a NUL byte");
        if (!seen.insert(label).second) a["values"][i].fail("duplicate enum label \"" + label + "\"");
    }
}

// An index access method: one lower-case word ("btree", "gist").
static void check_method(const JsonField& f) {
    std::string m = f.string();
    bool ok = !m.empty() && m.size() <= 63;
    for (char c : m) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) f.fail("not an access method name: " + m);
}

void check_range_type(const JsonField& a) {
    check_fields(a, {{"subtype", FieldType::string, true}, {"subtype_opclass", FieldType::string, false},
                     {"collation", FieldType::string, false}, {"canonical", FieldType::string, false},
                     {"subtype_diff", FieldType::string, false}, {"multirange", FieldType::string, true}});
    check_type_text(a["subtype"]);
    for (const char* key : {"subtype_opclass", "collation", "canonical", "subtype_diff"})
        if (a.has(key)) check_name_text(a[key]);
}

void check_domain(const JsonField& a) {
    check_fields(a, {{"type", FieldType::string, true}, {"collation", FieldType::string, false},
                     {"default", FieldType::string, false}, {"not_null", FieldType::boolean, true},
                     {"checks", FieldType::object, true}, {"check_comments", FieldType::object, false}});
    check_type_text(a["type"]);
    if (a.has("collation")) check_name_text(a["collation"]);
    if (a.has("default")) check_expression_text(a["default"]);
    for (auto it = a["checks"].object().begin(); it != a["checks"].object().end(); ++it)
        check_expression_text(a["checks"][it.key()]);
    if (a.has("check_comments"))
        for (auto it = a["check_comments"].object().begin(); it != a["check_comments"].object().end(); ++it) {
            a["check_comments"][it.key()].string();
            if (!a["checks"].has(it.key())) a["check_comments"][it.key()].fail("a comment on a check the domain does not have");
        }
}

void check_composite_type(const JsonField& a) {
    check_fields(a, {{"attributes", FieldType::array, true}});
    check_each(a["attributes"], [](const JsonField& attribute) {
        check_fields(attribute, {{"name", FieldType::string, true}, {"type", FieldType::string, true},
                                 {"collation", FieldType::string, false}, {"comment", FieldType::string, false}});
        check_type_text(attribute["type"]);
        if (attribute.has("collation")) check_name_text(attribute["collation"]);
    });
    check_unique_names(a["attributes"]);
}

void check_sequence(const JsonField& a) {
    check_fields(a, {{"data_type", FieldType::string, true}, {"owned_by", FieldType::object, false},
                     {"unlogged", FieldType::boolean, false}});
    if (a.has("unlogged") && !a["unlogged"].boolean()) a["unlogged"].fail("is absent when the sequence is logged");
    check_fields(a, k_sequence_options);
    check_one_of(a["data_type"], {"smallint", "integer", "bigint"});
    if (a.has("owned_by"))
        check_fields(a["owned_by"], {{"table", FieldType::string, true}, {"column", FieldType::string, true}});
}

void check_table(const JsonField& a) {
    check_fields(a, {{"unlogged", FieldType::boolean, true}, {"columns", FieldType::array, true},
                     {"row_security", FieldType::boolean, false}, {"force_row_security", FieldType::boolean, false},
                     {"options", FieldType::strings, false}, {"replica_identity", FieldType::string, false},
                     {"replica_identity_index", FieldType::string, false},
                     {"partition_by", FieldType::object, false}, {"partition_of", FieldType::object, false},
                     {"bound", FieldType::string, a.has("partition_of")}, {"inherits", FieldType::array, false}});
    check_each(a["columns"], check_column);
    check_unique_names(a["columns"]);
    if (a.has("options")) check_options(a["options"]);
    if (a.has("replica_identity")) check_one_of(a["replica_identity"], {"full", "nothing", "index"});
    if (a.has("replica_identity") && a["replica_identity"].string() == "index" && !a.has("replica_identity_index"))
        a.fail("replica_identity \"index\" names its index in replica_identity_index");
    if (a.has("partition_by")) {
        check_fields(a["partition_by"], {{"strategy", FieldType::string, true}, {"elements", FieldType::array, true}});
        check_one_of(a["partition_by"]["strategy"], {"range", "list", "hash"});
        check_each(a["partition_by"]["elements"], [](const JsonField& e) {
            check_fields(e, {{"column", FieldType::string, false}, {"expression", FieldType::string, false},
                             {"collation", FieldType::string, false}, {"opclass", FieldType::string, false}});
            if (e.has("column") == e.has("expression")) e.fail("an element has either a column or an expression");
            if (e.has("expression")) check_expression_text(e["expression"]);
            for (const char* key : {"collation", "opclass"})
                if (e.has(key)) check_name_text(e[key]);
        });
    }
    auto check_parent = [](const JsonField& p) {
        check_fields(p, {{"schema", FieldType::string, true}, {"table", FieldType::string, true}});
    };
    if (a.has("partition_of")) check_parent(a["partition_of"]);
    if (a.has("bound") && !a.has("partition_of")) a["bound"].fail("a bound needs partition_of");
    if (a.has("bound")) {
        // Pasted into CREATE TABLE ... PARTITION OF: exactly one bound, nothing more.
        std::string bound = a["bound"].string();
        bool ok = false;
        try {
            auto parsed = pq::ParseResult::parse("CREATE TABLE t PARTITION OF p " + bound);
            ok = parsed->statements().size() == 1 && parsed->statements()[0].node.is("CreateStmt") &&
                 parsed->statements()[0].node.get("partbound") &&
                 parsed->statements()[0].node.list("table_elts").empty() &&
                 !parsed->statements()[0].node.get("partspec") && parsed->statements()[0].node.list("options").empty() &&
                 bound.find(';') == std::string::npos;
        } catch (const std::exception&) {
        }
        if (!ok) a["bound"].fail("not a partition bound (FOR VALUES ... or DEFAULT)");
    }
    if (a.has("inherits")) {
        if (a.has("partition_of")) a["inherits"].fail("a partition has no other parents");
        check_each(a["inherits"], check_parent);
    }
}

void check_constraint(const JsonField& a) {
    check_fields(a, {{"type", FieldType::string, true}, {"deferrable", FieldType::boolean, true},
                     {"initially_deferred", FieldType::boolean, true}, {"index_comment", FieldType::string, false}});
    std::string type = a["type"].string();
    if (type == "primary_key" || type == "unique") {
        check_fields(a, {{"columns", FieldType::strings, true}, {"include", FieldType::strings, true},
                         {"index_options", FieldType::strings, true},
                         {"nulls_not_distinct", FieldType::boolean, type == "unique"}});
        check_options(a["index_options"]);
    } else if (type == "check") {
        check_fields(a, {{"expression", FieldType::string, true}, {"no_inherit", FieldType::boolean, true},
                         {"not_valid", FieldType::boolean, true}});
        check_expression_text(a["expression"]);
    } else if (type == "foreign_key") {
        check_fields(a, {{"columns", FieldType::strings, true}, {"references", FieldType::object, true},
                         {"match", FieldType::string, true}, {"on_update", FieldType::string, true},
                         {"on_delete", FieldType::string, true}, {"on_delete_columns", FieldType::strings, false},
                         {"not_valid", FieldType::boolean, true}});
        check_fields(a["references"], {{"schema", FieldType::string, true}, {"table", FieldType::string, true},
                                       {"columns", FieldType::strings, true}});
        check_one_of(a["match"], {"simple", "full", "partial"});
        for (const char* key : {"on_update", "on_delete"})
            check_one_of(a[key], {"no action", "restrict", "cascade", "set null", "set default"});
    } else if (type == "exclusion") {
        check_fields(a, {{"method", FieldType::string, true}, {"elements", FieldType::array, true},
                         {"include", FieldType::strings, true}, {"index_options", FieldType::strings, true},
                         {"where", FieldType::string, false}});
        check_each(a["elements"], [](const JsonField& e) { check_element(e, true); });
        if (a.has("where")) check_expression_text(a["where"]);
        check_method(a["method"]);
        check_options(a["index_options"]);
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
    if (a.has("where")) check_expression_text(a["where"]);
    check_method(a["method"]);
    check_options(a["options"]);
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
    if (a.has("returns")) check_returns_text(a["returns"]);
    if (a.has("sql_body"))
        check_statement_text(a["sql_body"], "CREATE FUNCTION f() RETURNS int LANGUAGE sql ", "CreateFunctionStmt",
                             "one BEGIN ATOMIC ... END body");
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
    check_statement_text(a["query"], "", "SelectStmt", "one query");
    if (a.has("columns"))
        check_each(a["columns"], [](const JsonField& c) {
            check_fields(c, {{"name", FieldType::string, true}, {"type", FieldType::string, false}});
            if (c.has("type")) check_type_text(c["type"]);
        });
    if (a.has("columns")) check_unique_names(a["columns"]);
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
    if (a.has("when")) check_expression_text(a["when"]);
    check_name_text(a["function"]);
    check_enabled(a);
}

void check_rule(const JsonField& a) {
    check_fields(a, {{"event", FieldType::string, true}, {"instead", FieldType::boolean, true},
                     {"where", FieldType::string, false}, {"actions", FieldType::strings, true}});
    check_one_of(a["event"], {"select", "insert", "update", "delete"});
    if (a.has("where")) check_expression_text(a["where"]);
}

void check_policy(const JsonField& a) {
    check_fields(a, {{"permissive", FieldType::boolean, true}, {"command", FieldType::string, true},
                     {"roles", FieldType::strings, true}, {"using", FieldType::string, false},
                     {"check", FieldType::string, false}});
    check_one_of(a["command"], {"all", "select", "insert", "update", "delete"});
    for (const char* key : {"using", "check"})
        if (a.has(key)) check_expression_text(a[key]);
}

void check_statistics(const JsonField& a) {
    check_fields(a, {{"kinds", FieldType::strings, true}, {"columns", FieldType::strings, true},
                     {"expressions", FieldType::strings, true}, {"statistics", FieldType::integer, false}});
    for (size_t i = 0; i < a["kinds"].array().size(); ++i) check_one_of(a["kinds"][i], {"ndistinct", "dependencies", "mcv"});
    // Expressions are written into CREATE STATISTICS: each must be one
    // expression in canonical form.
    for (size_t i = 0; i < a["expressions"].array().size(); ++i) {
        std::string text = a["expressions"][i].string();
        bool canonical = false;
        try {
            canonical = canonical_expression_text(text) == text;
        } catch (const std::exception&) {
        }
        if (!canonical) a["expressions"][i].fail("not one expression in canonical form");
    }
    if (a.has("statistics")) check_statistics_target(a["statistics"]);
}

void check_event_trigger(const JsonField& a) {
    check_fields(a, {{"event", FieldType::string, true}, {"tags", FieldType::strings, true},
                     {"function", FieldType::string, true}});
    check_name_text(a["function"]);
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
