// Harness: the pgflux.model document (flux-diff's input), then what flux-diff
// does with it. One document is diffed against an empty model both ways and
// against itself; two documents separated by a NUL byte are diffed as
// CURRENT and DESIRED. The plans go, as documents, through flux-hazards'
// rewrites.
#include <cstring>

#include "diff/differ.h"
#include "hazards/hazards.h"
#include "harness.h"
#include "model/model_json.h"
#include "util/document.h"

using namespace pgflux;

namespace {

Model read_model(const std::string& file, const uint8_t* data, size_t size) {
    std::string path = fuzz::write_input(file, data, size);
    return model_from_document(read_document(path, k_format_model), file);
}

void diff(const Model& live, const Model& desired, bool verify) {
    DiffOptions options;
    options.verify = verify;
    fuzz::run([&] {
        Plan plan = diff_models(live, desired, options);
        // flux-hazards reads the plan as a document, which checks its steps.
        json document = plan_to_document(plan, "flux-diff");
        try {
            plan = plan_from_document(document, "flux-diff output");
        } catch (const Error& e) {
            // With PGFLUX_FUZZ_STRICT_PLANS set, a model that passed its
            // checks but makes the differ write a step that is not exactly
            // one statement is a finding (a string pasted into DDL unchecked).
            if (std::getenv("PGFLUX_FUZZ_STRICT_PLANS")) {
                std::fprintf(stderr, "fuzz: finding: the differ wrote an invalid plan: %s\n", e.what());
                std::abort();
            }
            throw;
        }
        rewrite_and_classify(plan, RewriteOptions{});
        plan_to_document(plan, "flux-hazards");
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
    fuzz::run([&] {
        Model empty;
        if (!nul) {
            Model model = read_model("model.json", data, size);
            model_to_document(model, "fuzz");
            model.state_hash();
            diff(empty, model, false);
            diff(model, empty, false);
            diff(model, model, false);
            diff(empty, model, true);
        } else {
            Model live = read_model("current.json", data, static_cast<size_t>(nul - data));
            Model desired = read_model("desired.json", nul + 1, size - static_cast<size_t>(nul - data) - 1);
            diff(live, desired, false);
            diff(live, desired, true);
        }
    });
    return 0;
}
