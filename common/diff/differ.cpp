// The differ: classification (created / dropped / replaced), replacements
// spread to what depends on them, the kinds' steps, and their order.
#include "diff/differ_internal.h"

#include <algorithm>
#include <optional>

#include "canon/expressions.h"
#include "canon/types.h"
#include "diff/ddl.h"
#include "diff/order.h"
#include "diff/privileges.h"
#include "diff/renames.h"
#include "kinds/kinds.h"
#include "model/attributes.h"
#include "sql/quote.h"

namespace pgflux {

bool version_pinned(const Object& extension) { return ddl_attributes(extension).contains("version"); }

bool parsed_without_shadow(const Model& model) { return model.source.value("canonical", "") == "parsed"; }

namespace diff {
namespace {

bool is_subsequence(const json& small, const json& big) {
    size_t j = 0;
    for (size_t i = 0; i < big.size() && j < small.size(); ++i)
        if (big[i] == small[j]) ++j;
    return j == small.size();
}

bool is_expression_key(const std::string& key) {
    return key == "default" || key == "generated" || key == "expression" || key == "where" || key == "when" ||
           key == "using" || key == "check";
}

bool is_statement_key(const std::string& key) { return key == "query" || key == "actions" || key == "sql_body"; }

// The loose key of a SQL-standard body: RETURN <expression>, or the
// statements between BEGIN ATOMIC and END.
std::string loose_body_key(const std::string& body) {
    const std::string k_return = "RETURN ", k_begin = "BEGIN ATOMIC", k_end = "END";
    if (body.rfind(k_return, 0) == 0) return loose_expression_key(body.substr(k_return.size()));
    if (body.rfind(k_begin, 0) == 0 && body.size() >= k_begin.size() + k_end.size())
        return loose_statement_key(body.substr(k_begin.size(), body.size() - k_begin.size() - k_end.size()));
    return body;
}

// "public.citext" matches "citext": an unresolved name from the source.
bool loose_name_equal(const std::string& a, const std::string& b) {
    auto ends_with = [](const std::string& s, const std::string& tail) {
        return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0 &&
               s[s.size() - tail.size() - 1] == '.';
    };
    return ends_with(a, b) || ends_with(b, a);
}

bool loose_equal(const json& a, const json& b, const std::string& key) {
    if (a == b) return true;
    if (a.is_string() && b.is_string()) {
        if (is_expression_key(key) || is_statement_key(key)) {
            try {
                if (key == "sql_body") return loose_body_key(a) == loose_body_key(b);
                if (is_statement_key(key)) return loose_statement_key(a) == loose_statement_key(b);
                return loose_expression_key(a) == loose_expression_key(b);
            } catch (const std::exception&) {
                return false;
            }
        }
        if (key == "type" || key == "opclass" || key == "collation" || key == "function" || key == "returns")
            return loose_name_equal(a, b);
        return false;
    }
    if (a.is_object() && b.is_object()) {
        std::set<std::string> keys;
        for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
        for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
        for (const auto& k : keys)
            if (!loose_equal(a.value(k, json()), b.value(k, json()), k)) return false;
        return true;
    }
    if (a.is_array() && b.is_array() && a.size() == b.size()) {
        for (size_t i = 0; i < a.size(); ++i)
            if (!loose_equal(a[i], b[i], key)) return false;
        return true;
    }
    return false;
}

// Does an extension whose version the source leaves open take its live
// version (Differ::expected_state)?
bool keeps_live_versions(const Model& live, const Model& desired) {
    for (auto it = desired.objects.lower_bound(ObjectId{Kind::extension, "", ""});
         it != desired.objects.end() && it->first.kind == Kind::extension; ++it) {
        const Object* l = live.find(it->first);
        if (l && !version_pinned(it->second) && l->attrs.contains("version")) return true;
    }
    return false;
}

const json* find_column(const json& columns, const std::string& name) {
    for (const json& c : columns)
        if (c["name"] == name) return &c;
    return nullptr;
}

}  // namespace

std::string display(const ObjectId& id) {
    const KindSpec& spec = kind_spec(id.kind);
    if (spec.naming == Naming::mapping) return id.sql_name();
    if (spec.naming == Naming::defaults) {
        std::string objects = id.signature;
        std::transform(objects.begin(), objects.end(), objects.begin(), [](unsigned char c) { return std::toupper(c); });
        return id.sql_name() + " ON " + objects;
    }
    // An index's name is unique in its schema: it is named alone (qualified
    // outside public), like a table; other objects of a relation need it.
    if (id.kind == Kind::index) return display_name(id.schema, id.name);
    if (spec.on_relation) return quote_ident(id.name) + " ON " + display_name(id.schema, id.table);
    if (spec.naming == Naming::cast) return id.name;
    if (spec.naming == Naming::operator_)
        return (id.schema == "public" ? "" : quote_ident(id.schema) + ".") + id.name + "(" + id.signature + ")";
    if (!spec.in_schema) return quote_ident(id.name);
    std::string out = display_name(id.schema, id.name);
    if (spec.naming == Naming::routine) out += "(" + id.signature + ")";
    return out;
}

std::string display_column(const ObjectId& table, const std::string& column) {
    return display_name(table.schema, table.name) + "." + quote_ident(column);
}

json without(json attrs, std::initializer_list<const char*> keys) {
    for (const char* k : keys) attrs.erase(k);
    for (const char* k : {"owner", "acl", "column_acl"}) attrs.erase(k);  // compared by emit_privileges
    return attrs;
}

Differ::Differ(const Model& live, const Model& desired, const DiffOptions& options)
    : live_(live), desired_(desired), options_(options), loose_(parsed_without_shadow(desired)),
      live_index_(live), desired_index_(desired) {}

// --- emitting ---------------------------------------------------------------

std::string Differ::with_reason(const ObjectId& id, const std::string& summary) const {
    auto it = replace_reasons_.find(id);
    return it == replace_reasons_.end() ? summary : summary + " (recreated because " + it->second + ")";
}

PlannedStep& Differ::alter(const ObjectId& id, const std::string& sql, const std::string& summary, Stage stage) {
    PlannedStep p;
    p.step.sql = sql;
    p.step.summary = summary;
    p.step.action = "alter";
    p.step.object = id;
    p.stage = stage;
    p.rank = kind_rank(id.kind) * 10;
    if (is_relation(id.kind) || kind_spec(id.kind).on_relation) {
        const std::string& relation = is_relation(id.kind) ? id.name : id.table;
        for (const Model* model : {&live_, &desired_})
            if (const Object* r = model->relation(id.schema, relation); r && r->attrs.contains("partition_by"))
                p.step.partitioned_table = true;
    }
    steps_.push_back(std::move(p));
    return steps_.back();
}

PlannedStep& Differ::create(const Object& d, const std::string& sql, const std::string& summary) {
    PlannedStep& p = alter(d.id, sql, with_reason(d.id, summary));
    p.step.action = "create";
    p.structural = true;
    p.requires = d.depends_on;
    // Foreign keys come after the other constraints and indexes, as pg_dump puts them.
    if (d.id.kind == Kind::constraint && d.attrs.value("type", "") == "foreign_key")
        p.rank = kind_rank(Kind::index) * 10 + 5;
    return p;
}

PlannedStep& Differ::drop(const Object& l, const std::string& sql, const std::string& summary) {
    PlannedStep& p = alter(l.id, sql, with_reason(l.id, summary), Stage::drop);
    p.step.action = "drop";
    for (const Dependency& dep : l.depends_on) p.releases.push_back(dep.id);
    return p;
}

PlannedStep& Differ::redefine(const Object& l, const Object& d, const std::string& sql, const std::string& summary) {
    PlannedStep& p = alter(d.id, sql, summary);
    p.requires = d.depends_on;
    for (const Dependency& dep : l.depends_on) p.releases.push_back(dep.id);
    p.structural = true;
    return p;
}

void Differ::comment(const Object* l, const Object& d) {
    json before = l ? l->attrs.value("comment", json()) : json();
    json after = d.attrs.value("comment", json());
    if (before == after || (options_.verify && after.is_null())) return;
    alter(d.id, ddl::comment(d.id, d.attrs),
          std::string("COMMENT ON ") + kind_spec(d.id.kind).keyword + " " + display(d.id))
        .step.action = "comment";
}

void Differ::dropped_implicitly(const ObjectId& id, const ObjectId& with) { implicit_drops_[with].push_back(id); }

bool Differ::relation_dropped(const std::string& schema, const std::string& relation) const {
    const Object* live = live_.relation(schema, relation);
    return live && dropped(live->id);
}

ObjectId Differ::relation_of(const ObjectId& child) const {
    const Object* relation = live_.relation(child.schema, child.table);
    if (!relation) relation = desired_.relation(child.schema, child.table);
    return relation ? relation->id : ObjectId{Kind::table, child.schema, child.table};
}

bool Differ::is_enum(const std::string& type) const {
    auto parts = split_qualified_name(type);
    if (parts.size() != 2) return false;
    ObjectId id{Kind::enumeration, parts[0], parts[1]};
    return live_.find(id) || desired_.find(id);
}

bool Differ::converts_through_text(const std::string& type) const {
    if (is_enum(type)) return true;
    auto parts = split_qualified_name(type);
    if (parts.size() != 2) return false;
    for (const ModelIndex* index : {&live_index_, &desired_index_})
        for (const ObjectId& id : index->types_named(parts[1]))
            if (id.schema == parts[0] && id.kind == Kind::range_type) return true;
    return false;
}

bool Differ::type_recreated(const std::string& type) const {
    std::string element = element_type(type);
    if (enum_recreated(element)) return true;
    auto parts = split_qualified_name(element);
    if (parts.size() != 2) return false;
    for (const ObjectId& id : live_index_.types_named(parts[1]))
        if (id.schema == parts[0] && id.kind != Kind::enumeration && dropped(id) && created(id)) return true;
    return false;
}

std::string Differ::replace_reason(const ObjectId& id) const {
    auto it = replace_reasons_.find(id);
    return it == replace_reasons_.end() ? "" : it->second;
}

json& Differ::live_columns(const Object& table) {
    auto it = live_columns_.find(table.id);
    if (it == live_columns_.end()) it = live_columns_.emplace(table.id, table.attrs["columns"]).first;
    return it->second;
}

bool Differ::same(const json& a, const json& b, const std::string& key, const std::string& what) {
    if (a == b) return true;
    if (!loose_) return false;
    if (loose_equal(a, b, key)) {
        note("compared without a shadow database and assumed equal: " + what);
        return true;
    }
    // PostgreSQL may store a query differently than written (SELECT *
    // expanded, an ORDER BY alias replaced): say that the difference may be
    // one of spelling only.
    if (is_statement_key(key)) note("compared without a shadow database and taken as different: " + what);
    return false;
}

bool Differ::type_changes(const json& lc, const json& dc) {
    std::string what = "column " + lc["name"].get<std::string>();
    return !same(lc.value("type", json()), dc.value("type", json()), "type", what) ||
           !same(lc.value("collation", json()), dc.value("collation", json()), "collation", what) ||
           type_recreated(lc["type"]);
}

// --- classification ----------------------------------------------------------

void Differ::replace(const ObjectId& id, const std::string& reason, bool cascaded) {
    dropped_.insert(id);
    if (desired_.find(id)) created_.insert(id);
    // What another object's replacement caused is the root cause to tell
    // (a view's columns change because the table's do).
    if (cascaded) replace_reasons_[id] = reason;
    else replace_reasons_.emplace(id, reason);
}

void Differ::classify() {
    for (const auto& [id, d] : desired_.objects) {
        const Object* l = live_.find(id);
        if (!l) {
            created_.insert(id);
            continue;
        }
        if (id.kind == Kind::enumeration) {
            bool grows = is_subsequence(l->attrs["values"], d.attrs["values"]);
            bool shrinks = is_subsequence(d.attrs["values"], l->attrs["values"]);
            if (!grows && !(options_.verify && shrinks)) recreated_enums_.insert(id.sql_name());
            continue;
        }
        if (std::string reason = kind_spec(id.kind).diff.replace_reason(*this, *l, d); !reason.empty())
            replace(id, reason, false);
    }
    if (!options_.verify)
        for (const auto& [id, l] : live_.objects)
            if (!desired_.find(id)) dropped_.insert(id);
}

// Columns of a table that stays whose type changes, that go, or that are
// rebuilt (generated columns whose expression changes).
std::vector<std::string> Differ::changed_columns(const Object& l, const Object& d) {
    std::vector<std::string> out;
    for (const json& lc : l.attrs["columns"]) {
        const json* dc = find_column(d.attrs["columns"], lc["name"]);
        bool rebuilt = dc && dc->contains("generated") &&
                       (!lc.contains("generated") || lc["generated"] != (*dc)["generated"]);
        if (!dc || rebuilt || type_changes(lc, *dc)) out.push_back(lc["name"]);
    }
    return out;
}

// What depends on a replaced or dropped object is replaced too, and so is
// what uses a column that changes type or goes, where PostgreSQL would
// refuse the change. Tables are replaced only when their partition key
// changes (with their partitions); otherwise their differ adapts the
// columns and defaults.
void Differ::spread_replacements() {
    std::map<ObjectId, std::vector<const Object*>> dependents;
    for (const auto& [id, l] : live_.objects)
        for (const Dependency& dep : l.depends_on) dependents[dep.id].push_back(&l);
    std::vector<ObjectId> work(dropped_.begin(), dropped_.end());
    for (const auto& [id, l] : live_.objects)
        if (id.kind == Kind::enumeration && enum_recreated(id.sql_name())) work.push_back(id);
    std::set<ObjectId> spread;  // replaced because of another object
    auto replace_dependent = [&](const Object& dependent, const std::string& reason) {
        // A partition goes with its partitioned table (DROP TABLE drops it).
        bool partition = dependent.id.kind == Kind::table && dependent.attrs.contains("partition_of") &&
                         dropped(ObjectId{Kind::table, dependent.attrs["partition_of"]["schema"],
                                          dependent.attrs["partition_of"]["table"]});
        if (spread.count(dependent.id) || (dependent.id.kind == Kind::table && !partition) ||
            dependent.id.kind == Kind::sequence)
            return;
        if (dropped(dependent.id) && !desired_.find(dependent.id)) return;  // dropped for good anyway
        replace(dependent.id, reason, true);
        spread.insert(dependent.id);
        work.push_back(dependent.id);
    };
    for (const auto& [id, l] : live_.objects) {
        const Object* d = desired_.find(id);
        if ((id.kind != Kind::table && id.kind != Kind::foreign_table) || !d || dropped(id)) continue;
        for (const std::string& column : changed_columns(l, *d)) {
            for (const Object* dependent : dependents[id]) {
                if (!kind_spec(dependent->id.kind).blocks_column_changes) continue;
                const Dependency* dep = dependent->dependency_on(id);
                if (dep && dep->uses_column(column))
                    replace_dependent(*dependent, "column " + display_column(id, column) + " changes");
            }
        }
    }
    while (!work.empty()) {
        ObjectId id = work.back();
        work.pop_back();
        std::string reason = display(id) + (desired_.find(id) ? " is recreated" : " is dropped");
        reason = std::string(kind_spec(id.kind).name) + " " + reason;
        std::replace(reason.begin(), reason.end(), '_', ' ');
        for (const Object* dependent : dependents[id]) replace_dependent(*dependent, reason);
    }
}

void Differ::emit() {
    for (const auto& [id, l] : live_.objects)
        if (id.kind == Kind::table && !dropped(id))
            if (const Object* d = desired_.find(id)) detach_columns(*this, l, *d);
    for (const ObjectId& id : dropped_) kind_spec(id.kind).diff.drop(*this, *live_.find(id));
    for (const auto& [id, d] : desired_.objects) {
        const KindDiff& kind = kind_spec(id.kind).diff;
        if (created(id)) {
            kind.create(*this, d);
            emit_privileges(*this, nullptr, d);
        } else {
            const Object& l = *live_.find(id);
            kind.alter(*this, l, d);
            emit_privileges(*this, &l, d);
        }
    }
}

// --- ordering ----------------------------------------------------------------

std::vector<size_t> Differ::order() const {
    std::map<ObjectId, std::vector<size_t>> producers, drops, column_changes;
    std::map<ObjectId, size_t> last_of_object;
    std::vector<OrderConstraint> constraints;
    for (size_t i = 0; i < steps_.size(); ++i) {
        const PlannedStep& p = steps_[i];
        const ObjectId& id = p.step.object;
        if (p.structural) producers[id].push_back(i);
        if (p.step.action == "drop" && p.stage == Stage::drop) drops[id].push_back(i);
        if (!p.changed_columns.empty()) column_changes[id].push_back(i);
        // Steps of one object keep the order they were emitted in.
        if (auto last = last_of_object.find(id); last != last_of_object.end()) constraints.push_back({last->second, i});
        last_of_object[id] = i;
    }
    // What goes with a relation: its drop releases what they needed, and
    // what they needed may be dropped only after it.
    std::map<ObjectId, std::vector<ObjectId>> extra_releases;
    for (const auto& [relation, children] : implicit_drops_) {
        for (const ObjectId& child : children) {
            drops[child] = drops[relation];
            if (const Object* l = live_.find(child))
                for (const Dependency& dep : l->depends_on) extra_releases[relation].push_back(dep.id);
        }
    }
    for (size_t i = 0; i < steps_.size(); ++i) {
        const PlannedStep& p = steps_[i];
        for (const Dependency& dep : p.requires)
            for (size_t before : producers[dep.id])
                if (before != i) constraints.push_back({before, i, dep.soft});
        std::vector<ObjectId> releases = p.releases;
        if (p.step.action == "drop") {
            auto extra = extra_releases.find(p.step.object);
            if (extra != extra_releases.end()) releases.insert(releases.end(), extra->second.begin(), extra->second.end());
        }
        for (const ObjectId& released : releases)
            for (size_t after : drops[released])
                if (after != i) constraints.push_back({i, after});
        // A dropped object that uses a column goes before the column changes.
        if (p.step.action != "drop" || p.stage != Stage::drop) continue;
        const Object* l = live_.find(p.step.object);
        if (!l) continue;
        for (const Dependency& dep : l->depends_on) {
            auto changes = column_changes.find(dep.id);
            if (changes == column_changes.end()) continue;
            for (size_t after : changes->second)
                for (const auto& column : steps_[after].changed_columns)
                    if (dep.uses_column(column)) {
                        constraints.push_back({i, after});
                        break;
                    }
        }
    }
    std::vector<Priority> priorities;
    for (size_t i = 0; i < steps_.size(); ++i) {
        const PlannedStep& p = steps_[i];
        priorities.emplace_back(static_cast<int>(p.stage), p.stage == Stage::drop ? -p.rank : p.rank, i);
    }
    return order_steps(priorities, constraints, [&](size_t i) { return steps_[i].step.summary; });
}

// The desired model as the database will hold it after the plan: an
// extension whose version the source leaves open keeps its live version.
Model Differ::expected_state() const {
    Model expected = desired_;
    for (auto& [id, d] : expected.objects) {
        const Object* l = live_.find(id);
        if (id.kind == Kind::extension && l && !version_pinned(d) && l->attrs.contains("version"))
            d.attrs["version"] = l->attrs["version"];
    }
    return expected;
}

Plan Differ::run() {
    classify();
    spread_replacements();
    emit();
    Plan plan;
    for (size_t i : order()) plan.steps.push_back(steps_[i].step);
    plan.baseline_hash = live_.state_hash();
    // The desired model is copied only when an extension takes its live version.
    plan.target_hash = keeps_live_versions(live_, desired_) ? expected_state().state_hash() : desired_.state_hash();
    plan.from = live_.source;
    plan.to = desired_.source;
    plan.live_object_count = live_.top_level_count();
    // Live objects of kinds pg-flux does not model are neither compared nor dropped.
    if (live_.source.contains("unmodeled") && live_.source["unmodeled"].is_object() &&
        !live_.source["unmodeled"].empty()) {
        std::string list;
        for (auto it = live_.source["unmodeled"].begin(); it != live_.source["unmodeled"].end(); ++it)
            list += (list.empty() ? "" : ", ") + it.value().dump() + " " + it.key() + (it.value() == 1 ? "" : "s");
        note("not compared (pg-flux does not model these yet): " + list);
    }
    std::set<std::string> seen;
    for (const auto& n : notes_)
        if (seen.insert(n).second) plan.notes.push_back(n);
    return plan;
}

}  // namespace diff

Plan diff_models(const Model& live, Model desired, const DiffOptions& options) {
    DiffOptions resolved = options;
    if (resolved.default_owner.empty()) resolved.default_owner = live.source.value("role", "");
    // Declared renames run first; the rest of the plan starts from the
    // renamed live model.
    std::optional<Renaming> renamed;
    if (!resolved.verify && declares_renames(desired)) renamed = declared_renames(live, desired);
    const Model& renamed_live = renamed ? renamed->live : live;
    // Rename candidates compare the desired model as written, before its
    // owners are resolved (in place: the model is not needed after).
    std::vector<RenameCandidate> candidates;
    if (!resolved.verify) candidates = rename_candidates(live, desired);
    Model owned = resolve_owners(renamed_live, std::move(desired), resolved);
    Plan plan = diff::Differ(renamed_live, owned, resolved).run();
    if (resolved.verify) return plan;
    if (renamed) {
        plan.steps.insert(plan.steps.begin(), renamed->steps.begin(), renamed->steps.end());
        // The baseline is the live model before the renames.
        plan.baseline_hash = live.state_hash();
        plan.live_object_count = live.top_level_count();
    }
    std::vector<std::string> notes = renamed ? renamed->notes : std::vector<std::string>{};
    for (const RenameCandidate& c : candidates) notes.push_back(c.note);
    for (const std::string& n : notes)
        if (std::find(plan.notes.begin(), plan.notes.end(), n) == plan.notes.end()) plan.notes.push_back(n);
    // The live facts of the tables the plan changes, for the hazard classifier.
    std::set<std::string> tables;
    for (const Step& s : plan.steps) {
        if (s.object.kind == Kind::table) tables.insert(qualified_name(s.object.schema, s.object.name));
        else if (!s.object.table.empty()) tables.insert(qualified_name(s.object.schema, s.object.table));
    }
    if (!tables.empty()) plan.live = live_facts(live, tables);
    return plan;
}

Plan diff_models_reverse(const Model& live, const Model& desired, const DiffOptions& options) {
    DiffOptions resolved = options;
    if (resolved.default_owner.empty()) resolved.default_owner = live.source.value("role", "");
    // The state the forward plan reaches (its target hash): the desired model
    // with owners resolved and unpinned extensions at their live version.
    Model reached = resolve_owners(live, desired, resolved);
    for (auto& [id, d] : reached.objects) {
        const Object* l = live.find(id);
        if (id.kind == Kind::extension && l && !version_pinned(d) && l->attrs.contains("version"))
            d.attrs["version"] = l->attrs["version"];
    }
    return diff::Differ(reached, live, resolved).run();
}

}  // namespace pgflux
