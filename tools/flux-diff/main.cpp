// flux-diff: compares a live model with a desired model and writes the plan
// (or, with --format summary, one line per difference).
#include <cctype>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "cache/result_cache.h"
#include "diff/differ.h"
#include "diff/renames.h"
#include "migrations/dump.h"
#include "model/model_json.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"
#include "util/files.h"
#include "util/sha256.h"
#include "util/text.h"

using namespace pgflux;

namespace {

// --renames prompt: asks on the terminal about each object or column that
// looks renamed; a yes declares the rename in `desired`.
void ask_renames(const Model& live, Model& desired) {
    auto candidates = rename_candidates(live, desired);
    if (candidates.empty()) return;
    std::FILE* tty = std::fopen("/dev/tty", "r+");
    if (!tty || !isatty(fileno(tty)))
        usage_error("--renames prompt needs a terminal to ask on (declare renames with \"-- @renamed from=old\" "
                    "comments instead)");
    for (const RenameCandidate& c : candidates) {
        for (;;) {
            std::fprintf(tty, "%s instead of dropping and creating it? [y/n] ", one_line(c.question).c_str());
            std::fflush(tty);
            char line[64];
            if (!std::fgets(line, sizeof line, tty)) {
                std::fclose(tty);
                usage_error("no answer on the terminal");
            }
            std::string answer(line);
            while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) answer.pop_back();
            if (answer == "y" || answer == "yes") {
                declare_rename(desired, c);
                break;
            }
            if (answer == "n" || answer == "no") break;
        }
    }
    std::fclose(tty);
}

}  // namespace

// Canonical forms (a snapshot's, or a model's made in a shadow database)
// are a server's: two documents read from servers of different major
// versions may spell one definition differently, so they are not compared.
// (A cached document from another server is the way this happens: pg-flux
// --snapshot and --model.)
static void check_same_major_version(const Model& live, const std::string& live_name, const Model& desired,
                                     const std::string& desired_name) {
    auto major = [](const Model& m) -> long long {
        auto it = m.source.find("server_version");
        return it != m.source.end() && it->is_number_integer() ? it->get<long long>() / 10000 : 0;
    };
    long long a = major(live), b = major(desired);
    if (a != 0 && b != 0 && a != b)
        usage_error(live_name + " comes from PostgreSQL " + std::to_string(a) + " and " + desired_name +
                    " from PostgreSQL " + std::to_string(b) +
                    ": canonical forms differ between major versions; make both on servers of the same major version");
}

// The live side of --from-nothing: an empty database on the model's server,
// seen by the model's role (what the model names no other owner for belongs
// to it; objects of other roles get OWNER TO). The plan then writes the
// model as a dump: secrets become references, and what the model could not
// represent is named.
static Model empty_model_for(Model& desired) {
    for (const std::string& m : reference_secrets(desired)) warn("flux-diff", m);
    const json& unmodeled = desired.source.value("unmodeled", json::object());
    if (unmodeled.is_object() && !unmodeled.empty()) {
        std::string list;
        for (auto it = unmodeled.begin(); it != unmodeled.end(); ++it)
            list += (list.empty() ? "" : ", ") + it.value().dump() + " " + it.key() + (it.value() == 1 ? "" : "s");
        warn("flux-diff", "left out (pg-flux does not model these yet): " + list);
    }
    Model empty;
    for (const char* key : {"type", "role", "roles", "server_version"})
        if (desired.source.contains(key)) empty.source[key] = desired.source[key];
    return empty;
}

