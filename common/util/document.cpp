// Envelope checks and JSON field access with path-carrying errors.
#include "util/document.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "pgflux/version.h"
#include "util/error.h"
#include "util/files.h"

namespace pgflux {

void json_precondition_failed(const char* condition, const char* file, int line) {
    // The fuzzing harnesses want the stack of the unchecked access.
    if (std::getenv("PGFLUX_ABORT_ON_JSON_PRECONDITION")) {
        std::fprintf(stderr, "JSON access without a check: %s at %s:%d\n", condition, file, line);
        std::abort();
    }
    throw std::logic_error(std::string("JSON access without a check (") + condition + " at " + file + ":" +
                           std::to_string(line) + ")");
}

json document_envelope(const std::string& format, const std::string& tool) {
    return {{"format", format},
            {"version", k_document_version},
            {"generator", {{"tool", tool}, {"version", PGFLUX_VERSION}}}};
}

json read_document(const std::string& path, const std::string& format) {
    return parse_document(read_file(path), path, format);
}

json parse_document(const std::string& text, const std::string& path, const std::string& format) {
    std::string name = path == "-" ? "standard input" : path;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        usage_error(name + ": empty input, expected a " + format + " document");
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error while ..."
        // becomes "NAME:3:7: invalid JSON: syntax error while ...".
        static const std::regex k_where(R"(^\[json\.exception\.[a-z_.0-9]+\] parse error at line (\d+), column (\d+): (.*)$)");
        std::string what = e.what();
        std::smatch m;
        if (std::regex_match(what, m, k_where))
            usage_error(name + ":" + m[1].str() + ":" + m[2].str() + ": invalid JSON: " + m[3].str());
        usage_error(name + ": invalid JSON: " + what);
    } catch (const json::exception& e) {  // out_of_range: a number past double
        usage_error(name + ": invalid JSON: " + e.what());
    }
    if (!doc.is_object()) usage_error(name + ": expected a JSON object with a \"format\" field");
    if (!doc.contains("format") || !doc["format"].is_string())
        usage_error(name + ": missing \"format\" (expected \"" + format + "\")");
    if (doc["format"] != format)
        usage_error(name + ": wrong format \"" + doc["format"].get<std::string>() + "\" (expected \"" +
                    format + "\")");
    if (!doc.contains("version") || !doc["version"].is_number_integer())
        usage_error(name + ": missing or non-integer \"version\"");
    if (doc["version"] != k_document_version)
        usage_error(name + ": unsupported " + format + " version " + doc["version"].dump() +
                    " (this tool reads version " + std::to_string(k_document_version) + ")");
    return doc;
}

std::string document_text(const json& document) { return document.dump(2) + "\n"; }

void write_document(const json& document) { write_stdout(document_text(document)); }

void write_stdout(const std::string& text) {
    std::cout << text;
    std::cout.flush();
    if (!std::cout) fail(k_exit_internal, "cannot write to standard output");
}

JsonField JsonField::operator[](const std::string& key) const {
    if (!value_.is_object()) fail("expected an object");
    std::string path = path_.empty() ? key : path_ + "." + key;
    if (!value_.contains(key)) usage_error(origin_ + ": " + path + ": missing");
    return JsonField(value_.at(key), origin_, path);
}

JsonField JsonField::operator[](size_t index) const {
    return JsonField(array().at(index), origin_, path_ + "[" + std::to_string(index) + "]");
}

bool JsonField::has(const std::string& key) const { return value_.is_object() && value_.contains(key); }

std::string JsonField::string() const {
    if (!value_.is_string()) fail("expected a string");
    return value_.get<std::string>();
}

int64_t JsonField::integer() const {
    if (!value_.is_number_integer()) fail("expected an integer");
    return value_.get<int64_t>();
}

bool JsonField::boolean() const {
    if (!value_.is_boolean()) fail("expected true or false");
    return value_.get<bool>();
}

const json& JsonField::array() const {
    if (!value_.is_array()) fail("expected an array");
    return value_;
}

const json& JsonField::object() const {
    if (!value_.is_object()) fail("expected an object");
    return value_;
}

void JsonField::fail(const std::string& message) const {
    usage_error(origin_ + ": " + (path_.empty() ? "" : path_ + ": ") + message);
}

}  // namespace pgflux
