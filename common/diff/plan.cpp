// pgflux.plan serialization.
#include "diff/plan.h"

#include <algorithm>
#include <set>

#include "model/model_json.h"
#include "sql/parser.h"
#include "util/document.h"

namespace pgflux {
namespace {

// The statements a plan step may hold: the DDL pg-flux generates, and the
// one SELECT it writes (pg_catalog.setval after a sequence change). Anything
// else (data changes, roles, DO, SET, transaction control) never comes from
// flux-diff or flux-hazards.
bool generated_statement(const pq::Msg& node) {
    static const std::set<std::string> k_ddl = {
        "CreateStmt", "AlterTableStmt", "DropStmt", "IndexStmt", "CommentStmt", "GrantStmt",
        "AlterDefaultPrivilegesStmt", "AlterOwnerStmt", "RenameStmt", "AlterObjectSchemaStmt",
        "CreateSchemaStmt", "CreateExtensionStmt", "AlterExtensionStmt", "DefineStmt", "CreateEnumStmt",
        "AlterEnumStmt", "CreateRangeStmt", "CreateDomainStmt", "AlterDomainStmt", "CompositeTypeStmt",
        "CreateSeqStmt", "AlterSeqStmt", "CreateFunctionStmt", "AlterFunctionStmt", "CreateCastStmt",
        "AlterOperatorStmt", "AlterTSDictionaryStmt", "AlterTSConfigurationStmt", "CreateFdwStmt", "AlterFdwStmt",
        "CreateForeignServerStmt", "AlterForeignServerStmt", "CreateUserMappingStmt", "AlterUserMappingStmt",
        "DropUserMappingStmt", "CreateForeignTableStmt", "ViewStmt", "RefreshMatViewStmt", "RuleStmt",
        "CreateTrigStmt", "CreatePolicyStmt", "AlterPolicyStmt", "CreateEventTrigStmt", "AlterEventTrigStmt",
        "CreatePublicationStmt", "AlterPublicationStmt", "CreateStatsStmt", "AlterStatsStmt",
        "AlterCollationStmt", "AlterTypeStmt", "CreateConversionStmt"};
    if (k_ddl.count(node.type())) return true;
    if (node.is("CreateTableAsStmt")) return node.enumeration("objtype") == "OBJECT_MATVIEW";
    if (node.is("SelectStmt")) {
        auto targets = node.list("target_list");
        if (targets.size() != 1 || node.get("with_clause") || node.get("larg")) return false;
        pq::Msg call = targets[0].get("val");
        return call.is("FuncCall") && call.strings("funcname") == std::vector<std::string>{"pg_catalog", "setval"};
    }
    return false;
}

std::shared_ptr<const pq::ParseResult> check_step(const Step& s, const JsonField& f) {
    std::shared_ptr<const pq::ParseResult> parsed;
    try {
        parsed = pq::ParseResult::parse(s.sql);
    } catch (const pq::SqlSyntaxError& e) {
        f["sql"].fail(std::string("not valid SQL: ") + e.what());
    }
    if (parsed->statements().size() != 1) f["sql"].fail("a step is exactly one statement");
    const pq::Msg& node = parsed->statements()[0].node;
    if (!generated_statement(node))
        f["sql"].fail("a " + node.type() + " is not a statement pg-flux generates");
    if ((s.action == "comment") != node.is("CommentStmt"))
        f["sql"].fail("a step's action is \"comment\" exactly when its statement is COMMENT ON");
    if (s.action == "create" && node.is("DropStmt")) f["sql"].fail("a \"create\" step cannot be a DROP");
    if (s.action != "create" && s.action != "drop" && s.action != "alter" && s.action != "comment")
        f["action"].fail("expected create, drop, alter or comment");
    return parsed;
}

// A step's optional list of {code, message} with codes from `codes`.
std::vector<Hazard> hazard_list(const JsonField& step, const char* key, const std::vector<std::string>& codes,
                                const char* unknown) {
    std::vector<Hazard> out;
    if (!step.has(key)) return out;
    for (size_t i = 0; i < step[key].array().size(); ++i) {
        JsonField code = step[key][i]["code"];
        if (std::find(codes.begin(), codes.end(), code.string()) == codes.end()) code.fail(unknown);
        out.push_back({code.string(), step[key][i]["message"].string()});
    }
    return out;
}

}  // namespace

json plan_to_document(const Plan& plan, const std::string& tool) {
    json doc = document_envelope(k_format_plan, tool);
    doc["baseline_hash"] = plan.baseline_hash;
    doc["target_hash"] = plan.target_hash;
    doc["from"] = plan.from;
    doc["to"] = plan.to;
    doc["live_object_count"] = plan.live_object_count;
    doc["classified"] = plan.classified;
    if (plan.live.known) doc["live"] = live_facts_to_json(plan.live);
    json steps = json::array();
    for (const Step& s : plan.steps) {
        json hazards = json::array(), warnings = json::array();
        for (const Hazard& h : s.hazards) hazards.push_back({{"code", h.code}, {"message", h.message}});
        for (const Hazard& h : s.warnings) warnings.push_back({{"code", h.code}, {"message", h.message}});
        json step = {{"sql", s.sql},       {"summary", s.summary}, {"action", s.action},
                     {"object", id_to_json(s.object)}, {"phase", s.phase}, {"hazards", hazards}};
        if (!s.lock.empty()) step["lock"] = s.lock;
        if (!s.lock_on.empty()) step["lock_on"] = s.lock_on;
        if (!s.warnings.empty()) step["warnings"] = warnings;
        if (s.partitioned_table) step["partitioned_table"] = true;
        steps.push_back(step);
    }
    doc["steps"] = steps;
    doc["notes"] = plan.notes;
    return doc;
}

void check_plan_statements(const Plan& plan) {
    json doc = plan_to_document(plan, "flux-diff");
    JsonField root(doc, "the plan generated from the model documents (a string in one of them reached SQL)");
    for (size_t i = 0; i < plan.steps.size(); ++i) check_step(plan.steps[i], root["steps"][i]);
}

Plan plan_from_document(const json& document, const std::string& name, StepParses* step_parses) {
    JsonField root(document, name);
    Plan plan;
    plan.baseline_hash = root["baseline_hash"].string();
    plan.target_hash = root["target_hash"].string();
    for (const char* key : {"baseline_hash", "target_hash"})
        if (!root[key].string().empty() && !is_state_hash(root[key].string()))
            root[key].fail("not a state hash (sha256: and 64 hex digits)");
    if (root.has("from")) plan.from = root["from"].object();
    if (root.has("to")) plan.to = root["to"].object();
    if (root.has("live_object_count")) plan.live_object_count = static_cast<int>(root["live_object_count"].integer());
    if (root.has("classified")) plan.classified = root["classified"].boolean();
    if (root.has("live")) plan.live = live_facts_from_json(root["live"]);
    const json& steps = root["steps"].array();
    for (size_t i = 0; i < steps.size(); ++i) {
        JsonField f = root["steps"][i];
        Step s;
        s.sql = f["sql"].string();
        s.summary = f["summary"].string();
        s.action = f["action"].string();
        s.object = id_from_json(f["object"]);
        s.phase = f["phase"].string();
        if (s.phase != k_phase_transactional && s.phase != k_phase_after_commit)
            f["phase"].fail("expected \"transactional\" or \"after-commit\"");
        if (f.has("lock")) {
            s.lock = f["lock"].string();
            static const std::set<std::string> k_locks = {"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE",
                                                          "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE",
                                                          "EXCLUSIVE", "ACCESS EXCLUSIVE"};
            if (!k_locks.count(s.lock)) f["lock"].fail("not a table lock mode");
        }
        if (f.has("lock_on")) s.lock_on = f["lock_on"].string();
        if (f.has("partitioned_table")) s.partitioned_table = f["partitioned_table"].boolean();
        s.hazards = hazard_list(f, "hazards", k_hazard_codes, "unknown hazard code");
        s.warnings = hazard_list(f, "warnings", k_warning_codes, "unknown warning code");
        auto parsed = check_step(s, f);
        if (step_parses) step_parses->push_back(std::move(parsed));
        plan.steps.push_back(std::move(s));
    }
    if (root.has("notes"))
        for (size_t i = 0; i < root["notes"].array().size(); ++i) plan.notes.push_back(root["notes"][i].string());
    return plan;
}

}  // namespace pgflux
