// Differs of triggers, rules, policies and event triggers.
//
// A trigger changes with CREATE OR REPLACE TRIGGER (a constraint trigger
// cannot: it is dropped and created), its enabled state with ALTER TABLE
// ... ENABLE/DISABLE TRIGGER. A rule changes with CREATE OR REPLACE RULE. A
// policy's roles and expressions change with ALTER POLICY; its command or
// type, or a removed clause, mean drop and create. An event trigger's
// definition means drop and create, its state ALTER EVENT TRIGGER.
#include <algorithm>

#include "canon/relation_objects.h"
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"

namespace pgflux::diff {
namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), ::toupper);
    return s;
}

std::string relation_of(const ObjectId& id) { return qualified_name(id.schema, id.table); }

// Dropped with its relation when that goes; else by name.
void drop_from_relation(Differ& d, const Object& l) {
    ObjectId relation = d.relation_of(l.id);
    if (d.dropped(relation)) return d.dropped_implicitly(l.id, relation);
    d.drop(l, ddl::drop(l.id), std::string("DROP ") + ddl::kind_keyword(l.id.kind) + " " + display(l.id));
}

// --- triggers

std::string create_trigger(const Object& o, bool replace) {
    const json& a = o.attrs;
    bool constraint = a["constraint"] == true;
    std::string out = std::string("CREATE ") + (replace ? "OR REPLACE " : "") + (constraint ? "CONSTRAINT " : "") +
                      "TRIGGER " + quote_ident(o.id.name) + " " + (a["timing"] == "instead_of" ? "INSTEAD OF" : upper(a["timing"]));
    std::string events;
    for (const json& e : a["events"]) {
        events += (events.empty() ? " " : " OR ") + upper(e);
        if (e == "update" && !a["columns"].empty()) {
            std::vector<std::string> columns = a["columns"];
            events += " OF " + join_idents(columns);
        }
    }
    out += events + " ON " + relation_of(o.id);
    if (a.contains("from")) out += " FROM " + a["from"].get<std::string>();
    if (a["deferrable"] == true) out += " DEFERRABLE";
    if (a["initially_deferred"] == true) out += " INITIALLY DEFERRED";
    if (a.contains("referencing")) {
        out += " REFERENCING";
        if (a["referencing"].contains("old_table")) out += " OLD TABLE AS " + quote_ident(a["referencing"]["old_table"].get<std::string>());
        if (a["referencing"].contains("new_table")) out += " NEW TABLE AS " + quote_ident(a["referencing"]["new_table"].get<std::string>());
    }
    out += a["level"] == "row" ? " FOR EACH ROW" : " FOR EACH STATEMENT";
    if (a.contains("when")) out += " WHEN (" + a["when"].get<std::string>() + ")";
    std::string args;
    for (const json& arg : a["arguments"]) args += (args.empty() ? "" : ", ") + quote_literal(arg.get<std::string>());
    return out + " EXECUTE FUNCTION " + a["function"].get<std::string>() + "(" + args + ");";
}

void trigger_state(Differ& d, const Object* l, const Object& o) {
    std::string before = l ? l->attrs.value("enabled", "origin") : "origin";
    std::string after = o.attrs.value("enabled", "origin");
    if (before == after) return;
    std::string clause = after == "disabled" ? "DISABLE TRIGGER"
                         : after == "replica" ? "ENABLE REPLICA TRIGGER"
                         : after == "always"  ? "ENABLE ALWAYS TRIGGER"
                                              : "ENABLE TRIGGER";
    d.alter(o.id, "ALTER TABLE " + relation_of(o.id) + " " + clause + " " + quote_ident(o.id.name) + ";",
            clause + " " + display(o.id));
}

bool same_trigger(Differ& d, const Object& l, const Object& o) {
    return d.same(without(l.attrs, {"comment", "enabled"}), without(o.attrs, {"comment", "enabled"}), "",
                  "trigger " + display(o.id));
}

std::string trigger_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (same_trigger(d, l, o)) return "";
    return l.attrs["constraint"] == true || o.attrs["constraint"] == true ? "a constraint trigger cannot be replaced in place" : "";
}

void create_trigger_step(Differ& d, const Object& o) {
    d.create(o, create_trigger(o, false), "CREATE TRIGGER " + display(o.id));
    trigger_state(d, nullptr, o);
    d.comment(nullptr, o);
}

void alter_trigger(Differ& d, const Object& l, const Object& o) {
    if (!same_trigger(d, l, o)) {
        d.redefine(l, o, create_trigger(o, true), "CREATE OR REPLACE TRIGGER " + display(o.id));
    }
    trigger_state(d, &l, o);
    d.comment(&l, o);
}

// --- rules

std::string create_rule(const Object& o, bool replace) {
    const json& a = o.attrs;
    std::string out = std::string("CREATE ") + (replace ? "OR REPLACE " : "") + "RULE " + quote_ident(o.id.name) +
                      " AS ON " + upper(a["event"]) + " TO " + relation_of(o.id);
    if (a.contains("where")) out += " WHERE " + a["where"].get<std::string>();
    out += a["instead"] == true ? " DO INSTEAD " : " DO ALSO ";
    const json& actions = a["actions"];
    if (actions.empty()) return out + "NOTHING;";
    if (actions.size() == 1) return out + actions[0].get<std::string>() + ";";
    std::string list;
    for (const json& action : actions) list += (list.empty() ? "" : "; ") + action.get<std::string>();
    return out + "(" + list + ");";
}


