// Source handlers for CREATE TABLE (columns, inline constraints, LIKE),
// ALTER TABLE, and foreign keys (added last, once every key exists).
//
// Constraint names follow PostgreSQL's order: CHECK constraints are named
// first, then PRIMARY KEY / UNIQUE / EXCLUDE (whose indexes share the
// relation namespace), then what LIKE copies, then foreign keys.
#include <algorithm>
#include <regex>
#include <set>

#include "canon/definitions.h"
#include "canon/expressions.h"
#include "canon/names.h"
#include "canon/relation_objects.h"
#include "canon/types.h"
#include "model/attributes.h"
#include "model/dependencies.h"
#include "source/reader.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

constexpr uint32_t k_like_comments = 1 << 0, k_like_constraints = 1 << 2, k_like_defaults = 1 << 3,
                   k_like_generated = 1 << 4, k_like_identity = 1 << 5, k_like_indexes = 1 << 6,
                   k_like_statistics = 1 << 7, k_like_storage = 1 << 8;

std::optional<std::string> serial_type(const pq::Msg& type_name) {
    auto names = type_name.strings("names");
    if (names.size() == 2 && names[0] == "pg_catalog") names.erase(names.begin());
    if (names.size() != 1 || !type_name.list("array_bounds").empty()) return std::nullopt;
    const std::string& n = names[0];
    if (n == "smallserial" || n == "serial2") return "smallint";
    if (n == "serial" || n == "serial4") return "integer";
    if (n == "bigserial" || n == "serial8") return "bigint";
    return std::nullopt;
}

json without_keys(json attrs) {
    for (const char* k : {"comment", "index_comment"}) attrs.erase(k);
    return attrs;
}

bool is_index_backed(const std::string& contype) {
    return contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE" || contype == "CONSTR_EXCLUSION";
}

std::vector<std::string> strings_of(const json& array) {
    std::vector<std::string> out;
    for (const json& v : array) out.push_back(v.get<std::string>());
    return out;
}

void apply_deferrability(json& attrs, const Deferrability& d) {
    if (d.deferrable) attrs["deferrable"] = *d.deferrable;
    if (d.initially_deferred) {
        attrs["initially_deferred"] = *d.initially_deferred;
        if (*d.initially_deferred) attrs["deferrable"] = true;
    }
}

// A plain unique btree index over columns, as ADD CONSTRAINT ... USING INDEX requires.
json constraint_from_index(const Reader& r, const Stmt& s, int at, const Object& index,
                           const std::string& contype) {
    for (const json& e : index.attrs["elements"]) {
        if (!e.contains("column") || e["descending"] == true || e["nulls_first"] == true ||
            e.contains("opclass") || e.contains("collation"))
            r.fail(s, at, "index " + quote_ident(index.id.name) +
                              " cannot back a constraint: it has expressions or non-default sort options");
    }
    if (index.attrs["unique"] != true || index.attrs.contains("where") || index.attrs["method"] != "btree")
        r.fail(s, at, "index " + quote_ident(index.id.name) +
                          " cannot back a constraint: it must be a plain unique btree index");
    json columns = json::array();
    for (const json& e : index.attrs["elements"]) columns.push_back(e["column"]);
    json attrs = {{"type", contype == "CONSTR_PRIMARY" ? "primary_key" : "unique"},
                  {"columns", columns},
                  {"include", index.attrs["include"]},
                  {"index_options", index.attrs["options"]}};
    if (contype == "CONSTR_UNIQUE") attrs["nulls_not_distinct"] = index.attrs["nulls_not_distinct"];
    if (index.attrs.contains("comment")) attrs["index_comment"] = index.attrs["comment"];
    return attrs;
}

// The storage PostgreSQL gives a column of the type (pg_type.typstorage),
// for the built-in types whose storage can be set; unknown for others (the
// shadow database then says whether a written storage is the default).
std::optional<std::string> default_storage(const std::string& type) {
    if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0) return "extended";
    std::string base = type.substr(0, type.find('('));
    static const std::set<std::string> k_extended = {"text", "character varying", "character", "bytea", "json",
                                                     "jsonb", "xml", "tsvector", "bit", "bit varying"};
    static const std::set<std::string> k_main = {"numeric", "inet", "cidr"};
    if (k_extended.count(base)) return "extended";
    if (k_main.count(base)) return "main";
    return std::nullopt;
}

// CREATE TABLE marks its constraints valid even when written NOT VALID (the
// new table is empty).
void validated_by_create_table(const Stmt& s, json& attrs) {
    if (s.node().is("CreateStmt") && attrs.contains("not_valid")) attrs["not_valid"] = false;
}

// Per-column names PostgreSQL uses in an implicit index name.
std::vector<std::string> written_index_names(const pq::Msg& c, const json& attrs) {
    std::vector<std::string> raw;
    if (c.enumeration("contype") == "CONSTR_EXCLUSION") {
        for (const pq::Msg& pair : c.list("exclusions")) {
            pq::Msg elem = pair.list("items").at(0);
            pq::Msg expr = elem.get("expr");
            raw.push_back(expr ? figure_expression_name(expr) : elem.str("name"));
        }
    } else {
        raw = strings_of(attrs["columns"]);
    }
    for (const auto& inc : strings_of(attrs["include"])) raw.push_back(inc);
    return raw;
}

// A column default as PostgreSQL stores it: none for NULL (with or without a
// cast), and nextval('seq') with the sequence resolved and cast to regclass.
// A NULL that PostgreSQL has to coerce to the column's type modifier
// (varchar(16), numeric(10,2)) is not a bare NULL constant any more: it keeps
// it (NULL::character varying), and so does the model.
void set_default(json& column, const pq::Msg& expr, const NameScope& scope) {
    pq::Msg value = expr;
    while (value.is("TypeCast")) value = value.get("arg");
    if (!expr || (value.is("A_Const") && value.flag("isnull"))) {
        bool typmod = column.value("type", "").find('(') != std::string::npos;
        if (expr && typmod) column["default"] = canonical_expression(expr);
        else column.erase("default");
        return;
    }
    std::string text = canonical_expression(expr);
    static const std::regex k_nextval(R"(^nextval\('((?:[^']|'')*)'(?:::regclass)?\)$)");
    std::smatch m;
    if (std::regex_match(text, m, k_nextval)) {
        std::string literal = m[1];
        for (size_t at = literal.find("''"); at != std::string::npos; at = literal.find("''", at + 1)) literal.erase(at, 1);
        auto parts = split_qualified_name(literal);
        std::string name = parts.back();
        std::string schema = parts.size() == 2 ? parts[0] : scope.resolve(Kind::sequence, "", name);
        text = canonical_expression_text("nextval(" + quote_literal(qualified_name(schema, name)) + "::regclass)");
    }
    column["default"] = text;
}

