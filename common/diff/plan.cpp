// pgflux.plan serialization.
#include "diff/plan.h"

#include "model/model_json.h"
#include "sql/parser.h"
#include "util/document.h"

namespace pgflux {

json plan_to_document(const Plan& plan, const std::string& tool) {
    json doc = document_envelope(k_format_plan, tool);
    doc["baseline_hash"] = plan.baseline_hash;
    doc["target_hash"] = plan.target_hash;
    doc["from"] = plan.from;
    doc["to"] = plan.to;
    doc["live_object_count"] = plan.live_object_count;
    doc["classified"] = plan.classified;
    json steps = json::array();
    for (const Step& s : plan.steps) {
        json hazards = json::array();
        for (const Hazard& h : s.hazards) hazards.push_back({{"code", h.code}, {"message", h.message}});
        json step = {{"sql", s.sql},       {"summary", s.summary}, {"action", s.action},
                     {"object", id_to_json(s.object)}, {"phase", s.phase}, {"hazards", hazards}};
        if (!s.lock.empty()) step["lock"] = s.lock;
        if (s.partitioned_table) step["partitioned_table"] = true;
        steps.push_back(step);
    }
    doc["steps"] = steps;
    doc["notes"] = plan.notes;
    return doc;
}

namespace {

// A step is exactly one statement that parses (flux-hazards classifies and
// rewrites it from its parse tree).
void check_step_sql(const JsonField& f) {
    size_t count = 0;
    try {
        count = pq::ParseResult::parse(f.string())->statements().size();
    } catch (const pq::SqlSyntaxError& e) {
        f.fail(std::string("not valid SQL: ") + e.what());
    }
    if (count != 1) f.fail("expected exactly one SQL statement, found " + std::to_string(count));
}

}  // namespace

Plan plan_from_document(const json& document, const std::string& name) {
    JsonField root(document, name);
    Plan plan;
    plan.baseline_hash = root["baseline_hash"].string();
    plan.target_hash = root["target_hash"].string();
    if (root.has("from")) plan.from = root["from"].object();
    if (root.has("to")) plan.to = root["to"].object();
    if (root.has("live_object_count")) plan.live_object_count = static_cast<int>(root["live_object_count"].integer());
    if (root.has("classified")) plan.classified = root["classified"].boolean();
    const json& steps = root["steps"].array();
    for (size_t i = 0; i < steps.size(); ++i) {
        JsonField f = root["steps"][i];
        Step s;
        s.sql = f["sql"].string();
        check_step_sql(f["sql"]);
        s.summary = f["summary"].string();
        s.action = f["action"].string();
        s.object = id_from_json(f["object"]);
        s.phase = f["phase"].string();
        if (s.phase != k_phase_transactional && s.phase != k_phase_after_commit)
            f["phase"].fail("expected \"transactional\" or \"after-commit\"");
        if (f.has("lock")) s.lock = f["lock"].string();
        if (f.has("partitioned_table")) s.partitioned_table = f["partitioned_table"].boolean();
        if (f.has("hazards")) {
            const json& hs = f["hazards"].array();
            for (size_t h = 0; h < hs.size(); ++h)
                s.hazards.push_back({f["hazards"][h]["code"].string(), f["hazards"][h]["message"].string()});
        }
        plan.steps.push_back(std::move(s));
    }
    if (root.has("notes"))
        for (size_t i = 0; i < root["notes"].array().size(); ++i) plan.notes.push_back(root["notes"][i].string());
    return plan;
}

}  // namespace pgflux
