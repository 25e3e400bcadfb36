// The pgflux.plan document: ordered DDL steps from a live model to a desired
// one. flux-diff writes it, flux-hazards classifies and rewrites its steps,
// flux-track turns it into a migration file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "diff/live_facts.h"
#include "model/model.h"

namespace pgflux {
namespace pq {
class ParseResult;
}

inline constexpr const char* k_phase_transactional = "transactional";
inline constexpr const char* k_phase_after_commit = "after-commit";

// Every blocking hazard code (see hazards/hazards.h for what each means):
// apply refuses them unless allowed. IRREVERSIBLE only marks undo files
// (NAME.undo.sql): a step of the undo that cannot bring back what the forward
// migration destroyed (see migrations/undo.h); no statement is classified as it.
inline const std::vector<std::string> k_hazard_codes = {"DATA_LOSS",       "COLUMN_TYPE_CHANGE", "MASS_DROP",
                                                        "CONSTRAINT_SCAN", "PARTITION_CHANGE",   "UNCLASSIFIABLE",
                                                        "IRREVERSIBLE"};
// Every warning code: shown in plans and file headers, never blocking.
inline const std::vector<std::string> k_warning_codes = {"ACCESS_EXCLUSIVE", "INDEX_BUILD", "INDEX_DROPPED",
                                                         "NOT_TRANSACTIONAL", "AUTHZ_UPDATE"};

struct Hazard {
    std::string code;     // DATA_LOSS, COLUMN_TYPE_CHANGE, MASS_DROP, CONSTRAINT_SCAN, PARTITION_CHANGE
    std::string message;  // what and why
};

struct Step {
    std::string sql;       // one statement, ending in ';'
    std::string summary;   // one line, as drift prints it: "ADD COLUMN users.last_login timestamp"
    std::string action;    // create | drop | alter | comment
    ObjectId object;
    std::string phase = k_phase_transactional;
    std::string lock;      // strongest lock the statement takes, set by flux-hazards
    std::string lock_on;   // what it takes it on: "public.orders" ("" when not a relation's lock)
    std::vector<Hazard> hazards;   // blocking (k_hazard_codes)
    std::vector<Hazard> warnings;  // warning level (k_warning_codes), set by flux-hazards
    // The statement's table is partitioned: PostgreSQL builds its indexes
    // only in one go (no CONCURRENTLY) and refuses NOT VALID foreign keys
    // on it, so flux-hazards leaves the statement as it is.
    bool partitioned_table = false;
};

struct Plan {
    std::string baseline_hash;  // state hash of the live model the plan starts from
    std::string target_hash;    // state hash of the desired model
    json from = json::object(), to = json::object();  // provenance of both models
    int live_object_count = 0;  // top-level live objects (for MASS_DROP)
    LiveFacts live;             // what the classifier knows of the live tables the plan touches
    std::vector<Step> steps;
    std::vector<std::string> notes;     // differences compared loosely or not acted on
    bool classified = false;            // flux-hazards has run
};

json plan_to_document(const Plan& plan, const std::string& tool);
// Reads and validates a plan: hashes, hazard codes and locks are checked, and
// every step's sql must be exactly one statement of the DDL pg-flux generates
// (plans are cached and shared: a string from one is pasted into a file that
// runs). Errors name the document and the field.
// `step_parses`, when given, receives each step's parse (the check's), so
// that flux-hazards does not parse every statement again.
using StepParses = std::vector<std::shared_ptr<const pq::ParseResult>>;
Plan plan_from_document(const json& document, const std::string& name, StepParses* step_parses = nullptr);
// The same check of the steps of a plan just generated from model documents:
// a hostile string in a model that reached SQL is an input error (exit 2).
void check_plan_statements(const Plan& plan);

}  // namespace pgflux
