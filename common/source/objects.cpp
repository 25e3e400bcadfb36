// Source handlers for schemas, extensions, collations, enums, sequences,
// indexes and comments.
#include <algorithm>

#include "canon/definitions.h"
#include "canon/names.h"
#include "canon/relation_objects.h"
#include "model/attributes.h"
#include "source/reader.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

// [schema?, name] from a list of names, the schema defaulted by `scope`.
std::pair<std::string, std::string> split_names(const std::vector<std::string>& names) {
    if (names.size() == 1) return {"", names[0]};
    return {names[names.size() - 2], names.back()};
}

std::string def_text(const pq::Msg& def_elem) {
    pq::Msg arg = def_elem.get("arg");
    if (arg.is("List")) {
        auto items = arg.strings("items");
        return items.empty() ? "" : items.back();
    }
    if (arg.is("TypeName")) return arg.strings("names").back();
    return pq::value_text(arg);
}

}  // namespace

void Reader::create_schema(const Stmt& s) {
    const pq::Msg& node = s.node();
    if (!node.list("schema_elts").empty())
        fail(s, "CREATE SCHEMA with elements is not supported; write each CREATE statement separately");
    std::string name = node.str("schemaname");
    pq::Msg owner = node.get("authrole");
    if (name.empty() && owner) name = owner.str("rolename");  // CREATE SCHEMA AUTHORIZATION role
    if (name == "public") return;  // always present; see pg-flux(1)
    if (name == k_tracking_schema) fail(s, "schema " + name + " is reserved for pg-flux's tracking table");
    Object& schema = add_object(s, Object{ObjectId{Kind::schema, "", name, ""}});
    if (owner) set_owner(s, schema, owner);
}

void Reader::create_extension(const Stmt& s) {
    const pq::Msg& node = s.node();
    std::string name = node.str("extname");
    if (name == "plpgsql") return;  // built into every database; not managed
    json attrs = json::object();
    for (const pq::Msg& opt : node.list("options")) {
        std::string option = opt.str("defname");
        if (option == "schema") attrs["schema"] = def_text(opt);
        else if (option == "new_version") attrs["version"] = def_text(opt);
        else if (option == "cascade")
            fail(s, "CREATE EXTENSION ... CASCADE is not supported; declare each required extension");
        else fail(s, "unsupported CREATE EXTENSION option " + option);
    }
    if (!attrs.contains("schema")) attrs["schema"] = creation_schema(s);
    require_schema(s, attrs["schema"]);
    add_object(s, Object{ObjectId{Kind::extension, "", name, ""}, attrs});
}

void Reader::create_enum(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = split_names(node.strings("type_name"));
    if (schema.empty()) schema = creation_schema(s);
    require_schema(s, schema);
    json values = json::array();
    for (const auto& v : node.strings("vals")) values.push_back(v);
    add_object(s, Object{ObjectId{Kind::enumeration, schema, name, ""}, {{"values", values}}});
}

void Reader::require_option_values(const Stmt& s, const std::string& what,
                                   std::initializer_list<const char*> flags) const {
    for (const pq::Msg& def : s.node().list("definition")) {
        std::string option = def.str("defname");
        if (!def.get("arg") && std::find(flags.begin(), flags.end(), option) == flags.end())
            fail(s, what + " option " + option + " needs a value");
    }
}

void Reader::create_collation(const Stmt& s) {
    const pq::Msg& node = s.node();
    auto [schema, name] = split_names(node.strings("defnames"));
    if (schema.empty()) schema = creation_schema(s);
    require_schema(s, schema);
    require_option_values(s, "CREATE COLLATION", {"deterministic"});
    json attrs = {{"provider", "libc"}, {"deterministic", true}};
    std::string locale;
    for (const pq::Msg& def : node.list("definition")) {
        std::string option = def.str("defname");
        std::string value = def_text(def);
        if (option == "from") {
            if (value != "C" && value != "POSIX")
                fail(s, "CREATE COLLATION ... FROM is supported for \"C\" and \"POSIX\" only; "
                        "give provider and locale instead");
            attrs["lc_collate"] = value;
            attrs["lc_ctype"] = value;
        } else if (option == "provider") {
            if (value != "libc" && value != "icu")
                fail(s, "CREATE COLLATION provider must be libc or icu (PostgreSQL 15), not " + quote_literal(value));
            attrs["provider"] = value;
        } else if (option == "locale") {
            locale = value;
        } else if (option == "lc_collate" || option == "lc_ctype") {
            attrs[option] = value;
        } else if (option == "deterministic") {
            attrs["deterministic"] = value == "true" || value == "on" || value == "1" || value.empty();
        } else {
            fail(s, "unsupported CREATE COLLATION option " + option);
        }
    }
    if (!locale.empty()) {
        if (attrs["provider"] == "icu") {
            attrs["locale"] = locale;
        } else {
            attrs["lc_collate"] = locale;
            attrs["lc_ctype"] = locale;
        }
    }
    add_object(s, Object{ObjectId{Kind::collation, schema, name, ""}, attrs});
}

