// flux-apply: applies pending migration files to a database, or (--undo)
// runs the undo file of the newest applied one.
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
                                 "transaction each, recording them in _pgflux.migrations; or run the undo file of "
                                 "the newest applied one.");
        add_standard_options(options);
        options.add_options()
            ("db", "Connection string or URL (default: $DATABASE_URL, then PG* variables)",
             cxxopts::value<std::string>()->default_value(""))
            ("migrations-dir", "Directory of migration files", cxxopts::value<std::string>()->default_value("migrations"))
            ("allow-hazards", "Accept these hazards: comma-separated codes (DATA_LOSS, COLUMN_TYPE_CHANGE, "
                              "MASS_DROP, CONSTRAINT_SCAN, PARTITION_CHANGE) or all",
             cxxopts::value<std::string>()->default_value(""))
            ("force-after-drift", "Apply even when the database changed since the file was generated")
            ("out-of-order", "Apply pending files that sort before the newest applied one")
            ("lock-timeout", "Longest wait for a lock, per statement (PostgreSQL duration: 5s, 500ms, 1min; 0 = none)",
             cxxopts::value<std::string>()->default_value("5s"))
            ("statement-timeout", "Longest statement of a transactional part (PostgreSQL duration; 0 = none)",
             cxxopts::value<std::string>()->default_value("10min"))
            ("undo", "Run FILE's undo file (FILE.undo.sql) and delete FILE's tracking row",
             cxxopts::value<std::string>())
            ("format", "Output on stdout: json (pgflux.apply-result) or text", cxxopts::value<std::string>()->default_value("json"));
        auto args = parse_options(options, argc, argv);
        std::string format = args["format"].as<std::string>();
        if (format != "json" && format != "text") usage_error("--format must be json or text");
        ApplyRun run;
        try {
            ApplyOptions apply;
            apply.dir = args["migrations-dir"].as<std::string>();
            apply.allowed_hazards = parse_allowed_hazards(args["allow-hazards"].as<std::string>());
            apply.force_after_drift = args.count("force-after-drift") > 0;
            apply.out_of_order = args.count("out-of-order") > 0;
            apply.lock_timeout = args["lock-timeout"].as<std::string>();
            apply.statement_timeout = args["statement-timeout"].as<std::string>();
            parse_duration("lock-timeout", apply.lock_timeout);
            parse_duration("statement-timeout", apply.statement_timeout);
            bool undo = args.count("undo") > 0;
            only_with(args, "out-of-order", !undo, "to applying (not with --undo)");
            // SIGINT, SIGTERM and SIGHUP cancel the running statement; the run
            // then stops, says what state the file is in, and exits 4.
            install_interrupt_handlers();
            Connection conn(resolve_conninfo(args["db"].as<std::string>()));
            // Text: "applied ...", "recorded ..." and "undone ..." lines are the
            // output. Warnings always go to stderr; other progress only with -v.
            auto progress = [&](const std::string& line) {
                bool result = line.rfind("applied ", 0) == 0 || line.rfind("recorded ", 0) == 0 ||
                              line.rfind("undone ", 0) == 0;
                if (format == "text" && result) std::cout << line << std::endl;
                else if (line.rfind("warning: ", 0) == 0) std::cerr << "flux-apply: " << line << std::endl;
                else note("flux-apply", line);
            };
            if (undo) undo_migration(conn, apply, args["undo"].as<std::string>(), run, progress);
            else apply_migrations(conn, apply, run, progress);
            if (format == "json") write_document(apply_result_document(run, "flux-apply"));
            else if (run.files.empty()) std::cout << "no pending migrations in " << apply.dir << "\n";
        } catch (const Error& e) {
            if (format == "json") write_document(apply_result_document(run, "flux-apply", &e));
            throw;
        }
        return 0;
    });
}
