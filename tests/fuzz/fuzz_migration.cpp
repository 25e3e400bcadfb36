// Harness: the migration-file reader (flux-apply, flux-track status and
// flux-hazards --sql read files with read_migration), then the statement
// classification flux-hazards --sql does.
#include "diff/plan.h"
#include "harness.h"
#include "hazards/hazards.h"
#include "migrations/migration_file.h"

using namespace pgflux;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = fuzz::write_input("20260101_000000_fuzz.sql", data, size);
    fuzz::run([&] {
        MigrationFile file = read_migration(path);
        file.transactional_count();
        std::vector<Step> steps = migration_steps(file, "fuzz");
        classify_steps(steps, 10);
        blocking_hazards(steps, {});
    });
    return 0;
}
