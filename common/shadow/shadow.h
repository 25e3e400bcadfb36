// The shadow database: PostgreSQL itself settles what only it can (implicit
// casts, name resolution in expressions, extension schemas). The parsed
// model's DDL is loaded into a scratch database, read back with the catalog
// reader, and the catalog's attributes replace the parsed ones.
#pragma once

#include <string>

#include "model/model.h"

namespace pgflux {

struct ShadowChoice {
    std::string mode;       // none | local | url | auto
    std::string url;        // mode url: a server where the role may CREATE DATABASE
    std::string target_db;  // mode auto: the target server's conninfo
};

// Resolves --shadow-db VALUE (with --db for auto).
ShadowChoice shadow_choice(const std::string& option, const std::string& target_conninfo);

// Returns the desired model with shadow-canonical attributes, or the parsed
// model unchanged (marked "parsed") when the choice resolves to none. Says
// on stderr which shadow it used. Source errors from loading name file:line.
Model apply_shadow(const Model& parsed, const ShadowChoice& choice, const std::string& tool);

}  // namespace pgflux