// PostgreSQL refuses a column declared both NULL and NOT NULL (or NULL and
// what implies NOT NULL: identity, serial), in any order.
void check_nullability(const Reader& r, const Stmt& s, const pq::Msg& def, const ObjectId& table, bool serial) {
    std::optional<bool> not_null;
    auto conflict = [&](const pq::Msg& at) {
        r.fail(s, static_cast<int>(at.integer("location")),
               "conflicting NULL/NOT NULL declarations for column " + quote_ident(def.str("colname")) + " of " +
                   table.describe());
    };
    for (const pq::Msg& c : def.list("constraints")) {
        std::string contype = c.enumeration("contype");
        bool says_null = contype == "CONSTR_NULL";
        if (!says_null && contype != "CONSTR_NOTNULL" && contype != "CONSTR_IDENTITY") continue;
        if (not_null && *not_null == says_null) conflict(c);
        not_null = !says_null;
    }
    if (serial && not_null == false) conflict(def);
}

// Builds one column from a ColumnDef; its constraints are appended to `constraints`.
class ColumnBuilder {
public:
    ColumnBuilder(Reader& r, const Stmt& s, const ObjectId& table) : r_(r), s_(s), table_(table) {}

    json build(const pq::Msg& def, std::vector<WrittenConstraint>& constraints) {
        std::string name = def.str("colname");
        int at = static_cast<int>(def.integer("location"));
        pq::Msg type_name = def.get("type_name");
        auto serial = serial_type(type_name);
        NameScope scope = r_.scope(s_);
        std::string type = serial ? *serial : canonical_type(type_name, [&](const std::string& n) {
            return scope.type_schema(n);
        });
        if (!def.str("compression").empty()) r_.fail(s_, at, "column COMPRESSION is not supported yet");
        if (!def.str("storage").empty()) r_.fail(s_, at, "column STORAGE is not supported yet");
        json column = {{"name", name}, {"type", type}, {"not_null", def.flag("is_not_null")}};
        if (pq::Msg coll = def.get("coll_clause")) {
            std::string c = scope.collation(coll.strings("collname"));
            if (!c.empty()) column["collation"] = c;
        }
        check_nullability(r_, s_, def, table_, serial.has_value());
        for (const pq::Msg& c : def.list("constraints")) apply(c, name, type, column, constraints);
        if (serial) {
            if (column.contains("default")) r_.fail(s_, at, "a serial column cannot also have a DEFAULT");
            column["default"] = r_.serial_column_default(s_, table_, name, type);
            column["not_null"] = true;
        }
        return column;
    }

private:
    void apply(const pq::Msg& c, const std::string& name, const std::string& type, json& column,
               std::vector<WrittenConstraint>& constraints) {
        std::string contype = c.enumeration("contype");
        int at = static_cast<int>(c.integer("location"));
        auto last = [&]() -> Deferrability& {
            if (constraints.empty()) r_.fail(s_, at, "misplaced constraint attribute");
            return constraints.back().deferrability;
        };
        if (contype == "CONSTR_NULL") {
            column["not_null"] = false;
        } else if (contype == "CONSTR_NOTNULL") {
            column["not_null"] = true;
        } else if (contype == "CONSTR_DEFAULT") {
            set_default(column, c.get("raw_expr"), r_.scope(s_));
        } else if (contype == "CONSTR_GENERATED") {
            column["generated"] = canonical_expression(c.get("raw_expr"));
        } else if (contype == "CONSTR_IDENTITY") {
            column["identity"] =
                r_.identity_of(s_, table_, name, type, c.list("options"), c.str("generated_when") == "a");
            column["not_null"] = true;
        } else if (contype == "CONSTR_ATTR_DEFERRABLE") {
            last().deferrable = true;
        } else if (contype == "CONSTR_ATTR_NOT_DEFERRABLE") {
            last().deferrable = false;
        } else if (contype == "CONSTR_ATTR_DEFERRED") {
            last().initially_deferred = true;
        } else if (contype == "CONSTR_ATTR_IMMEDIATE") {
            last().initially_deferred = false;
        } else {
            constraints.push_back({c, name, {}, ""});
        }
    }

    Reader& r_;
    const Stmt& s_;
    const ObjectId& table_;
};

}  // namespace

// Tables of the model that are partitions or children of this one (and theirs, recursively).
std::vector<Object*> Reader::children_of(const ObjectId& parent) {
    std::vector<Object*> out;
    json entry = {{"schema", parent.schema}, {"table", parent.name}};
    for (const ObjectId& id : child_tables_) {
        Object* found = id.kind == Kind::table ? model.find(id) : nullptr;
        if (!found) continue;
        Object& obj = *found;
        bool child = obj.attrs.value("partition_of", json()) == entry;
        for (const json& e : obj.attrs.value("inherits", json::array())) child = child || e == entry;
        if (!child) continue;
        out.push_back(&obj);
        for (Object* grandchild : children_of(id)) out.push_back(grandchild);
    }
    return out;
}

json Reader::serial_column_default(const Stmt& s, const ObjectId& table, const std::string& column,
                                   const std::string& type) {
    std::string name = choose_object_name(table.name, column, "seq", [&](const std::string& n) {
        return relation_name_taken(table.schema, n);
    });
    claim_relation_name(table.schema, name);
    json attrs = default_sequence_options(type).to_json();
    attrs["owned_by"] = {{"table", table.name}, {"column", column}};
    // PostgreSQL makes an unlogged table's serial sequences unlogged too.
    if (const Object* t = model.find(table); t && t->attrs.value("unlogged", false)) attrs["unlogged"] = true;
    add_object(s, Object{ObjectId{Kind::sequence, table.schema, name, ""}, attrs});
    return canonical_expression_text("nextval(" + quote_literal(qualified_name(table.schema, name)) +
                                     "::regclass)");
}