void Reader::create_sequence(const Stmt& s) {
    const pq::Msg& node = s.node();
    pq::Msg rv = node.get("sequence");
    std::string schema = rv.str("schemaname");
    if (schema.empty()) schema = creation_schema(s);
    require_schema(s, schema);
    SequenceOptions options = sequence_options(node.list("options"), "bigint");
    json attrs = options.to_json();
    if (rv.str("relpersistence") == "u") attrs["unlogged"] = true;
    Object& seq = add_object(s, Object{ObjectId{Kind::sequence, schema, rv.str("relname"), ""}, attrs});
    if (options.owned_by && options.owned_by->size() >= 2) {
        auto names = *options.owned_by;
        seq.attrs["owned_by"] = {{"table", names[names.size() - 2]}, {"column", names.back()}};
    }
}

void Reader::alter_sequence(const Stmt& s) {
    const pq::Msg& node = s.node();
    pq::Msg rv = node.get("sequence");
    std::string schema = scope(s).resolve(Kind::sequence, rv.str("schemaname"), rv.str("relname"));
    Object& seq = require(s, ObjectId{Kind::sequence, schema, rv.str("relname"), ""});
    for (const pq::Msg& opt : node.list("options")) {
        std::string option = opt.str("defname");
        if (option == "owned_by") {
            auto names = opt.get("arg").strings("items");
            if (names.size() == 1 && names[0] == "none") seq.attrs.erase("owned_by");
            else seq.attrs["owned_by"] = {{"table", names[names.size() - 2]}, {"column", names.back()}};
        } else {
            SequenceOptions changed = sequence_options({opt}, seq.attrs["data_type"]);
            json fields = changed.to_json();
            static const std::pair<const char*, const char*> k_fields[] = {
                {"as", "data_type"},     {"increment", "increment"}, {"start", "start"},
                {"minvalue", "min_value"}, {"maxvalue", "max_value"}, {"cache", "cache"},
                {"cycle", "cycle"}};
            for (const auto& [opt_name, field] : k_fields)
                if (option == opt_name) seq.attrs[field] = fields[field];
        }
    }
}

void Reader::create_index(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& table = finished_table(s, *s.table);
    json attrs = index_attributes(node, scope(s));
    std::vector<std::string> raw_names;
    // A materialized view's columns are known to PostgreSQL only.
    bool check_columns = table.id.kind == Kind::table;
    if (table.id.kind == Kind::view) fail(s, "cannot index " + table.id.describe() + ": only tables and materialized views have indexes");
    for (const pq::Msg& elem : node.list("index_params")) {
        pq::Msg expr = elem.get("expr");
        raw_names.push_back(expr ? figure_expression_name(expr) : elem.str("name"));
        if (check_columns && !expr && column_index(table.attrs, elem.str("name")) < 0)
            fail(s, "column " + quote_ident(elem.str("name")) + " of " + table.id.describe() +
                        " does not exist");
    }
    for (const pq::Msg& elem : node.list("index_including_params")) {
        raw_names.push_back(elem.str("name"));
        if (check_columns && column_index(table.attrs, elem.str("name")) < 0)
            fail(s, "column " + quote_ident(elem.str("name")) + " of " + table.id.describe() + " does not exist");
    }
    std::string name = node.str("idxname");
    const std::string& schema = table.id.schema;
    if (name.empty()) {
        name = choose_object_name(table.id.name, name_addition(index_column_names(raw_names)), "idx",
                                  [&](const std::string& n) { return relation_name_taken(schema, n); });
        claim_relation_name(schema, name);
    }
    add_object(s, Object{ObjectId{Kind::index, schema, name, table.id.name}, attrs});
}

// CREATE STATISTICS: its columns in the table's column order (as PostgreSQL
// keeps them), then its expressions.
void Reader::create_statistics(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& table = finished_table(s, *s.table);
    if (table.id.kind != Kind::table) fail(s, "statistics on " + table.id.describe() + " are not supported by pg-flux yet");
    json attrs = statistics_attributes(node);
    std::vector<std::pair<int, std::string>> ordered;
    for (const json& c : attrs["columns"]) {
        int at = column_index(table.attrs, c);
        if (at < 0) fail(s, "column " + quote_ident(c.get<std::string>()) + " of " + table.id.describe() + " does not exist");
        ordered.push_back({at, c});
    }
    std::sort(ordered.begin(), ordered.end());
    attrs["columns"] = json::array();
    for (const auto& [at, name] : ordered) attrs["columns"].push_back(name);
    if (attrs["columns"].size() + attrs["expressions"].size() < 2 && attrs["expressions"].empty())
        fail(s, "extended statistics need at least two columns, or one expression");
    add_object(s, Object{ObjectId{Kind::statistics, table.id.schema, node.strings("defnames").back(), table.id.name}, attrs});
}

