// Harness: the pgflux.plan document, as flux-hazards reads it (rewrites and
// classification, --check) and as flux-track new reads a classified plan
// (rendering the migration file, which flux-apply then reads back).
#include "diff/plan.h"
#include "harness.h"
#include "hazards/hazards.h"
#include "migrations/migration_file.h"
#include "util/document.h"

using namespace pgflux;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = fuzz::write_input("plan.json", data, size);
    fuzz::run([&] {
        Plan plan = plan_from_document(read_document(path, k_format_plan), "plan.json");
        if (plan.classified) {
            // flux-track new: the file it writes must be readable by flux-apply.
            fuzz::run([&] {
                std::string text = render_migration(plan, "2026-01-01T00:00:00Z");
                std::string file = fuzz::write_input("20260101_000000_fuzz.sql",
                                                     reinterpret_cast<const uint8_t*>(text.data()), text.size());
                read_migration(file);
            });
        }
        rewrite_and_classify(plan, RewriteOptions{});
        blocking_hazards(plan.steps, {});
        plan_to_document(plan, "fuzz");
    });
    return 0;
}