json Reader::identity_of(const Stmt& s, const ObjectId& table, const std::string& column,
                         const std::string& type, const std::vector<pq::Msg>& options, bool always) {
    if (type != "smallint" && type != "integer" && type != "bigint")
        fail(s, "identity column " + quote_ident(column) + " must be smallint, integer or bigint");
    SequenceOptions o = sequence_options(options, type);
    std::string name = o.sequence_name ? o.sequence_name->back()
                                       : choose_object_name(table.name, column, "seq", [&](const std::string& n) {
                                             return relation_name_taken(table.schema, n);
                                         });
    claim_relation_name(table.schema, name);
    json sequence = o.to_json();
    sequence.erase("data_type");
    sequence["name"] = name;
    return {{"always", always}, {"sequence", sequence}};
}

void Reader::add_constraint(const Stmt& s, const ObjectId& table_id, const WrittenConstraint& w) {
    const pq::Msg& c = w.node;
    std::string contype = c.enumeration("contype");
    int at = static_cast<int>(c.integer("location"));
    if (contype == "CONSTR_FOREIGN") {
        foreign_keys.push_back({&s, table_id, w});
        return;
    }
    Object& table = finished_table(s, table_id);
    const std::string& schema = table_id.schema;
    std::string name = w.name.empty() ? c.str("conname") : w.name;
    json attrs;
    if (!c.str("indexname").empty()) {
        ObjectId index_id{Kind::index, schema, c.str("indexname"), table_id.name};
        attrs = constraint_from_index(*this, s, at, require(s, index_id, at), contype);
        attrs["deferrable"] = c.flag("deferrable");
        attrs["initially_deferred"] = c.flag("initdeferred");
        model.objects.erase(index_id);
        if (name.empty()) name = index_id.name;
    } else {
        attrs = constraint_attributes(c, scope(s), w.column);
    }
    apply_deferrability(attrs, w.deferrability);
    validated_by_create_table(s, attrs);
    if (attrs.contains("elements"))
        for (const json& e : attrs["elements"])
            if (e.contains("column") && column_index(table.attrs, e["column"]) < 0)
                fail(s, at, "column " + quote_ident(e["column"].get<std::string>()) + " named in a constraint does not exist in " +
                                table.id.describe());
    for (const char* key : {"columns", "include"}) {
        if (!attrs.contains(key)) continue;
        for (const json& col : attrs[key])
            if (column_index(table.attrs, col) < 0)
                fail(s, at, "column " + quote_ident(col.get<std::string>()) + " named in a constraint does not exist in " +
                                table.id.describe());
    }
    if (name.empty()) {
        auto constraint_taken = [&](const std::string& n) { return constraint_name_taken(schema, n); };
        auto relation_taken = [&](const std::string& n) {
            return relation_name_taken(schema, n) || constraint_name_taken(schema, n);
        };
        if (contype == "CONSTR_CHECK") {
            auto vars = referenced_columns(c.get("raw_expr"));
            name = choose_object_name(table_id.name, vars.size() == 1 ? vars[0] : "", "check", constraint_taken);
        } else if (contype == "CONSTR_PRIMARY") {
            name = choose_object_name(table_id.name, "", "pkey", relation_taken);
        } else {
            name = choose_object_name(table_id.name, name_addition(index_column_names(written_index_names(c, attrs))),
                                      contype == "CONSTR_EXCLUSION" ? "excl" : "key", relation_taken);
        }
    }
    claim_constraint_name(schema, name);
    if (is_index_backed(contype)) claim_relation_name(schema, name);
    ObjectId id{Kind::constraint, schema, name, table_id.name};
    if (contype == "CONSTR_PRIMARY") {
        for (const json& col : attrs["columns"]) {
            table.attrs["columns"][column_index(table.attrs, col)]["not_null"] = true;
            for (Object* child : children_of(table_id))
                if (int at = column_index(child->attrs, col); at >= 0) child->attrs["columns"][at]["not_null"] = true;
        }
        primary_keys[table_id] = id;
    }
    add_object(s, Object{id, attrs}, at);
}

void Reader::add_foreign_keys() {
    for (const PendingForeignKey& fk : foreign_keys) {
        const Stmt& s = *fk.stmt;
        const pq::Msg& c = fk.constraint.node;
        int at = static_cast<int>(c.integer("location"));
        Object& table = require(s, fk.table, at);
        json attrs = constraint_attributes(c, scope(s), fk.constraint.column);
        apply_deferrability(attrs, fk.constraint.deferrability);
        validated_by_create_table(s, attrs);
        json& ref = attrs["references"];
        // An unqualified REFERENCES target resolves among the declared tables.
        ObjectId ref_id = resolve_relation(s, c.get("pktable"));
        if (ref_id.kind != Kind::table) fail(s, at, "a foreign key must reference a table, not " + ref_id.describe());
        ref["schema"] = ref_id.schema;
        const Object& referenced = require(s, ref_id, at);
        if (ref["columns"].empty()) {
            if (auto pk = primary_keys.find(ref_id); pk != primary_keys.end())
                ref["columns"] = model.find(pk->second)->attrs["columns"];
            if (ref["columns"].empty())
                fail(s, at, "there is no primary key for referenced " + referenced.id.describe());
        }
        for (const json& col : attrs["columns"])
            if (column_index(table.attrs, col) < 0)
                fail(s, at, "column " + quote_ident(col.get<std::string>()) + " of the foreign key does not exist in " + table.id.describe());
        for (const json& col : ref["columns"])
            if (column_index(referenced.attrs, col) < 0)
                fail(s, at, "referenced column " + quote_ident(col.get<std::string>()) + " does not exist in " + referenced.id.describe());
        if (ref["columns"].size() != attrs["columns"].size())
            fail(s, at, "the foreign key has " + std::to_string(attrs["columns"].size()) + " columns but references " +
                            std::to_string(ref["columns"].size()));
        std::string name = c.str("conname");
        const std::string& schema = fk.table.schema;
        if (name.empty())
            name = choose_object_name(fk.table.name, name_addition(strings_of(attrs["columns"])), "fkey",
                                      [&](const std::string& n) { return constraint_name_taken(schema, n); });
        claim_constraint_name(schema, name);
        add_object(s, Object{ObjectId{Kind::constraint, schema, name, fk.table.name}, attrs}, at);
    }
}

