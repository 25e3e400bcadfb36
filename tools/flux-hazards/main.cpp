// flux-hazards: classifies a plan (rewriting its steps safely) or a migration
// file's statements; with --check, refuses blocking hazards not allowed.
#include <iostream>

#include "diff/plan.h"
#include "hazards/hazards.h"
#include "migrations/migration_file.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"

using namespace pgflux;

int main(int argc, char** argv) {
    return run_tool("flux-hazards", [&] {
        cxxopts::Options options("flux-hazards",
                                 "Classify the statements of a pgflux.plan (from stdin or FILE) and apply safe "
                                 "rewrites, or classify a migration file with --sql. Writes a pgflux.plan on stdout.");
        options.positional_help("[FILE]");
        add_standard_options(options);
        options.add_options()
            ("sql", "Read FILE as a migration file (SQL) instead of a plan")
            ("no-auto-not-valid", "Keep ADD FOREIGN KEY/CHECK on existing tables validating in the transaction")
            ("no-concurrent-indexes", "Keep CREATE INDEX, ADD PRIMARY KEY and ADD UNIQUE on existing tables inside the transaction")
            ("live-objects", "Live top-level object count for MASS_DROP when reading --sql",
             cxxopts::value<int>()->default_value("0"))
            ("check", "Exit 3 when a blocking hazard is not allowed by --allow-hazards")
            ("allow-hazards", "Hazards to accept with --check: comma-separated codes or all",
             cxxopts::value<std::string>()->default_value(""))
            ("file", "", cxxopts::value<std::string>()->default_value("-"));
        options.parse_positional({"file"});
        auto args = parse_options(options, argc, argv);
        std::string input = args["file"].as<std::string>();
        bool sql = args.count("sql") > 0;
        only_with(args, "live-objects", sql, "with --sql (a plan carries its live object count)");
        only_with(args, "no-auto-not-valid", !sql, "to plans (a migration file is classified as written)");
        only_with(args, "no-concurrent-indexes", !sql, "to plans (a migration file is classified as written)");
        only_with(args, "allow-hazards", args.count("check") > 0, "with --check");
        if (args["live-objects"].as<int>() < 0) usage_error("--live-objects must be 0 or more");
        auto allowed = parse_allowed_hazards(args["allow-hazards"].as<std::string>());
        Plan& plan = keep_until_exit(Plan());
        if (args.count("sql")) {
            if (input == "-") usage_error("--sql needs a FILE");
            MigrationFile file = read_migration(input);
            plan.baseline_hash = file.baseline;
            plan.target_hash = file.target;
            plan.live_object_count = args["live-objects"].as<int>();
            plan.steps = migration_steps(file, input);
            classify_migration(plan.steps, file, plan.live_object_count);
            plan.classified = true;
        } else {
            StepParses step_parses;
            plan = plan_from_document(read_document(input, k_format_plan), input == "-" ? "standard input" : input,
                                      &step_parses);
            RewriteOptions rewrite;
            rewrite.auto_not_valid = !args.count("no-auto-not-valid");
            rewrite.concurrent_indexes = !args.count("no-concurrent-indexes");
            rewrite_and_classify(plan, rewrite, std::move(step_parses));
        }
        if (args.count("check")) {
            auto blocked = blocking_hazards(plan.steps, allowed);
            if (!blocked.empty()) fail(k_exit_refused, refusal_message(blocked, ""));
        }
        write_document(plan_to_document(plan, "flux-hazards"));
        return 0;
    });
}
