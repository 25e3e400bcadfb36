// Ordering of plan steps, after pg_dump_sort.c: a topological sort over the
// steps' ordering constraints that, wherever no constraint decides, takes the
// step with the lowest priority first (stage, kind rank, emission order).
// A cycle is repaired by giving up one of its soft constraints (an order read
// from an opaque function body); a cycle of hard constraints is an error
// that names the steps on it.
#pragma once

#include <functional>
#include <string>
#include <tuple>
#include <vector>

namespace pgflux::diff {

struct OrderConstraint {
    size_t before, after;
    bool soft = false;
};

// Priorities compare lexicographically; lower goes first.
using Priority = std::tuple<int, int, size_t>;

// Returns the indexes of `priorities` in order. `describe(i)` names step i in
// the error raised for a cycle of hard constraints.
std::vector<size_t> order_steps(const std::vector<Priority>& priorities, const std::vector<OrderConstraint>& constraints,
                                const std::function<std::string(size_t)>& describe);

}  // namespace pgflux::diff