void Reader::copy_like_columns(const Stmt& s, Object& table, const pq::Msg& like) {
    const Object& tmpl = finished_table(s, resolve_relation(s, like.get("relation")));
    auto options = static_cast<uint32_t>(like.integer("options"));
    for (json column : tmpl.attrs["columns"]) {
        if (!(options & k_like_defaults)) column.erase("default");
        if (!(options & k_like_generated)) column.erase("generated");
        if (!(options & k_like_comments)) column.erase("comment");
        if (!(options & k_like_storage)) column.erase("storage");
        column.erase("statistics");  // LIKE never copies a statistics target
        if (column.contains("identity")) {
            if (options & k_like_identity) {
                json& seq = column["identity"]["sequence"];
                seq["name"] = choose_object_name(table.id.name, column["name"], "seq", [&](const std::string& n) {
                    return relation_name_taken(table.id.schema, n);
                });
                claim_relation_name(table.id.schema, seq["name"]);
            } else {
                column.erase("identity");
            }
        }
        if (column_index(table.attrs, column["name"]) >= 0)
            fail(s, "column " + quote_ident(column["name"].get<std::string>()) + " is defined twice (via LIKE)");
        table.attrs["columns"].push_back(column);
    }
}

void Reader::copy_like_constraints(const Stmt& s, const ObjectId& table, const pq::Msg& like) {
    ObjectId tmpl_id = resolve_relation(s, like.get("relation"));
    auto options = static_cast<uint32_t>(like.integer("options"));
    const std::string& schema = table.schema;
    std::vector<Object> copies;
    for (const auto& [id, obj] : model.objects) {
        if (id.kind == Kind::statistics && id.schema == tmpl_id.schema && id.table == tmpl_id.name &&
            (options & k_like_statistics))
            fail(s, "LIKE ... INCLUDING STATISTICS of a table with extended statistics is not supported by pg-flux yet");
        if (id.schema != tmpl_id.schema || id.table != tmpl_id.name) continue;
        if (id.kind == Kind::constraint) {
            std::string type = obj.attrs["type"];
            bool check = type == "check";
            if (check ? !(options & k_like_constraints) : (type == "foreign_key" || !(options & k_like_indexes)))
                continue;
            Object copy = obj;
            copy.id.table = table.name;
            if (!check) {
                std::vector<std::string> raw;
                if (type == "exclusion") {
                    for (const json& e : obj.attrs["elements"]) raw.push_back(e.value("column", ""));
                } else {
                    raw = strings_of(obj.attrs["columns"]);
                }
                for (const auto& inc : strings_of(obj.attrs["include"])) raw.push_back(inc);
                std::string label = type == "primary_key" ? "pkey" : type == "unique" ? "key" : "excl";
                copy.id.name = choose_object_name(table.name, type == "primary_key" ? "" : name_addition(index_column_names(raw)),
                                                  label, [&](const std::string& n) {
                                                      return relation_name_taken(schema, n) || constraint_name_taken(schema, n);
                                                  });
                claim_relation_name(schema, copy.id.name);
            }
            claim_constraint_name(schema, copy.id.name);
            copies.push_back(std::move(copy));
        } else if (id.kind == Kind::index && (options & k_like_indexes)) {
            Object copy = obj;
            copy.id.table = table.name;
            std::vector<std::string> raw;
            for (const json& e : obj.attrs["elements"]) raw.push_back(e.value("column", ""));
            for (const auto& inc : strings_of(obj.attrs["include"])) raw.push_back(inc);
            copy.id.name = choose_object_name(table.name, name_addition(index_column_names(raw)), "idx",
                                              [&](const std::string& n) { return relation_name_taken(schema, n); });
            claim_relation_name(schema, copy.id.name);
            copies.push_back(std::move(copy));
        }
    }
    Object& target = require(s, table);
    for (Object& copy : copies) {
        if (!(options & k_like_comments)) copy.attrs.erase("comment");
        if (copy.attrs.value("type", "") == "primary_key") {
            for (const json& col : copy.attrs["columns"])
                target.attrs["columns"][column_index(target.attrs, col)]["not_null"] = true;
            primary_keys[table] = copy.id;
        }
        add_object(s, std::move(copy));
    }
}

// The index-backed constraints of a CREATE TABLE as PostgreSQL keeps them:
// the primary key first, then the others in order, without one that repeats
// an earlier one (same key, access method, NULLS NOT DISTINCT and
// deferrability); an unnamed survivor takes a duplicate's name.
std::vector<WrittenConstraint> Reader::distinct_index_constraints(const Stmt& s,
                                                                  const std::vector<WrittenConstraint>& all) {
    std::vector<WrittenConstraint> ordered;
    for (const auto& w : all)
        if (w.node.enumeration("contype") == "CONSTR_PRIMARY") ordered.push_back(w);
    for (const auto& w : all) {
        std::string contype = w.node.enumeration("contype");
        if (is_index_backed(contype) && contype != "CONSTR_PRIMARY") ordered.push_back(w);
    }
    auto key_of = [&](const WrittenConstraint& w) {
        json attrs = constraint_attributes(w.node, scope(s), w.column);
        apply_deferrability(attrs, w.deferrability);
        for (const char* k : {"type", "index_options"}) attrs.erase(k);
        if (!attrs.contains("nulls_not_distinct")) attrs["nulls_not_distinct"] = false;
        return attrs;
    };
    std::vector<WrittenConstraint> kept;
    std::vector<json> keys;
    for (WrittenConstraint w : ordered) {
        if (!w.node.str("indexname").empty()) {
            kept.push_back(w);
            keys.push_back(json());
            continue;
        }
        json key = key_of(w);
        auto same = std::find(keys.begin(), keys.end(), key);
        if (same == keys.end()) {
            kept.push_back(w);
            keys.push_back(key);
            continue;
        }
        WrittenConstraint& prior = kept[same - keys.begin()];
        if (prior.name.empty() && prior.node.str("conname").empty()) prior.name = w.node.str("conname");
    }
    return kept;
}

