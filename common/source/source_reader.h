// flux-parse's engine: reads schema/**/*.sql with libpg_query and builds the
// desired Model. Statements may come in any order across files; every
// statement is either modeled or rejected with file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/model.h"

namespace pgflux {

// `paths` are .sql files or directories searched recursively for *.sql
// (read in byte order of their paths). Throws Error(k_exit_usage) naming
// file:line:column on invalid SQL or an unsupported statement.
Model read_source(const std::vector<std::string>& paths);

// The *.sql files read_source would read, in reading order.
std::vector<std::string> source_files(const std::vector<std::string>& paths);

// The digest of schema files: their paths and bytes, in reading order
// ("sha256:" and 64 hex digits). read_source writes it as the model's
// source.source_hash; the model cache keys on it; a model reused for the
// files (flux-parse --reuse) must carry the digest of the files as they are.
class SourceHash {
public:
    void add(const std::string& path, std::string_view text);
    std::string finish() const;

private:
    std::string fields_;
};
std::string source_files_hash(const std::vector<std::string>& files);

}  // namespace pgflux