// ALTER STATISTICS ... SET STATISTICS n.
void Reader::alter_statistics(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& stats = require(s, ObjectId{Kind::statistics, s.table->schema, node.strings("defnames").back(), s.table->name});
    auto target = node.integer("stxstattarget");
    if (target < -1 || target > 10000) fail(s, "statistics target " + std::to_string(target) + " is out of range (-1 to 10000)");
    if (target == -1) stats.attrs.erase("statistics");
    else stats.attrs["statistics"] = target;
}

std::optional<ObjectId> Reader::statistics_table(const Stmt& s, const std::vector<std::string>& names) const {
    if (names.empty()) return std::nullopt;
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
    for (const auto& candidate : schema.empty() ? s.search_path : std::vector<std::string>{schema}) {
        auto it = declared_statistics.find({candidate, names.back()});
        if (it != declared_statistics.end()) return it->second;
    }
    return std::nullopt;
}

std::optional<ObjectId> Reader::comment_table(const Stmt& s) const {
    const pq::Msg& node = s.node();
    std::string type = node.enumeration("objtype");
    pq::Msg object = node.get("object");
    std::vector<std::string> names = object.is("List") ? object.strings("items") : std::vector<std::string>{};
    auto relation_at = [&](size_t pos) -> std::optional<ObjectId> {
        if (names.size() <= pos) return std::nullopt;
        std::string schema = pos >= 1 ? names[pos - 1] : "";
        for (const auto& candidate : schema.empty() ? s.search_path : std::vector<std::string>{schema})
            if (auto id = declared_relation(candidate, names[pos])) return id;
        return std::nullopt;
    };
    if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_FOREIGN_TABLE")
        return relation_at(names.size() - 1);
    if (type == "OBJECT_COLUMN" || type == "OBJECT_TABCONSTRAINT" || type == "OBJECT_TRIGGER" ||
        type == "OBJECT_POLICY" || type == "OBJECT_RULE")
        return relation_at(names.size() - 2);
    if (type == "OBJECT_STATISTIC_EXT") return statistics_table(s, names);
    if (type == "OBJECT_INDEX" && !names.empty()) {
        std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
        for (const auto& candidate : schema.empty() ? s.search_path : std::vector<std::string>{schema}) {
            auto it = declared_indexes.find({candidate, names.back()});
            if (it != declared_indexes.end()) return it->second;
        }
    }
    return std::nullopt;
}

