// flux-parse's engine: reads schema/**/*.sql with libpg_query and builds the
// desired Model. Statements may come in any order across files; every
// statement is either modeled or rejected with file:line:column.
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

namespace pgflux {

// `paths` are .sql files or directories searched recursively for *.sql
// (read in byte order of their paths). Throws Error(k_exit_usage) naming
// file:line:column on invalid SQL or an unsupported statement.
Model read_source(const std::vector<std::string>& paths);

// The *.sql files read_source would read, in reading order.
std::vector<std::string> source_files(const std::vector<std::string>& paths);

}  // namespace pgflux
