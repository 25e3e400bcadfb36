// The shadow database: PostgreSQL itself settles what only it can (implicit
// casts, name resolution in expressions, extension schemas). The parsed
// model's DDL is loaded into a scratch database, read back with the catalog
// reader, and the catalog's attributes replace the parsed ones.
#pragma once

#include <functional>
#include <string>

#include "catalog/connection.h"
#include "model/model.h"

namespace pgflux {

struct ShadowChoice {
    std::string mode;       // none | local | url | auto
    std::string url;        // mode url: a server where the role may CREATE DATABASE
    std::string target_db;  // mode auto: the target server's conninfo
};

// A --shadow-db value that is none of none, local, auto or a connection
// string or URL is a usage error.
void check_shadow_option(const std::string& option);
// Resolves --shadow-db VALUE (with --db for auto).
ShadowChoice shadow_choice(const std::string& option, const std::string& target_conninfo);

// Returns the desired model with shadow-canonical attributes, or the parsed
// model unchanged (marked "parsed") when the choice resolves to none. Says
// on stderr which shadow it used. Source errors from loading name file:line.
Model apply_shadow(Model parsed, const ShadowChoice& choice, const std::string& tool);

// What decides the canonical forms apply_shadow(parsed, choice) produces,
// found without making a scratch database (the model cache's key): the
// server the shadow would be made on (its version, encoding and locale, and
// the extensions it offers), the local PostgreSQL binaries a throwaway
// cluster would use, or "none".
std::string shadow_identity(const ShadowChoice& choice);

// A scratch database made as apply_shadow makes its shadow (same choice,
// names, stale-shadow cleanup and removal on signals), for other work: the
// proof of a plan and the replay of migration files (prove/prove.h).
// `work` gets a connection to it and whether it lives in a throwaway local
// cluster (where roles the schema names must be created). Returns false,
// having run nothing, when the choice resolves to none.
bool with_scratch_database(const ShadowChoice& choice, const std::string& tool,
                           const std::function<void(Connection& conn, bool throwaway_cluster)>& work);

// Creates `model` in a scratch database: the plan from nothing to it, owners
// and grants aside. A statement PostgreSQL rejects is an Error (exit 2)
// naming the object (and its source location, if any).
void load_model(Connection& conn, const Model& model);

// The roles `model` names, created NOLOGIN where missing (a throwaway
// cluster has none of the target's roles; never used on a real server).
void create_named_roles(Connection& conn, const Model& model);

}  // namespace pgflux
