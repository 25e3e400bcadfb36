// flux-apply: applies pending migration files to a database.
#include <iostream>

#include "apply/apply.h"
#include "hazards/hazards.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"

using namespace pgflux;

int main(int argc, char** argv) {
    return run_tool("flux-apply", [&] {
        cxxopts::Options options("flux-apply",
                                 "Apply the pending migration files of a directory, in name order, one "
                                 "transaction each, recording them in _pgflux.migrations.");
        add_standard_options(options);
        options.add_options()
            ("db", "Connection string or URL (default: $DATABASE_URL, then PG* variables)",
             cxxopts::value<std::string>()->default_value(""))
            ("migrations-dir", "Directory of migration files", cxxopts::value<std::string>()->default_value("migrations"))
            ("allow-hazards", "Accept these hazards: comma-separated codes (DATA_LOSS, COLUMN_TYPE_CHANGE, "
                              "MASS_DROP, CONSTRAINT_SCAN, PARTITION_CHANGE) or all",
             cxxopts::value<std::string>()->default_value(""))
            ("force-after-drift", "Apply even when the database changed since the file was generated")
            ("format", "Output on stdout: json (pgflux.apply-result) or text", cxxopts::value<std::string>()->default_value("json"));
        auto args = parse_options(options, argc, argv);
        std::string format = args["format"].as<std::string>();
        if (format != "json" && format != "text") usage_error("--format must be json or text");
        ApplyOptions apply;
        apply.dir = args["migrations-dir"].as<std::string>();
        apply.allowed_hazards = parse_allowed_hazards(args["allow-hazards"].as<std::string>());
        apply.force_after_drift = args.count("force-after-drift") > 0;
        // SIGINT, SIGTERM and SIGHUP cancel the running statement; the run
        // then stops, says what state the file is in, and exits 4.
        install_interrupt_handlers();
        Connection conn(resolve_conninfo(args["db"].as<std::string>()));
        // Text: "applied ..." lines are the output. Warnings always go to
        // stderr; other progress only with -v.
        auto progress = [&](const std::string& line) {
            if (format == "text" && line.rfind("applied ", 0) == 0) std::cout << line << std::endl;
            else if (line.rfind("warning: ", 0) == 0) std::cerr << "flux-apply: " << line << std::endl;
            else note("flux-apply", line);
        };
        auto applied = apply_migrations(conn, apply, progress);
        if (format == "json") write_document(apply_result_document(applied, "flux-apply"));
        else if (applied.empty()) std::cout << "no pending migrations in " << apply.dir << "\n";
        return 0;
    });
}
