// Unit tests for the step order: priorities where nothing constrains,
// constraints over priorities, soft constraints given up for a cycle, and
// the error that names a cycle of hard constraints.
#include "diff/order.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace pgflux::diff {
namespace {

std::string name(size_t i) { return "step " + std::to_string(i); }

TEST(OrderSteps, FollowsPrioritiesWhenUnconstrained) {
    std::vector<Priority> p = {{2, 0, 0}, {1, 0, 1}, {2, -1, 2}, {0, 5, 3}};
    EXPECT_EQ(order_steps(p, {}, name), (std::vector<size_t>{3, 1, 2, 0}));
}

TEST(OrderSteps, ConstraintsOverridePriorities) {
    std::vector<Priority> p = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}};
    // 2 before 0, 1 before 2: 1, 2, 0.
    EXPECT_EQ(order_steps(p, {{2, 0}, {1, 2}}, name), (std::vector<size_t>{1, 2, 0}));
}

TEST(OrderSteps, MovesAsLittleAsPossible) {
    // Only step 3 must precede step 1; everything else keeps its priority order.
    std::vector<Priority> p = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 0, 3}, {0, 0, 4}};
    EXPECT_EQ(order_steps(p, {{3, 1}}, name), (std::vector<size_t>{0, 2, 3, 1, 4}));
}

TEST(OrderSteps, GivesUpASoftConstraintToBreakACycle) {
    std::vector<Priority> p = {{0, 0, 0}, {0, 0, 1}};
    // 0 before 1 (hard), 1 before 0 (soft: read from an opaque body).
    EXPECT_EQ(order_steps(p, {{0, 1}, {1, 0, true}}, name), (std::vector<size_t>{0, 1}));
    EXPECT_EQ(order_steps(p, {{0, 1, true}, {1, 0}}, name), (std::vector<size_t>{1, 0}));
}

TEST(OrderSteps, KeepsSoftConstraintsThatMakeNoCycle) {
    std::vector<Priority> p = {{0, 0, 0}, {0, 0, 1}};
    EXPECT_EQ(order_steps(p, {{1, 0, true}}, name), (std::vector<size_t>{1, 0}));
}

TEST(OrderSteps, ACycleOfHardConstraintsIsAnErrorNamingItsSteps) {
    std::vector<Priority> p = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 0, 3}};
    try {
        order_steps(p, {{1, 2}, {2, 3}, {3, 1}}, name);
        FAIL() << "no error";
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_EQ(e.code, k_exit_internal);
        EXPECT_NE(m.find("cycle"), std::string::npos) << m;
        for (const char* s : {"step 1", "step 2", "step 3"}) EXPECT_NE(m.find(s), std::string::npos) << m;
        EXPECT_EQ(m.find("step 0"), std::string::npos) << m;
    }
}

TEST(OrderSteps, ManyStepsInLinearTime) {
    // A chain of 200,000 steps given in reverse priority order.
    const size_t n = 200000;
    std::vector<Priority> p;
    std::vector<OrderConstraint> c;
    for (size_t i = 0; i < n; ++i) p.emplace_back(0, 0, n - i);
    for (size_t i = 0; i + 1 < n; ++i) c.push_back({i, i + 1});
    auto order = order_steps(p, c, name);
    ASSERT_EQ(order.size(), n);
    EXPECT_EQ(order.front(), 0u);
    EXPECT_EQ(order.back(), n - 1);
}

}  // namespace
}  // namespace pgflux::diff