void create_rule_step(Differ& d, const Object& o) {
    d.create(o, create_rule(o, false), "CREATE RULE " + display(o.id));
    d.comment(nullptr, o);
}

void alter_rule(Differ& d, const Object& l, const Object& o) {
    if (!d.same(without(l.attrs, {"comment"}), without(o.attrs, {"comment"}), "", "rule " + display(o.id))) {
        d.redefine(l, o, create_rule(o, true), "CREATE OR REPLACE RULE " + display(o.id));
    }
    d.comment(&l, o);
}

// --- policies

std::string roles_of(const json& roles) {
    std::string out;
    for (const json& r : roles) {
        std::string role = r;
        out += (out.empty() ? "" : ", ") + (role == "public" ? std::string("PUBLIC") : quote_ident(role));
    }
    return out;
}

std::string create_policy(const Object& o) {
    const json& a = o.attrs;
    std::string out = "CREATE POLICY " + quote_ident(o.id.name) + " ON " + relation_of(o.id) + " AS " +
                      (a["permissive"] == true ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + upper(a["command"]) +
                      " TO " + roles_of(a["roles"]);
    if (a.contains("using")) out += " USING (" + a["using"].get<std::string>() + ")";
    if (a.contains("check")) out += " WITH CHECK (" + a["check"].get<std::string>() + ")";
    return out + ";";
}

std::string policy_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (l.attrs["command"] != o.attrs["command"]) return "its command changes";
    if (l.attrs["permissive"] != o.attrs["permissive"]) return "it changes between permissive and restrictive";
    for (const char* clause : {"using", "check"})
        if (l.attrs.contains(clause) && !o.attrs.contains(clause)) return "a clause is removed";
    (void)d;
    return "";
}

void create_policy_step(Differ& d, const Object& o) {
    d.create(o, create_policy(o), "CREATE POLICY " + display(o.id));
    d.comment(nullptr, o);
}

void alter_policy(Differ& d, const Object& l, const Object& o) {
    const std::string what = "policy " + display(o.id);
    std::string clauses;
    if (l.attrs["roles"] != o.attrs["roles"]) clauses += " TO " + roles_of(o.attrs["roles"]);
    if (o.attrs.contains("using") && !d.same(l.attrs.value("using", json()), o.attrs["using"], "using", what))
        clauses += " USING (" + o.attrs["using"].get<std::string>() + ")";
    if (o.attrs.contains("check") && !d.same(l.attrs.value("check", json()), o.attrs["check"], "check", what))
        clauses += " WITH CHECK (" + o.attrs["check"].get<std::string>() + ")";
    if (!clauses.empty()) {
        d.redefine(l, o, "ALTER POLICY " + quote_ident(o.id.name) + " ON " + relation_of(o.id) + clauses + ";",
                   "ALTER POLICY " + display(o.id));
    }
    d.comment(&l, o);
}

// --- event triggers

std::string create_event_trigger(const Object& o) {
    const json& a = o.attrs;
    std::string out = "CREATE EVENT TRIGGER " + quote_ident(o.id.name) + " ON " + quote_ident(a["event"].get<std::string>());
    if (!a["tags"].empty()) {
        std::string tags;
        for (const json& t : a["tags"]) tags += (tags.empty() ? "" : ", ") + quote_literal(t.get<std::string>());
        out += " WHEN TAG IN (" + tags + ")";
    }
    return out + " EXECUTE FUNCTION " + a["function"].get<std::string>() + "();";
}

void event_trigger_state(Differ& d, const Object* l, const Object& o) {
    std::string before = l ? l->attrs.value("enabled", "origin") : "origin";
    std::string after = o.attrs.value("enabled", "origin");
    if (before == after) return;
    std::string clause = after == "disabled" ? "DISABLE" : after == "replica" ? "ENABLE REPLICA"
                         : after == "always" ? "ENABLE ALWAYS" : "ENABLE";
    d.alter(o.id, "ALTER EVENT TRIGGER " + quote_ident(o.id.name) + " " + clause + ";",
            "ALTER EVENT TRIGGER " + display(o.id) + " " + clause);
}

std::string event_trigger_replace_reason(Differ& d, const Object& l, const Object& o) {
    return d.same(without(l.attrs, {"comment", "enabled"}), without(o.attrs, {"comment", "enabled"}), "",
                  "event trigger " + display(o.id))
               ? ""
               : "its definition changes";
}

void create_event_trigger_step(Differ& d, const Object& o) {
    d.create(o, create_event_trigger(o), "CREATE EVENT TRIGGER " + display(o.id));
    event_trigger_state(d, nullptr, o);
    d.comment(nullptr, o);
}

void alter_event_trigger(Differ& d, const Object& l, const Object& o) {
    event_trigger_state(d, &l, o);
    d.comment(&l, o);
}

void drop_event_trigger(Differ& d, const Object& l) {
    d.drop(l, ddl::drop(l.id), "DROP EVENT TRIGGER " + display(l.id));
}

}  // namespace

const KindDiff k_trigger_diff{trigger_replace_reason, create_trigger_step, alter_trigger, drop_from_relation};
const KindDiff k_rule_diff{changes_in_place, create_rule_step, alter_rule, drop_from_relation};
const KindDiff k_policy_diff{policy_replace_reason, create_policy_step, alter_policy, drop_from_relation};
const KindDiff k_event_trigger_diff{event_trigger_replace_reason, create_event_trigger_step, alter_event_trigger,
                                    drop_event_trigger};

}  // namespace pgflux::diff
