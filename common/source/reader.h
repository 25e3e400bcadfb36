// Internal state of the source reader, shared by its handler files
// (reader.cpp: files, ordering, dispatch and references; tables.cpp:
// CREATE/ALTER TABLE, LIKE and foreign keys; objects.cpp: schemas, types,
// sequences, indexes, comments; routines.cpp: functions, procedures,
// aggregates; operators.cpp: operators, casts and text search objects;
// views.cpp: views and materialized views; triggers.cpp:
// triggers, event triggers, rules and policies).
//
// Ordering: pass 0 parses every file and declares relations (tables, views,
// materialized views) and named indexes; then schemas, extensions,
// collations and enums are created, then range types, domains (with the
// ALTER DOMAIN statements) and composite types, then sequences, then functions and
// procedures, then aggregates, then text search dictionaries and
// configurations (and their ALTER statements), operators and casts; then each relation is finalized in reading
// order (a table's LIKE templates first, then its CREATE, then every
// statement aimed at it: ALTER, CREATE INDEX, CREATE TRIGGER, CREATE POLICY,
// CREATE RULE, COMMENT, in reading order), then the remaining statements,
// and foreign keys last. Names are resolved with the search_path in effect
// at each statement.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "canon/scope.h"
#include "model/model.h"
#include "sql/parser.h"

namespace pgflux::source {

struct SourceFile {
    std::string path;
    std::shared_ptr<const pq::ParseResult> parsed;
    std::shared_ptr<const pq::LineIndex> lines;  // over parsed->sql()
};

struct Stmt {
    const SourceFile* file = nullptr;
    const pq::Statement* statement = nullptr;
    std::vector<std::string> search_path;
    std::optional<ObjectId> table;  // the relation the statement is aimed at, if any
    bool done = false;
    // CREATE OR REPLACE VIEW of a view declared before it (pg_dump creates a
    // placeholder first when views and functions depend on each other, and
    // completes it so): the view's definition becomes this one.
    bool replaces_view = false;
    const pq::Msg& node() const { return statement->node; }
};

// Deferrability written after a column constraint (REFERENCES t DEFERRABLE).
struct Deferrability {
    std::optional<bool> deferrable, initially_deferred;
};

// A constraint as written: node, column (for column constraints), extras.
struct WrittenConstraint {
    pq::Msg node;
    std::string column;
    Deferrability deferrability;
    std::string name;  // overrides the node's name (duplicates pass theirs on)
};

// A foreign key waits until every table and key exists.
struct PendingForeignKey {
    const Stmt* stmt;
    ObjectId table;
    WrittenConstraint constraint;
};

class Reader {
public:
    explicit Reader(std::vector<SourceFile> files) : files_(std::move(files)) {}
    Model run();

    // Errors and locations
    [[noreturn]] void fail(const Stmt& s, int byte_offset, const std::string& message) const;
    [[noreturn]] void fail(const Stmt& s, const std::string& message) const;
    // Fails unless every option of the statement's "definition" list (CREATE
    // AGGREGATE, COLLATION ...) has a value, but for the `flags` PostgreSQL
    // takes without one.
    void require_option_values(const Stmt& s, const std::string& what,
                               std::initializer_list<const char*> flags) const;
    SourceLocation location(const Stmt& s, int byte_offset = -1) const;

    // Names and objects
    NameScope scope(const Stmt& s) const;
    // Where an unqualified CREATE puts its object; an error with an empty search_path.
    std::string creation_schema(const Stmt& s) const;
    // {schema, name} of what a CREATE names ([schema.]name), the schema checked.
    std::pair<std::string, std::string> creation_name(const Stmt& s, const std::vector<std::string>& names);
    // The declared relation a name means (its kind: table, view or
    // materialized view); an undeclared one is taken for a table of the
    // first schema on the search_path.
    ObjectId resolve_relation(const Stmt& s, const pq::Msg& range_var) const;
    std::optional<ObjectId> declared_relation(const std::string& schema, const std::string& name) const;
    // Adds to `object` a dependency on everything `tree` names that the
    // schema files define, resolved with `search_path`; soft for references
    // read from a function body PostgreSQL does not check.
    void add_references(Object& object, const pq::Msg& tree, const std::vector<std::string>& search_path,
                        bool soft = false) const;
    bool relation_name_taken(const std::string& schema, const std::string& name) const;
    bool constraint_name_taken(const std::string& schema, const std::string& name) const;
    void claim_relation_name(const std::string& schema, const std::string& name);
    void claim_constraint_name(const std::string& schema, const std::string& name);
    // Adds an object located at `byte_offset` (-1: the statement's start);
    // a "-- @renamed from=old" comment on the line before it is taken.
    Object& add_object(const Stmt& s, Object object, int byte_offset = -1);
    // The old name a "-- @renamed" comment directly before `byte_offset`
    // (-1: the statement's start) declares ([schema,] name), taken once.
    std::vector<std::string> take_rename(const Stmt& s, int byte_offset);
    Object& require(const Stmt& s, const ObjectId& id, int byte_offset = -1);
    void require_schema(const Stmt& s, const std::string& schema, int byte_offset = -1);
    // Finalizes a relation on first use (LIKE templates, ALTER TABLE from other files).
    Object& finished_table(const Stmt& s, const ObjectId& table, int byte_offset = -1);

