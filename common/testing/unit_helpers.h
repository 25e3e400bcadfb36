// Helpers shared by the unit tests (*_test.cpp): one definition each, so that
// the test files can be compiled together (the unity build, CMakeLists.txt).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "diff/plan.h"
#include "model/model.h"

namespace pgflux::unit {

inline ObjectId id(Kind kind, const std::string& schema, const std::string& name, const std::string& table = "") {
    return ObjectId{kind, schema, name, table};
}

// The SQL of every step of `plan`, in order.
inline std::vector<std::string> sqls(const Plan& plan) {
    std::vector<std::string> out;
    for (const Step& s : plan.steps) out.push_back(s.sql);
    return out;
}

// An "alter" step; its summary is its SQL unless given.
inline Step step(const std::string& sql, const std::string& summary = "",
                 const std::string& phase = k_phase_transactional, std::vector<Hazard> hazards = {}) {
    Step s;
    s.sql = sql;
    s.summary = summary.empty() ? sql : summary;
    s.action = "alter";
    s.phase = phase;
    s.hazards = std::move(hazards);
    return s;
}

}  // namespace pgflux::unit
