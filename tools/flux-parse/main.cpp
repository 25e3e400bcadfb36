// flux-parse: reads schema/**/*.sql and writes the desired pgflux.model.
#include <iostream>

#include "cache/result_cache.h"
#include "catalog/connection.h"
#include "model/model_json.h"
#include "util/json.h"
#include "shadow/shadow.h"
#include "source/source_reader.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"

using namespace pgflux;

namespace {

// flux-parse --from FILE: FILE's text, once it is known to be the model of
// the schema files at `paths` as they are now.
std::string reused_model(const std::string& file, const std::vector<std::string>& paths, const std::string& shadow_db) {
    ReusedModel reused = read_reused_model(file, "flux-parse");
    const json& source = reused.source;
    auto field = [&](const char* key) {
        auto it = source.find(key);
        return it != source.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (field("source_hash").empty())
        usage_error(file + ": no source hash (an older flux-parse wrote it): write it again with flux-parse");
    if (field("source_hash") != source_files_hash(source_files(paths)))
        usage_error(file + ": stale: the schema files changed since it was written (or it was written for other "
                           "paths); write it again with flux-parse");
    // A model made without a shadow compares expressions as parsed: not what
    // a run that asks for a shadow would compare.
    if (shadow_db != "none" && field("canonical") != "shadow")
        usage_error(file + ": made without a shadow database, and this run asks for one (--shadow-db " + shadow_db +
                    "): write it again with a shadow, or run with --shadow-db none");
    note("flux-parse", "using " + file + ": the model of these schema files");
    return reused.text;
}

}  // namespace

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
            ("from", "Write FILE, a model flux-parse wrote earlier for the same schema files, instead of parsing "
                     "them (CI keeps it between steps): refused unless this version wrote it, the files are "
                     "unchanged and, when --shadow-db asks for a shadow, it was made with one",
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
        if (std::string from = args["from"].as<std::string>(); !from.empty()) {
            write_stdout(reused_model(from, paths, shadow_db));
            return 0;
        }
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
            replay_messages(entry->messages);
        } else {
            entry = model_entry(keep_until_exit(parse()), "flux-parse");
            cache.put(key, *entry);
        }
        write_stdout(entry->output);
        return 0;
    });
}