    // objects.cpp
    void create_schema(const Stmt& s);
    void create_extension(const Stmt& s);
    void create_enum(const Stmt& s);
    void create_collation(const Stmt& s);
    void create_sequence(const Stmt& s);
    void alter_sequence(const Stmt& s);
    void create_index(const Stmt& s);
    void create_statistics(const Stmt& s);
    void alter_statistics(const Stmt& s);
    void comment(const Stmt& s);
    std::optional<ObjectId> comment_table(const Stmt& s) const;
    // The routine an ObjectWithArgs names (COMMENT ON FUNCTION f(int)).
    Object& routine_of(const Stmt& s, Kind kind, const pq::Msg& object_with_args);

    // types.cpp
    void create_range_type(const Stmt& s);
    void create_domain(const Stmt& s);
    void alter_domain(const Stmt& s);
    void create_composite_type(const Stmt& s);
    void add_domain_check(const Stmt& s, Object& domain, const pq::Msg& constraint);
    // {schema, name} of the multirange type a CREATE TYPE ... AS RANGE creates.
    std::pair<std::string, std::string> multirange_of(const Stmt& s, const std::string& schema,
                                                      const std::string& range) const;
    // The type a COMMENT ON DOMAIN (`domain`) or ON TYPE names.
    Object& type_of(const Stmt& s, const std::vector<std::string>& names, bool domain);
    // COMMENT ON TYPE, DOMAIN, CONSTRAINT ... ON DOMAIN, COLUMN type.attribute:
    // false when the statement is not one of these.
    bool comment_on_type(const Stmt& s);

    // privileges.cpp
    void set_owner(const Stmt& s, Object& object, const pq::Msg& role_spec);
    Object& owned_object(const Stmt& s, const std::string& objtype, const pq::Msg& object);
    void alter_owner(const Stmt& s);
    void alter_sequence_owner(const Stmt& s);  // ALTER TABLE/SEQUENCE seq OWNER TO, SET [UN]LOGGED
    std::vector<Object*> grant_targets(const Stmt& s);
    void grant(const Stmt& s);
    void alter_default_privileges(const Stmt& s);
    bool skip_role_statement(const Stmt& s);
    void apply_default_privileges();
    // foreign.cpp
    void create_foreign_data_wrapper(const Stmt& s);
    void create_server(const Stmt& s);
    void create_user_mapping(const Stmt& s);
    void create_publication(const Stmt& s);
    void create_foreign_table(const Stmt& s);
    void alter_foreign_table(const Stmt& s);
    void alter_publication(const Stmt& s);
    void check_publication_objects(const Stmt& s, const json& attrs);
    // routines.cpp
    void create_function(const Stmt& s);
    void create_aggregate(const Stmt& s);

    // operators.cpp
    void create_operator(const Stmt& s);
    void alter_operator(const Stmt& s);
    // The operator an ObjectWithArgs names (COMMENT ON OPERATOR o (int, int)).
    Object& operator_of(const Stmt& s, const pq::Msg& object_with_args);
    void create_cast(const Stmt& s);
    // The cast a list of two type names names (COMMENT ON CAST (a AS b)).
    Object& cast_of(const Stmt& s, const pq::Msg& type_names);
    void create_ts_dictionary(const Stmt& s);
    void alter_ts_dictionary(const Stmt& s);
    void create_ts_configuration(const Stmt& s);
    void alter_ts_configuration(const Stmt& s);
    Object& text_search_object(const Stmt& s, Kind kind, const std::vector<std::string>& names);
    std::string dictionary_name(const Stmt& s, const std::vector<std::string>& names);

    // views.cpp
    void create_view(const Stmt& s);
    void create_materialized_view(const Stmt& s);
    void alter_view(const Stmt& s);

    // triggers.cpp
    void create_trigger(const Stmt& s);
    void create_event_trigger(const Stmt& s);
    void alter_event_trigger(const Stmt& s);
    void create_rule(const Stmt& s);
    void create_policy(const Stmt& s);
    void alter_policy(const Stmt& s);
    void set_trigger_state(const Stmt& s, const ObjectId& table, const std::string& trigger, const std::string& state);

