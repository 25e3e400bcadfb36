// pgflux-bench-rawparse FILE...: the reference scripts/benchmark compares
// flux-parse with. Reads each file whole and hands its text to libpg_query's
// pg_query_parse, as a tool that only parses would; prints the number of files
// and bytes parsed. Exit 0, or 2 when a file cannot be read or does not parse
// (the benchmark's schema always parses, so that means the benchmark broke).
#include <pg_query.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: pgflux-bench-rawparse FILE...\n";
    return 2;
  }
  std::size_t bytes = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::cerr << "pgflux-bench-rawparse: error: cannot read " << argv[i] << "\n";
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const std::string sql = text.str();
    bytes += sql.size();
    PgQueryParseResult result = pg_query_parse(sql.c_str());
    const bool failed = result.error != nullptr;
    if (failed)
      std::cerr << "pgflux-bench-rawparse: error: " << argv[i] << ": " << result.error->message << "\n";
    pg_query_free_parse_result(result);
    if (failed) return 2;
  }
  std::cout << (argc - 1) << " files, " << bytes << " bytes parsed\n";
  return 0;
}
