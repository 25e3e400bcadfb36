// The pgflux.model document: a Model with its envelope, state hash and
// provenance, and the reverse with field-by-field validation.
#pragma once

#include <iostream>

#include <string>

#include "model/model.h"

namespace pgflux {

class JsonField;

json model_to_document(const Model& model, const std::string& tool);
// Writes model_to_document(model, tool) to `stream` (stdout) as
// write_document does, byte for byte, one object at a time (the document
// tree of a large model is never held whole).
void write_model_document(const Model& model, const std::string& tool, std::ostream& stream = std::cout);
// `name` labels errors ("desired.json: objects[2].kind: unknown kind").
Model model_from_document(json document, const std::string& name);
// An object identity ({"kind", "schema", "name", "table", "signature"}), checked.
ObjectId id_from_json(const JsonField& field);

// A model document kept from an earlier run (CI caches them: pg-flux --model
// and --snapshot, flux-parse and flux-snapshot --from), read to be used
// instead of being made again. It must be a valid pgflux.model written by
// `tool` of this pg-flux version (another version's canonical forms and
// fields may differ); anything else is an input error naming the file.
struct ReusedModel {
    std::string text;  // the document as it is, to be written out unchanged
    json source;       // its "source" object
};
ReusedModel read_reused_model(const std::string& path, const std::string& tool);

}  // namespace pgflux