    // tables.cpp
    void create_table(const Stmt& s);
    void set_table_options(const Stmt& s, Object& table, const std::vector<pq::Msg>& set,
                           const std::vector<pq::Msg>& reset);
    void alter_table(const Stmt& s);
    void alter_index(const Stmt& s);
    void add_constraint(const Stmt& s, const ObjectId& table, const WrittenConstraint& written);
    void add_foreign_keys();
    std::vector<WrittenConstraint> distinct_index_constraints(const Stmt& s,
                                                              const std::vector<WrittenConstraint>& all);
    void copy_like_columns(const Stmt& s, Object& table, const pq::Msg& like);
    // PARTITION OF / INHERITS columns, ATTACH PARTITION,
    // INHERIT / NO INHERIT, ALTER INDEX ... ATTACH PARTITION.
    void inherit_columns(const Stmt& s, Object& table, const std::vector<ObjectId>& parents);
    void merge_local_column(const Stmt& s, Object& table, json column);
    void partition_column_options(const Stmt& s, Object& table, const pq::Msg& column_def,
                                  std::vector<WrittenConstraint>& constraints);
    void attach_partition(const Stmt& s, const ObjectId& parent, const pq::Msg& partition_cmd);
    void detach_partition(const Stmt& s, const ObjectId& parent, const pq::Msg& partition_cmd);
    void add_inherit(const Stmt& s, Object& table, const pq::Msg& parent);
    void drop_inherit(const Stmt& s, Object& table, const pq::Msg& parent);
    void attach_index(const Stmt& s);
    ObjectId parent_table(const Stmt& s, const pq::Msg& range_var);
    std::vector<Object*> children_of(const ObjectId& parent);
    void copy_like_constraints(const Stmt& s, const ObjectId& table, const pq::Msg& like);
    json serial_column_default(const Stmt& s, const ObjectId& table, const std::string& column,
                               const std::string& type);
    json identity_of(const Stmt& s, const ObjectId& table, const std::string& column,
                     const std::string& type, const std::vector<pq::Msg>& options,
                     bool always);

    Model model;
    std::vector<PendingForeignKey> foreign_keys;
    std::map<ObjectId, ObjectId> primary_keys;  // table -> its PRIMARY KEY constraint
    std::map<std::pair<std::string, std::string>, ObjectId> declared_indexes;  // (schema, name)
    std::map<std::pair<std::string, std::string>, ObjectId> declared_statistics;  // (schema, name) -> table
    // The table of a statistics object named by ALTER / COMMENT ON STATISTICS.
    std::optional<ObjectId> statistics_table(const Stmt& s, const std::vector<std::string>& names) const;
    std::set<ObjectId> without_data;  // materialized views created WITH NO DATA

private:
    void parse_files();
    void find_renames(const SourceFile& file);
    void declare(Stmt& s);
    void declare_relation(Stmt& s, Kind kind, const pq::Msg& range_var);
    void declare_type(Stmt& s);
    void finalize_relation(const ObjectId& relation);
    void run_statement(Stmt& s);
    void run_statement_kind(Stmt& s);
    // Runs `step` for statement `s`; an input error that names no file gets
    // the statement's file:line:column in front.
    void located(const Stmt& s, const std::function<void()>& step) const;
    void run_all(const std::function<bool(const Stmt&)>& which);
    void run_all(const std::vector<std::string>& node_types);

    std::vector<SourceFile> files_;
    std::vector<std::unique_ptr<Stmt>> stmts_;
    std::map<ObjectId, Stmt*> declared_relations_;  // the statement that creates each relation
    // (schema, name) of every declared relation and type (a range's multirange too)
    std::set<std::pair<std::string, std::string>> relation_types_;
    std::vector<ObjectId> relation_order_;            // declared relations in reading order
    std::map<ObjectId, std::vector<Stmt*>> attached_;  // relation -> statements aimed at it
    std::set<std::pair<std::string, std::string>> relation_names_, constraint_names_;
    std::set<ObjectId> finalizing_;
    // Tables given a parent (PARTITION OF, INHERITS, ATTACH PARTITION,
    // INHERIT): the only candidates children_of looks at.
    std::set<ObjectId> child_tables_;
    // "-- @renamed" comments by (file, offset of the token they stand before).
    struct DeclaredRename {
        std::vector<std::string> from;
        int comment_offset = 0;
        bool taken = false;
    };
    std::map<std::pair<const SourceFile*, int>, DeclaredRename> renames_;
};

// The multirange type name PostgreSQL gives a range type by default.
std::string default_multirange_name(const std::string& range);

// Leading keywords of a statement, for messages: "CREATE VIEW".
std::string statement_kind(const Stmt& s);

}  // namespace pgflux::source
