// Plain-text rendering of a classified plan (pg-flux plan).
#include "migrations/plan_text.h"

#include <map>
#include <sstream>

#include "util/style.h"
#include "util/text.h"

namespace pgflux {
namespace {

std::string statements(size_t n) { return std::to_string(n) + (n == 1 ? " statement" : " statements"); }

// A statement indented under its summary, one display line per SQL line
// (control characters a quoted name may hold are escaped).
void write_sql(std::ostringstream& out, const std::string& sql) {
    std::istringstream in(sql);
    for (std::string line; std::getline(in, line);) out << "     " << one_line(line) << "\n";
}

}  // namespace

std::string render_plan_text(const Plan& plan, bool color) {
    auto styled = [&](Paint p, const std::string& text) {
        return color ? paint(Stream::out, p, text) : text;
    };
    std::ostringstream out;
    if (plan.steps.empty()) {
        out << "nothing to do: the database already matches the schema\n";
        return out.str();
    }
    size_t after = 0;
    std::map<std::string, size_t> codes;  // hazard code -> statements carrying it
    for (const Step& s : plan.steps) {
        if (s.phase == k_phase_after_commit) ++after;
        std::map<std::string, bool> seen;
        for (const Hazard& h : s.hazards)
            if (!seen[h.code]) ++codes[h.code], seen[h.code] = true;
    }
    out << "plan: " << statements(plan.steps.size()) << " (" << plan.steps.size() - after
        << " in one transaction, " << after << " after the commit)\n";
    out << "from " << one_line(plan.baseline_hash) << "\n  to " << one_line(plan.target_hash) << "\n";
    bool in_after = false;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        const Step& s = plan.steps[i];
        if (i == 0 && s.phase != k_phase_after_commit) out << "\n" << styled(Paint::heading, "In one transaction:") << "\n";
        if (s.phase == k_phase_after_commit && !in_after) {
            out << "\n" << styled(Paint::heading, "After the commit, one statement at a time:") << "\n";
            in_after = true;
        }
        out << "\n" << (i + 1 < 10 ? "  " : i + 1 < 100 ? " " : "") << i + 1 << ". " << one_line(s.summary) << "\n";
        write_sql(out, s.sql);
        if (!s.lock.empty()) out << "     lock: " << one_line(s.lock) << "\n";
        for (const Hazard& h : s.hazards)
            out << "     " << styled(Paint::hazard, "hazard " + one_line(h.code) + ":") << " " << one_line(h.message) << "\n";
    }
    out << "\nhazards: ";
    if (codes.empty()) out << styled(Paint::good, "none");
    bool first = true;
    for (const auto& [code, n] : codes) {
        out << (first ? "" : ", ") << styled(Paint::hazard, one_line(code)) << " (" << statements(n) << ")";
        first = false;
    }
    out << "\n";
    out << "nothing was written; `pg-flux migrate generate` writes this as a migration file\n";
    return out.str();
}

}  // namespace pgflux
