// What the hazard classifier needs to know about the live database beyond
// the statements themselves: for each table a plan touches, its columns'
// types and collations, the indexes and CHECK constraints on them and its
// size; and the live domains. flux-diff takes them from the live model into
// the plan ("live" field); flux-apply takes them from the catalog it reads
// before applying a file. Without them (a migration file classified on its
// own) the classifier assumes the worst: every ALTER COLUMN TYPE rewrites.
//
// Nothing here ever reaches SQL: the facts only decide hazards and their
// messages (which are one-lined when printed).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/model.h"
#include "util/document.h"

namespace pgflux {

struct LiveColumn {
    std::string type;       // canonical (format_type): "character varying(10)"
    std::string collation;  // "" for the type's default
    bool generated = false;
};

struct LiveIndex {
    std::string name;
    std::vector<std::string> columns;  // every column it uses (keys, INCLUDE, expressions, predicate)
    bool expression_or_partial = false; // PostgreSQL always rebuilds these on a column type change
};

struct LiveCheck {
    std::string name;
    std::vector<std::string> columns;
};

struct LiveTable {
    std::map<std::string, LiveColumn> columns;
    std::vector<LiveIndex> indexes;  // indexes and the indexes of PRIMARY KEY/UNIQUE/EXCLUDE constraints
    std::vector<LiveCheck> checks;   // validated CHECK constraints
    std::optional<double> bytes, rows;  // pg_class.relpages * block size, pg_class.reltuples (estimates)
};

struct LiveDomain {
    std::string base;        // canonical base type
    bool constrained = false;  // has CHECK constraints or NOT NULL
};

struct LiveFacts {
    bool known = false;  // false: nothing is known (classify conservatively)
    std::map<std::string, LiveTable> tables;    // key: qualified_name(schema, table)
    std::map<std::string, LiveDomain> domains;  // key: canonical type name ("public.d")

    const LiveTable* table(const std::string& qualified) const;
};

// Facts about the named tables (qualified_name keys; every table when
// `tables` is empty) and every domain of a live model.
LiveFacts live_facts(const Model& live, const std::set<std::string>& tables = {});
json live_facts_to_json(const LiveFacts& facts);
LiveFacts live_facts_from_json(const JsonField& field);

// "~1.2 GB, ~3,400,000 rows" ("" when the size is unknown).
std::string size_text(const LiveTable& table);

}  // namespace pgflux
