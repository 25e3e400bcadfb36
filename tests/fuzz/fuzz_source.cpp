// Harness: parse -> model. The input is one schema file, read by the same
// code flux-parse runs without a shadow database; the model then goes
// through the document round trip and the differ against an empty database.
#include "diff/differ.h"
#include "harness.h"
#include "hazards/hazards.h"
#include "model/model_json.h"
#include "source/source_reader.h"
#include "util/document.h"

using namespace pgflux;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = fuzz::write_input("schema.sql", data, size);
    fuzz::run([&] {
        Model model = read_source({path});
        json doc = model_to_document(model, "flux-parse");
        fuzz::run([&] { model_from_document(doc, "flux-parse output"); });
        Plan plan = diff_models(Model{}, model);
        rewrite_and_classify(plan, RewriteOptions{});
        plan_to_document(plan, "fuzz");
    });
    return 0;
}
