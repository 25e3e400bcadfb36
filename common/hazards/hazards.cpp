// Statement classification over libpg_query parse trees.
#include "hazards/hazards.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "canon/names.h"
#include "canon/types.h"
#include "sql/parser.h"
#include "sql/references.h"
#include "sql/quote.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/text.h"

namespace pgflux {

bool forbidden_in_transaction(const pq::Msg& node) {
    if (node.is("IndexStmt") || node.is("DropStmt")) return node.flag("concurrent");
    if (node.is("VacuumStmt")) return true;
    if (node.is("ReindexStmt"))
        for (const pq::Msg& p : node.list("params"))
            if (p.str("defname") == "concurrently") return true;
    return false;
}

// ---- Column type changes ---------------------------------------------------

namespace {

struct TypeParts {
    std::string name;       // varchar, text, bpchar, numeric, timestamp, timestamptz, time, timetz, bit, varbit, ...
    std::vector<int> mods;  // empty: unconstrained
    bool array = false;
    std::string text;       // the canonical text
};

TypeParts type_parts(const std::string& canonical) {
    TypeParts t;
    t.text = canonical;
    std::string s = canonical;
    while (s.size() > 2 && s.compare(s.size() - 2, 2, "[]") == 0) {
        s.resize(s.size() - 2);
        t.array = true;
    }
    std::string zone;
    for (const char* suffix : {" with time zone", " without time zone"}) {
        std::string x = suffix;
        if (s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0) {
            zone = x;
            s.resize(s.size() - x.size());
        }
    }
    if (!s.empty() && s.back() == ')' && s.find('(') != std::string::npos && s[0] != '"') {
        size_t open = s.rfind('(');
        std::string inside = s.substr(open + 1, s.size() - open - 2);
        std::stringstream in(inside);
        bool ok = true;
        std::vector<int> mods;
        for (std::string item; std::getline(in, item, ',');) {
            int mod = 0;
            auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), mod);
            if (item.empty() || error != std::errc() || end != item.data() + item.size()) ok = false;
            else mods.push_back(mod);  // (a modifier out of int's range is not one: the type stays as written)
        }
        if (ok) {
            t.mods = mods;
            s.resize(open);
        }
    }
    if (s == "character varying") s = "varchar";
    else if (s == "character") s = "bpchar";
    else if (s == "bit varying") s = "varbit";
    else if (s == "timestamp") s = zone == " with time zone" ? "timestamptz" : "timestamp";
    else if (s == "time") s = zone == " with time zone" ? "timetz" : "time";
    t.name = s;
    return t;
}

const LiveDomain* domain_of(const std::string& canonical, const std::map<std::string, LiveDomain>& domains) {
    auto it = domains.find(canonical);
    return it == domains.end() ? nullptr : &it->second;
}

// A length coercion from typmod `from` to `to` of the same type that the
// type's support function turns into a relabeling (no rewrite).
bool widening(const TypeParts& from, const TypeParts& to) {
    const std::string& n = from.name;
    if (to.mods.empty()) return n != "bit" && n != "bpchar";  // unconstrained target (bit, char: no support function)
    if (from.mods.empty() && !(n == "timestamp" || n == "timestamptz" || n == "time" || n == "timetz")) return false;
    if (n == "varchar" || n == "varbit") return to.mods[0] >= from.mods[0];
    if (n == "numeric")
        return from.mods.size() == 2 && to.mods.size() == 2 && from.mods[1] == to.mods[1] && to.mods[0] >= from.mods[0];
    if (n == "timestamp" || n == "timestamptz" || n == "time" || n == "timetz")
        return to.mods[0] == 6 || (!from.mods.empty() && to.mods[0] >= from.mods[0]);
    return false;
}

}  // namespace

bool type_change_rewrites(const std::string& from, const std::string& to, const std::map<std::string, LiveDomain>& domains) {
    if (from == to) return false;
    if (const LiveDomain* d = domain_of(to, domains)) return d->constrained || type_change_rewrites(from, d->base, domains);
    if (const LiveDomain* d = domain_of(from, domains)) return d->base != to;  // a relabeling only to its own base type
    TypeParts f = type_parts(from), t = type_parts(to);
    if (f.array || t.array) return true;
    if (f.name == t.name) return !widening(f, t);
    // Binary-coercible casts (pg_cast castmethod 'b') to an unconstrained target.
    static const std::set<std::pair<std::string, std::string>> k_binary = {
        {"varchar", "text"}, {"text", "varchar"}, {"cidr", "inet"}, {"bit", "varbit"}};
    if (!k_binary.count({f.name, t.name})) return true;
    return !t.mods.empty();
}

bool type_change_keeps_opclass(const std::string& from, const std::string& to, const std::map<std::string, LiveDomain>& domains) {
    auto base = [&](const std::string& t) {
        const LiveDomain* d = domain_of(t, domains);
        return type_parts(d ? d->base : t).name;
    };
    std::string f = base(from), t = base(to);
    // varchar uses text_ops, cidr inet_ops; bit and varbit have operator classes of their own.
    auto family = [](const std::string& n) { return n == "varchar" ? std::string("text") : n == "cidr" ? std::string("inet") : n; };
    return family(f) == family(t);
}

std::string not_null_helper_name(const std::string& column) {
    const std::string suffix = "__pgflux_not_null";
    if (column.size() + suffix.size() <= k_max_identifier_bytes) return column + suffix;
    std::string digest = sha256_hex(column).substr(0, 8);
    return column.substr(0, clip_length(column, k_max_identifier_bytes - suffix.size() - 9)) + "_" + digest + suffix;
}

namespace {

struct Context {
    const LiveFacts* live = nullptr;
    std::set<std::string> new_tables;    // qualified names created earlier in the same file/plan
    std::set<std::string> renamed_types; // names types were renamed to earlier (enum recreation)
    std::set<std::string> created;       // "OBJECT_VIEW:name" of what the file creates anywhere
    int dropped_objects = 0;
    std::set<std::string> index_names;   // indexes the file creates or renames to, anywhere in it
    std::map<std::string, std::string> not_null_checks;  // table + "\n" + constraint -> column: CHECK (col IS NOT NULL)
    std::set<std::string> proven_not_null;               // table + "\n" + column: such a CHECK is valid

