// flux-apply's engine. Under a session-level advisory lock (polled from the
// client, so that a waiter holds nothing a concurrent index build waits for),
// for each pending migration file in name order and from a clean session:
// refuse if the live state hash differs from the file's baseline (unless
// forced), refuse blocking hazards not allowed, run the transactional part
// together with its tracking row in one transaction, then each after-commit
// statement (in a transaction with its progress when PostgreSQL allows it),
// counting progress in the tracking row so that a failed or interrupted run
// resumes where it stopped, recognising index work an interrupted run left.
// A signal cancels the running statement; an interruption or a lost
// connection is reported with the state the file is in (exit 4).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "catalog/connection.h"
#include "util/document.h"

namespace pgflux {

struct ApplyOptions {
    std::string dir = "migrations";
    std::set<std::string> allowed_hazards;
    bool force_after_drift = false;
};

struct AppliedFile {
    std::string name;
    int statements = 0;
    int after_commit = 0;
    long long duration_ms = 0;
    bool resumed = false;
};

// `progress` receives one human-readable line per event.
std::vector<AppliedFile> apply_migrations(Connection& conn, const ApplyOptions& options,
                                          const std::function<void(const std::string&)>& progress);

json apply_result_document(const std::vector<AppliedFile>& applied, const std::string& tool);

}  // namespace pgflux
