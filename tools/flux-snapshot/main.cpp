// flux-snapshot: reads a live database's schema into a pgflux.model document.
#include "catalog/catalog.h"
#include "model/model_json.h"
#include "util/cli.h"
#include "util/document.h"

using namespace pgflux;

int main(int argc, char** argv) {
    return run_tool("flux-snapshot", [&] {
        cxxopts::Options options("flux-snapshot",
                                 "Read a database's schema from pg_catalog into a pgflux.model document on stdout.");
        add_standard_options(options);
        options.add_options()("db", "Connection string or URL (default: $DATABASE_URL, then PG* variables)",
                              cxxopts::value<std::string>()->default_value(""));
        auto args = parse_options(options, argc, argv);
        Connection conn(resolve_conninfo(args["db"].as<std::string>()));
        note("flux-snapshot", "reading " + conn.describe());
        Model& model = keep_until_exit(read_catalog(conn));
        write_model_document(model, "flux-snapshot");
        return 0;
    });
}