void Reader::create_table(const Stmt& s) {
    const pq::Msg& node = s.node();
    pq::Msg rv = node.get("relation");
    std::string persistence = rv.str("relpersistence");
    if (persistence == "t") fail(s, "TEMPORARY tables cannot be part of a schema");
    if (node.get("of_typename")) fail(s, "typed tables (OF type) are not supported by pg-flux yet");
    if (!node.str("tablespacename").empty()) fail(s, "TABLESPACE is not supported by pg-flux yet");
    std::string method = node.str("access_method");
    if (!method.empty() && method != "heap") fail(s, "table access method " + method + " is not supported");

    const ObjectId id = *s.table;
    require_schema(s, id.schema);
    std::vector<ObjectId> parents;
    for (const pq::Msg& parent : node.list("inh_relations")) parents.push_back(parent_table(s, parent));
    Object& table = add_object(s, Object{id, {{"unlogged", persistence == "u"}, {"columns", json::array()}}});
    set_table_options(s, table, node.list("options"), {});
    pq::Msg bound = node.get("partbound");
    if (bound && !finished_table(s, parents.at(0)).attrs.contains("partition_by"))
        fail(s, "cannot create a partition of " + parents.at(0).describe() + ": it is not partitioned (PARTITION BY)");
    if (!parents.empty()) child_tables_.insert(id);
    if (bound) {
        table.attrs["partition_of"] = {{"schema", parents.at(0).schema}, {"table", parents.at(0).name}};
        table.attrs["bound"] = partition_bound_text(bound);
    } else if (!parents.empty()) {
        table.attrs["inherits"] = json::array();
        for (const ObjectId& p : parents) table.attrs["inherits"].push_back({{"schema", p.schema}, {"table", p.name}});
    }
    if (pq::Msg spec = node.get("partspec")) table.attrs["partition_by"] = partition_key_attributes(spec, scope(s));
    inherit_columns(s, table, parents);
    std::vector<WrittenConstraint> constraints;
    std::vector<pq::Msg> likes;
    ColumnBuilder columns(*this, s, id);
    for (const pq::Msg& elt : node.list("table_elts")) {
        if (elt.is("ColumnDef") && !elt.get("type_name")) {
            if (!bound) fail(s, static_cast<int>(elt.integer("location")), "a column without a type");
            partition_column_options(s, table, elt, constraints);
        } else if (elt.is("ColumnDef")) {
            if (bound) fail(s, static_cast<int>(elt.integer("location")), "a partition cannot define columns of its own");
            json column = columns.build(elt, constraints);
            int at = static_cast<int>(elt.integer("location"));
            if (auto from = take_rename(s, at); !from.empty()) {
                std::string name = column["name"];
                if (from.size() != 1) fail(s, at, "@renamed: a column's old name is not qualified");
                if (from[0] == name) fail(s, at, "@renamed: column " + quote_ident(name) + " is renamed from its own name");
                table.renamed_columns[name] = from[0];
            }
            if (column_index(table.attrs, column["name"]) >= 0) {
                if (parents.empty())
                    fail(s, static_cast<int>(elt.integer("location")),
                         "column " + quote_ident(column["name"].get<std::string>()) + " is defined twice");
                merge_local_column(s, table, column);
                continue;
            }
            table.attrs["columns"].push_back(column);
        } else if (elt.is("Constraint")) {
            constraints.push_back({elt, "", {}, ""});
        } else if (elt.is("TableLikeClause")) {
            likes.push_back(elt);
            copy_like_columns(s, table, elt);
        } else {
            fail(s, "unsupported table element " + elt.type());
        }
    }
    // PostgreSQL's naming order: CHECK, index-backed, LIKE copies, foreign keys.
    for (const auto& w : constraints)
        if (w.node.enumeration("contype") == "CONSTR_CHECK") add_constraint(s, id, w);
    for (const auto& w : distinct_index_constraints(s, constraints)) add_constraint(s, id, w);
    for (const pq::Msg& like : likes) copy_like_constraints(s, id, like);
    for (const auto& w : constraints)
        if (w.node.enumeration("contype") == "CONSTR_FOREIGN") add_constraint(s, id, w);
}

// Table storage parameters (reloptions) as stored: sorted "name=value";
// only heap parameters (toast.* ones live on the TOAST table).
void Reader::set_table_options(const Stmt& s, Object& table, const std::vector<pq::Msg>& set,
                               const std::vector<pq::Msg>& reset) {
    for (const auto* list : {&set, &reset})
        for (const pq::Msg& d : *list)
            if (!d.str("defnamespace").empty())
                fail(s, "storage parameter " + d.str("defnamespace") + "." + d.str("defname") + " is not supported by pg-flux yet");
    json options = table.attrs.value("options", json::array());
    json reset_names = json::array();
    for (const pq::Msg& d : reset) reset_names.push_back(d.str("defname"));
    merge_relation_options(options, relation_options(set), reset_names);
    if (options.empty()) table.attrs.erase("options");
    else table.attrs["options"] = options;
}

