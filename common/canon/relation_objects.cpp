// Builders of trigger, rule, policy and view attributes from parse nodes.
#include "canon/relation_objects.h"

#include <algorithm>
#include <set>

#include "canon/definitions.h"
#include "canon/expressions.h"
#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace {

// Trigger type bits (pg_trigger.tgtype, catalog/pg_trigger.h).
constexpr int64_t k_before = 1 << 1, k_insert = 1 << 2, k_delete = 1 << 3, k_update = 1 << 4,
                  k_truncate = 1 << 5, k_instead = 1 << 6;

std::string command_name(const std::string& cmd_type) {
    if (cmd_type == "CMD_SELECT") return "select";
    if (cmd_type == "CMD_INSERT") return "insert";
    if (cmd_type == "CMD_UPDATE") return "update";
    if (cmd_type == "CMD_DELETE") return "delete";
    usage_error("unsupported rule event " + cmd_type);
}

std::string relation_name(const pq::Msg& range_var, const NameScope& scope) {
    return qualified_name(scope.resolve(Kind::table, range_var), range_var.str("relname"));
}

}  // namespace

std::string trigger_state(const std::string& code) {
    if (code == "D") return "disabled";
    if (code == "R") return "replica";
    if (code == "A") return "always";
    return "origin";
}

std::string trigger_state_code(const std::string& state) {
    if (state == "disabled") return "D";
    if (state == "replica") return "R";
    if (state == "always") return "A";
    return "O";
}

json trigger_attributes(const pq::Msg& t, const NameScope& scope) {
    json a = json::object();
    int64_t timing = t.integer("timing"), events = t.integer("events");
    a["timing"] = timing & k_instead ? "instead_of" : timing & k_before ? "before" : "after";
    json event_list = json::array();
    for (const auto& [bit, name] : {std::pair<int64_t, const char*>{k_insert, "insert"},
                                    {k_delete, "delete"}, {k_update, "update"}, {k_truncate, "truncate"}})
        if (events & bit) event_list.push_back(name);
    a["events"] = event_list;
    a["columns"] = t.strings("columns");
    a["level"] = t.flag("row") ? "row" : "statement";
    if (pq::Msg when = t.get("when_clause")) a["when"] = canonical_expression(when);
    a["function"] = scope.routine_name(t.strings("funcname"));
    a["arguments"] = t.strings("args");
    json referencing = json::object();
    for (const pq::Msg& tr : t.list("transition_rels"))
        referencing[tr.flag("is_new") ? "new_table" : "old_table"] = tr.str("name");
    if (!referencing.empty()) a["referencing"] = referencing;
    a["constraint"] = t.flag("isconstraint");
    a["deferrable"] = t.flag("deferrable");
    a["initially_deferred"] = t.flag("initdeferred");
    if (pq::Msg from = t.get("constrrel")) a["from"] = relation_name(from, scope);
    return a;
}

json rule_attributes(const pq::Msg& r) {
    json a = json::object();
    a["event"] = command_name(r.enumeration("event"));
    a["instead"] = r.flag("instead");
    if (pq::Msg where = r.get("where_clause")) a["where"] = canonical_expression(where);
    json actions = json::array();
    for (const pq::Msg& action : r.list("actions")) actions.push_back(pq::deparse_statement(action));
    a["actions"] = actions;
    return a;
}

json policy_roles(const std::vector<pq::Msg>& role_specs) {
    json roles = json::array();
    for (const pq::Msg& role : role_specs) {
        std::string type = role.enumeration("roletype");
        if (type == "ROLESPEC_PUBLIC") roles.push_back("public");
        else if (type == "ROLESPEC_CSTRING") roles.push_back(role.str("rolename"));
        else usage_error("CURRENT_USER, CURRENT_ROLE and SESSION_USER are not supported in policy roles; name the role");
    }
    // PostgreSQL keeps PUBLIC alone when it is among the roles.
    if (roles.empty() || std::find(roles.begin(), roles.end(), "public") != roles.end()) roles = json::array({"public"});
    std::sort(roles.begin(), roles.end());
    return roles;
}