int main(int argc, char** argv) {
    return run_tool("flux-diff", [&] {
        cxxopts::Options options("flux-diff",
                                 "Compare the live model (CURRENT) with the desired model (DESIRED) and write a "
                                 "pgflux.plan on stdout. Either may be - for stdin.\n"
                                 "With --from-nothing, one model (MODEL): the plan that creates it in an empty "
                                 "database (pg-flux dump writes it as schema files).");
        options.positional_help("CURRENT DESIRED | --from-nothing MODEL");
        add_standard_options(options);
        options.add_options()
            ("format", "Output: plan (JSON document), summary (one line per difference) or drift (a "
                       "pgflux.drift document: the differences, the notes, clean or not)",
             cxxopts::value<std::string>()->default_value("plan"))
            ("exit-code", "Exit 1 when there are differences (like git diff --exit-code)")
            ("strict", "With --exit-code/summary: also count notes (column order, loose comparisons)")
            ("reverse", "Plan from DESIRED back to CURRENT (the undo of the forward plan; owners resolved "
                        "as the forward plan resolves them)")
            ("from-nothing", "Plan from an empty database to the one model given (a dump); secret options "
                             "of user mappings, which a snapshot never has, are written as '${VARIABLE}' references")
            ("verify", "Only report what the live side lacks or has differently; extra live objects are fine")
            ("owners", "managed (objects the source names no owner for belong to the default owner) or "
                       "unmanaged (owners are never compared or changed)",
             cxxopts::value<std::string>()->default_value("managed"))
            ("default-owner", "The role that owns objects the source names no owner for (default: the role "
                              "flux-snapshot connected as)", cxxopts::value<std::string>()->default_value(""))
            ("renames", "declared (renames declared with \"-- @renamed from=old\"; other objects that look "
                        "renamed are named in notes) or prompt (also ask on the terminal, /dev/tty, about each "
                        "object that looks renamed; yes counts as declared)",
             cxxopts::value<std::string>()->default_value("declared"))
            ("cache-dir", "Keep results in DIR and reuse one when both documents and the options are unchanged "
                          "(default: no cache; never with --renames prompt)",
             cxxopts::value<std::string>()->default_value(""))
            ("models", "", cxxopts::value<std::vector<std::string>>());
        options.parse_positional({"models"});
        auto args = parse_options(options, argc, argv);
        auto models = args.count("models") ? args["models"].as<std::vector<std::string>>() : std::vector<std::string>{};
        bool from_nothing = args.count("from-nothing") > 0;
        if (from_nothing) {
            if (models.size() != 1) usage_error("--from-nothing takes one model: MODEL (use - for stdin)");
            only_with(args, "reverse", false, "without --from-nothing");
            only_with(args, "verify", false, "without --from-nothing");
            only_with(args, "cache-dir", false, "without --from-nothing");
            only_with(args, "format", args["format"].as<std::string>() == "plan", "without --from-nothing");
            // The model goes in as the desired side, after an empty live one.
            models.insert(models.begin(), "");
        } else if (models.size() != 2) {
            usage_error("expected two models: CURRENT DESIRED (use - for stdin)");
        }
        if (models[0] == "-" && models[1] == "-") usage_error("only one of CURRENT and DESIRED can be stdin");
        std::string format = args["format"].as<std::string>();
        if (format != "plan" && format != "summary" && format != "drift")
            usage_error("--format must be plan, summary or drift");
        only_with(args, "strict", format != "plan" || args.count("exit-code"),
                  "with --format summary, --format drift or --exit-code");
        only_with(args, "reverse", format == "plan" && !args.count("verify"), "with --format plan, without --verify");

        DiffOptions diff_options;
        diff_options.verify = args.count("verify") > 0;
        std::string owners = args["owners"].as<std::string>();
        if (owners != "managed" && owners != "unmanaged") usage_error("--owners must be managed or unmanaged");
        diff_options.owners_unmanaged = owners == "unmanaged";
        diff_options.default_owner = args["default-owner"].as<std::string>();
        diff_options.as_schema_files = from_nothing;
        std::string renames = args["renames"].as<std::string>();
        if (renames != "declared" && renames != "prompt") usage_error("--renames must be declared or prompt");
        bool strict = args.count("strict") > 0, exit_code = args.count("exit-code") > 0,
             reverse = args.count("reverse") > 0;

        // The result depends on both documents' bytes and the options that
        // shape the output; a prompt's answers are not cached. Without a
        // cache each document is read when its model is built, so that one
        // text at a time is held.
        std::string texts[2];
        bool held[2] = {false, false};  // texts[i] holds document i
        std::string cache_dir = args["cache-dir"].as<std::string>();
        std::optional<ResultCache> cache;
        std::string key;
        if (!cache_dir.empty() && renames != "prompt") {
            cache.emplace(cache_dir, "diff", "flux-diff");
            texts[0] = read_file(models[0]);
            texts[1] = read_file(models[1]);
            held[0] = held[1] = true;
            key = cache->key({"format", format, "exit-code", std::to_string(exit_code), "strict", std::to_string(strict),
                              "reverse", std::to_string(reverse), "verify", std::to_string(diff_options.verify),
                              "owners", owners, "default-owner", diff_options.default_owner,
                              "current", sha256_hex(texts[0]), "desired", sha256_hex(texts[1])});
            if (auto entry = cache->get(key)) {
                note("flux-diff", "the result is cached (" + cache_dir + "): both documents are unchanged");
                replay_messages(entry->messages);
                write_stdout(entry->output);
                return entry->status;
            }
            // A file is read again when its model is built (standard input
            // cannot be).
            for (int i : {0, 1})
                if (models[i] != "-") std::string().swap(texts[i]), held[i] = false;  // frees it (= "" would keep it)
        }
        auto model_of = [&](int i) -> Model& {
            std::string text = held[i] ? std::move(texts[i]) : read_file(models[i]);
            return keep_until_exit(model_from_document(parse_document(text, models[i], k_format_model), models[i]));
        };
        Model* read_live = from_nothing ? nullptr : &model_of(0);
        Model& desired = model_of(1);
        Model& live = read_live ? *read_live : keep_until_exit(empty_model_for(desired));
        check_same_major_version(live, models[0], desired, models[1]);
        if (renames == "prompt" && !diff_options.verify) ask_renames(live, desired);
        Plan& plan = keep_until_exit(reverse ? diff_models_reverse(live, desired, diff_options)
                                             : diff_models(live, std::move(desired), diff_options));
        check_plan_statements(plan);

        bool differs = !plan.steps.empty() || (strict && !plan.notes.empty());
        std::string output;
        StringOutput out(output);
        std::ostringstream err;
        if (format == "plan") {
            out << document_text(plan_to_document(plan, "flux-diff"));
        } else if (format == "drift") {
            json doc = document_envelope(k_format_drift, "flux-diff");
            doc["mode"] = diff_options.verify ? "verify" : "drift";
            doc["strict"] = strict;
            doc["clean"] = !differs;
            doc["baseline_hash"] = plan.baseline_hash;
            doc["target_hash"] = plan.target_hash;
            json differences = json::array();
            for (const Step& s : plan.steps)
                differences.push_back({{"summary", s.summary}, {"action", s.action}, {"kind", kind_name(s.object.kind)},
                                       {"object", id_to_json(s.object)}});
            doc["differences"] = differences;
            doc["notes"] = plan.notes;
            out << document_text(doc);
            for (const auto& n : plan.notes)
                if (!strict) err << "note: " << one_line(n) << "\n";
        } else {
            for (const Step& s : plan.steps) out << one_line(s.summary) << "\n";
            for (const auto& n : plan.notes)
                (strict ? static_cast<std::ostream&>(out) : err) << (strict ? "" : "note: ") << one_line(n) << "\n";
        }
        int status = exit_code && differs ? k_exit_differences : k_exit_ok;
        std::cerr << err.str();
        write_stdout(output);
        if (cache) cache->put(key, {std::move(output), warning_lines() + err.str(), status});
        return status;
    });
}