void Reader::alter_table(const Stmt& s) {
    const ObjectId id = *s.table;
    Object& table = finished_table(s, id);
    for (const pq::Msg& cmd : s.node().list("cmds")) {
        std::string type = cmd.enumeration("subtype");
        std::string column = cmd.str("name");
        auto column_json = [&]() -> json& {
            int index = column_index(table.attrs, column);
            if (index < 0) fail(s, "column " + quote_ident(column) + " of " + id.describe() + " does not exist");
            return table.attrs["columns"][index];
        };
        if (type == "AT_AddConstraint") {
            add_constraint(s, id, WrittenConstraint{cmd.get("def"), "", {}, ""});
        } else if (type == "AT_AddColumn") {
            std::vector<WrittenConstraint> constraints;
            json col = ColumnBuilder(*this, s, id).build(cmd.get("def"), constraints);
            if (column_index(table.attrs, col["name"]) >= 0)
                fail(s, "column " + quote_ident(col["name"].get<std::string>()) + " is defined twice");
            table.attrs["columns"].push_back(col);
            // PostgreSQL adds it to every partition and child too.
            col.erase("identity");
            col.erase("comment");
            col["inherited"] = true;
            for (Object* child : children_of(id))
                if (column_index(child->attrs, col["name"]) < 0) child->attrs["columns"].push_back(col);
            for (const auto& w : constraints) add_constraint(s, id, w);
        } else if (type == "AT_DropColumn") {
            int at = column_index(table.attrs, column);
            if (at < 0) fail(s, "column " + quote_ident(column) + " of " + id.describe() + " does not exist");
            if (table.attrs["columns"][at].value("inherited", false))
                fail(s, "column " + quote_ident(column) + " of " + id.describe() + " is inherited: drop it from the parent");
            for (const auto& [oid, obj] : model.objects)
                if (oid.schema == id.schema && oid.table == id.name &&
                    obj.attrs.dump().find(json(column).dump()) != std::string::npos)
                    fail(s, "column " + quote_ident(column) + " is used by " + oid.describe() +
                                "; DROP COLUMN in schema files is supported for unused columns only");
            table.attrs["columns"].erase(at);
            for (Object* child : children_of(id))
                if (int c = column_index(child->attrs, column); c >= 0 && child->attrs["columns"][c].value("inherited", false))
                    child->attrs["columns"].erase(c);
        } else if (type == "AT_ColumnDefault") {
            set_default(column_json(), cmd.get("def"), scope(s));
        } else if (type == "AT_SetNotNull" || type == "AT_DropNotNull") {
            column_json()["not_null"] = type == "AT_SetNotNull";
        } else if (type == "AT_AddIdentity") {
            pq::Msg def = cmd.get("def");
            json& col = column_json();
            col["identity"] = identity_of(s, id, column, col["type"], def.list("options"),
                                          def.str("generated_when") == "a");
            col["not_null"] = true;
        } else if (type == "AT_AttachPartition") {
            attach_partition(s, id, cmd.get("def"));
        } else if (type == "AT_DetachPartition") {
            detach_partition(s, id, cmd.get("def"));
        } else if (type == "AT_AddInherit") {
            add_inherit(s, table, cmd.get("def"));
        } else if (type == "AT_DropInherit") {
            drop_inherit(s, table, cmd.get("def"));
        } else if (type == "AT_ChangeOwner") {
            set_owner(s, table, cmd.get("newowner"));
        } else if (type == "AT_SetStorage") {
            json& col = column_json();
            std::string storage = pq::value_text(cmd.get("def"));
            for (auto& c : storage) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (storage != "plain" && storage != "external" && storage != "extended" && storage != "main")
                fail(s, "invalid storage type \"" + storage + "\"");
            if (default_storage(col["type"]) == storage) col.erase("storage");
            else col["storage"] = storage;
        } else if (type == "AT_SetStatistics") {
            if (column.empty()) fail(s, "SET STATISTICS of a table column by number is not supported (name the column)");
            json& col = column_json();
            int target = std::stoi(pq::value_text(cmd.get("def")));
            if (target < -1 || target > 10000) fail(s, "statistics target " + std::to_string(target) + " is out of range (-1 to 10000)");
            if (target == -1) col.erase("statistics");
            else col["statistics"] = target;
        } else if (type == "AT_SetRelOptions" || type == "AT_ResetRelOptions") {
            std::vector<pq::Msg> items = cmd.get("def").list("items");
            if (type == "AT_SetRelOptions") set_table_options(s, table, items, {});
            else set_table_options(s, table, {}, items);
        } else if (type == "AT_ReplicaIdentity") {
            pq::Msg def = cmd.get("def");
            std::string kind = def.str("identity_type");
            table.attrs.erase("replica_identity");
            table.attrs.erase("replica_identity_index");
            if (kind == "f") table.attrs["replica_identity"] = "full";
            if (kind == "n") table.attrs["replica_identity"] = "nothing";
            if (kind == "i") {
                table.attrs["replica_identity"] = "index";
                table.attrs["replica_identity_index"] = def.str("name");
            }
        } else if (type == "AT_SetLogged" || type == "AT_SetUnLogged") {
            table.attrs["unlogged"] = type == "AT_SetUnLogged";
            // PostgreSQL changes the sequences the table owns with it.
            for (auto& [id, object] : model.objects) {
                if (id.kind != Kind::sequence || id.schema != table.id.schema) continue;
                const json& owner = object.attrs.value("owned_by", json());
                if (!owner.is_object() || owner.value("table", "") != table.id.name) continue;
                if (type == "AT_SetUnLogged") object.attrs["unlogged"] = true;
                else object.attrs.erase("unlogged");
            }
        } else if (type == "AT_EnableRowSecurity" || type == "AT_ForceRowSecurity") {
            table.attrs[type == "AT_EnableRowSecurity" ? "row_security" : "force_row_security"] = true;
        } else if (type == "AT_DisableRowSecurity" || type == "AT_NoForceRowSecurity") {
            table.attrs.erase(type == "AT_DisableRowSecurity" ? "row_security" : "force_row_security");
        } else if (type == "AT_EnableTrig" || type == "AT_DisableTrig" || type == "AT_EnableAlwaysTrig" ||
                   type == "AT_EnableReplicaTrig") {
            const char* state = type == "AT_EnableTrig"         ? "origin"
                                : type == "AT_DisableTrig"      ? "disabled"
                                : type == "AT_EnableAlwaysTrig" ? "always"
                                                                : "replica";
            set_trigger_state(s, id, column, state);
        } else {
            fail(s, "ALTER TABLE " + type.substr(3) + " is not supported in schema files");
        }
    }
}

