// The model cache: flux-parse's output, kept on disk so that a run whose
// inputs did not change skips parsing and the shadow database (the slow part
// of `pg-flux drift` on a large schema).
//
// Decision: the cache holds whole models, not objects. A model is found by
// a key that covers everything flux-parse's output depends on:
//   - the cache format and pg-flux's version, and the identity of the
//     running executable (device, inode, size and modification time: a
//     rebuilt or reinstalled tool misses even with the same version; hashing
//     its bytes, 100 MB with debug information, would cost 0.3 s a run);
//   - every schema file read: its path as read and its bytes;
//   - the shadow: what decides canonical forms (shadow_identity(): the server
//     version and available extensions, or the local binaries; "none").
// So a file edit, a new file, another server version or another pg-flux
// build misses; a run with nothing changed hits. Entries are files
// DIR/<key>.model, written to a temporary file and renamed (atomic: readers
// see a whole entry or none; concurrent writers of one key write the same
// bytes). Each entry starts with a line holding the sha256 of the rest,
// checked on reading (a damaged entry is a miss and is removed). The
// directory keeps the k_cache_entries most recently used entries. An entry
// also holds the warnings the run that made it printed, which a hit prints
// again (a cached run says what an uncached one says).
//
// The cache is an optimisation only: any error using it is a warning and
// the run goes on without it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgflux {

inline constexpr size_t k_cache_entries = 8;

class ModelCache {
public:
    // `dir` is created when an entry is written. `tool` names warnings.
    ModelCache(std::string dir, std::string tool);

    // The key of a run that reads `files` (in reading order) with `shadow`
    // (shadow_identity()).
    std::string key(const std::vector<std::string>& files, const std::string& shadow) const;

    struct Entry {
        std::vector<std::string> warnings;
        std::string document;  // the model document's text
    };

    // The entry for `key`, or nothing.
    std::optional<Entry> get(const std::string& key) const;

    // Stores `entry` under `key` and drops the least recently used entries
    // beyond k_cache_entries.
    void put(const std::string& key, const Entry& entry) const;

private:
    std::string dir_, tool_;
};

// The identity of the running executable (/proc/self/exe), read once.
std::string executable_identity();

}  // namespace pgflux
