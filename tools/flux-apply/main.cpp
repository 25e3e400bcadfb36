// flux-apply: applies pending migration files to a database, or (--undo)
// runs the undo file of the newest applied one. In a shadow database
// instead of the target: --prove runs a plan to prove it before it is
// written, --replay runs a migration file on a model (rebase).
#include <iostream>

#include "apply/apply.h"
#include "hazards/hazards.h"
#include "model/model_json.h"
#include "prove/prove.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"
#include "util/progress.h"

using namespace pgflux;

namespace {

Model read_model(const std::string& path) {
    return model_from_document(read_document(path, k_format_model), path == "-" ? "standard input" : path);
}

// --prove and --replay: the plan or file runs in a shadow database (a
// temporary database on the target's server, else a throwaway local
// cluster), never on the target.
int run_in_shadow(const cxxopts::ParseResult& args) {
    bool prove = args.count("prove") > 0;
    std::string live_path = args["live"].as<std::string>();
    if (live_path.empty()) usage_error(std::string(prove ? "--prove" : "--replay") + " needs --live MODEL");
    std::string db = args["db"].as<std::string>();
    if (!db.empty()) check_conninfo(db);
    std::string shadow_db = args["shadow-db"].as<std::string>();
    check_shadow_option(shadow_db);
    std::string desired_path = args["desired"].as<std::string>();
    std::string input = prove ? args["prove"].as<std::string>() : args["replay"].as<std::string>();
    if (prove && desired_path.empty()) usage_error("--prove needs --desired MODEL");
    if (live_path == "-" && (desired_path == "-" || input == "-"))
        usage_error("only one of the plan, --live and --desired can be stdin");
    Model live = read_model(live_path);
    // SIGINT, SIGTERM and SIGHUP cancel the shadow's running statement and
    // remove the shadow database or cluster before exiting (4).
    install_interrupt_handlers();
    ShadowChoice shadow = shadow_choice(shadow_db, resolve_conninfo(db));
    if (!prove) {
        MigrationFile file = read_migration(input);
        write_document(model_to_document(replay_migration(file, live, shadow, "flux-apply"), "flux-apply"));
        return 0;
    }
    Plan plan = plan_from_document(read_document(input, k_format_plan), input == "-" ? "standard input" : input);
    Model desired = read_model(desired_path);
    ProofResult r = prove_plan(plan, live, desired, shadow, "flux-apply");
    if (!r.proven && shadow.mode == "none") {
        note("flux-apply", "the plan is not proven (--shadow-db none)");
    } else if (!r.proven) {
        warn("flux-apply", "the plan is not proven: no shadow database available (the role may not create "
                           "databases and no local PostgreSQL binaries are installed)");
    } else {
        std::string skipped = r.skipped ? "; " + std::to_string(r.skipped) + " owner and grant statements not run" : "";
        note("flux-apply", "proved: the plan's " + std::to_string(r.statements) +
                               (r.statements == 1 ? " statement runs" : " statements run") +
                               " in a shadow database loaded with the live schema and reach the schema (" +
                               std::to_string(r.duration_ms) + " ms" + skipped + ")");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool("flux-apply", [&] {
        cxxopts::Options options("flux-apply",
                                 "Apply the pending migration files of a directory, in name order, one "
                                 "transaction each, recording them in _pgflux.migrations; or run the undo file of "
                                 "the newest applied one; or (--prove, --replay) run a plan or file in a shadow database.");
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
            ("format", "Output on stdout: json (pgflux.apply-result) or text", cxxopts::value<std::string>()->default_value("json"))
            ("prove", "Run the classified plan PLAN (- for stdin) in a shadow database loaded with --live and check it "
                      "reaches --desired (exit 5 if not); the target is not changed",
             cxxopts::value<std::string>())
            ("replay", "Run the migration file FILE in a shadow database loaded with --live; write the model it "
                       "reaches (exit 3 if a statement fails); the target is not changed",
             cxxopts::value<std::string>())
            ("live", "--prove, --replay: the model the plan or file starts from (pgflux.model; - for stdin)",
             cxxopts::value<std::string>()->default_value(""))
            ("desired", "--prove: the model the plan must reach", cxxopts::value<std::string>()->default_value(""))
            ("shadow-db", "--prove, --replay: auto (a temporary database on the target server, else a throwaway "
                          "local cluster), local, none, or a server URL",
             cxxopts::value<std::string>()->default_value("auto"));
        auto args = parse_options(options, argc, argv);
        bool shadow_run = args.count("prove") > 0 || args.count("replay") > 0;
        if (args.count("prove") && args.count("replay")) usage_error("--prove and --replay are exclusive");
        for (const char* option : {"live", "shadow-db"})
            only_with(args, option, shadow_run, "to --prove and --replay");
        only_with(args, "desired", args.count("prove") > 0, "to --prove");
        for (const char* option : {"migrations-dir", "allow-hazards", "force-after-drift", "out-of-order",
                                   "lock-timeout", "statement-timeout", "undo", "format"})
            only_with(args, option, !shadow_run, "to applying (not with --prove or --replay)");
        if (shadow_run) return run_in_shadow(args);
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
                clear_progress();
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