// ALTER INDEX ... ALTER COLUMN n SET STATISTICS: the statistics target of an
// expression column of an index the files create.
void Reader::alter_index(const Stmt& s) {
    std::string name = s.node().get("relation").str("relname");
    Object* index = model.find(ObjectId{Kind::index, s.table->schema, name, s.table->name});
    if (!index) fail(s, "index " + quote_ident(name) + " must be created before ALTER INDEX");
    for (const pq::Msg& cmd : s.node().list("cmds")) {
        std::string type = cmd.enumeration("subtype");
        if (type != "AT_SetStatistics") fail(s, "ALTER INDEX " + type.substr(3) + " is not supported in schema files");
        auto number = static_cast<size_t>(cmd.integer("num"));
        json& elements = index->attrs["elements"];
        if (number < 1 || number > elements.size())
            fail(s, "index " + quote_ident(name) + " has no column number " + std::to_string(cmd.integer("num")) +
                        " (name index columns by number)");
        json& element = elements[number - 1];
        if (!element.contains("expression"))
            fail(s, "column number " + std::to_string(number) + " of index " + quote_ident(name) +
                        " is not an expression: only expression columns have a statistics target");
        int target = std::stoi(pq::value_text(cmd.get("def")));
        if (target < -1 || target > 10000) fail(s, "statistics target " + std::to_string(target) + " is out of range (-1 to 10000)");
        if (target == -1) element.erase("statistics");
        else element["statistics"] = target;
    }
}

// --- partitions and inheritance ---------------------------------------------

ObjectId Reader::parent_table(const Stmt& s, const pq::Msg& range_var) {
    ObjectId id = resolve_relation(s, range_var);
    if (id.kind != Kind::table)
        fail(s, static_cast<int>(range_var.integer("location")), id.describe() + " cannot be a parent table");
    return id;
}

// A child starts with its parents' columns, as PostgreSQL copies them: type,
// collation, NOT NULL, default and generation expression (no identity, no
// comment); a column two parents share is merged. Each is marked inherited.
void Reader::inherit_columns(const Stmt& s, Object& table, const std::vector<ObjectId>& parents) {
    for (const ObjectId& parent_id : parents) {
        if (parent_id == table.id) fail(s, table.id.describe() + " cannot inherit from itself");
        const Object& parent = finished_table(s, parent_id);
        for (json column : parent.attrs["columns"]) {
            column.erase("identity");
            column.erase("comment");
            column["inherited"] = true;
            int at = column_index(table.attrs, column["name"]);
            if (at < 0) {
                table.attrs["columns"].push_back(column);
                continue;
            }
            json& existing = table.attrs["columns"][at];
            if (existing["type"] != column["type"] || existing.value("collation", json()) != column.value("collation", json()))
                fail(s, "column " + quote_ident(column["name"].get<std::string>()) +
                            " is inherited with different types or collations");
            if (column["not_null"] == true) existing["not_null"] = true;
        }
    }
}

// A column a child defines that a parent has too: merged into the inherited
// one (same type required); its own default wins, NOT NULL adds up.
void Reader::merge_local_column(const Stmt& s, Object& table, json column) {
    json& existing = table.attrs["columns"][column_index(table.attrs, column["name"])];
    std::string name = column["name"];
    if (existing.value("inherited", false) == false) fail(s, "column " + quote_ident(name) + " is defined twice");
    if (existing["type"] != column["type"])
        fail(s, "column " + quote_ident(name) + " has type " + column["type"].get<std::string>() +
                    " but the parent's is " + existing["type"].get<std::string>());
    if (column.contains("identity") || column.contains("generated") || column.contains("collation"))
        fail(s, "column " + quote_ident(name) +
                    " merges with an inherited column: only DEFAULT and NOT NULL may be added to it here");
    if (column.contains("default")) existing["default"] = column["default"];
    if (column["not_null"] == true) existing["not_null"] = true;
    if (column.contains("comment")) existing["comment"] = column["comment"];
}

