// Source reader: file discovery, parsing, statement ordering and dispatch.
#include "source/reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include "canon/operators.h"
#include "source/renamed_comment.h"
#include "source/source_reader.h"
#include "sql/references.h"
#include "sql/quote.h"
#include "util/cli.h"
#include "util/error.h"
#include "util/files.h"
#include "util/sha256.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace pgflux {
namespace source {
namespace {

// Offset of the first token at or after `offset`, past blanks and comments.
int first_token(const std::string& text, int offset) {
    return static_cast<int>(pq::first_token_offset(text, static_cast<size_t>(std::max(offset, 0))));
}

// The offset in the file of a node's "location" (-1: the statement's first token).
int text_offset(const Stmt& s, int byte_offset) {
    return byte_offset >= 0 ? s.statement->node_offset + byte_offset
                            : first_token(s.file->parsed->sql(), s.statement->location);
}

// ALTER INDEX ... ATTACH PARTITION (else ALTER INDEX ... SET STATISTICS).
bool attaches_partition(const pq::Msg& alter_index) {
    for (const pq::Msg& cmd : alter_index.list("cmds"))
        if (cmd.enumeration("subtype") == "AT_AttachPartition") return true;
    return false;
}

// Session settings pg_dump writes that do not change the schema model.
bool harmless_setting(const std::string& name) {
    static const char* k_names[] = {"statement_timeout", "lock_timeout",
                                    "idle_in_transaction_session_timeout",
                                    "client_encoding", "standard_conforming_strings",
                                    "check_function_bodies", "xmloption", "client_min_messages",
                                    "row_security", "default_tablespace",
                                    "default_table_access_method", "default_with_oids",
                                    "timezone", "datestyle", "intervalstyle"};
    return std::any_of(std::begin(k_names), std::end(k_names),
                       [&](const char* n) { return name == n; });
}

std::vector<std::string> search_path_of(const std::string& value_list) {
    // As PostgreSQL reads the setting: commas and quotes inside "..." are part
    // of the name ("a,b", "a""b"); unquoted names fold to lower case.
    std::vector<std::string> out;
    for (const std::string& part : split_identifiers(value_list, ','))
        if (!part.empty() && part != "$user") out.push_back(part);
    return out;
}

// SET search_path / SELECT pg_catalog.set_config('search_path', ...): the new
// path, or nullopt when the statement is not a search_path setting.
std::optional<std::vector<std::string>> search_path_setting(const Reader& r, const Stmt& s) {
    const pq::Msg& node = s.node();
    if (node.is("VariableSetStmt")) {
        std::string name = node.str("name");
        std::string kind = node.enumeration("kind");
        if (name != "search_path") {
            if (harmless_setting(name)) return std::nullopt;
            r.fail(s, "SET " + name + " is not supported in schema files (only search_path and "
                      "session settings that do not change the schema)");
        }
        if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") return std::vector<std::string>{"public"};
        std::string joined;
        for (const pq::Msg& arg : node.list("args")) {
            std::string value = arg.is("A_Const") ? pq::value_text(arg.get("sval")) : "";
            // flatten_set_variable_args: each value is one name, quoted.
            std::string quoted = "\"";
            for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
            joined += (joined.empty() ? "" : ",") + quoted + "\"";
        }
        return search_path_of(joined);
    }
    // SELECT pg_catalog.set_config('search_path', 'a, b', false);
    auto targets = node.list("target_list");
    if (targets.size() == 1 && node.list("from_clause").empty()) {
        pq::Msg call = targets[0].get("val");
        if (call.is("FuncCall") && call.strings("funcname").back() == "set_config") {
            auto args = call.list("args");
            if (args.size() == 3 && args[0].is("A_Const") && args[1].is("A_Const")) {
                std::string setting = pq::value_text(args[0].get("sval"));
                if (setting == "search_path") return search_path_of(pq::value_text(args[1].get("sval")));
                if (harmless_setting(setting)) return std::nullopt;
            }
        }
    }
    r.fail(s, "SELECT is not allowed in schema files (only SELECT pg_catalog.set_config(...))");
}

}  // namespace

// An ALTER TABLE whose every command is OWNER TO.
static bool changes_owner_only(const pq::Msg& alter) {
    auto cmds = alter.list("cmds");
    return !cmds.empty() && std::all_of(cmds.begin(), cmds.end(), [](const pq::Msg& cmd) {
        return cmd.enumeration("subtype") == "AT_ChangeOwner";
    });
}

std::string statement_kind(const Stmt& s) {
    std::string_view text = s.statement->text;
    std::string full(text);
    size_t i = static_cast<size_t>(first_token(full, 0));
    std::string out;
    for (int words = 0; words < 4 && i < full.size(); ++words) {
        size_t start = i;
        while (i < full.size() && (std::isalpha(static_cast<unsigned char>(full[i])) || full[i] == '_'))
            ++i;
        std::string word = full.substr(start, i - start);
        if (word.empty() || pq::keyword_kind(word) == pq::KeywordKind::none) {
            std::string lower = word;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            if (lower.empty() || pq::keyword_kind(lower) == pq::KeywordKind::none) break;
        }
        std::transform(word.begin(), word.end(), word.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        out += (out.empty() ? "" : " ") + word;
        while (i < full.size() && std::isspace(static_cast<unsigned char>(full[i]))) ++i;
    }
    return out.empty() ? s.node().type() : out;
}

SourceLocation Reader::location(const Stmt& s, int byte_offset) const {
    auto lc = s.file->lines->at(text_offset(s, byte_offset));
    return SourceLocation{s.file->path, lc.line, lc.column};
}

void Reader::fail(const Stmt& s, int byte_offset, const std::string& message) const {
    usage_error(location(s, byte_offset).text() + ": " + message);
}

void Reader::fail(const Stmt& s, const std::string& message) const { fail(s, -1, message); }

NameScope Reader::scope(const Stmt& s) const {
    NameScope out;
    out.search_path = s.search_path;
    out.model = &model;
    out.relations = &relation_types_;
    return out;
}

std::string Reader::creation_schema(const Stmt& s) const {
    if (s.search_path.empty())
        fail(s, "no schema has been selected to create in (the search_path is empty); qualify the name");
    return s.search_path.front();
}

std::optional<ObjectId> Reader::declared_relation(const std::string& schema, const std::string& name) const {
    for (Kind kind : {Kind::table, Kind::foreign_table, Kind::view, Kind::materialized_view}) {
        ObjectId id{kind, schema, name};
        if (declared_relations_.count(id)) return id;
    }
    return std::nullopt;
}

ObjectId Reader::resolve_relation(const Stmt& s, const pq::Msg& range_var) const {
    std::string schema = range_var.str("schemaname");
    std::string name = range_var.str("relname");
    if (!schema.empty()) return declared_relation(schema, name).value_or(ObjectId{Kind::table, schema, name});
    for (const auto& candidate : s.search_path)
        if (auto id = declared_relation(candidate, name)) return *id;
    if (s.search_path.empty())
        fail(s, static_cast<int>(range_var.integer("location")),
             "relation " + quote_ident(name) + " cannot be found: the search_path is empty; qualify the name");
    return ObjectId{Kind::table, s.search_path.front(), name};
}

void Reader::add_references(Object& object, const pq::Msg& tree, const std::vector<std::string>& search_path,
                            bool soft) const {
    for (const auto& ref : pq::name_references(tree)) {
        const std::string& name = ref.names.back();
        std::vector<std::string> schemas = search_path;
        if (ref.names.size() >= 2) schemas = {ref.names[ref.names.size() - 2]};
        for (const std::string& schema : schemas) {
            std::vector<ObjectId> found;
            if (ref.kind == pq::NameReference::Kind::relation) {
                if (auto id = declared_relation(schema, name)) found.push_back(*id);
            } else if (ref.kind == pq::NameReference::Kind::routine) {
                found = model.routines_named(schema, name);
            } else if (ref.kind == pq::NameReference::Kind::operator_) {
                found = model.operators_named(schema, name);
            } else {
                for (Kind kind : {Kind::enumeration, Kind::range_type, Kind::domain, Kind::composite_type})
                    if (model.find(ObjectId{kind, schema, name})) found.push_back(ObjectId{kind, schema, name});
                // A multirange type is part of its range type.
                for (auto it = model.objects.lower_bound(ObjectId{Kind::range_type, schema, ""});
                     it != model.objects.end() && it->first.kind == Kind::range_type && it->first.schema == schema; ++it)
                    if (it->second.attrs.value("multirange", "") == name) found.push_back(it->first);
                if (found.empty())
                    if (auto id = declared_relation(schema, name)) found.push_back(*id);
            }
            for (const ObjectId& id : found) object.depend_on({id, std::nullopt, soft});
            if (!found.empty()) break;
        }
    }
}

bool Reader::relation_name_taken(const std::string& schema, const std::string& name) const {
    return relation_names_.count({schema, name}) > 0;
}

bool Reader::constraint_name_taken(const std::string& schema, const std::string& name) const {
    return constraint_names_.count({schema, name}) > 0;
}

void Reader::claim_relation_name(const std::string& schema, const std::string& name) {
    relation_names_.insert({schema, name});
}

void Reader::claim_constraint_name(const std::string& schema, const std::string& name) {
    constraint_names_.insert({schema, name});
}

std::vector<std::string> Reader::take_rename(const Stmt& s, int byte_offset) {
    auto it = renames_.find({s.file, text_offset(s, byte_offset)});
    if (it == renames_.end() || it->second.taken) return {};
    it->second.taken = true;
    return it->second.from;
}

Object& Reader::add_object(const Stmt& s, Object object, int byte_offset) {
    object.location = location(s, byte_offset);
    if (renamable(object.id.kind)) {
        std::vector<std::string> from = take_rename(s, byte_offset);
        if (from.size() == 2) {
            const ObjectId& id = object.id;
            if (id.kind == Kind::schema) fail(s, byte_offset, "@renamed: a schema's old name has no schema (from=" +
                                                                  join_idents(from) + ")");
            if (from[0] != id.schema)
                fail(s, byte_offset, "@renamed from=" + qualified_name(from[0], from[1]) + ": moving " + id.describe() +
                                         " from schema " + quote_ident(from[0]) + " to " + quote_ident(id.schema) +
                                         " is not supported (an old name is in the object's own schema)");
        }
        if (!from.empty()) {
            if (from.back() == object.id.name) fail(s, byte_offset, "@renamed: " + object.id.describe() + " is renamed from its own name");
            object.renamed_from = from.back();
        }
    }
    if (const Object* existing = model.find(object.id)) {
        std::string where = existing->location ? " (first defined at " + existing->location->text() + ")" : "";
        fail(s, byte_offset, object.id.describe() + " is defined twice" + where);
    }
    return model.add(std::move(object));
}

Object& Reader::require(const Stmt& s, const ObjectId& id, int byte_offset) {
    Object* found = model.find(id);
    if (!found) fail(s, byte_offset, id.describe() + " is not defined in the schema files");
    return *found;
}

void Reader::require_schema(const Stmt& s, const std::string& schema, int byte_offset) {
    if (schema == "public") return;
    if (schema == "pg_catalog" || schema == "information_schema" || schema == k_tracking_schema)
        fail(s, byte_offset, "objects in schema " + quote_ident(schema) + " cannot be managed");
    require(s, ObjectId{Kind::schema, "", schema, ""}, byte_offset);
}

Object& Reader::finished_table(const Stmt& s, const ObjectId& table, int byte_offset) {
    if (declared_relations_.count(table) && !finalizing_.count(table)) finalize_relation(table);
    return require(s, table, byte_offset);
}

// The "-- @renamed from=old" comments of a file, each on a line of its own
// directly before the token it annotates.
void Reader::find_renames(const SourceFile& file) {
    const std::string& sql = file.parsed->sql();
    auto error = [&](int offset, const std::string& message) {
        auto lc = file.lines->at(offset);
        usage_error(file.path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " + message);
    };
    if (sql.find("@renamed") == std::string::npos) return;  // spares a scan of the file
    for (const pq::Comment& c : pq::comments(sql)) {
        if (sql.compare(static_cast<size_t>(c.start), 2, "--") != 0) continue;
        auto parsed = parse_renamed_comment(std::string_view(sql).substr(c.start, c.end - c.start));
        if (!parsed.is_annotation) continue;
        if (!parsed.error.empty())
            error(c.start + static_cast<int>(parsed.error_at),
                  "malformed @renamed comment: " + parsed.error + " (write: -- @renamed from=old_name)");
        size_t line_start = sql.rfind('\n', static_cast<size_t>(c.start));
        line_start = line_start == std::string::npos ? 0 : line_start + 1;
        bool own_line = std::all_of(sql.begin() + line_start, sql.begin() + c.start,
                                    [](char ch) { return ch == ' ' || ch == '\t'; });
        size_t next = static_cast<size_t>(c.end);
        while (next < sql.size() && std::isspace(static_cast<unsigned char>(sql[next]))) ++next;
        bool directly_before = own_line && next < sql.size() && sql.compare(next, 2, "--") != 0 &&
                               sql.compare(next, 2, "/*") != 0 &&
                               file.lines->at(static_cast<int>(next)).line == file.lines->at(c.start).line + 1;
        if (!directly_before)
            error(c.start, "a @renamed comment must be a line of its own directly before the CREATE statement, "
                           "column or table constraint it renames");
        renames_[{&file, static_cast<int>(next)}] = DeclaredRename{parsed.from, c.start, false};
    }
}

namespace {

// CREATE OR REPLACE VIEW v AS SELECT NULL::t AS a, ...: the placeholder
// pg_dump writes for a view that is part of a dependency cycle.
bool placeholder_view(const pq::Msg& node) {
    if (!node.flag("replace")) return false;
    pq::Msg query = node.get("query");
    if (!query.is("SelectStmt") || !query.list("from_clause").empty() || query.list("target_list").empty()) return false;
    for (const pq::Msg& target : query.list("target_list")) {
        pq::Msg value = target.get("val");
        if (!value.is("TypeCast") || !value.get("arg").is("A_Const") || !value.get("arg").flag("isnull")) return false;
    }
    return true;
}

// A statement of the preamble of a pg_dump --clean dump: it drops what the
// dump then creates (DROP ..., ALTER TABLE ... DROP CONSTRAINT or ALTER
// COLUMN ... DROP DEFAULT) or empties a view so that it can be dropped (a
// placeholder view).
bool clean_preamble_statement(const pq::Msg& node) {
    const std::string& type = node.type();
    if (type == "DropStmt" || type == "DropUserMappingStmt") return true;
    if (type == "ViewStmt") return placeholder_view(node);
    if (type != "AlterTableStmt") return false;
    for (const pq::Msg& cmd : node.list("cmds")) {
        std::string sub = cmd.enumeration("subtype");
        if (sub != "AT_DropConstraint" && !(sub == "AT_ColumnDefault" && !cmd.get("def"))) return false;
    }
    return true;
}

}  // namespace

void Reader::parse_files() {
    for (const SourceFile& file : files_) {
        find_renames(file);
        std::vector<std::string> search_path = {"public"};
        // Statements that drop, before the file's first one that declares
        // something: a --clean dump's preamble, skipped (loaded into an empty
        // database, they would drop nothing).
        bool in_preamble = true;
        int preamble_statements = 0;
        std::optional<SourceLocation> preamble_start;
        for (const pq::Statement& st : file.parsed->statements()) {
            auto stmt = std::make_unique<Stmt>();
            stmt->file = &file;
            stmt->statement = &st;
            stmt->search_path = search_path;
            const std::string& type = st.node.type();
            if (type == "VariableSetStmt" || type == "SelectStmt") {
                if (auto path = search_path_setting(*this, *stmt)) search_path = *path;
                stmt->done = true;
            }
            // A dump kept as the schema (Rails' structure.sql) may fill a
            // table: skipped, said.
            if (type == "InsertStmt" || type == "UpdateStmt" || type == "DeleteStmt" || type == "MergeStmt") {
                pq::Msg rv = st.node.get("relation");
                std::string schema = rv.str("schemaname");
                notice("flux-parse", location(*stmt).text() + ": " + statement_kind(*stmt) + " " +
                                         one_line(qualified_name(schema, rv.str("relname"))) +
                                         " skipped: it changes data, not the schema");
                stmt->done = true;
            }
            if (!stmt->done) {
                if (in_preamble && clean_preamble_statement(st.node)) {
                    if (!preamble_start) preamble_start = location(*stmt);
                    ++preamble_statements;
                    stmt->done = true;
                } else {
                    in_preamble = false;
                }
            }
            stmts_.push_back(std::move(stmt));
        }
        if (preamble_statements > 0)
            notice("flux-parse", preamble_start->text() + ": " + std::to_string(preamble_statements) +
                                     (preamble_statements == 1 ? " statement" : " statements") +
                                     " that drop before the file's first CREATE skipped (a pg_dump --clean "
                                     "preamble): schema files declare what exists");
    }
}

void Reader::declare_relation(Stmt& s, Kind kind, const pq::Msg& rv) {
    std::string schema = rv.str("schemaname");
    ObjectId id{kind, schema.empty() ? creation_schema(s) : schema, rv.str("relname")};
    if (auto other = declared_relation(id.schema, id.name))
        fail(s, id.describe() + " is defined twice (first defined at " + location(*declared_relations_.at(*other)).text() +
                    ")");
    declared_relations_[id] = &s;
    relation_types_.insert({id.schema, id.name});
    relation_order_.push_back(id);
    s.table = id;
    claim_relation_name(id.schema, id.name);
}

// A type's name (and a range type's multirange's) resolves in column types
// and other types before the type itself is read.
void Reader::declare_type(Stmt& s) {
    const pq::Msg& node = s.node();
    const std::string& type = node.type();
    std::vector<std::string> names;
    if (type == "CompositeTypeStmt") {
        pq::Msg rv = node.get("typevar");
        names = {rv.str("schemaname"), rv.str("relname")};
        if (names[0].empty()) names.erase(names.begin());
    } else {
        names = node.strings(type == "CreateDomainStmt" ? "domainname" : "type_name");
    }
    std::string schema = names.size() >= 2 ? names[names.size() - 2] : creation_schema(s);
    relation_types_.insert({schema, names.back()});
    if (type == "CreateRangeStmt") relation_types_.insert(multirange_of(s, schema, names.back()));
}

void Reader::declare(Stmt& s) {
    const pq::Msg& node = s.node();
    const std::string& type = node.type();
    if (type == "CreateStmt") {
        declare_relation(s, Kind::table, node.get("relation"));
    } else if (type == "ViewStmt") {
        pq::Msg rv = node.get("view");
        std::string schema = rv.str("schemaname");
        ObjectId id{Kind::view, schema.empty() ? creation_schema(s) : schema, rv.str("relname")};
        auto earlier = declared_relation(id.schema, id.name);
        if (node.flag("replace") && earlier && earlier->kind == Kind::view) {
            s.table = *earlier;
            s.replaces_view = true;
        } else {
            declare_relation(s, Kind::view, rv);
        }
    } else if (type == "CreateForeignTableStmt") {
        declare_relation(s, Kind::foreign_table, node.get("base_stmt").get("relation"));
    } else if (type == "CreateTableAsStmt") {
        if (node.enumeration("objtype") != "OBJECT_MATVIEW")
            fail(s, "CREATE TABLE ... AS is not supported in schema files (define the table with CREATE TABLE)");
        declare_relation(s, Kind::materialized_view, node.get("into").get("rel"));
    } else if (type == "IndexStmt") {
        s.table = resolve_relation(s, node.get("relation"));
        std::string name = node.str("idxname");
        if (!name.empty()) {
            declared_indexes[{s.table->schema, name}] = *s.table;
            claim_relation_name(s.table->schema, name);
        }
    } else if (type == "CreateStatsStmt") {
        if (node.list("relations").size() != 1) fail(s, "CREATE STATISTICS names one table");
        s.table = resolve_relation(s, node.list("relations")[0]);
        auto names = node.strings("defnames");
        if (names.empty()) fail(s, "CREATE STATISTICS needs a name (PostgreSQL 15)");
        std::string schema = names.size() >= 2 ? names[names.size() - 2] : creation_schema(s);
        if (schema != s.table->schema)
            fail(s, "statistics object " + quote_ident(names.back()) + " outside the schema of its " + s.table->describe() +
                        " is not supported by pg-flux yet");
        if (declared_statistics.count({schema, names.back()}))
            fail(s, "statistics object " + qualified_name(schema, names.back()) + " is defined twice");
        declared_statistics[{schema, names.back()}] = *s.table;
    } else if (type == "AlterStatsStmt") {
        s.table = statistics_table(s, node.strings("defnames"));
        if (!s.table) fail(s, "statistics object " + quote_ident(node.strings("defnames").back()) + " is not defined in the schema files");
    } else if (type == "AlterTableStmt") {
        std::string objtype = node.enumeration("objtype");
        if (objtype == "OBJECT_INDEX") {
            if (attaches_partition(node)) return;  // ALTER INDEX ... ATTACH PARTITION: after the relations
            pq::Msg rv = node.get("relation");
            std::string schema = rv.str("schemaname");
            for (const auto& candidate : schema.empty() ? s.search_path : std::vector<std::string>{schema}) {
                auto it = declared_indexes.find({candidate, rv.str("relname")});
                if (it != declared_indexes.end() && !s.table) s.table = it->second;
            }
            if (!s.table) fail(s, "index " + quote_ident(rv.str("relname")) + " is not created by CREATE INDEX in the schema files");
            return;
        }
        if (objtype == "OBJECT_SEQUENCE") return;  // OWNER TO: see alter_sequence_owner
        // pg_dump writes a sequence's owner as ALTER TABLE seq OWNER TO role
        // (PostgreSQL accepts it): a relation the files do not declare, named
        // only to change its owner, is a sequence (alter_sequence_owner).
        if (objtype == "OBJECT_TABLE" && changes_owner_only(node) &&
            !declared_relations_.count(resolve_relation(s, node.get("relation"))))
            return;
        if (objtype != "OBJECT_TABLE" && objtype != "OBJECT_VIEW" && objtype != "OBJECT_MATVIEW" &&
            objtype != "OBJECT_FOREIGN_TABLE")
            fail(s, statement_kind(s) + " is not supported by pg-flux yet");
        s.table = resolve_relation(s, node.get("relation"));
    } else if (type == "CreateTrigStmt" || type == "RuleStmt") {
        s.table = resolve_relation(s, node.get("relation"));
    } else if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt") {
        s.table = resolve_relation(s, node.get("table"));
    } else if (type == "CommentStmt") {
        s.table = comment_table(s);
    } else if (type == "CreateSeqStmt") {
        pq::Msg rv = node.get("sequence");
        std::string schema = rv.str("schemaname");
        claim_relation_name(schema.empty() ? creation_schema(s) : schema, rv.str("relname"));
    } else if (type == "DefineStmt") {
        std::string kind = node.enumeration("kind");
        if (kind == "OBJECT_TSPARSER" || kind == "OBJECT_TSTEMPLATE")
            fail(s, statement_kind(s) + " is not supported by pg-flux (text search parsers and templates are "
                    "written in C; define dictionaries and configurations that use the built-in ones)");
        if (kind != "OBJECT_COLLATION" && kind != "OBJECT_AGGREGATE" && kind != "OBJECT_OPERATOR" &&
            kind != "OBJECT_TSDICTIONARY" && kind != "OBJECT_TSCONFIGURATION")
            fail(s, statement_kind(s) + " is not supported by pg-flux yet");
    } else if (type == "CreateDomainStmt" || type == "CompositeTypeStmt" || type == "CreateRangeStmt") {
        declare_type(s);
    } else if (type == "CreateRoleStmt" || type == "DoStmt") {
        if (skip_role_statement(s)) s.done = true;
        else if (type == "DoStmt")
            fail(s, "DO blocks are not supported in schema files (a schema file declares objects; the one DO block "
                    "accepted is the idiom that creates a role when it is missing, which is skipped)");
    } else if (type == "DropStmt" || type == "DropUserMappingStmt") {
        fail(s, statement_kind(s) + " in a schema file: the files declare what exists, and pg-flux writes the DROP when "
                "something is no longer declared; remove it (DROP statements before a file's first CREATE, a "
                "pg_dump --clean preamble, are skipped)");
    } else if (type == "GrantRoleStmt" || type == "AlterRoleStmt" || type == "AlterRoleSetStmt" ||
               type == "DropRoleStmt") {
        fail(s, statement_kind(s) + " is not supported in schema files: roles are cluster-wide and are managed "
                "outside pg-flux");
    } else if (type == "CreateSubscriptionStmt") {
        fail(s, "subscriptions are out of scope: they hold a connection string and replication state of this "
                "database; create them outside pg-flux");
    } else if (type == "SecLabelStmt") {
        fail(s, "SECURITY LABEL is not supported (labels belong to a security provider, outside the schema)");
    } else if (type != "CreateSchemaStmt" && type != "CreateExtensionStmt" && type != "CreateEnumStmt" &&
               type != "CreateFdwStmt" && type != "CreateForeignServerStmt" && type != "CreateUserMappingStmt" &&
               type != "CreatePublicationStmt" && type != "AlterPublicationStmt" &&
               type != "AlterDomainStmt" && type != "GrantStmt" && type != "AlterOwnerStmt" && type != "AlterDefaultPrivilegesStmt" &&
               type != "AlterSeqStmt" && type != "CreateFunctionStmt" && type != "CreateEventTrigStmt" &&
               type != "AlterEventTrigStmt" && type != "CreateCastStmt" && type != "AlterOperatorStmt" &&
               type != "AlterTSDictionaryStmt" && type != "AlterTSConfigurationStmt") {
        fail(s, statement_kind(s) + " is not supported by pg-flux yet (" + type + ")");
    }
}

void Reader::located(const Stmt& s, const std::function<void()>& step) const {
    try {
        step();
    } catch (const Error& e) {
        std::string message = e.what();
        bool named = std::any_of(files_.begin(), files_.end(), [&](const SourceFile& f) {
            return message.rfind(f.path + ":", 0) == 0;
        });
        if (e.code != k_exit_usage || named) throw;
        fail(s, message);
    }
}

void Reader::run_statement(Stmt& s) {
    if (s.done) return;
    s.done = true;
    located(s, [&] { run_statement_kind(s); });
}

void Reader::run_statement_kind(Stmt& s) {
    const std::string& type = s.node().type();
    if (type == "CreateSchemaStmt") create_schema(s);
    else if (type == "CreateExtensionStmt") create_extension(s);
    else if (type == "CreateEnumStmt") create_enum(s);
    else if (type == "CreateRangeStmt") create_range_type(s);
    else if (type == "CreateDomainStmt") create_domain(s);
    else if (type == "AlterDomainStmt") alter_domain(s);
    else if (type == "CompositeTypeStmt") create_composite_type(s);
    else if (type == "DefineStmt" && s.node().enumeration("kind") == "OBJECT_COLLATION") create_collation(s);
    else if (type == "DefineStmt" && s.node().enumeration("kind") == "OBJECT_OPERATOR") create_operator(s);
    else if (type == "DefineStmt" && s.node().enumeration("kind") == "OBJECT_TSDICTIONARY") create_ts_dictionary(s);
    else if (type == "DefineStmt" && s.node().enumeration("kind") == "OBJECT_TSCONFIGURATION") create_ts_configuration(s);
    else if (type == "DefineStmt") create_aggregate(s);
    else if (type == "AlterOperatorStmt") alter_operator(s);
    else if (type == "CreateCastStmt") create_cast(s);
    else if (type == "AlterTSDictionaryStmt") alter_ts_dictionary(s);
    else if (type == "AlterTSConfigurationStmt") alter_ts_configuration(s);
    else if (type == "CreateSeqStmt") create_sequence(s);
    else if (type == "AlterSeqStmt") alter_sequence(s);
    else if (type == "CreateFunctionStmt") create_function(s);
    else if (type == "CreateStmt") create_table(s);
    else if (type == "ViewStmt") create_view(s);
    else if (type == "CreateTableAsStmt") create_materialized_view(s);
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_TABLE" && !s.table)
        alter_sequence_owner(s);  // ALTER TABLE seq OWNER TO, as pg_dump writes it
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_TABLE" &&
             (s.table->kind == Kind::view || s.table->kind == Kind::materialized_view))
        alter_view(s);  // ALTER TABLE on a view (PostgreSQL accepts it; pg_dump writes it)
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_TABLE") alter_table(s);
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_INDEX" && attaches_partition(s.node()))
        attach_index(s);
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_SEQUENCE") alter_sequence_owner(s);
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_FOREIGN_TABLE") alter_foreign_table(s);
    else if (type == "CreateForeignTableStmt") create_foreign_table(s);
    else if (type == "AlterTableStmt" && s.node().enumeration("objtype") == "OBJECT_INDEX") alter_index(s);
    else if (type == "AlterTableStmt") alter_view(s);
    else if (type == "IndexStmt") create_index(s);
    else if (type == "CreateStatsStmt") create_statistics(s);
    else if (type == "AlterStatsStmt") alter_statistics(s);
    else if (type == "CreateTrigStmt") create_trigger(s);
    else if (type == "CreateEventTrigStmt") create_event_trigger(s);
    else if (type == "AlterEventTrigStmt") alter_event_trigger(s);
    else if (type == "RuleStmt") create_rule(s);
    else if (type == "CreatePolicyStmt") create_policy(s);
    else if (type == "AlterPolicyStmt") alter_policy(s);
    else if (type == "CommentStmt") comment(s);
    else if (type == "AlterOwnerStmt") alter_owner(s);
    else if (type == "CreateFdwStmt") create_foreign_data_wrapper(s);
    else if (type == "CreateForeignServerStmt") create_server(s);
    else if (type == "CreateUserMappingStmt") create_user_mapping(s);
    else if (type == "CreatePublicationStmt") create_publication(s);
    else if (type == "AlterPublicationStmt") alter_publication(s);
    else if (type == "GrantStmt") grant(s);
    else fail(s, statement_kind(s) + " is not supported by pg-flux yet (" + type + ")");
}

void Reader::run_all(const std::function<bool(const Stmt&)>& which) {
    for (auto& s : stmts_)
        if (!s->done && which(*s)) run_statement(*s);
}

void Reader::run_all(const std::vector<std::string>& node_types) {
    run_all([&](const Stmt& s) {
        return node_types.empty() || std::find(node_types.begin(), node_types.end(), s.node().type()) != node_types.end();
    });
}

void Reader::finalize_relation(const ObjectId& relation) {
    Stmt* create = declared_relations_.at(relation);
    if (create->done) return;
    if (finalizing_.count(relation)) fail(*create, "LIKE clauses form a cycle through " + relation.describe());
    finalizing_.insert(relation);
    run_statement(*create);
    for (Stmt* s : attached_[relation]) run_statement(*s);
    finalizing_.erase(relation);
}

Model Reader::run() {
    parse_files();
    // Relations first, then indexes, then the rest: what a statement is
    // aimed at may be declared later in the files.
    auto rank = [](const Stmt& s) {
        const std::string& type = s.node().type();
        if (type == "CreateStmt" || type == "ViewStmt" || type == "CreateTableAsStmt" || type == "CreateForeignTableStmt")
            return 0;
        return type == "IndexStmt" || type == "CreateStatsStmt" ? 1 : 2;
    };
    for (int pass = 0; pass < 3; ++pass)
        for (auto& s : stmts_)
            if (!s->done && rank(*s) == pass) located(*s, [&] { declare(*s); });
    for (auto& s : stmts_)
        if (!s->done && s->table) attached_[*s->table].push_back(s.get());
    auto is_define = [](const Stmt& s, const char* kind) {
        return s.node().is("DefineStmt") && s.node().enumeration("kind") == kind;
    };
    run_all({"CreateSchemaStmt"});
    run_all([&](const Stmt& s) { return s.node().is("CreateExtensionStmt") || is_define(s, "OBJECT_COLLATION"); });
    run_all({"CreateEnumStmt"});
    run_all({"CreateRangeStmt"});
    run_all({"CreateDomainStmt"});
    run_all({"AlterDomainStmt"});
    run_all({"CompositeTypeStmt"});
    run_all({"CreateSeqStmt"});
    run_all({"CreateFunctionStmt"});
    run_all([&](const Stmt& s) { return is_define(s, "OBJECT_AGGREGATE"); });
    run_all([&](const Stmt& s) { return is_define(s, "OBJECT_TSDICTIONARY"); });
    run_all({"AlterTSDictionaryStmt"});
    run_all([&](const Stmt& s) { return is_define(s, "OBJECT_TSCONFIGURATION"); });
    run_all({"AlterTSConfigurationStmt"});
    run_all([&](const Stmt& s) { return is_define(s, "OBJECT_OPERATOR"); });
    run_all({"AlterOperatorStmt"});
    run_all({"CreateCastStmt"});
    run_all({"CreateFdwStmt"});
    run_all({"CreateForeignServerStmt"});
    for (const ObjectId& relation : relation_order_) finalize_relation(relation);
    auto privileges = [](const Stmt& s) {
        return s.node().is("GrantStmt") || s.node().is("AlterDefaultPrivilegesStmt");
    };
    run_all([&](const Stmt& s) { return !privileges(s); });
    add_foreign_keys();
    // Privileges last: default privileges as each object found them, then
    // GRANT and REVOKE in reading order.
    apply_default_privileges();
    for (auto& s : stmts_)
        if (s->node().is("AlterDefaultPrivilegesStmt")) s->done = true;
    run_all({"GrantStmt"});
    for (const ObjectId& id : without_data) {
        Object& view = *model.find(id);
        view.ddl = view.attrs;
        view.ddl["with_data"] = false;
    }
    for (const auto& [where, rename] : renames_) {
        if (rename.taken) continue;
        auto lc = where.first->lines->at(rename.comment_offset);
        usage_error(where.first->path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) +
                    ": this @renamed comment is not before something pg-flux renames (CREATE TABLE, VIEW, "
                    "MATERIALIZED VIEW, FUNCTION, PROCEDURE, TYPE, DOMAIN, SCHEMA or INDEX, or a column or "
                    "constraint line of CREATE TABLE)");
    }
    close_operator_links(model);
    model.derive_dependencies();
    return std::move(model);
}

}  // namespace source

