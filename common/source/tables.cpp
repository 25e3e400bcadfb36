// Source handlers for CREATE TABLE (columns, inline constraints, LIKE),
// ALTER TABLE, and foreign keys (added last, once every key exists).
//
// Constraint names follow PostgreSQL's order: CHECK constraints are named
// first, then PRIMARY KEY / UNIQUE / EXCLUDE (whose indexes share the
// relation namespace), then what LIKE copies, then foreign keys.
#include <algorithm>
#include <regex>

#include "canon/definitions.h"
#include "canon/expressions.h"
#include "canon/names.h"
#include "canon/types.h"
#include "model/attributes.h"
#include "model/dependencies.h"
#include "source/reader.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

constexpr uint32_t k_like_comments = 1 << 0, k_like_constraints = 1 << 2, k_like_defaults = 1 << 3,
                   k_like_generated = 1 << 4, k_like_identity = 1 << 5, k_like_indexes = 1 << 6;

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
void set_default(json& column, const pq::Msg& expr, const NameScope& scope) {
    pq::Msg value = expr;
    while (value.is("TypeCast")) value = value.get("arg");
    if (!expr || (value.is("A_Const") && value.flag("isnull"))) {
        column.erase("default");
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

json Reader::serial_column_default(const Stmt& s, const ObjectId& table, const std::string& column,
                                   const std::string& type) {
    std::string name = choose_object_name(table.name, column, "seq", [&](const std::string& n) {
        return relation_name_taken(table.schema, n);
    });
    claim_relation_name(table.schema, name);
    json attrs = default_sequence_options(type).to_json();
    attrs["owned_by"] = {{"table", table.name}, {"column", column}};
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
        for (const json& col : attrs["columns"]) table.attrs["columns"][column_index(table.attrs, col)]["not_null"] = true;
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
    if (!node.list("inh_relations").empty()) fail(s, "INHERITS is not supported by pg-flux yet");
    if (node.get("partspec") || node.get("partbound")) fail(s, "partitioned tables are not supported by pg-flux yet");
    if (node.get("of_typename")) fail(s, "typed tables (OF type) are not supported by pg-flux yet");
    if (!node.list("options").empty()) fail(s, "table storage parameters (WITH ...) are not supported by pg-flux yet");
    if (!node.str("tablespacename").empty()) fail(s, "TABLESPACE is not supported by pg-flux yet");
    std::string method = node.str("access_method");
    if (!method.empty() && method != "heap") fail(s, "table access method " + method + " is not supported");

    const ObjectId id = *s.table;
    require_schema(s, id.schema);
    Object& table = add_object(s, Object{id, {{"unlogged", persistence == "u"}, {"columns", json::array()}}});
    std::vector<WrittenConstraint> constraints;
    std::vector<pq::Msg> likes;
    ColumnBuilder columns(*this, s, id);
    for (const pq::Msg& elt : node.list("table_elts")) {
        if (elt.is("ColumnDef")) {
            json column = columns.build(elt, constraints);
            if (column_index(table.attrs, column["name"]) >= 0)
                fail(s, static_cast<int>(elt.integer("location")),
                     "column " + quote_ident(column["name"].get<std::string>()) + " is defined twice");
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
            for (const auto& w : constraints) add_constraint(s, id, w);
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
        } else if (type == "AT_ChangeOwner") {
            set_owner(s, table, cmd.get("newowner"));
        } else if (type == "AT_SetLogged" || type == "AT_SetUnLogged") {
            table.attrs["unlogged"] = type == "AT_SetUnLogged";
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

}  // namespace pgflux::source
