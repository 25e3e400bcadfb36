// Source handlers for what belongs to a relation and runs code: triggers
// (and their enabled state, set by ALTER TABLE), rules and row-level security
// policies; and event triggers, which belong to the database.
#include "canon/expressions.h"
#include "canon/relation_objects.h"
#include "model/dependencies.h"
#include "source/reader.h"
#include "sql/quote.h"

namespace pgflux::source {
namespace {

// The model's routine a qualified name from the attributes means (a trigger
// function has no arguments).
std::optional<ObjectId> trigger_function(const Model& model, const std::string& qualified, Kind kind = Kind::function) {
    auto parts = split_qualified_name(qualified);
    if (parts.size() != 2) return std::nullopt;
    ObjectId id{kind, parts[0], parts[1], "", ""};
    if (model.find(id)) return id;
    return std::nullopt;
}

}  // namespace

void Reader::create_trigger(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& relation = finished_table(s, *s.table);
    json attrs = trigger_attributes(node, scope(s));
    attrs["enabled"] = "origin";
    ObjectId id{Kind::trigger, relation.id.schema, node.str("trigname"), relation.id.name};
    if (node.flag("replace") && model.find(id)) model.objects.erase(id);
    Object& trigger = add_object(s, Object{id, attrs});
    trigger.depend_on({relation.id, std::nullopt, false});
    if (auto function = trigger_function(model, attrs["function"])) trigger.depend_on({*function});
    if (pq::Msg when = node.get("when_clause")) add_references(trigger, when, s.search_path);
    if (pq::Msg from = node.get("constrrel")) add_references(trigger, from, s.search_path);
}

void Reader::set_trigger_state(const Stmt& s, const ObjectId& table, const std::string& name, const std::string& state) {
    Object& trigger = require(s, ObjectId{Kind::trigger, table.schema, name, table.name});
    trigger.attrs["enabled"] = state;
}

void Reader::create_event_trigger(const Stmt& s) {
    const pq::Msg& node = s.node();
    json attrs = event_trigger_attributes(node, scope(s));
    attrs["enabled"] = "origin";
    Object& trigger = add_object(s, Object{ObjectId{Kind::event_trigger, "", node.str("trigname")}, attrs});
    if (auto function = trigger_function(model, attrs["function"])) trigger.depend_on({*function});
}

void Reader::alter_event_trigger(const Stmt& s) {
    Object& trigger = require(s, ObjectId{Kind::event_trigger, "", s.node().str("trigname")});
    trigger.attrs["enabled"] = trigger_state(s.node().str("tgenabled"));
}

void Reader::create_rule(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& relation = finished_table(s, *s.table);
    if (node.str("rulename") == "_RETURN") fail(s, "a rule named _RETURN makes a view; write CREATE VIEW instead");
    ObjectId id{Kind::rule, relation.id.schema, node.str("rulename"), relation.id.name};
    if (node.flag("replace") && model.find(id)) model.objects.erase(id);
    Object& rule = add_object(s, Object{id, rule_attributes(node)});
    rule.depend_on({relation.id, std::nullopt, false});
    for (const pq::Msg& action : node.list("actions")) add_references(rule, action, s.search_path);
    if (pq::Msg where = node.get("where_clause")) add_references(rule, where, s.search_path);
}

void Reader::create_policy(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& relation = finished_table(s, *s.table);
    if (relation.id.kind != Kind::table) fail(s, "policies belong to tables, not to " + relation.id.describe());
    ObjectId id{Kind::policy, relation.id.schema, node.str("policy_name"), relation.id.name};
    Object& policy = add_object(s, Object{id, policy_attributes(node)});
    policy.depend_on({relation.id, std::nullopt, false});
    for (const char* key : {"qual", "with_check"})
        if (pq::Msg expr = node.get(key)) add_references(policy, expr, s.search_path);
}

void Reader::alter_policy(const Stmt& s) {
    const pq::Msg& node = s.node();
    Object& relation = finished_table(s, *s.table);
    Object& policy = require(s, ObjectId{Kind::policy, relation.id.schema, node.str("policy_name"), relation.id.name});
    if (!node.list("roles").empty()) policy.attrs["roles"] = policy_roles(node.list("roles"));
    for (const auto& [field, key] : {std::pair<const char*, const char*>{"qual", "using"}, {"with_check", "check"}}) {
        if (pq::Msg expr = node.get(field)) {
            policy.attrs[key] = canonical_expression(expr);
            add_references(policy, expr, s.search_path);
        }
    }
}

}  // namespace pgflux::source
