// Canonical attributes of what belongs to a relation and is defined by a
// statement PostgreSQL can print back: triggers (pg_get_triggerdef), rules
// (pg_get_ruledef) and policies (rebuilt from pg_policy), and the options and
// queries of views. The catalog side parses the printed statement and hands
// it to the same builder as the source side.
#pragma once

#include <string>

#include "canon/scope.h"
#include "model/model.h"
#include "sql/message.h"

namespace pgflux {

// CREATE [OR REPLACE] [CONSTRAINT] TRIGGER (without its enabled state).
json trigger_attributes(const pq::Msg& create_trigger, const NameScope& scope);

// CREATE [OR REPLACE] RULE.
json rule_attributes(const pq::Msg& rule_stmt);

// CREATE POLICY; roles sorted, PUBLIC as "public".
json policy_attributes(const pq::Msg& create_policy);
// The roles of a policy as attributes hold them (RoleSpec nodes).
json policy_roles(const std::vector<pq::Msg>& role_specs);

// CREATE EVENT TRIGGER (without its enabled state).
json event_trigger_attributes(const pq::Msg& create_event_trigger, const NameScope& scope);

// A view's or materialized view's query as canonical text (deparsed; it
// must parse back to the same tree).
std::string canonical_query(const pq::Msg& query);
std::string canonical_query_text(const std::string& text);

// CREATE STATISTICS: {kinds (ndistinct, dependencies, mcv, in that order;
// none for one expression), columns (as written), expressions}.
json statistics_attributes(const pq::Msg& create_stats);

// Relation options (reloptions) as stored, sorted: "security_barrier=true".
// An option without a value is true.
json relation_options(const std::vector<pq::Msg>& def_elems);
// ALTER ... SET (set) / RESET (reset) applied to options, sorted again.
void merge_relation_options(json& options, const json& set, const json& reset);

// The enabled state of a trigger or event trigger: 'O' origin, 'D' disabled,
// 'R' replica, 'A' always.
std::string trigger_state(const std::string& code);
std::string trigger_state_code(const std::string& state);

}  // namespace pgflux