namespace {

// Why `path` (an entry under a schema directory, or a path given) cannot be
// read, from the error of following it: a dangling link, a loop, permission.
[[noreturn]] void unreadable_path(const fs::path& path, const std::error_code& ec) {
    std::error_code link_ec;
    bool link = fs::is_symlink(fs::symlink_status(path, link_ec));
    std::string target = link ? fs::read_symlink(path, link_ec).string() : "";
    if (link && ec == std::errc::no_such_file_or_directory)
        usage_error("\"" + path.string() + "\" is a dangling symbolic link (to \"" + target +
                    "\", which does not exist)");
    if (ec == std::errc::too_many_symbolic_link_levels)
        usage_error("\"" + path.string() + "\" is a symbolic link loop" + (link ? " (to \"" + target + "\")" : ""));
    usage_error("cannot read \"" + path.string() + "\": " + ec.message());
}

// Adds the *.sql files under `dir` to `out`. Symbolic links are followed (a
// linked directory is searched too); a dangling link, a link loop, a *.sql
// entry that is not a regular file and a directory that cannot be read are
// errors, never skipped. `ancestors` holds the directories being searched,
// by device and inode, to catch links that lead back into them.
void find_sql_files(const fs::path& dir, std::vector<std::pair<dev_t, ino_t>>& ancestors,
                    std::vector<std::string>& out) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) unreadable_path(dir, std::error_code(errno, std::generic_category()));
    std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
    if (std::find(ancestors.begin(), ancestors.end(), id) != ancestors.end())
        usage_error("\"" + dir.string() + "\" is a symbolic link loop: it leads back to a directory that contains it");
    ancestors.push_back(id);
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        fs::path path = it->path().lexically_normal();
        std::string name = path.filename().string();
        std::error_code status_ec;
        fs::file_status status = fs::status(path, status_ec);
        if (status_ec) {
            // Emacs keeps ".#name" lock files as dangling links while a buffer is edited.
            if (name.rfind(".#", 0) == 0 && fs::is_symlink(fs::symlink_status(path, status_ec))) continue;
            unreadable_path(path, status_ec);
        }
        if (fs::is_directory(status)) {
            find_sql_files(path, ancestors, out);
        } else if (path.extension() == ".sql") {
            if (!fs::is_regular_file(status))
                usage_error("\"" + path.string() + "\" is not a regular file (a schema file must be one)");
            out.push_back(path.string());
        }
    }
    if (ec) usage_error("cannot read directory \"" + dir.string() + "\": " + ec.message());
    ancestors.pop_back();
}

}  // namespace

