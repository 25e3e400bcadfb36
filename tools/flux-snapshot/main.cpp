// flux-snapshot: reads a live database's schema into a pgflux.model document.
#include <iostream>

#include "cache/result_cache.h"
#include "catalog/catalog.h"
#include "model/model_json.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"

using namespace pgflux;

namespace {

// Below this many relations of its own (tables, indexes, sequences, views,
// TOAST tables), a database's catalog is read about as fast as it is
// digested (measured: 0.4 s either way for a few tables; a miss pays two
// digests), so caching only costs. 2,000 is about 300 tables.
constexpr long long k_cache_min_relations = 2000;

// The relations of the database's own (not the system's).
long long catalog_size(Connection& conn) {
    return std::stoll(
        conn.query("SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE oid >= 16384")  // FirstNormalObjectId
            .text(0, 0));
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool("flux-snapshot", [&] {
        cxxopts::Options options("flux-snapshot",
                                 "Read a database's schema from pg_catalog into a pgflux.model document on stdout.");
        add_standard_options(options);
        options.add_options()
            ("db", "Connection string or URL (default: $DATABASE_URL, then PG* variables)",
             cxxopts::value<std::string>()->default_value(""))
            ("cache-dir", "Keep snapshots in DIR and reuse one when the catalog's content, the server and "
                          "pg-flux are unchanged (default: no cache)",
             cxxopts::value<std::string>()->default_value(""))
            ("cache-min-relations", "With --cache-dir: use the cache only for a database with at least N "
                                    "relations of its own; below that, reading the catalog costs no more than "
                                    "the digest that keys the cache",
             cxxopts::value<long long>()->default_value(std::to_string(k_cache_min_relations)))
            ("from", "Write FILE, a snapshot flux-snapshot wrote earlier, instead of reading a database (CI "
                     "keeps it between steps): refused unless this version wrote it; no database is read",
             cxxopts::value<std::string>()->default_value(""));
        auto args = parse_options(options, argc, argv);
        if (std::string from = args["from"].as<std::string>(); !from.empty()) {
            only_with(args, "db", false, "without --from (--from reads no database)");
            only_with(args, "cache-dir", false, "without --from (--from reads no database)");
            ReusedModel reused = read_reused_model(from, "flux-snapshot");
            note("flux-snapshot", "using " + from + " (a snapshot made earlier), not the database");
            write_stdout(reused.text);
            return 0;
        }
        Connection conn(resolve_conninfo(args["db"].as<std::string>()));
        note("flux-snapshot", "reading " + conn.describe());
        std::string cache_dir = args["cache-dir"].as<std::string>();
        long long min_relations = args["cache-min-relations"].as<long long>();
        std::optional<ResultCache> cache;
        std::optional<long long> secret;
        if (!cache_dir.empty() && catalog_size(conn) < min_relations) {
            note("flux-snapshot", "fewer than " + std::to_string(min_relations) +
                                      " relations: the snapshot is read, not cached");
        } else if (!cache_dir.empty()) {
            cache.emplace(cache_dir, "snapshot", "flux-snapshot");
            secret = cache->secret();
        }
        if (!secret) {
            write_model_document(keep_until_exit(read_catalog(conn)), "flux-snapshot");
            return 0;
        }
        // The digest and, on a miss, the catalog are read in one snapshot,
        // so the entry stored is what that digest stands for.
        conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        std::string fingerprint = catalog_fingerprint(conn, *secret);
        std::string key = cache->key({fingerprint});
        std::optional<ResultCache::Entry> entry = cache->get(key);
        if (entry) {
            conn.exec("COMMIT");
            note("flux-snapshot", "the snapshot is cached (" + cache_dir + "): the catalog did not change since it was made");
            replay_messages(entry->messages);
        } else {
            Model& model = keep_until_exit(read_catalog_in_transaction(conn));
            conn.exec("COMMIT");
            entry = model_entry(model, "flux-snapshot");
            // pg_get_indexdef, pg_get_expr and the like read the catalog as
            // it is now, not as the transaction's snapshot saw it: DDL that
            // committed while the catalog was read may be half in the model.
            // Kept only when a fresh digest shows that nothing committed.
            conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            bool unchanged = catalog_fingerprint(conn, *secret) == fingerprint;
            conn.exec("COMMIT");
            if (unchanged) cache->put(key, *entry);
            else note("flux-snapshot", "the catalog changed while it was read: the snapshot is not cached");
        }
        write_stdout(entry->output);
        return 0;
    });
}