void Reader::comment(const Stmt& s) {
    if (comment_on_type(s)) return;
    const pq::Msg& node = s.node();
    std::string type = node.enumeration("objtype");
    pq::Msg object = node.get("object");
    json text = node.str("comment");
    bool remove = node.str("comment").empty();
    std::vector<std::string> names = object.is("List") ? object.strings("items") : std::vector<std::string>{};
    auto set_comment = [&](json& attrs) {
        if (remove) attrs.erase("comment");
        else attrs["comment"] = text;
    };
    auto find_in_path = [&](Kind kind, const std::vector<std::string>& parts) -> Object& {
        std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
        schema = scope(s).resolve(kind, schema, parts.back());
        return require(s, ObjectId{kind, schema, parts.back(), ""});
    };
    // The relation a comment is aimed at (declare() resolved it).
    auto target_table = [&](size_t from_end) -> Object& {
        if (s.table) return finished_table(s, *s.table);
        if (names.size() < from_end) fail(s, "the name must be qualified with its relation");
        std::string name = names.at(names.size() - from_end);
        fail(s, "relation " + quote_ident(name) + " is not defined in the schema files");
    };
    auto on_relation = [&](Kind kind) -> Object& {
        Object& relation = target_table(2);
        return require(s, ObjectId{kind, relation.id.schema, names.back(), relation.id.name});
    };
    static const std::pair<const char*, Kind> k_relation_kinds[] = {
        {"OBJECT_TABLE", Kind::table}, {"OBJECT_VIEW", Kind::view}, {"OBJECT_MATVIEW", Kind::materialized_view},
        {"OBJECT_FOREIGN_TABLE", Kind::foreign_table}};
    for (const auto& [objtype, kind] : k_relation_kinds) {
        if (type != objtype) continue;
        Object& relation = target_table(1);
        if (relation.id.kind != kind)
            fail(s, relation.id.describe() + " is not a " + kind_words(kind));
        return set_comment(relation.attrs);
    }
    if (type == "OBJECT_COLUMN") {
        Object& relation = target_table(2);
        if (relation.id.kind != Kind::table) {
            json& comments = relation.attrs["column_comments"];
            if (remove) comments.erase(names.back());
            else comments[names.back()] = text;
            if (comments.empty()) relation.attrs.erase("column_comments");
            return;
        }
        int col = column_index(relation.attrs, names.back());
        if (col < 0) fail(s, "column " + quote_ident(names.back()) + " of " + relation.id.describe() + " does not exist");
        set_comment(relation.attrs["columns"][col]);
    } else if (type == "OBJECT_TABCONSTRAINT") {
        set_comment(on_relation(Kind::constraint).attrs);
    } else if (type == "OBJECT_TRIGGER") {
        set_comment(on_relation(Kind::trigger).attrs);
    } else if (type == "OBJECT_POLICY") {
        set_comment(on_relation(Kind::policy).attrs);
    } else if (type == "OBJECT_RULE") {
        set_comment(on_relation(Kind::rule).attrs);
    } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_AGGREGATE" ||
               type == "OBJECT_ROUTINE") {
        Kind kind = type == "OBJECT_PROCEDURE" ? Kind::procedure : type == "OBJECT_AGGREGATE" ? Kind::aggregate : Kind::function;
        set_comment(routine_of(s, kind, object).attrs);
    } else if (type == "OBJECT_OPERATOR") {
        set_comment(operator_of(s, object).attrs);
    } else if (type == "OBJECT_CAST") {
        set_comment(cast_of(s, object).attrs);
    } else if (type == "OBJECT_TSDICTIONARY" || type == "OBJECT_TSCONFIGURATION") {
        Kind kind = type == "OBJECT_TSDICTIONARY" ? Kind::text_search_dictionary : Kind::text_search_configuration;
        set_comment(text_search_object(s, kind, names).attrs);
    } else if (type == "OBJECT_EVENT_TRIGGER" || type == "OBJECT_FDW" || type == "OBJECT_FOREIGN_SERVER" ||
               type == "OBJECT_PUBLICATION") {
        Kind kind = type == "OBJECT_EVENT_TRIGGER" ? Kind::event_trigger
                    : type == "OBJECT_FDW"         ? Kind::foreign_data_wrapper
                    : type == "OBJECT_PUBLICATION" ? Kind::publication
                                                   : Kind::server;
        set_comment(require(s, ObjectId{kind, "", pq::value_text(object)}).attrs);
    } else if (type == "OBJECT_INDEX") {
        std::string schema = names.size() >= 2 ? names[names.size() - 2] : "";
        Object* found = nullptr;
        for (auto& [id, obj] : model.objects) {
            if (id.kind == Kind::index && id.name == names.back() &&
                (schema.empty() ? std::find(s.search_path.begin(), s.search_path.end(), id.schema) != s.search_path.end()
                                : id.schema == schema))
                found = &obj;
        }
        if (found) {
            set_comment(found->attrs);
            return;
        }
        // The index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint has the constraint's name.
        for (auto& [id, obj] : model.objects) {
            if (id.kind != Kind::constraint || id.name != names.back() || obj.attrs["type"] == "check" ||
                obj.attrs["type"] == "foreign_key")
                continue;
            bool in_scope = schema.empty() ? std::find(s.search_path.begin(), s.search_path.end(), id.schema) != s.search_path.end()
                                           : id.schema == schema;
            if (!in_scope) continue;
            if (remove) obj.attrs.erase("index_comment");
            else obj.attrs["index_comment"] = text;
            return;
        }
        fail(s, "index " + quote_ident(names.back()) + " is not defined in the schema files");
    } else if (type == "OBJECT_STATISTIC_EXT") {
        if (!s.table) fail(s, "statistics object " + quote_ident(names.back()) + " is not defined in the schema files");
        set_comment(require(s, ObjectId{Kind::statistics, s.table->schema, names.back(), s.table->name}).attrs);
    } else if (type == "OBJECT_SEQUENCE") {
        set_comment(find_in_path(Kind::sequence, names).attrs);
    } else if (type == "OBJECT_COLLATION") {
        set_comment(find_in_path(Kind::collation, names).attrs);
    } else if (type == "OBJECT_SCHEMA" || type == "OBJECT_EXTENSION") {
        std::string name = pq::value_text(object);
        if (type == "OBJECT_SCHEMA" && name == "public")
            fail(s, "COMMENT ON SCHEMA public is not supported (the public schema is not managed)");
        Kind kind = type == "OBJECT_SCHEMA" ? Kind::schema : Kind::extension;
        set_comment(require(s, ObjectId{kind, "", name, ""}).attrs);
    } else {
        fail(s, "COMMENT ON " + type.substr(7) + " is not supported by pg-flux yet");
    }
}

}  // namespace pgflux::source