    const LiveTable* table(const std::string& name) const { return live ? live->table(name) : nullptr; }
    // " (public.orders: ~1.2 GB, ~3,400,000 rows)" when the live size is known.
    std::string size(const std::string& name) const {
        const LiveTable* t = table(name);
        std::string text = t ? size_text(*t) : "";
        return text.empty() ? "" : " (" + name + ": " + text + ")";
    }
};

std::string relation_key(const pq::Msg& range_var) {
    std::string schema = range_var.str("schemaname");
    return qualified_name(schema.empty() ? "public" : schema, range_var.str("relname"));
}

// The relation a statement creates (a table, view or materialized view), or "".
std::string created_relation(const pq::Msg& node) {
    if (node.is("CreateStmt")) return relation_key(node.get("relation"));
    if (node.is("ViewStmt")) return relation_key(node.get("view"));
    if (node.is("CreateTableAsStmt")) return relation_key(node.get("into").get("rel"));
    return "";
}

void add_hazard(Step& step, const std::string& code, const std::string& message) {
    for (const Hazard& h : step.hazards)
        if (h.code == code && h.message == message) return;
    step.hazards.push_back({code, message});
}

void add_warning(Step& step, const std::string& code, const std::string& message) {
    for (const Hazard& h : step.warnings)
        if (h.code == code && h.message == message) return;
    step.warnings.push_back({code, message});
}

bool has_warning(const Step& step, const std::string& code) {
    return std::any_of(step.warnings.begin(), step.warnings.end(), [&](const Hazard& h) { return h.code == code; });
}

void stronger_lock(Step& step, const std::string& lock) {
    static const std::vector<std::string> k_order = {
        "", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
        "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
    auto rank = [&](const std::string& l) {
        return std::find(k_order.begin(), k_order.end(), l) - k_order.begin();
    };
    if (rank(lock) > rank(step.lock)) step.lock = lock;
}

bool is_top_level_drop(const std::string& type) {
    // The kinds the live count (Model::top_level_count) is made of.
    static const std::set<std::string> k_types = {
        "OBJECT_TABLE",    "OBJECT_SEQUENCE",  "OBJECT_TYPE",          "OBJECT_SCHEMA",
        "OBJECT_EXTENSION", "OBJECT_COLLATION", "OBJECT_VIEW",          "OBJECT_MATVIEW",
        "OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_AGGREGATE",     "OBJECT_EVENT_TRIGGER",
        "OBJECT_DOMAIN"};
    return k_types.count(type) > 0;
}

// "OBJECT_VIEW:name" for what a statement creates (the key a DROP of the
// same object has), or "".
std::string created_key(const pq::Msg& node) {
    const std::string& type = node.type();
    auto last = [](const std::vector<std::string>& names) { return names.empty() ? std::string() : names.back(); };
    if (type == "CreateStmt") return "OBJECT_TABLE:" + node.get("relation").str("relname");
    if (type == "ViewStmt") return "OBJECT_VIEW:" + node.get("view").str("relname");
    if (type == "CreateTableAsStmt") return "OBJECT_MATVIEW:" + node.get("into").get("rel").str("relname");
    if (type == "CreateSeqStmt") return "OBJECT_SEQUENCE:" + node.get("sequence").str("relname");
    if (type == "CreateEnumStmt" || type == "CreateRangeStmt") return "OBJECT_TYPE:" + last(node.strings("type_name"));
    if (type == "CompositeTypeStmt") return "OBJECT_TYPE:" + node.get("typevar").str("relname");
    if (type == "CreateDomainStmt") return "OBJECT_DOMAIN:" + last(node.strings("domainname"));
    if (type == "CreateSchemaStmt") return "OBJECT_SCHEMA:" + node.str("schemaname");
    if (type == "CreateExtensionStmt") return "OBJECT_EXTENSION:" + node.str("extname");
    if (type == "CreateEventTrigStmt") return "OBJECT_EVENT_TRIGGER:" + node.str("trigname");
    if (type == "CreateFunctionStmt")
        return std::string(node.flag("is_procedure") ? "OBJECT_PROCEDURE:" : "OBJECT_FUNCTION:") + last(node.strings("funcname"));
    if (type == "DefineStmt" && node.enumeration("kind") == "OBJECT_AGGREGATE") return "OBJECT_AGGREGATE:" + last(node.strings("defnames"));
    if (type == "DefineStmt" && node.enumeration("kind") == "OBJECT_COLLATION") return "OBJECT_COLLATION:" + last(node.strings("defnames"));
    return "";
}

// The last name of each object a DROP statement names.
std::vector<std::string> dropped_names(const pq::Msg& node) {
    std::vector<std::string> out;
    for (const pq::Msg& object : node.list("objects")) {
        std::vector<std::string> names = object.is("TypeName")         ? object.strings("names")
                                         : object.is("List")           ? object.strings("items")
                                         : object.is("ObjectWithArgs") ? object.strings("objname")
                                                                       : std::vector<std::string>{pq::value_text(object)};
        if (!names.empty()) out.push_back(names.back());
    }
    return out;
}

void classify_drop(const pq::Msg& node, Step& step, Context& ctx) {
    std::string type = node.enumeration("remove_type");
    bool cascade = node.enumeration("behavior") == "DROP_CASCADE";
    std::string what = type.substr(7);
    std::transform(what.begin(), what.end(), what.begin(), ::tolower);
    if (is_top_level_drop(type)) {
        // An object created again in the same file (a view recreated around a
        // column change), or a type renamed earlier (enum recreation), is
        // replaced, not lost.
        for (const std::string& name : dropped_names(node)) {
            bool replaced = ctx.created.count(type + ":" + name) ||
                            ((type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") && ctx.renamed_types.count(name));
            if (!replaced) ++ctx.dropped_objects;
        }
    }
    if (type == "OBJECT_TABLE" || type == "OBJECT_SEQUENCE" || type == "OBJECT_EXTENSION")
        add_hazard(step, "DATA_LOSS", "drops the " + what + " and everything stored in it");
    if (cascade) add_hazard(step, "DATA_LOSS", "DROP ... CASCADE also drops every dependent object");
    if (type == "OBJECT_POLICY")
        add_warning(step, "AUTHZ_UPDATE", "drops a row security policy: who sees or changes which rows changes");
    if (type == "OBJECT_INDEX") {
        for (const pq::Msg& object : node.list("objects")) {
            std::vector<std::string> names = object.strings("items");
            if (names.empty()) continue;
            std::string index = names.size() == 2 ? qualified_name(names[0], names[1]) : quote_ident(names.back());
            if (step.lock_on.empty()) step.lock_on = index;
            if (!ctx.index_names.count(names.back()))
                add_warning(step, "INDEX_DROPPED", "drops index " + index + ": queries that used it may get slower");
        }
        bool concurrent = node.flag("concurrent");
        stronger_lock(step, concurrent ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE");
        if (concurrent) step.phase = k_phase_after_commit;
    } else {
        stronger_lock(step, "ACCESS EXCLUSIVE");
    }
}

// Functions PostgreSQL treats as STABLE or IMMUTABLE that column defaults
// commonly call: ADD COLUMN evaluates such a default once, without a rewrite.
// Any other function may be volatile, evaluated for every existing row.
bool known_not_volatile(const std::string& function) {
    static const std::set<std::string> k_functions = {
        "now", "statement_timestamp", "transaction_timestamp", "timezone", "date_trunc", "make_interval",
        "make_date", "make_timestamp", "make_timestamptz", "to_char", "to_timestamp", "to_date", "lower", "upper",
        "concat", "format", "length", "abs", "round", "jsonb_build_object", "json_build_object",
        "jsonb_build_array", "json_build_array", "array_fill", "current_setting", "inet_client_addr"};
    return k_functions.count(function) > 0;
}

// Volatile functions that column defaults commonly call.
bool known_volatile(const std::string& function) {
    static const std::set<std::string> k_functions = {"nextval", "gen_random_uuid", "uuid_generate_v1",
                                                      "uuid_generate_v4", "random", "clock_timestamp",
                                                      "timeofday"};
    return k_functions.count(function) > 0;
}

// Why adding this column rewrites the table (every existing row gets a value
// computed for it), or "" when PostgreSQL only records a default.
std::string rewrite_reason(const pq::Msg& column) {
    auto type_names = column.get("type_name").strings("names");
    std::string type = type_names.empty() ? "" : type_names.back();
    if (type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial4" ||
        type == "serial8" || type == "serial2")
        return "its " + type + " default numbers every existing row";
    for (const pq::Msg& c : column.list("constraints")) {
        std::string contype = c.enumeration("contype");
        if (contype == "CONSTR_IDENTITY") return "identity values are assigned to every existing row";
        if (contype == "CONSTR_GENERATED") return "the generated value is computed for every existing row";
        if (contype != "CONSTR_DEFAULT") continue;
        std::string reason;
        pq::visit_tree(c.get("raw_expr"), [&](const pq::Msg& n) {
            if (!reason.empty() || !n.is("FuncCall")) return;
            auto names = n.strings("funcname");
            if (names.empty() || known_not_volatile(names.back())) return;
            reason = "its default calls " + names.back() + "(), " +
                     (known_volatile(names.back()) ? "which is volatile: evaluated for every existing row"
                                                   : "evaluated for every existing row if it is volatile");
        });
        if (!reason.empty()) return reason;
    }
    return "";
}

// ALTER TYPE on a composite type: PostgreSQL refuses to retype an attribute
// while a column uses the type, so only a dropped attribute loses values.
void classify_alter_composite_type(const pq::Msg& node, Step& step) {
    std::string type = relation_key(node.get("relation"));
    for (const pq::Msg& cmd : node.list("cmds"))
        if (cmd.enumeration("subtype") == "AT_DropColumn")
            add_hazard(step, "DATA_LOSS", "drops attribute " + quote_ident(cmd.str("name")) + " of type " + type +
                                              " and its values in every column of that type");
    stronger_lock(step, "ACCESS EXCLUSIVE");
}

// ALTER DOMAIN: SET NOT NULL, VALIDATE and a CHECK added without NOT VALID
// check every column of the domain's type, each table under a SHARE lock.
void classify_alter_domain(const pq::Msg& node, Step& step) {
    std::string subtype = node.str("subtype");
    auto names = node.strings("type_name");
    std::string domain = names.size() >= 2 ? qualified_name(names[names.size() - 2], names.back()) : quote_ident(names.back());
    bool scans = subtype == "O" || subtype == "V" ||
                 (subtype == "C" && !node.get("def").flag("skip_validation"));
    if (scans) {
        add_hazard(step, "CONSTRAINT_SCAN", "checks every value of domain " + domain +
                                                " in every table column of that type, each table under a SHARE lock");
        stronger_lock(step, "SHARE");
    }
}

// The column of CHECK (col IS NOT NULL), or "".
std::string not_null_check_column(const pq::Msg& constraint) {
    if (!constraint.is("Constraint") || constraint.enumeration("contype") != "CONSTR_CHECK") return "";
    pq::Msg test = constraint.get("raw_expr");
    if (!test || !test.is("NullTest") || test.enumeration("nulltesttype") != "IS_NOT_NULL") return "";
    pq::Msg ref = test.get("arg");
    if (!ref || !ref.is("ColumnRef") || ref.list("fields").size() != 1 || !ref.list("fields")[0].is("String")) return "";
    return pq::value_text(ref.list("fields")[0]);
}

// Is `expr` (a USING expression) the column itself, or the column cast to `target`?
bool plain_using(const pq::Msg& expr, const std::string& column, const std::string& target) {
    auto is_column = [&](const pq::Msg& n) {
        return n && n.is("ColumnRef") && n.list("fields").size() == 1 && n.list("fields")[0].is("String") &&
               pq::value_text(n.list("fields")[0]) == column;
    };
    if (is_column(expr)) return true;
    if (!expr.is("TypeCast") || !is_column(expr.get("arg"))) return false;
    try {
        return canonical_type(expr.get("type_name"), nullptr) == target;
    } catch (const std::exception&) {
        return false;
    }
}

bool uses_column(const std::vector<std::string>& columns, const std::string& column) {
    return std::find(columns.begin(), columns.end(), column) != columns.end() ||
           std::find(columns.begin(), columns.end(), "*") != columns.end();
}

// ALTER COLUMN TYPE on an existing table, judged against the live catalog.
void classify_column_type_change(const pq::Msg& cmd, const std::string& table, Context& ctx, Step& step) {
    std::string column = cmd.str("name");
    std::string what = table + "." + quote_ident(column);
    std::string size = ctx.size(table);
    auto rewrite = [&](const std::string& why) {
        add_hazard(step, "COLUMN_TYPE_CHANGE", "changes the type of " + what +
                                                   ": rewrites the table under an ACCESS EXCLUSIVE lock" + why + size);
    };
    const LiveTable* facts = ctx.table(table);
    auto live_column = facts ? facts->columns.find(column) : std::map<std::string, LiveColumn>::const_iterator();
    if (!facts || live_column == facts->columns.end()) return rewrite("");
    const LiveColumn& live = live_column->second;
    pq::Msg def = cmd.get("def");
    std::string target;
    try {
        target = canonical_type(def.get("type_name"), nullptr);
    } catch (const std::exception&) {
        return rewrite("");
    }
    if (live.generated) return rewrite(" (a generated column is computed again)");
    if (pq::Msg using_expr = def.get("raw_default"); using_expr && !plain_using(using_expr, column, target))
        return rewrite(" (its USING expression computes every value again)");
    if (type_change_rewrites(live.type, target, ctx.live->domains))
        return rewrite(" (" + live.type + " to " + target + " is not binary-coercible)");
    std::string collation;
    if (pq::Msg clause = def.get("coll_clause")) {
        auto names = clause.strings("collname");
        if (!names.empty() && !(names.size() == 1 && names[0] == "default"))
            collation = qualified_name(names.size() == 2 ? names[0] : "pg_catalog", names.back());
    }
    bool rebuilds_all = collation != live.collation || !type_change_keeps_opclass(live.type, target, ctx.live->domains);
    std::string rebuilt;
    for (const LiveIndex& index : facts->indexes)
        if (uses_column(index.columns, column) && (rebuilds_all || index.expression_or_partial))
            rebuilt += (rebuilt.empty() ? "" : ", ") + quote_ident(index.name);
    if (!rebuilt.empty())
        add_hazard(step, "COLUMN_TYPE_CHANGE", "changes the type of " + what + " without rewriting the table, but " +
                                                   "rebuilds index " + rebuilt + " under an ACCESS EXCLUSIVE lock" + size);
    for (const LiveCheck& check : facts->checks)
        if (uses_column(check.columns, column))
            add_hazard(step, "CONSTRAINT_SCAN", "changing the type of " + what + " checks CHECK constraint " +
                                                    quote_ident(check.name) + " again: scans all of " + table +
                                                    " under an ACCESS EXCLUSIVE lock" + size);
    add_warning(step, "ACCESS_EXCLUSIVE", "changes the type of " + what + " without rewriting the table (" + live.type +
                                              " to " + target + " is binary-coercible): a brief ACCESS EXCLUSIVE lock on " +
                                              table);
}

void classify_alter_table(const pq::Msg& node, Step& step, Context& ctx) {
    if (node.enumeration("objtype") == "OBJECT_TYPE") return classify_alter_composite_type(node, step);
    std::string table = relation_key(node.get("relation"));
    // A foreign table stores nothing locally: its columns and options change
    // without a rewrite, a scan or data loss (only the lock is taken).
    bool existing = ctx.new_tables.count(table) == 0 && node.enumeration("objtype") != "OBJECT_FOREIGN_TABLE";
    bool only_validate = true;
    for (const pq::Msg& cmd : node.list("cmds")) {
        std::string type = cmd.enumeration("subtype");
        std::string column = cmd.str("name");
        if (type != "AT_ValidateConstraint") only_validate = false;
        if (type == "AT_DropColumn" && existing) {
            add_hazard(step, "DATA_LOSS", "drops column " + quote_ident(column) + " of " + table + " and its data");
        } else if (type == "AT_AlterColumnType" && existing) {
            classify_column_type_change(cmd, table, ctx, step);
        } else if (type == "AT_AddColumn" && existing) {
            pq::Msg def = cmd.get("def");
            std::string reason = rewrite_reason(def);
            if (!reason.empty())
                add_hazard(step, "COLUMN_TYPE_CHANGE", "adds column " + quote_ident(def.str("colname")) + " to " +
                                                           table + ": " + reason +
                                                           ", rewriting the table under an ACCESS EXCLUSIVE lock" +
                                                           ctx.size(table));
        } else if (type == "AT_SetNotNull" && existing) {
            // A valid CHECK (col IS NOT NULL) proves it: PostgreSQL skips the scan.
            if (!ctx.proven_not_null.count(table + "\n" + column))
                add_hazard(step, "CONSTRAINT_SCAN",
                           "SET NOT NULL scans all of " + table + " under an ACCESS EXCLUSIVE lock" + ctx.size(table));
        } else if (type == "AT_AddConstraint" && existing) {
            pq::Msg c = cmd.get("def");
            std::string contype = c.enumeration("contype");
            if ((contype == "CONSTR_FOREIGN" || contype == "CONSTR_CHECK") && !c.flag("skip_validation"))
                add_hazard(step, "CONSTRAINT_SCAN",
                           std::string(contype == "CONSTR_FOREIGN" ? "FOREIGN KEY" : "CHECK") +
                               " without NOT VALID scans all of " + table + " while holding its lock" + ctx.size(table));
            if ((contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE" || contype == "CONSTR_EXCLUSION") &&
                c.str("indexname").empty())
                add_warning(step, "INDEX_BUILD", "builds the index of constraint " + quote_ident(c.str("conname")) +
                                                     " on " + table + " under an ACCESS EXCLUSIVE lock" + ctx.size(table));
        } else if (type == "AT_DropConstraint" && existing) {
            if (const LiveTable* t = ctx.table(table))
                for (const LiveIndex& index : t->indexes)
                    if (index.name == column && !ctx.index_names.count(column))
                        add_warning(step, "INDEX_DROPPED", "drops constraint " + quote_ident(column) + " and its index on " +
                                                               table + ": queries that used it may get slower");
        }
        if (type == "AT_AddConstraint") {
            pq::Msg c = cmd.get("def");
            if (std::string col = not_null_check_column(c); !col.empty()) {
                ctx.not_null_checks[table + "\n" + c.str("conname")] = col;
                if (!c.flag("skip_validation")) ctx.proven_not_null.insert(table + "\n" + col);
            }
        }
        if (type == "AT_ValidateConstraint") {
            auto it = ctx.not_null_checks.find(table + "\n" + column);
            if (it != ctx.not_null_checks.end()) ctx.proven_not_null.insert(table + "\n" + it->second);
        }
        if (type == "AT_EnableRowSecurity" || type == "AT_DisableRowSecurity" || type == "AT_ForceRowSecurity" ||
            type == "AT_NoForceRowSecurity")
            add_warning(step, "AUTHZ_UPDATE", "changes row security on " + table + ": who sees or changes which rows changes");
        if (type == "AT_ChangeOwner")
            add_warning(step, "AUTHZ_UPDATE", "changes the owner of " + table + ": the new owner may do anything with it");
        if (type == "AT_DetachPartition") {
            add_hazard(step, "PARTITION_CHANGE",
                       "detaches partition " + relation_key(cmd.get("def").get("name")) + " from " + table +
                           ": its rows leave the partitioned table");
        } else if (type == "AT_AttachPartition" && node.enumeration("objtype") == "OBJECT_TABLE") {
            std::string partition = relation_key(cmd.get("def").get("name"));
            if (ctx.new_tables.count(partition) == 0)
                add_hazard(step, "PARTITION_CHANGE",
                           "attaches existing table " + partition + " to " + table +
                               " as a partition: its rows join the partitioned table, scanned to check the bound");
        }
        if (type == "AT_ValidateConstraint") stronger_lock(step, "SHARE UPDATE EXCLUSIVE");
        else if (type == "AT_AddConstraint" && cmd.get("def").enumeration("contype") == "CONSTR_FOREIGN")
            stronger_lock(step, "SHARE ROW EXCLUSIVE");
        else stronger_lock(step, "ACCESS EXCLUSIVE");
    }
    if (only_validate) step.phase = k_phase_after_commit;
    step.lock_on = table;
}

void classify_statement(const pq::Msg& node, Step& step, Context& ctx) {
    const std::string& type = node.type();
    if (std::string created = created_relation(node); !created.empty()) {
        ctx.new_tables.insert(created);
    } else if (type == "DropStmt") {
        classify_drop(node, step, ctx);
    } else if (type == "AlterTableStmt") {
        classify_alter_table(node, step, ctx);
    } else if (type == "AlterDomainStmt") {
        classify_alter_domain(node, step);
    } else if (type == "IndexStmt") {
        bool concurrent = node.flag("concurrent");
        std::string table = relation_key(node.get("relation"));
        bool existing = ctx.new_tables.count(table) == 0;
        if (existing) stronger_lock(step, concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE");
        if (existing) step.lock_on = table;
        if (existing)
            add_warning(step, "INDEX_BUILD",
                        "builds index " + quote_ident(node.str("idxname")) + " on " + table +
                            (concurrent ? " concurrently (after the commit): writes go on, the build takes longer"
                                        : " under a SHARE lock: writes to the table wait until it is built") +
                            ctx.size(table));
        if (concurrent) step.phase = k_phase_after_commit;
    } else if (type == "TruncateStmt") {
        add_hazard(step, "DATA_LOSS", "TRUNCATE deletes every row");
        stronger_lock(step, "ACCESS EXCLUSIVE");
    } else if (type == "DeleteStmt") {
        add_hazard(step, "DATA_LOSS", "DELETE removes rows");
        stronger_lock(step, "ROW EXCLUSIVE");
    } else if (type == "RenameStmt") {
        std::string renamed = node.enumeration("rename_type");
        if (pq::Msg relation = node.get("relation")) step.lock_on = relation_key(relation);
        if (renamed == "OBJECT_TYPE" || renamed == "OBJECT_DOMAIN") ctx.renamed_types.insert(node.str("newname"));
        stronger_lock(step, "ACCESS EXCLUSIVE");
    } else if (forbidden_in_transaction(node)) {
        step.phase = k_phase_after_commit;
    } else if (type == "CommentStmt") {
        stronger_lock(step, "SHARE UPDATE EXCLUSIVE");
    } else if (type == "CreateTrigStmt") {
        stronger_lock(step, "SHARE ROW EXCLUSIVE");
        step.lock_on = relation_key(node.get("relation"));
    } else if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt" || type == "RuleStmt" ||
               type == "RefreshMatViewStmt" || (type == "ViewStmt" && node.flag("replace"))) {
        stronger_lock(step, "ACCESS EXCLUSIVE");
        pq::Msg relation = node.get(type == "CreatePolicyStmt" || type == "AlterPolicyStmt" ? "table"
                                    : type == "ViewStmt"                                     ? "view"
                                                                                             : "relation");
        if (relation && relation.is("RangeVar")) step.lock_on = relation_key(relation);
        if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt")
            add_warning(step, "AUTHZ_UPDATE", std::string(type == "CreatePolicyStmt" ? "creates" : "changes") +
                                                  " row security policy " + quote_ident(node.str("policy_name")) +
                                                  ": who sees or changes which rows changes");
    }
    if (type == "GrantStmt")
        add_warning(step, "AUTHZ_UPDATE", std::string(node.flag("is_grant") ? "grants" : "revokes") +
                                              " privileges: who may do what changes");
    else if (type == "GrantRoleStmt")
        add_warning(step, "AUTHZ_UPDATE", "changes role membership: who may do what changes");
    else if (type == "AlterDefaultPrivilegesStmt")
        add_warning(step, "AUTHZ_UPDATE", "changes default privileges: who may use objects created later changes");
    else if (type == "AlterOwnerStmt")
        add_warning(step, "AUTHZ_UPDATE", "changes an owner: the new owner may do anything with the object");
}

// ---- Code pg-flux cannot see into ------------------------------------------
//
// The gate classifies statements from their parse trees. What a DO block, a
// CALL, or a call of a routine the same file creates does is decided by code
// that runs later, so such a statement is a hazard of its own, UNCLASSIFIABLE,
// unless the routine's body shows it only reads (plain SELECTs and
// expressions, no dynamic SQL). Routines that already exist in the database
// are not read at apply time: a call of one is classified by the statement
// that makes it.

std::string first_words(std::string sql) {
    std::replace(sql.begin(), sql.end(), '\n', ' ');
    return sql.size() > 40 ? sql.substr(0, clip_length(sql, 40)) + "..." : sql;
}

// Why the body of a routine that `node` (CREATE FUNCTION/PROCEDURE) creates
// may change the database when called, or "" when it only reads.
std::string opaque_body_reason(const pq::Msg& node, const std::string& sql) {
    std::string language = "sql";
    std::vector<std::string> body;
    for (const pq::Msg& option : node.list("options")) {
        if (option.str("defname") == "language") language = pq::value_text(option.get("arg"));
        if (option.str("defname") == "as" && option.get("arg").is("List"))
            body = option.get("arg").strings("items");
    }
    std::transform(language.begin(), language.end(), language.begin(), ::tolower);
    auto statement_reason = [](const pq::Msg& statement, const std::string& text) -> std::string {
        if (statement.is("SelectStmt")) {
            std::string reason;
            pq::visit_tree(statement, [&](const pq::Msg& n) {
                if (reason.empty() && (n.is("InsertStmt") || n.is("UpdateStmt") || n.is("DeleteStmt")))
                    reason = "changes data (" + first_words(text) + ")";
            });
            return reason;
        }
        return "runs " + first_words(text);
    };
    if (language == "sql") {
        if (pq::Msg atomic = node.get("sql_body")) {
            std::string reason;
            pq::visit_tree(atomic, [&](const pq::Msg& n) {
                const std::string& t = n.type();
                if (reason.empty() && t.size() > 4 && t.compare(t.size() - 4, 4, "Stmt") == 0 && t != "SelectStmt")
                    reason = "runs a " + t;
            });
            return reason;
        }
        if (body.empty()) return "";
        try {
            auto parsed = pq::ParseResult::parse(body[0]);
            for (const pq::Statement& st : parsed->statements())
                if (std::string r = statement_reason(st.node, std::string(st.text)); !r.empty()) return r;
        } catch (const pq::SqlSyntaxError&) {
            return "has a body pg-flux cannot parse";
        }
        return "";
    }
    if (language != "plpgsql") return "is written in " + language + ", which pg-flux cannot read";
    json functions;
    try {
        functions = json::parse(pq::parse_plpgsql_json(sql));
    } catch (const std::exception&) {
        return "has a body pg-flux cannot parse";
    }
    std::string reason;
    std::function<void(const json&)> walk = [&](const json& j) {
        if (!reason.empty()) return;
        if (j.is_object()) {
            for (auto it = j.begin(); it != j.end(); ++it) {
                const std::string& key = it.key();
                if (key == "PLpgSQL_stmt_dynexecute" || key == "PLpgSQL_stmt_dynfors" ||
                    ((key == "PLpgSQL_stmt_open" || key == "PLpgSQL_stmt_return_query") && it->is_object() &&
                     it->contains("dynquery"))) {
                    reason = "runs dynamic SQL (EXECUTE)";
                    return;
                }
                if (key == "PLpgSQL_stmt_execsql" && it->is_object()) {
                    std::string query = it->value("sqlstmt", json::object())
                                            .value("PLpgSQL_expr", json::object())
                                            .value("query", std::string());
                    try {
                        auto parsed = pq::ParseResult::parse(query);
                        for (const pq::Statement& st : parsed->statements())
                            if (reason.empty()) reason = statement_reason(st.node, query);
                    } catch (const pq::SqlSyntaxError&) {
                        reason = "runs " + first_words(query);
                    }
                    if (!reason.empty()) return;
                }
                walk(*it);
            }
        } else if (j.is_array()) {
            for (const json& item : j) walk(item);
        }
    };
    walk(functions);
    return reason;
}

// Routines the file creates whose bodies may change the database: last name
// to the reason.
using OpaqueRoutines = std::map<std::string, std::string>;

void classify_unclassifiable(const pq::Msg& node, Step& step, const OpaqueRoutines& opaque) {
    const std::string advice = "; review what it does, then allow it with --allow-hazards UNCLASSIFIABLE";
    if (node.is("DoStmt")) {
        add_hazard(step, "UNCLASSIFIABLE", "a DO block runs code pg-flux cannot classify" + advice);
        return;
    }
    if (node.is("CallStmt")) {
        auto names = node.get("funccall").strings("funcname");
        add_hazard(step, "UNCLASSIFIABLE",
                   "CALL " + (names.empty() ? std::string("of a procedure") : quote_ident(names.back())) +
                       " runs code pg-flux cannot classify" + advice);
        return;
    }
    if (node.is("ExecuteStmt")) {
        add_hazard(step, "UNCLASSIFIABLE", "EXECUTE runs a prepared statement pg-flux cannot see" + advice);
        return;
    }
    if (opaque.empty()) return;
    if (node.is("CreateEventTrigStmt")) {
        auto names = node.strings("funcname");
        if (!names.empty() && opaque.count(names.back()))
            add_hazard(step, "UNCLASSIFIABLE", "the event trigger runs " + quote_ident(names.back()) +
                                                   "() on every later DDL statement, and that function " +
                                                   opaque.at(names.back()) + advice);
        return;
    }
    // Defining statements do not run what they name.
    if (node.is("CreateFunctionStmt") || node.is("ViewStmt") || node.is("CreateTrigStmt") || node.is("CommentStmt") ||
        node.is("RuleStmt") || node.is("CreatePolicyStmt") || node.is("AlterPolicyStmt") || node.is("GrantStmt") ||
        node.is("AlterOwnerStmt") || node.is("DropStmt"))
        return;
    std::set<std::string> reported;
    pq::visit_tree(node, [&](const pq::Msg& n) {
        if (!n.is("FuncCall")) return;
        auto names = n.strings("funcname");
        if (names.empty() || !opaque.count(names.back()) || !reported.insert(names.back()).second) return;
        add_hazard(step, "UNCLASSIFIABLE", "calls " + quote_ident(names.back()) +
                                               "(), which this file creates or replaces and which " +
                                               opaque.at(names.back()) + advice);
    });
}

// Values added to enums by ALTER TYPE ... ADD VALUE, as SQL literals. A later
// statement that spells the literal is taken to use the value (source
// expressions often omit the cast), which errs on the side of waiting.
std::vector<std::string> added_enum_literals(const pq::Msg& node) {
    if (!node.is("AlterEnumStmt") || node.str("old_val") != "") return {};
    return {quote_literal(node.str("new_val"))};
}

}  // namespace

namespace {

// What runs after COMMIT is not rolled back with the rest.
void phase_warnings(std::vector<Step>& steps) {
    for (Step& step : steps) {
        step.warnings.erase(std::remove_if(step.warnings.begin(), step.warnings.end(),
                                           [](const Hazard& h) { return h.code == "NOT_TRANSACTIONAL"; }),
                            step.warnings.end());
        if (step.phase == k_phase_after_commit)
            add_warning(step, "NOT_TRANSACTIONAL",
                        "runs after COMMIT, on its own: if it fails, what committed before it stays applied "
                        "(pg-flux migrate apply resumes from this statement)");
    }
}

}  // namespace

// The parsed statements of one step, and what owns their trees.
struct StepParse {
    std::shared_ptr<const pq::ParseResult> owner;
    const pq::Statement* first = nullptr;
    size_t count = 0;

    explicit StepParse(std::shared_ptr<const pq::ParseResult> all)
        : owner(std::move(all)), first(owner->statements().data()), count(owner->statements().size()) {}
    StepParse(std::shared_ptr<const pq::ParseResult> file, const pq::Statement* one)
        : owner(std::move(file)), first(one), count(1) {}
    const pq::Statement* begin() const { return first; }
    const pq::Statement* end() const { return first + count; }
    bool empty() const { return count == 0; }
};
using Parses = std::unordered_map<std::string_view, StepParse>;

// classify_steps, reusing the parse trees in `known` (by statement text) of
// the statements that were parsed before.
static void classify_parsed(std::vector<Step>& steps, const Parses& known, int live_objects, const LiveFacts& live) {
    Context ctx;
    if (live.known) ctx.live = &live;
    OpaqueRoutines opaque;
    std::vector<StepParse> parsed_steps;
    parsed_steps.reserve(steps.size());
    for (const Step& step : steps) {
        auto reused = known.find(step.sql);
        parsed_steps.push_back(reused != known.end() ? reused->second : StepParse(pq::ParseResult::parse(step.sql)));
        for (const pq::Statement& st : parsed_steps.back()) {
            if (std::string key = created_key(st.node); !key.empty()) ctx.created.insert(key);
            if (st.node.is("IndexStmt")) ctx.index_names.insert(st.node.str("idxname"));
            if (st.node.is("RenameStmt") && st.node.enumeration("rename_type") == "OBJECT_INDEX")
                ctx.index_names.insert(st.node.str("newname"));
            if (st.node.is("CreateFunctionStmt"))
                if (std::string reason = opaque_body_reason(st.node, std::string(st.text)); !reason.empty())
                    opaque[st.node.strings("funcname").back()] = reason;
        }
    }
    // A value added in this run cannot be used before the transaction
    // commits: a statement that uses it runs after the commit, and so does
    // what depends on such a statement (an object it creates or changes, by
    // name). Everything else keeps its transaction.
    std::vector<std::string> new_enum_values;
    std::set<std::string> moved_names;
    std::vector<ObjectId> moved_objects;
    for (size_t i = 0; i < steps.size(); ++i) {
        Step& step = steps[i];
        step.hazards.erase(std::remove_if(step.hazards.begin(), step.hazards.end(),
                                          [](const Hazard& h) { return h.code == "MASS_DROP"; }),
                           step.hazards.end());
        const StepParse& parsed = parsed_steps[i];
        bool adds_value = false, depends_on_moved = false;
        step.warnings.clear();
        step.lock_on.clear();
        for (const pq::Statement& st : parsed) {
            bool was_new = !created_relation(st.node).empty();
            classify_statement(st.node, step, ctx);
            // Readers and writers of an existing relation wait behind an ACCESS EXCLUSIVE lock.
            if (!was_new && step.lock == "ACCESS EXCLUSIVE" && !step.lock_on.empty() &&
                !ctx.new_tables.count(step.lock_on) && !has_warning(step, "ACCESS_EXCLUSIVE") &&
                !(st.node.is("DropStmt") && st.node.enumeration("remove_type") != "OBJECT_INDEX"))
                add_warning(step, "ACCESS_EXCLUSIVE", "takes an ACCESS EXCLUSIVE lock on " + step.lock_on +
                                                          ": its readers and writers wait while the statement waits "
                                                          "for the lock and runs" + ctx.size(step.lock_on));
            classify_unclassifiable(st.node, step, opaque);
            for (const auto& lit : added_enum_literals(st.node)) new_enum_values.push_back(lit);
            adds_value = adds_value || st.node.is("AlterEnumStmt");
            for (const pq::NameReference& ref : pq::name_references(st.node))
                depends_on_moved = depends_on_moved || moved_names.count(ref.names.back());
        }
        depends_on_moved = depends_on_moved ||
                           std::find(moved_objects.begin(), moved_objects.end(), step.object) != moved_objects.end();
        bool uses_new_value = std::any_of(new_enum_values.begin(), new_enum_values.end(),
                                          [&](const std::string& lit) { return step.sql.find(lit) != std::string::npos; });
        if ((uses_new_value && !adds_value) || (depends_on_moved && !parsed.empty())) {
            step.phase = k_phase_after_commit;
            moved_objects.push_back(step.object);
            moved_names.insert(step.object.name);
            for (const pq::Statement& st : parsed) {
                std::string key = created_key(st.node);
                if (!key.empty()) moved_names.insert(key.substr(key.find(':') + 1));
            }
        }
    }
    if (live_objects > 0 && ctx.dropped_objects * 4 > live_objects) {
        std::string message = "drops " + std::to_string(ctx.dropped_objects) + " of " + std::to_string(live_objects) +
                              " live objects (more than 25%)";
        for (size_t i = 0; i < steps.size(); ++i)
            for (const pq::Statement& st : parsed_steps[i])
                if (st.node.is("DropStmt") && is_top_level_drop(st.node.enumeration("remove_type")))
                    add_hazard(steps[i], "MASS_DROP", message);
    }
    phase_warnings(steps);
}

void classify_steps(std::vector<Step>& steps, int live_objects, const LiveFacts& live) {
    classify_parsed(steps, {}, live_objects, live);
}

std::vector<Step> migration_steps(const MigrationFile& file, const std::string& name) {
    std::vector<Step> steps;
    for (const auto& s : file.statements) {
        // read_migration's statements parse alone (their text starts at the
        // first token, as PostgreSQL's scanner sees it); others are checked.
        if (!s.parsed) try {
                pq::ParseResult::parse(s.sql);
            } catch (const pq::SqlSyntaxError& e) {
                usage_error(name + ":" + std::to_string(s.line) + ": not valid SQL: " + e.what());
            }
        Step step;
        step.sql = s.sql + ";";
        step.summary = name + ":" + std::to_string(s.line);
        step.action = "statement";
        step.phase = s.after_commit ? k_phase_after_commit : k_phase_transactional;
        steps.push_back(std::move(step));
    }
    return steps;
}

void classify_migration(std::vector<Step>& steps, const MigrationFile& file, int live_objects, const LiveFacts& live) {
    Parses known;
    for (size_t i = 0; i < steps.size() && i < file.statements.size(); ++i)
        if (const pq::Statement* st = file.statements[i].parsed) known.emplace(steps[i].sql, StepParse(file.parsed, st));
    classify_parsed(steps, known, live_objects, live);
}

namespace {

// Re-parses a rewritten statement and checks it is the statement intended.
void check_rewrite(const std::string& sql, const std::function<bool(const pq::Msg&)>& ok) {
    auto parsed = pq::ParseResult::parse(sql);
    if (parsed->statements().size() != 1 || !ok(parsed->statements()[0].node))
        fail(k_exit_internal, "safe rewrite produced an unexpected statement: " + sql);
}

// A step's CREATE INDEX written as pg-flux writes it, "CREATE [UNIQUE] INDEX
// name ON ...", which the concurrent rewrites edit: the step's own text when
// it starts so, else the deparser's (a plan edited by hand may spell it in
// another case or spacing). Neither: the step is refused, naming it.
std::string written_index_sql(const Step& step, const pq::Msg& index) {
    std::string start = std::string(index.flag("unique") ? "CREATE UNIQUE " : "CREATE ") + "INDEX " +
                        quote_ident(index.str("idxname")) + " ON ";
    if (step.sql.rfind(start, 0) == 0) return step.sql;
    std::string deparsed = pq::deparse_statement(index) + ";";
    if (deparsed.rfind(start, 0) == 0) return deparsed;
    usage_error("cannot build the index of plan step \"" + one_line(step.summary) +
                "\" concurrently: its statement is not a plain CREATE INDEX with a name (" + one_line(step.sql) + ")");
}

std::string column_list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + quote_ident(n);
    return "(" + out + ")";
}

// The safe rewrites of a generated plan, one step at a time, in plan order.
// Every statement of the plan is parsed once.
class Rewriter {
public:
    Rewriter(const Plan& plan, const RewriteOptions& options, StepParses step_parses)
        : options_(options), parsed_(std::move(step_parses)) {
        if (parsed_.size() != plan.steps.size()) {
            parsed_.clear();
            for (const Step& step : plan.steps) parsed_.push_back(pq::ParseResult::parse(step.sql));
        }
        for (size_t i = 0; i < parsed_.size(); ++i)
            for (const pq::Statement& st : parsed_[i]->statements()) {
                if (!st.node.is("AlterTableStmt")) continue;
                for (const pq::Msg& cmd : st.node.list("cmds")) {
                    pq::Msg c = cmd.get("def");
                    if (!c.is("Constraint") || c.enumeration("contype") != "CONSTR_FOREIGN") continue;
                    auto columns = c.strings("pk_attrs");
                    foreign_keys_.push_back({i, relation_key(c.get("pktable")), {columns.begin(), columns.end()}});
                }
            }
    }

    // The parse tree of each statement of the plan, by its text.
    Parses parses() const {
        Parses out;
        for (const auto& parsed : parsed_) out.emplace(parsed->sql(), StepParse(parsed));
        return out;
    }

    std::vector<Step> run(const Plan& plan) {
        for (size_t i = 0; i < plan.steps.size(); ++i) {
            // The steps a rewrite added are at the end (it erases at most one
            // before them): the objects of the drops among them.
            size_t from = out_.empty() ? 0 : out_.size() - 1;
            rewrite(i, plan.steps[i]);
            for (size_t j = std::min(from, out_.size()); j < out_.size(); ++j)
                if (out_[j].action == "drop") dropped_.insert(out_[j].object);
        }
        return std::move(out_);
    }

private:
    // Objects some step of out_ drops (and perhaps more): only for these can
    // an earlier drop step be found.
    std::set<ObjectId> dropped_;

    struct ForeignKey {
        size_t step;
        std::string table;             // the referenced table
        std::set<std::string> columns; // the referenced columns; empty: its primary key
    };

    void rewrite(size_t i, const Step& step) {
        pq::Msg node = parsed_[i]->statements().at(0).node;
        if (std::string created = created_relation(node); !created.empty()) new_tables_.insert(created);
        std::string table = node.is("IndexStmt") || node.is("AlterTableStmt") ? relation_key(node.get("relation")) : "";
        bool existing = !table.empty() && !new_tables_.count(table);
        // The step that drops this object earlier in the plan: it is being
        // replaced (a changed definition).
        auto drop = out_.end();
        if (dropped_.count(step.object))
            drop = std::find_if(out_.begin(), out_.end(),
                                [&](const Step& s) { return s.action == "drop" && s.object == step.object; });
        bool done = false;
        // A partitioned table's indexes cannot be built concurrently (a
        // documented limitation: CREATE INDEX on it locks its partitions).
        if (step.partitioned_table) existing = false;
        if (options_.concurrent_indexes && existing && node.is("IndexStmt") && !node.flag("concurrent"))
            done = concurrent_index(i, step, node, table, drop);
        // A unique or primary key constraint replaced in the plan stays in the
        // transaction: built after the commit, the table would go without it.
        if (options_.concurrent_indexes && existing && node.is("AlterTableStmt") && drop == out_.end())
            done = unique_constraint_concurrently(i, step, node, table);
        if (options_.auto_not_valid && existing && node.is("AlterTableStmt") && !done)
            done = safe_set_not_null(i, step, node, table);
        if (!done) out_.push_back(step);
        if (options_.auto_not_valid && existing && node.is("AlterTableStmt")) not_valid_then_validate(step, node, table);
    }

    // Does a foreign key added after step i reference exactly these columns
    // of the table? It needs their unique index inside the transaction.
    bool referenced_later(size_t i, const std::string& table, const std::set<std::string>& columns) const {
        return std::any_of(foreign_keys_.begin(), foreign_keys_.end(), [&](const ForeignKey& fk) {
            return fk.step > i && fk.table == table && (fk.columns.empty() || fk.columns == columns);
        });
    }

    // Does any step emitted after `from` change a column of the table (its
    // type, or drop it), or drop anything (an operator, a function, a type
    // the old index may depend on, recreated in between)? Other indexes and
    // constraints do not stand in the way of swapping an index in.
    bool touched_since(std::vector<Step>::const_iterator from, const std::string& table) const {
        for (auto it = from; it != out_.end(); ++it) {
            auto parsed = pq::ParseResult::parse(it->sql);
            for (const pq::Statement& st : parsed->statements()) {
                if (st.node.is("DropStmt") && st.node.enumeration("remove_type") != "OBJECT_INDEX") return true;
                if (!st.node.is("AlterTableStmt") || relation_key(st.node.get("relation")) != table) continue;
                for (const pq::Msg& cmd : st.node.list("cmds")) {
                    std::string type = cmd.enumeration("subtype");
                    if (type == "AT_AlterColumnType" || type == "AT_DropColumn") return true;
                }
            }
        }
        return false;
    }

    // CREATE INDEX on an existing table: CONCURRENTLY, after the commit. A
    // replaced index is built under a temporary name and swapped in, unless
    // the table changes in between (a column type, a recreated enum): then
    // the old index goes first, inside the transaction, and a unique one
    // comes back there too, so the guarantee never lapses. A unique index a
    // later foreign key needs stays in the transaction.
    bool concurrent_index(size_t i, const Step& step, const pq::Msg& index, const std::string& table,
                          std::vector<Step>::iterator drop) {
        bool replaced = drop != out_.end();
        bool swappable = replaced && !touched_since(drop + 1, table);
        // The old index was dropped inside the transaction: the new one is
        // built there too, so the table never goes without it.
        if (replaced && !swappable) return false;
        if (needed_by_foreign_key(i, index, table)) return false;
        if (swappable) {
            out_.erase(drop);
            swap_index_in(step, index);
            return true;
        }
        Step concurrent = step;
        std::string& sql = concurrent.sql;
        sql = written_index_sql(step, index);
        sql.insert(sql.find("INDEX ") + 6, "CONCURRENTLY ");
        check_rewrite(sql, [](const pq::Msg& n) { return n.is("IndexStmt") && n.flag("concurrent"); });
        out_.push_back(concurrent);
        return true;
    }

    // A unique index without a predicate or expressions that a later foreign key needs.
    bool needed_by_foreign_key(size_t i, const pq::Msg& index, const std::string& table) const {
        if (!index.flag("unique") || index.get("where_clause")) return false;
        std::set<std::string> columns;
        for (const pq::Msg& e : index.list("index_params")) {
            if (e.get("expr")) return false;
            columns.insert(e.str("name"));
        }
        return referenced_later(i, table, columns);
    }

    // Built concurrently under a temporary name, then swapped in for the old
    // index (DROP INDEX CONCURRENTLY, RENAME), all after the commit, so the
    // table never goes without it; a failed build leaves the old one in place.
    void swap_index_in(const Step& step, const pq::Msg& index) {
        std::string name = index.str("idxname");
        std::string schema = index.get("relation").str("schemaname");
        if (schema.empty()) schema = "public";
        const std::string suffix = "__pgflux_new";
        std::string temporary = name.substr(0, clip_length(name, k_max_identifier_bytes - suffix.size())) + suffix;
        std::string head = "INDEX " + quote_ident(name) + " ON ";
        Step create = step, drop = step, rename = step;
        create.sql = written_index_sql(step, index);
        create.sql.replace(create.sql.find(head), head.size(), "INDEX CONCURRENTLY " + quote_ident(temporary) + " ON ");
        check_rewrite(create.sql, [&](const pq::Msg& n) {
            return n.is("IndexStmt") && n.flag("concurrent") && n.str("idxname") == temporary;
        });
        create.summary = step.summary + ": build it concurrently as " + quote_ident(temporary);
        drop.sql = "DROP INDEX CONCURRENTLY " + qualified_name(schema, name) + ";";
        drop.summary = step.summary + ": drop the old index";
        drop.action = "drop";
        rename.sql = "ALTER INDEX " + qualified_name(schema, temporary) + " RENAME TO " + quote_ident(name) + ";";
        rename.summary = step.summary + ": rename the new index";
        rename.phase = k_phase_after_commit;  // the index it renames is built after the commit
        out_.insert(out_.end(), {create, drop, rename});
    }

    // ADD CONSTRAINT ... PRIMARY KEY / UNIQUE on an existing table builds its
    // index under an ACCESS EXCLUSIVE lock. Built instead as CREATE UNIQUE
    // INDEX CONCURRENTLY, then attached with ADD CONSTRAINT ... USING INDEX (a
    // brief lock), both after the commit; left alone when the constraint has
    // storage options or a later foreign key needs it.
    bool unique_constraint_concurrently(size_t i, const Step& step, const pq::Msg& alter, const std::string& table) {
        auto cmds = alter.list("cmds");
        if (cmds.size() != 1 || cmds[0].enumeration("subtype") != "AT_AddConstraint") return false;
        pq::Msg c = cmds[0].get("def");
        std::string contype = c.enumeration("contype");
        if (contype != "CONSTR_PRIMARY" && contype != "CONSTR_UNIQUE") return false;
        if (c.str("conname").empty() || !c.str("indexname").empty() || !c.list("options").empty() ||
            !c.str("indexspace").empty())
            return false;
        auto keys = c.strings("keys");
        if (referenced_later(i, table, {keys.begin(), keys.end()})) return false;
        std::string name = quote_ident(c.str("conname"));
        Step index = step, attach = step;
        index.sql = "CREATE UNIQUE INDEX CONCURRENTLY " + name + " ON " + table + " USING btree " + column_list(keys);
        auto including = c.strings("including");
        if (!including.empty()) index.sql += " INCLUDE " + column_list(including);
        if (c.flag("nulls_not_distinct")) index.sql += " NULLS NOT DISTINCT";
        index.sql += ";";
        index.summary = step.summary + ": build its index concurrently";
        attach.sql = "ALTER TABLE " + table + " ADD CONSTRAINT " + name +
                     (contype == "CONSTR_PRIMARY" ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + name;
        if (c.flag("deferrable")) attach.sql += " DEFERRABLE";
        if (c.flag("initdeferred")) attach.sql += " INITIALLY DEFERRED";
        attach.sql += ";";
        attach.summary = step.summary + ": attach the index";
        attach.phase = k_phase_after_commit;  // it needs the index built after the commit
        check_rewrite(index.sql, [](const pq::Msg& n) { return n.is("IndexStmt") && n.flag("concurrent"); });
        check_rewrite(attach.sql, [](const pq::Msg& n) { return n.is("AlterTableStmt"); });
        out_.insert(out_.end(), {index, attach});
        return true;
    }

    // SET NOT NULL on an existing table scans it under an ACCESS EXCLUSIVE
    // lock. Instead: a CHECK (col IS NOT NULL) NOT VALID in the transaction
    // (a brief lock), then after the commit VALIDATE it (a scan under SHARE
    // UPDATE EXCLUSIVE: writes go on), SET NOT NULL (PostgreSQL 12+ sees the
    // valid CHECK and skips its scan) and drop the helper constraint. Its
    // name is deterministic; the DROP says IF EXISTS, so that a resumed run
    // never stumbles on it. Not when a later step of the transaction needs
    // the column NOT NULL (ADD IDENTITY requires it).
    bool safe_set_not_null(size_t i, const Step& step, const pq::Msg& alter, const std::string& table) {
        auto cmds = alter.list("cmds");
        if (cmds.size() != 1 || cmds[0].enumeration("subtype") != "AT_SetNotNull") return false;
        if (alter.enumeration("objtype") != "OBJECT_TABLE") return false;
        std::string column = cmds[0].str("name");
        if (identity_added_later(i, table, column)) return false;
        std::string helper = quote_ident(not_null_helper_name(column));
        std::string head = "ALTER TABLE " + table + " ";
        Step check = step, validate = step, set = step, drop = step;
        check.sql = head + "ADD CONSTRAINT " + helper + " CHECK (" + quote_ident(column) + " IS NOT NULL) NOT VALID;";
        check.summary = step.summary + ": add CHECK (" + quote_ident(column) + " IS NOT NULL) NOT VALID";
        validate.sql = head + "VALIDATE CONSTRAINT " + helper + ";";
        validate.summary = step.summary + ": validate the CHECK (scans the table; writes go on)";
        set.sql = step.sql;
        set.summary = step.summary + ": without a scan (the valid CHECK proves it)";
        drop.sql = head + "DROP CONSTRAINT IF EXISTS " + helper + ";";
        drop.summary = step.summary + ": drop the helper CHECK";
        for (Step* s : {&validate, &set, &drop}) s->phase = k_phase_after_commit;
        check_rewrite(check.sql, [](const pq::Msg& n) {
            return n.is("AlterTableStmt") && n.list("cmds").at(0).get("def").flag("skip_validation");
        });
        for (const std::string* sql : {&validate.sql, &drop.sql})
            check_rewrite(*sql, [](const pq::Msg& n) { return n.is("AlterTableStmt") && n.list("cmds").size() == 1; });
        out_.insert(out_.end(), {check, validate, set, drop});
        return true;
    }

    // Does a step after step i add an identity to this column of the table?
    bool identity_added_later(size_t i, const std::string& table, const std::string& column) const {
        for (size_t j = i + 1; j < parsed_.size(); ++j) {
            const pq::Msg& node = parsed_[j]->statements().at(0).node;
            if (!node.is("AlterTableStmt") || relation_key(node.get("relation")) != table) continue;
            for (const pq::Msg& cmd : node.list("cmds"))
                if (cmd.enumeration("subtype") == "AT_AddIdentity" && cmd.str("name") == column) return true;
        }
        return false;
    }

    // ADD FOREIGN KEY / CHECK on an existing table (the step just emitted):
    // NOT VALID, then VALIDATE CONSTRAINT after the commit.
    void not_valid_then_validate(const Step& step, const pq::Msg& alter, const std::string& table) {
        auto cmds = alter.list("cmds");
        if (cmds.size() != 1 || cmds[0].enumeration("subtype") != "AT_AddConstraint") return;
        pq::Msg c = cmds[0].get("def");
        std::string contype = c.enumeration("contype");
        if ((contype != "CONSTR_FOREIGN" && contype != "CONSTR_CHECK") || c.flag("skip_validation")) return;
        std::string sql = step.sql.substr(0, step.sql.rfind(';')) + " NOT VALID;";
        check_rewrite(sql, [](const pq::Msg& n) { return n.list("cmds").at(0).get("def").flag("skip_validation"); });
        out_.back().sql = sql;
        Step validate = step;
        validate.sql = "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + quote_ident(c.str("conname")) + ";";
        validate.summary = step.summary.rfind("ADD CONSTRAINT ", 0) == 0
                               ? "VALIDATE CONSTRAINT " + step.summary.substr(15)
                               : "VALIDATE CONSTRAINT " + quote_ident(c.str("conname")) + " ON " + table;
        validate.action = "alter";
        out_.push_back(validate);
    }

    const RewriteOptions& options_;
    std::vector<std::shared_ptr<const pq::ParseResult>> parsed_;
    std::vector<ForeignKey> foreign_keys_;
    std::set<std::string> new_tables_;  // created earlier in the plan
    std::vector<Step> out_;
};

}  // namespace

void rewrite_and_classify(Plan& plan, const RewriteOptions& options, StepParses step_parses) {
    Rewriter rewriter(plan, options, std::move(step_parses));
    std::vector<Step> out = rewriter.run(plan);
    // The statements the rewrites left as they were are not parsed again.
    classify_parsed(out, rewriter.parses(), plan.live_object_count, plan.live);
    // What follows an object's creation after the commit (its comment) waits too.
    std::vector<ObjectId> created_after_commit;
    for (Step& step : out) {
        bool follows = std::find(created_after_commit.begin(), created_after_commit.end(), step.object) !=
                       created_after_commit.end();
        if (follows) step.phase = k_phase_after_commit;
        if (step.phase == k_phase_after_commit && step.action == "create") created_after_commit.push_back(step.object);
    }
    // After-commit steps move to the end, in their order.
    std::stable_partition(out.begin(), out.end(), [](const Step& s) { return s.phase == k_phase_transactional; });
    phase_warnings(out);
    plan.steps = std::move(out);
    plan.classified = true;
}

std::set<std::string> parse_allowed_hazards(const std::string& value) {
    std::set<std::string> out;
    std::stringstream in(value);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(" "));
        item.erase(item.find_last_not_of(" ") + 1);
        if (item.empty()) continue;
        std::transform(item.begin(), item.end(), item.begin(), ::toupper);
        if (item == "ALL") {
            out.insert(k_hazard_codes.begin(), k_hazard_codes.end());
            continue;
        }
        if (std::find(k_warning_codes.begin(), k_warning_codes.end(), item) != k_warning_codes.end())
            continue;  // a warning never blocks: allowing it changes nothing
        if (std::find(k_hazard_codes.begin(), k_hazard_codes.end(), item) == k_hazard_codes.end())
            usage_error("unknown hazard \"" + item + "\" in --allow-hazards (known: DATA_LOSS, COLUMN_TYPE_CHANGE, "
                        "MASS_DROP, CONSTRAINT_SCAN, PARTITION_CHANGE, UNCLASSIFIABLE, all)");
        out.insert(item);
    }
    return out;
}

std::vector<BlockedStep> blocking_hazards(const std::vector<Step>& steps, const std::set<std::string>& allowed) {
    std::vector<BlockedStep> out;
    for (const Step& s : steps)
        for (const Hazard& h : s.hazards)
            if (!allowed.count(h.code)) out.push_back({&s, h});
    return out;
}

std::string refusal_message(const std::vector<BlockedStep>& blocked, const std::string& where) {
    std::set<std::string> codes;
    std::string out = "refusing to apply: blocking hazards; pass --allow-hazards or change schema";
    if (!where.empty()) out += " (" + where + ")";
    for (const BlockedStep& b : blocked) {
        std::string sql = b.step->sql;
        std::replace(sql.begin(), sql.end(), '\n', ' ');
        if (sql.size() > 120) sql = sql.substr(0, clip_length(sql, 117)) + "...";
        out += "\n  " + b.hazard.code + ": " + one_line(sql) + "\n      " + one_line(b.hazard.message);
        codes.insert(b.hazard.code);
    }
    std::string list;
    for (const auto& c : codes) list += (list.empty() ? "" : ",") + c;
    out += "\nto accept them: --allow-hazards=" + list;
    return out;
}

}  // namespace pgflux
