// Priority topological sort with soft-constraint cycle repair.
#include "diff/order.h"

#include <algorithm>
#include <queue>

#include "util/error.h"

namespace pgflux::diff {
namespace {

struct Graph {
    std::vector<std::vector<size_t>> out;  // constraint indexes leaving each step
    std::vector<std::vector<size_t>> in;   // constraint indexes entering each step
    std::vector<int> waiting;              // live constraints entering each step
    std::vector<bool> removed;             // constraints given up to break a cycle
};

// A cycle among the steps not yet placed, as constraint indexes; every such
// step still waits on at least one live constraint from another unplaced step.
std::vector<size_t> find_cycle(const Graph& g, const std::vector<OrderConstraint>& constraints,
                               const std::vector<bool>& placed) {
    size_t start = 0;
    while (placed[start]) ++start;
    std::vector<int> seen_at(placed.size(), -1);
    std::vector<size_t> path;  // constraints walked backwards
    size_t step = start;
    while (seen_at[step] < 0) {
        seen_at[step] = static_cast<int>(path.size());
        for (size_t c : g.in[step]) {
            if (g.removed[c] || placed[constraints[c].before]) continue;
            path.push_back(c);
            step = constraints[c].before;
            break;
        }
    }
    return std::vector<size_t>(path.begin() + seen_at[step], path.end());
}

}  // namespace

std::vector<size_t> order_steps(const std::vector<Priority>& priorities, const std::vector<OrderConstraint>& constraints,
                                const std::function<std::string(size_t)>& describe) {
    const size_t n = priorities.size();
    Graph g{std::vector<std::vector<size_t>>(n), std::vector<std::vector<size_t>>(n), std::vector<int>(n, 0),
            std::vector<bool>(constraints.size(), false)};
    for (size_t c = 0; c < constraints.size(); ++c) {
        g.out[constraints[c].before].push_back(c);
        g.in[constraints[c].after].push_back(c);
        ++g.waiting[constraints[c].after];
    }
    auto later = [&](size_t a, size_t b) { return priorities[a] > priorities[b]; };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(later);
    for (size_t i = 0; i < n; ++i)
        if (g.waiting[i] == 0) ready.push(i);
    std::vector<size_t> order;
    std::vector<bool> placed(n, false);
    while (order.size() < n) {
        if (ready.empty()) {
            std::vector<size_t> cycle = find_cycle(g, constraints, placed);
            auto soft = std::find_if(cycle.begin(), cycle.end(), [&](size_t c) { return constraints[c].soft; });
            if (soft == cycle.end()) {
                std::string text;  // the cycle walked forwards, back to its first step
                for (auto it = cycle.rbegin(); it != cycle.rend(); ++it)
                    text += "\n  " + describe(constraints[*it].before) + "\n    must come before";
                text += "\n  " + describe(constraints[cycle.back()].before);
                fail(k_exit_internal, "cannot order the plan: its steps depend on each other in a cycle:" + text);
            }
            g.removed[*soft] = true;
            size_t freed = constraints[*soft].after;
            if (--g.waiting[freed] == 0) ready.push(freed);
            continue;
        }
        size_t i = ready.top();
        ready.pop();
        placed[i] = true;
        order.push_back(i);
        for (size_t c : g.out[i]) {
            if (g.removed[c]) continue;
            g.removed[c] = true;  // satisfied
            if (--g.waiting[constraints[c].after] == 0) ready.push(constraints[c].after);
        }
    }
    return order;
}

}  // namespace pgflux::diff
