// What a classified plan does, for a person: `pg-flux plan` (flux-track plan)
// prints it instead of writing a migration file.
#pragma once

#include <string>

#include "diff/plan.h"

namespace pgflux {

// The plan's statements in their phases (the transaction, then after the
// commit), each with its summary, the lock it takes and its hazards, and a
// closing line naming the hazards and how apply treats them. Every line a
// name reaches goes through one_line. With `color`, headings are bold and
// hazards red (terminal escape sequences; util/style.h decides when).
std::string render_plan_text(const Plan& plan, bool color = false);

}  // namespace pgflux
