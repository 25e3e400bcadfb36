// The result cache: a tool's output kept on disk so that a run whose inputs
// did not change skips the work. Three tools use it, each with its own kind
// of entry (pg-flux passes .pgflux/cache to all three unless --no-cache):
//   - flux-parse ("model"): keyed by every schema file's path and bytes and
//     the shadow's identity; a hit skips parsing and the shadow database;
//   - flux-snapshot ("snapshot"): keyed by a digest of the catalog's content
//     (catalog_fingerprint()); a hit skips reading and modeling it;
//   - flux-diff ("diff"): keyed by both documents' bytes and the options; a
//     hit skips reading and comparing them.
//
// Decision: entries are whole outputs, not objects, and a key covers
// everything the output depends on, so a hit prints exactly what the run
// that made the entry printed (its output, its stderr lines, its exit
// status). Every key also holds the cache format, pg-flux's version and the
// identity of the running executable (device, inode, size and modification
// time: a rebuilt or reinstalled tool misses even with the same version;
// hashing its bytes, 100 MB with debug information, would cost 0.3 s a run).
//
// Entries are files DIR/<key>.<kind>, written to a temporary file and
// renamed (atomic: readers see a whole entry or none; concurrent writers of
// one key write the same bytes). Each entry starts with a line holding the
// sha256 of the rest, checked on reading (a damaged entry is a miss and is
// removed). The directory keeps the k_cache_entries most recently used
// entries of each kind.
//
// The cache is an optimisation only: any error using it is a warning and the
// run goes on without it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgflux {

inline constexpr size_t k_cache_entries = 8;

class ResultCache {
public:
    // `dir` is created when an entry is written; `kind` names the entries
    // ("model", "snapshot", "diff"); `tool` names warnings.
    ResultCache(std::string dir, std::string kind, std::string tool);

    // The key of an output that depends on `inputs` (and on the format,
    // pg-flux's version and the executable).
    std::string key(const std::vector<std::string>& inputs) const;

    struct Entry {
        std::string output;    // what the tool wrote on stdout
        std::string messages;  // what it wrote on stderr (warnings, notes)
        int status = 0;        // its exit status
    };

    // The entry for `key`, or nothing.
    std::optional<Entry> get(const std::string& key) const;

    // Stores `entry` under `key` and drops this kind's least recently used
    // entries beyond k_cache_entries.
    void put(const std::string& key, const Entry& entry) const;

    // A random number kept in DIR/secret (made on first use), for digests
    // that must not be predictable from outside (catalog_fingerprint's seed:
    // nobody who can change the database can aim at a known digest). Nothing
    // when the directory cannot hold it (then nothing is cached either).
    std::optional<long long> secret() const;

private:
    std::string dir_, kind_, tool_;
};

// The identity of the running executable (/proc/self/exe), read once.
std::string executable_identity();

class Model;

// The entry a model-writing tool (flux-parse, flux-snapshot) stores on a miss:
// the model document as output and the warnings printed so far as messages.
ResultCache::Entry model_entry(const Model& model, const std::string& tool);

// The inputs of flux-parse's key: every schema file read (its path and
// bytes, in reading order) and the shadow (shadow_identity()).
std::vector<std::string> model_cache_inputs(const std::vector<std::string>& files, const std::string& shadow);

}  // namespace pgflux