json policy_attributes(const pq::Msg& p) {
    json a = json::object();
    a["permissive"] = p.flag("permissive");
    std::string command = p.str("cmd_name");
    a["command"] = command.empty() ? "all" : command;
    a["roles"] = policy_roles(p.list("roles"));
    if (pq::Msg qual = p.get("qual")) a["using"] = canonical_expression(qual);
    if (pq::Msg check = p.get("with_check")) a["check"] = canonical_expression(check);
    return a;
}

json event_trigger_attributes(const pq::Msg& e, const NameScope& scope) {
    json a = json::object();
    a["event"] = e.str("eventname");
    json tags = json::array();
    for (const pq::Msg& when : e.list("whenclause")) {
        if (when.str("defname") != "tag") usage_error("event trigger filter " + when.str("defname") + " is not supported");
        for (std::string tag : when.get("arg").strings("items")) {
            std::transform(tag.begin(), tag.end(), tag.begin(), ::toupper);
            tags.push_back(tag);
        }
    }
    a["tags"] = tags;
    a["function"] = scope.routine_name(e.strings("funcname"));
    return a;
}

std::string canonical_query(const pq::Msg& query) {
    std::string text = pq::deparse_statement(query);
    auto back = pq::ParseResult::parse(text);
    if (back->statements().size() != 1 ||
        pq::tree_fingerprint(back->statements()[0].node) != pq::tree_fingerprint(query))
        usage_error("cannot render this query faithfully (libpg_query's deparse changes it): " + text);
    return text;
}

std::string canonical_query_text(const std::string& text) {
    auto parsed = pq::ParseResult::parse(text);
    if (parsed->statements().size() != 1) usage_error("not a single query: " + text);
    return canonical_query(parsed->statements()[0].node);
}

json statistics_attributes(const pq::Msg& stmt) {
    json columns = json::array(), expressions = json::array(), kinds = json::array();
    for (const pq::Msg& elem : stmt.list("exprs")) {
        pq::Msg expr = elem.get("expr");
        // A parenthesized plain column is a column (PostgreSQL keeps it as one).
        if (expr && expr.is("ColumnRef") && expr.list("fields").size() == 1 && expr.list("fields")[0].is("String"))
            columns.push_back(expr.list("fields")[0].str("sval"));
        else if (expr) expressions.push_back(canonical_expression(expr));
        else columns.push_back(elem.str("name"));
    }
    std::set<std::string> written;
    for (const pq::Msg& t : stmt.list("stat_types")) {
        std::string kind = pq::value_text(t);
        if (kind != "ndistinct" && kind != "dependencies" && kind != "mcv")
            usage_error("unrecognized statistics kind \"" + kind + "\"");
        written.insert(kind);
    }
    bool single_expression = columns.empty() && expressions.size() == 1;
    if (single_expression && !written.empty())
        usage_error("statistics on a single expression cannot name statistics kinds");
    for (const char* kind : {"ndistinct", "dependencies", "mcv"})
        if (!single_expression && (written.empty() || written.count(kind))) kinds.push_back(kind);
    return {{"kinds", kinds}, {"columns", columns}, {"expressions", expressions}};
}

void merge_relation_options(json& options, const json& set, const json& reset) {
    json out = json::array();
    auto name_of = [](const std::string& option) { return option.substr(0, option.find('=')); };
    for (const json& o : options) {
        std::string name = name_of(o);
        bool replaced = false;
        for (const json& r : reset) replaced = replaced || name_of(r) == name;
        for (const json& n : set) replaced = replaced || name_of(n) == name;
        if (!replaced) out.push_back(o);
    }
    for (const json& n : set) out.push_back(n);
    std::sort(out.begin(), out.end());
    options = out;
}

json relation_options(const std::vector<pq::Msg>& def_elems) {
    json out = json::array();
    for (const pq::Msg& d : def_elems) {
        std::string text = option_text(d);
        if (text.find('=') == std::string::npos) text += "=true";
        out.push_back(text);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace pgflux