// CREATE TABLE p PARTITION OF parent (col WITH OPTIONS DEFAULT 1 NOT NULL ...).
void Reader::partition_column_options(const Stmt& s, Object& table, const pq::Msg& def,
                                      std::vector<WrittenConstraint>& constraints) {
    std::string name = def.str("colname");
    int at = column_index(table.attrs, name);
    if (at < 0)
        fail(s, static_cast<int>(def.integer("location")),
             "column " + quote_ident(name) + " of " + table.id.describe() + " is not a column of its parent");
    json& column = table.attrs["columns"][at];
    check_nullability(*this, s, def, table.id, false);
    for (const pq::Msg& c : def.list("constraints")) {
        std::string contype = c.enumeration("contype");
        if (contype == "CONSTR_DEFAULT") set_default(column, c.get("raw_expr"), scope(s));
        else if (contype == "CONSTR_NOTNULL") column["not_null"] = true;
        else if (contype == "CONSTR_NULL") continue;
        else if (contype == "CONSTR_CHECK" || contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY")
            constraints.push_back({c, name, {}, ""});
        else
            fail(s, static_cast<int>(c.integer("location")),
                 "this option of partition column " + quote_ident(name) + " is not supported");
    }
}

// ALTER TABLE parent ATTACH PARTITION p FOR VALUES ... (as pg_dump writes
// partitions): p's columns must be the parent's; they become inherited.
void Reader::attach_partition(const Stmt& s, const ObjectId& parent_id, const pq::Msg& cmd) {
    const Object& parent = finished_table(s, parent_id);
    if (!parent.attrs.contains("partition_by")) fail(s, parent_id.describe() + " is not partitioned");
    ObjectId child_id = parent_table(s, cmd.get("name"));
    Object& child = finished_table(s, child_id);
    if (child.attrs.contains("partition_of") || child.attrs.contains("inherits"))
        fail(s, child_id.describe() + " is already a partition or a child of another table");
    for (json& column : child.attrs["columns"]) {
        int at = column_index(parent.attrs, column["name"]);
        if (at < 0)
            fail(s, "column " + quote_ident(column["name"].get<std::string>()) + " of " + child_id.describe() +
                        " is not a column of " + parent_id.describe());
        const json& pc = parent.attrs["columns"][at];
        if (pc["type"] != column["type"])
            fail(s, "column " + quote_ident(column["name"].get<std::string>()) + " of " + child_id.describe() +
                        " has a different type than in " + parent_id.describe());
        column["inherited"] = true;
        if (pc["not_null"] == true) column["not_null"] = true;
    }
    for (const json& pc : parent.attrs["columns"])
        if (column_index(child.attrs, pc["name"]) < 0)
            fail(s, child_id.describe() + " lacks column " + quote_ident(pc["name"].get<std::string>()) + " of " +
                        parent_id.describe());
    child.attrs["partition_of"] = {{"schema", parent_id.schema}, {"table", parent_id.name}};
    child_tables_.insert(child_id);
    child.attrs["bound"] = partition_bound_text(cmd.get("bound"));
    // PostgreSQL attaches the partition's indexes (and the keys they back)
    // that match one of the parent's to it: they become the parent's.
    std::vector<ObjectId> attached;
    for (const auto& [pid, pobj] : model.objects) {
        if (pid.schema != parent_id.schema || pid.table != parent_id.name) continue;
        bool index_backed = pid.kind == Kind::index ||
                            (pid.kind == Kind::constraint && pobj.attrs.value("type", "") != "check" &&
                             pobj.attrs.value("type", "") != "foreign_key");
        if (!index_backed) continue;
        for (const auto& [cid, cobj] : model.objects) {
            if (cid.kind != pid.kind || cid.schema != child_id.schema || cid.table != child_id.name) continue;
            if (without_keys(cobj.attrs) == without_keys(pobj.attrs) &&
                std::find(attached.begin(), attached.end(), cid) == attached.end()) {
                attached.push_back(cid);
                break;
            }
        }
    }
    for (const ObjectId& id : attached) model.objects.erase(id);
}

void Reader::detach_partition(const Stmt& s, const ObjectId& parent_id, const pq::Msg& cmd) {
    ObjectId child_id = parent_table(s, cmd.get("name"));
    Object& child = finished_table(s, child_id);
    json of = {{"schema", parent_id.schema}, {"table", parent_id.name}};
    if (child.attrs.value("partition_of", json()) != of)
        fail(s, child_id.describe() + " is not a partition of " + parent_id.describe());
    child.attrs.erase("partition_of");
    child.attrs.erase("bound");
    for (json& column : child.attrs["columns"]) column.erase("inherited");
}

// ALTER TABLE child INHERIT parent: the child has every column of the parent already.
void Reader::add_inherit(const Stmt& s, Object& table, const pq::Msg& parent_rv) {
    ObjectId parent_id = parent_table(s, parent_rv);
    const Object& parent = finished_table(s, parent_id);
    if (table.attrs.contains("partition_of") || table.attrs.contains("partition_by"))
        fail(s, "a partition or a partitioned table cannot inherit");
    for (const json& pc : parent.attrs["columns"]) {
        int at = column_index(table.attrs, pc["name"]);
        if (at < 0)
            fail(s, table.id.describe() + " lacks column " + quote_ident(pc["name"].get<std::string>()) + " of " +
                        parent_id.describe());
        json& column = table.attrs["columns"][at];
        if (column["type"] != pc["type"])
            fail(s, "column " + quote_ident(pc["name"].get<std::string>()) + " has a different type than in " +
                        parent_id.describe());
        column["inherited"] = true;
    }
    json entry = {{"schema", parent_id.schema}, {"table", parent_id.name}};
    if (!table.attrs.contains("inherits")) table.attrs["inherits"] = json::array();
    for (const json& e : table.attrs["inherits"])
        if (e == entry) fail(s, table.id.describe() + " already inherits from " + parent_id.describe());
    table.attrs["inherits"].push_back(entry);
    child_tables_.insert(table.id);
}

void Reader::drop_inherit(const Stmt& s, Object& table, const pq::Msg& parent_rv) {
    ObjectId parent_id = parent_table(s, parent_rv);
    json entry = {{"schema", parent_id.schema}, {"table", parent_id.name}};
    json kept = json::array();
    for (const json& e : table.attrs.value("inherits", json::array()))
        if (e != entry) kept.push_back(e);
    if (kept.size() == table.attrs.value("inherits", json::array()).size())
        fail(s, table.id.describe() + " does not inherit from " + parent_id.describe());
    std::set<std::string> still;
    for (const json& e : kept)
        if (const Object* p = model.find(ObjectId{Kind::table, e["schema"], e["table"]}))
            for (const json& c : p->attrs["columns"]) still.insert(c["name"]);
    for (json& column : table.attrs["columns"])
        if (!still.count(column["name"])) column.erase("inherited");
    if (kept.empty()) table.attrs.erase("inherits");
    else table.attrs["inherits"] = kept;
}

// ALTER INDEX parent_index ATTACH PARTITION partition_index (pg_dump): the
// partition's index (or the constraint it backs) becomes part of the
// parent's and is no object of its own.
void Reader::attach_index(const Stmt& s) {
    for (const pq::Msg& cmd : s.node().list("cmds")) {
        if (cmd.enumeration("subtype") != "AT_AttachPartition")
            fail(s, statement_kind(s) + " is not supported in schema files");
        pq::Msg rv = cmd.get("def").get("name");
        std::string schema = rv.str("schemaname"), name = rv.str("relname");
        std::vector<std::string> schemas = schema.empty() ? s.search_path : std::vector<std::string>{schema};
        bool found = false;
        for (const std::string& candidate : schemas) {
            for (auto it = model.objects.begin(); it != model.objects.end(); ++it) {
                const ObjectId& id = it->first;
                bool index_like = id.kind == Kind::index ||
                                  (id.kind == Kind::constraint && it->second.attrs.value("type", "") != "check" &&
                                   it->second.attrs.value("type", "") != "foreign_key");
                if (index_like && id.schema == candidate && id.name == name) {
                    model.objects.erase(it);
                    found = true;
                    break;
                }
            }
            if (found) break;
        }
        if (!found) fail(s, "index " + quote_ident(name) + " is not defined in the schema files");
    }
}

}  // namespace pgflux::source
