// Interchange documents: the envelope every JSON document on a pipe carries
// ({"format", "version", "generator", ...}), reading with format/version
// checks, and deterministic writing.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

#include "util/json.h"

namespace pgflux {

using json = nlohmann::json;

inline constexpr int k_document_version = 1;
inline constexpr const char* k_format_model = "pgflux.model";
inline constexpr const char* k_format_plan = "pgflux.plan";
inline constexpr const char* k_format_apply_result = "pgflux.apply-result";
inline constexpr const char* k_format_status = "pgflux.status";
inline constexpr const char* k_format_generate_result = "pgflux.generate-result";
inline constexpr const char* k_format_drift = "pgflux.drift";

// {"format": f, "version": 1, "generator": {"tool": t, "version": ...}}
json document_envelope(const std::string& format, const std::string& tool);

// Reads a document from `path` ("-" for stdin) and checks its format and
// version; errors (exit 2) name the path and what was expected.
json read_document(const std::string& path, const std::string& format);
// The same for a document's text read from `path`.
json parse_document(const std::string& text, const std::string& path, const std::string& format);

// Writes a document to stdout (sorted keys, one document).
void write_document(const json& document);
// An ostream that appends to a string: what a tool writes is kept without
// the copy std::ostringstream::str() makes (C++17), for documents of tens of
// megabytes.
class StringOutput : public std::ostream {
public:
    explicit StringOutput(std::string& target) : std::ostream(&buffer_), buffer_(target) {}

private:
    struct Buffer : std::streambuf {
        explicit Buffer(std::string& target) : target(target) {}
        int_type overflow(int_type c) override {
            if (!traits_type::eq_int_type(c, traits_type::eof())) target.push_back(traits_type::to_char_type(c));
            return traits_type::not_eof(c);
        }
        std::streamsize xsputn(const char* text, std::streamsize n) override {
            target.append(text, static_cast<size_t>(n));
            return n;
        }
        std::string& target;
    } buffer_;
};

// Writes `text` to stdout (exit 5 when it cannot).
void write_stdout(const std::string& text);
// The text write_document writes.
std::string document_text(const json& document);

// Typed access with errors naming the document and the field:
// "desired.json: objects[3].kind: expected a string".
class JsonField {
public:
    // The root of a document read from `origin`.
    JsonField(const json& value, std::string origin) : value_(value), origin_(std::move(origin)) {}
    JsonField operator[](const std::string& key) const;
    JsonField operator[](size_t index) const;
    bool has(const std::string& key) const;
    const json& value() const { return value_; }
    const std::string& path() const { return path_; }
    std::string string() const;
    int64_t integer() const;
    bool boolean() const;
    const json& array() const;
    const json& object() const;
    [[noreturn]] void fail(const std::string& message) const;

private:
    JsonField(const json& value, std::string origin, std::string path)
        : value_(value), origin_(std::move(origin)), path_(std::move(path)) {}
    const json& value_;
    std::string origin_, path_;  // path_ is "" at the root
};

}  // namespace pgflux