std::vector<std::string> source_files(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& path : paths) {
        std::error_code ec;
        fs::file_status status = fs::status(path, ec);
        std::error_code link_ec;
        if (ec == std::errc::no_such_file_or_directory && !fs::is_symlink(fs::symlink_status(path, link_ec)))
            usage_error("schema path \"" + path + "\" does not exist");
        if (ec) unreadable_path(path, ec);
        if (fs::is_directory(status)) {
            std::vector<std::string> found;
            std::vector<std::pair<dev_t, ino_t>> ancestors;
            find_sql_files(path, ancestors, found);
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else {
            // A file named explicitly is read whatever its name (a pipe too).
            out.push_back(fs::path(path).lexically_normal().string());
        }
    }
    return out;
}

void SourceHash::add(const std::string& path, std::string_view text) {
    fields_ += std::to_string(path.size()) + ":" + path + sha256_hex(text);
}

std::string SourceHash::finish() const { return "sha256:" + sha256_hex(fields_); }

std::string source_files_hash(const std::vector<std::string>& files) {
    SourceHash hash;
    // The schema files' own reader: an unreadable file is the error a parse would give.
    for (const auto& file : files) hash.add(file, read_file(file));
    return hash.finish();
}

Model read_source(const std::vector<std::string>& paths) {
    std::vector<source::SourceFile> files;
    SourceHash source_hash;
    for (const auto& path : source_files(paths)) {
        source::SourceFile file;
        file.path = path;
        std::string text = read_file(path);
        source_hash.add(path, text);
        // pg_dump output holds psql meta-commands (\restrict): not SQL, skipped
        // (blanked: positions and lines stay those of the file).
        for (const pq::MetaCommand& m : pq::psql_meta_commands(text)) {
            auto lc = pq::line_column(text, static_cast<int>(m.start));
            std::string command = text.substr(m.start, text.find_first_of(" \t\r", m.start) - m.start);
            if (command.size() > m.end - m.start) command = text.substr(m.start, m.end - m.start);
            notice("flux-parse", path + ":" + std::to_string(lc.line) + ": psql meta-command " + one_line(command) +
                                     " skipped (it is not SQL)");
            std::fill(text.begin() + static_cast<long>(m.start), text.begin() + static_cast<long>(m.end), ' ');
        }
        try {
            file.parsed = pq::ParseResult::parse(text);
            file.lines = std::make_shared<pq::LineIndex>(file.parsed->sql());
            // PostgreSQL (and libpg_query, whose tree already holds the
            // truncated names) cuts identifiers at 63 bytes with a NOTICE;
            // say so too, or the cut goes unnoticed.
            for (const auto& id : pq::long_identifiers(file.parsed->sql())) {
                auto lc = file.lines->at(id.location);
                warn("flux-parse", path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) +
                                       ": identifier \"" + id.name + "\" will be truncated to \"" +
                                       id.truncated + "\"");
            }
        } catch (const pq::SqlSyntaxError& e) {
            auto lc = pq::line_column(text, e.byte_offset);
            usage_error(path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " +
                        e.what());
        }
        files.push_back(std::move(file));
    }
    Model model = source::Reader(std::move(files)).run();
    json file_list = json::array();
    for (const auto& path : source_files(paths)) file_list.push_back(path);
    model.source = {{"type", "files"}, {"paths", paths}, {"files", file_list}, {"source_hash", source_hash.finish()}};
    return model;
}

}  // namespace pgflux
