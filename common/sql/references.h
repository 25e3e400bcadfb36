// The names a parse tree refers to: relations it reads or writes, routines it
// calls, operators it applies and types it names. Resolving them to objects is the caller's job
// (with a search_path on the source side, by name on attributes).
#pragma once

#include <string>
#include <vector>

#include "sql/message.h"

namespace pgflux::pq {

struct NameReference {
    enum class Kind { relation, routine, type, operator_ } kind;
    std::vector<std::string> names;  // as written: [schema,] name (a routine's may have more)
};

// Every reference in the tree below `root`, in tree order, without
// duplicates. Relations named like a common table expression of the tree and
// written without a schema are left out.
std::vector<NameReference> name_references(const Msg& root);

}  // namespace pgflux::pq
