// flux-parse: reads schema/**/*.sql and writes the desired pgflux.model.
#include <iostream>

#include "cache/result_cache.h"
#include "catalog/connection.h"
#include "model/model_json.h"
#include "shadow/shadow.h"
#include "source/source_reader.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"

using namespace pgflux;

int main(int argc, char** argv) {
    return run_tool("flux-parse", [&] {
        cxxopts::Options options("flux-parse",
                                 "Parse schema files into a pgflux.model document on stdout.");
        options.positional_help("[PATH...]");
        add_standard_options(options);
        options.add_options()
            ("shadow-db", "Shadow database for canonical forms: none, local, auto, or a server URL "
                          "where the role may create a temporary database",
             cxxopts::value<std::string>()->default_value("none"))
            ("db", "Target server for --shadow-db auto (default: $DATABASE_URL, then PG* variables)",
             cxxopts::value<std::string>()->default_value(""))
            ("cache-dir", "Keep models in DIR and reuse one when the files, the shadow server and pg-flux are "
                          "unchanged (default: no cache)",
             cxxopts::value<std::string>()->default_value(""))
            ("paths", "Schema files or directories (default: schema/)", cxxopts::value<std::vector<std::string>>());
        options.parse_positional({"paths"});
        auto args = parse_options(options, argc, argv);
        std::vector<std::string> paths = {"schema"};
        if (args.count("paths")) paths = args["paths"].as<std::vector<std::string>>();
        std::string shadow_db = args["shadow-db"].as<std::string>();
        check_shadow_option(shadow_db);
        if (!args["db"].as<std::string>().empty()) check_conninfo(args["db"].as<std::string>());
        ShadowChoice shadow = shadow_choice(shadow_db, resolve_conninfo(args["db"].as<std::string>()));
        std::string cache_dir = args["cache-dir"].as<std::string>();
        // Reading the files holds nothing to clean up: a signal ends it at once.
        // From the shadow on, SIGINT, SIGTERM and SIGHUP cancel the shadow's
        // running statement and remove the shadow database or cluster before
        // exiting (4).
        auto parse = [&] {
            Model parsed = read_source(paths);
            install_interrupt_handlers();
            return apply_shadow(std::move(parsed), shadow, "flux-parse");
        };
        if (cache_dir.empty()) {
            write_model_document(keep_until_exit(parse()), "flux-parse");
            return 0;
        }
        ResultCache cache(cache_dir, "model", "flux-parse");
        std::string key = cache.key(model_cache_inputs(source_files(paths), shadow_identity(shadow)));
        std::optional<ResultCache::Entry> entry = cache.get(key);
        if (entry) {
            note("flux-parse", "the model is cached (" + cache_dir + "): nothing changed since it was made");
            std::cerr << entry->messages;
        } else {
            entry = model_entry(keep_until_exit(parse()), "flux-parse");
            cache.put(key, *entry);
        }
        write_stdout(entry->output);
        return 0;
    });
}
