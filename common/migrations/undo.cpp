// Marking what an undo file cannot bring back.
#include "migrations/undo.h"

#include "util/text.h"

namespace pgflux {
namespace {

bool has_hazard(const Step& s, const std::string& code) {
    for (const Hazard& h : s.hazards)
        if (h.code == code) return true;
    return false;
}

// "DROP COLUMN users.nickname" -> "COLUMN users.nickname": what a step is
// about without its verb, to find the undo step that makes it again
// ("ADD COLUMN users.nickname text", "CREATE TABLE users").
std::string subject(const std::string& summary) {
    size_t space = summary.find(' ');
    return space == std::string::npos ? "" : summary.substr(space + 1);
}

bool makes_again(const Step& undo, const Step& forward) {
    if (undo.action != "create" && undo.action != "alter") return false;
    std::string what = subject(forward.summary), again = subject(undo.summary);
    return !what.empty() && again.compare(0, what.size(), what) == 0 &&
           (again.size() == what.size() || again[what.size()] == ' ');
}

}  // namespace

UndoHeader mark_irreversible(Plan& undo, const Plan& forward, const std::string& forward_name) {
    UndoHeader header;
    header.forward_name = forward_name;
    for (const Step& f : forward.steps) {
        for (const Hazard& h : f.hazards) {
            if (h.code != "DATA_LOSS") continue;
            std::string message = "the forward migration " + forward_name + " ran " + f.summary + " (" + h.message +
                                  "); this brings the object back without the data it held";
            Step* target = nullptr;
            for (Step& u : undo.steps)
                if (makes_again(u, f)) { target = &u; break; }
            if (!target)
                for (Step& u : undo.steps)
                    if (u.object == f.object && (u.action == "create" || u.action == "alter")) { target = &u; break; }
            if (target) target->hazards.push_back({k_hazard_irreversible, message});
            else header.irreversible.push_back(one_line(f.summary) + ": " + one_line(message));
        }
    }
    // An enum value cannot be dropped: the undo of ADD VALUE recreates the type.
    for (Step& u : undo.steps)
        if (u.summary.rfind("RECREATE TYPE ", 0) == 0 && u.summary.find("(values removed") != std::string::npos &&
            !has_hazard(u, k_hazard_irreversible))
            u.hazards.push_back({k_hazard_irreversible,
                                 "PostgreSQL cannot drop an enum value: the type is recreated without the values the "
                                 "forward migration added, and rows that hold one of them make this undo fail; change "
                                 "those rows first"});
    return header;
}

}  // namespace pgflux
