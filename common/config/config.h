// The project config file, pgflux.toml (TOML, read with toml++): the
// defaults of pg-flux's options for a project. `flux-track config FILE`
// prints the validated settings for the porcelain, which lets its flags
// override them. See pgflux.toml(5).
#pragma once

#include <string>
#include <vector>

namespace pgflux {

struct ConfigSetting {
    std::string key;    // a key of k_config_keys
    std::string value;  // strings as written; booleans true/false; lists joined by ','
};

// The keys a config file may hold, in the order they are printed.
extern const std::vector<std::string> k_config_keys;

// Reads and validates `path`. Errors (Error(k_exit_usage)) name
// FILE:LINE:COLUMN: TOML syntax, an unknown key (with the closest known one:
// "did you mean migrations_dir?"), a value of the wrong type or out of range.
// schema_dir and migrations_dir relative to the file's directory are made
// relative to it. The database URL is never part of a message.
std::vector<ConfigSetting> read_config(const std::string& path);

// Levenshtein distance (insertions, deletions, substitutions), for suggestions.
size_t edit_distance(const std::string& a, const std::string& b);

// The known key closest to `key`.
std::string closest_config_key(const std::string& key);

}  // namespace pgflux
