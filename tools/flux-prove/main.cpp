// flux-prove: tries plans and migration files out in a shadow database before
// they are written: proves a plan, replays a migration file on top of a
// model, and lists the pending files a rebase must regenerate.
#include <iostream>

#include "catalog/connection.h"
#include "diff/plan.h"
#include "migrations/migration_file.h"
#include "model/model_json.h"
#include "prove/prove.h"
#include "shadow/shadow.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"

using namespace pgflux;

namespace {

Model read_model(const std::string& path) {
    return model_from_document(read_document(path, k_format_model), path == "-" ? "standard input" : path);
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool("flux-prove", [&] {
        cxxopts::Options options(
            "flux-prove",
            "Try plans and migration files out in a shadow database.\n"
            "  flux-prove plan PLAN --live LIVE --desired DESIRED\n"
            "      run the plan on the live schema in a shadow database and check it reaches DESIRED (exit 5 if not)\n"
            "  flux-prove replay FILE --live MODEL\n"
            "      run a migration file on MODEL in a shadow database; write the model it reaches (exit 3 if it fails)\n"
            "  flux-prove pending --live LIVE\n"
            "      list the pending migration files: \"stale NAME\", \"current NAME\" or \"incomplete NAME\"");
        options.positional_help("COMMAND [FILE]");
        add_standard_options(options);
        options.add_options()
            ("live", "The model the plan or file starts from (pgflux.model; - for stdin)",
             cxxopts::value<std::string>()->default_value(""))
            ("desired", "plan: the model the plan must reach", cxxopts::value<std::string>()->default_value(""))
            ("shadow-db", "plan, replay: auto (a temporary database on the target server, else a throwaway local "
                          "cluster), local, none, or a server URL",
             cxxopts::value<std::string>()->default_value("auto"))
            ("db", "Connection string or URL of the target (default: $DATABASE_URL, then PG* variables)",
             cxxopts::value<std::string>()->default_value(""))
            ("migrations-dir", "pending: directory of migration files",
             cxxopts::value<std::string>()->default_value("migrations"))
            ("args", "", cxxopts::value<std::vector<std::string>>());
        options.parse_positional({"args"});
        auto args = parse_options(options, argc, argv);
        auto positional = args.count("args") ? args["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
        if (positional.empty()) usage_error("missing COMMAND (plan, replay or pending)");
        const std::string command = positional[0];
        if (command != "plan" && command != "replay" && command != "pending")
            usage_error("unknown command \"" + command + "\" (plan, replay or pending)");
        size_t want = command == "pending" ? 1 : 2;
        if (positional.size() < want) usage_error("flux-prove " + command + " needs a FILE");
        if (positional.size() > want) usage_error("unexpected argument \"" + positional[want] + "\"");
        only_with(args, "desired", command == "plan", "to flux-prove plan");
        only_with(args, "shadow-db", command != "pending", "to flux-prove plan and replay");
        only_with(args, "migrations-dir", command == "pending", "to flux-prove pending");
        std::string live_path = args["live"].as<std::string>();
        if (live_path.empty()) usage_error("--live MODEL is required");
        std::string db = args["db"].as<std::string>();
        if (!db.empty()) check_conninfo(db);
        std::string shadow_db = args["shadow-db"].as<std::string>();
        check_shadow_option(shadow_db);
        Model live = read_model(live_path);

        if (command == "pending") {
            Connection conn(resolve_conninfo(db));
            for (const PendingFile& f : pending_files(conn, args["migrations-dir"].as<std::string>(), live.state_hash()))
                std::cout << (f.incomplete ? "incomplete " : f.stale ? "stale " : "current ") << f.name << "\n";
            return 0;
        }
        // SIGINT, SIGTERM and SIGHUP cancel the shadow's running statement and
        // remove the shadow database or cluster before exiting (4).
        install_interrupt_handlers();
        ShadowChoice shadow = shadow_choice(shadow_db, resolve_conninfo(db));
        if (command == "replay") {
            MigrationFile file = read_migration(positional[1]);
            write_document(model_to_document(replay_migration(file, live, shadow, "flux-prove"), "flux-prove"));
            return 0;
        }
        std::string desired_path = args["desired"].as<std::string>();
        if (desired_path.empty()) usage_error("flux-prove plan needs --desired MODEL");
        if (live_path == "-" && (desired_path == "-" || positional[1] == "-"))
            usage_error("only one of PLAN, --live and --desired can be stdin");
        Plan plan = plan_from_document(read_document(positional[1], k_format_plan),
                                       positional[1] == "-" ? "standard input" : positional[1]);
        Model desired = read_model(desired_path);
        ProofResult r = prove_plan(plan, live, desired, shadow, "flux-prove");
        if (!r.proven && shadow.mode == "none") {
            note("flux-prove", "the plan is not proven (--shadow-db none)");
        } else if (!r.proven) {
            warn("flux-prove", "the plan is not proven: no shadow database available (the role may not create "
                               "databases and no local PostgreSQL binaries are installed)");
        } else {
            std::string skipped = r.skipped ? "; " + std::to_string(r.skipped) + " owner and grant statements not run" : "";
            note("flux-prove", "proved: the plan's " + std::to_string(r.statements) +
                                   (r.statements == 1 ? " statement runs" : " statements run") +
                                   " in a shadow database loaded with the live schema and reach the schema (" +
                                   std::to_string(r.duration_ms) + " ms" + skipped + ")");
        }
        return 0;
    });
}
