// flux-apply's engine. Under a session-level advisory lock (polled from the
// client, so that a waiter holds nothing a concurrent index build waits for),
// for each pending migration file in name order and from a clean session:
// record a file applied by hand (the live state hash is its target) without
// running it, refuse if the live state hash differs from the file's baseline
// (unless forced), refuse blocking hazards not allowed, run the transactional
// part together with its tracking row in one transaction, then each
// after-commit statement (in a transaction with its progress when PostgreSQL
// allows it), counting progress in the tracking row so that a failed or
// interrupted run resumes where it stopped, recognising index work an
// interrupted run left. Out-of-order files are refused before anything runs
// unless allowed. Every statement runs under lock_timeout and (in the
// transactional part) statement_timeout; a lock timeout rolls the file's
// transaction back and retries it a bounded number of times, then reports the
// blocking session. A signal cancels the running statement; an interruption
// or a lost connection is reported with the state the file is in (exit 4).
//
// undo_migration runs the undo file (NAME.undo.sql) of the newest applied
// file and deletes that file's tracking row in the undo's transaction.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/connection.h"
#include "util/document.h"
#include "util/error.h"

namespace pgflux {

struct ApplyOptions {
    std::string dir = "migrations";
    std::set<std::string> allowed_hazards;
    bool force_after_drift = false;
    bool out_of_order = false;  // apply pending files that sort before the newest applied one
    // PostgreSQL durations, validated by parse_duration ("0" turns a limit off).
    std::string lock_timeout = "5s";          // every statement
    std::string statement_timeout = "10min";  // statements of the transactional part
};

// Attempts of a file's transaction (or of an after-commit statement) that
// ends in a lock timeout before apply gives up; the waits between attempts.
inline constexpr int k_lock_attempts = 3;
inline constexpr int k_lock_backoff_ms[] = {1000, 2000};

// A duration as PostgreSQL writes it: digits and a unit (ms, s, min, h, d),
// or 0 for off. Returns milliseconds; Error(k_exit_usage) naming `option`
// for anything else (a bare number, a space, a sign, a fraction, > 24 days).
long long parse_duration(const std::string& option, const std::string& value);

struct AppliedFile {
    std::string name;
    std::string state = "applied";  // applied | resumed | recorded | undone
    int statements = 0;
    int after_commit = 0;
    long long duration_ms = 0;
    bool resumed = false;
    std::string note;  // recorded: why it was not run
};

// The session that held the lock a statement waited for (pg_blocking_pids).
struct Blocker {
    std::string pid, state, query_start, xact_start, query;
};

// Why a run stopped (see pgflux-formats(5), pgflux.apply-result).
struct ApplyFailure {
    std::string reason;    // drift | hazards | out_of_order | changed_file | lock_timeout | ...
    std::string file;      // the file concerned, or ""
    std::string location;  // FILE:LINE of the statement, or ""
    std::vector<std::string> hazards;  // hazards: the blocked codes
    std::vector<Blocker> blockers;     // lock_timeout: the blocking sessions seen
};

// An error of the apply engine that knows its reason.
class ApplyError : public Error {
public:
    ApplyError(ExitCode code, ApplyFailure failure, const std::string& message, const std::string& hint = "")
        : Error(code, message, hint), failure(std::move(failure)) {}
    ApplyFailure failure;
};

// What a run did so far: filled as files are done, so that a run that stops
// still reports them (and why it stopped).
struct ApplyRun {
    std::vector<AppliedFile> files;
    std::optional<ApplyFailure> failure;
};

// `progress` receives one human-readable line per event. On an error, `run`
// holds the files done before it and the failure, and the Error is rethrown.
void apply_migrations(Connection& conn, const ApplyOptions& options, ApplyRun& run,
                      const std::function<void(const std::string&)>& progress);

// Runs the undo file of `forward` (a path or a bare file name of an applied
// migration file; its NAME.undo.sql is read from the same directory, the
// migrations directory for a bare name).
void undo_migration(Connection& conn, const ApplyOptions& options, const std::string& forward, ApplyRun& run,
                    const std::function<void(const std::string&)>& progress);

// The pgflux.apply-result document; `error` (with `exit_code`) when the run stopped.
json apply_result_document(const ApplyRun& run, const std::string& tool, const Error* error = nullptr);

}  // namespace pgflux
