// Reads pg_query.proto (embedded text) into MessageType/EnumType tables.
// The .proto is the flat proto3 file libpg_query generates: top-level
// messages and enums, oneofs, [json_name=...] options, no nesting.
#include "sql/proto_schema.h"

#include <cctype>
#include <stdexcept>

extern const char* const k_pg_query_proto_text;

namespace pgflux::pq {
namespace {

class Tokenizer {
public:
    explicit Tokenizer(std::string_view text) : text_(text) {}

    // Next token: an identifier/number, a quoted string, or one symbol char.
    // Empty at end of input.
    std::string_view next() {
        skip_space_and_comments();
        if (pos_ >= text_.size()) return {};
        size_t start = pos_;
        char c = text_[pos_];
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
            while (pos_ < text_.size() &&
                   (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
                    text_[pos_] == '.' || text_[pos_] == '-'))
                ++pos_;
        } else if (c == '"') {
            ++pos_;
            while (pos_ < text_.size() && text_[pos_] != '"') ++pos_;
            ++pos_;
        } else {
            ++pos_;
        }
        return text_.substr(start, pos_ - start);
    }

private:
    void skip_space_and_comments() {
        while (pos_ < text_.size()) {
            if (std::isspace(static_cast<unsigned char>(text_[pos_]))) {
                ++pos_;
            } else if (text_.compare(pos_, 2, "//") == 0) {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
            } else if (text_.compare(pos_, 2, "/*") == 0) {
                size_t end = text_.find("*/", pos_ + 2);
                pos_ = end == std::string_view::npos ? text_.size() : end + 2;
            } else {
                return;
            }
        }
    }
    std::string_view text_;
    size_t pos_ = 0;
};

Scalar scalar_of(std::string_view type) {
    if (type == "int32") return Scalar::int32;
    if (type == "uint32") return Scalar::uint32;
    if (type == "int64") return Scalar::int64;
    if (type == "uint64") return Scalar::uint64;
    if (type == "bool") return Scalar::boolean;
    if (type == "string") return Scalar::string;
    if (type == "bytes") return Scalar::bytes;
    if (type == "double") return Scalar::float64;
    if (type == "float") return Scalar::float32;
    return Scalar::none;
}

void skip_to(Tokenizer& tok, std::string_view end) {
    for (auto t = tok.next(); !t.empty() && t != end; t = tok.next()) {
    }
}

}  // namespace

const FieldType* MessageType::field(std::string_view name) const {
    auto it = by_name.find(std::string(name));
    return it == by_name.end() ? nullptr : &fields[it->second];
}

const FieldType* MessageType::field(int number) const {
    auto it = by_number.find(number);
    return it == by_number.end() ? nullptr : &fields[it->second];
}

const ProtoSchema& ProtoSchema::get() {
    static const ProtoSchema schema;
    return schema;
}

ProtoSchema::ProtoSchema() {
    Tokenizer tok(k_pg_query_proto_text);
    for (auto t = tok.next(); !t.empty(); t = tok.next()) {
        if (t == "syntax" || t == "package" || t == "option") {
            skip_to(tok, ";");
        } else if (t == "enum") {
            EnumType& e = enums_[std::string(tok.next())];
            tok.next();  // {
            for (auto name = tok.next(); name != "}"; name = tok.next()) {
                tok.next();  // =
                int value = std::stoi(std::string(tok.next()));
                e.names[value] = std::string(name);
                skip_to(tok, ";");
            }
        } else if (t == "message") {
            MessageType& m = messages_[std::string(tok.next())];
            tok.next();  // {
            int depth = 1;
            while (depth > 0) {
                auto word = tok.next();
                if (word.empty()) throw std::runtime_error("pg_query.proto: unexpected end");
                if (word == "}") {
                    --depth;
                    continue;
                }
                if (word == "oneof") {
                    tok.next();  // name
                    tok.next();  // {
                    ++depth;
                    continue;
                }
                FieldType f;
                if (word == "repeated") {
                    f.repeated = true;
                    word = tok.next();
                }
                f.type_name = std::string(word);
                f.name = std::string(tok.next());
                tok.next();  // =
                f.number = std::stoi(std::string(tok.next()));
                skip_to(tok, ";");
                m.fields.push_back(std::move(f));
            }
        } else {
            throw std::runtime_error("pg_query.proto: unexpected token " + std::string(t));
        }
    }
    // Second pass: resolve field types and build the indexes.
    for (auto& [name, m] : messages_) {
        m.name = name;
        for (size_t i = 0; i < m.fields.size(); ++i) {
            FieldType& f = m.fields[i];
            f.scalar = scalar_of(f.type_name);
            if (f.scalar == Scalar::none) {
                if (auto mi = messages_.find(f.type_name); mi != messages_.end()) {
                    f.message = &mi->second;
                } else if (auto ei = enums_.find(f.type_name); ei != enums_.end()) {
                    f.enumeration = &ei->second;
                    f.scalar = Scalar::enumeration;
                } else {
                    throw std::runtime_error("pg_query.proto: unknown type " + f.type_name);
                }
            }
            m.by_name[f.name] = i;
            m.by_number[f.number] = i;
        }
    }
    for (auto& [name, e] : enums_) e.name = name;
    const MessageType& node = message("Node");
    for (const FieldType& f : node.fields)
        if (f.message) node_numbers_[f.message] = f.number;
}

const MessageType* ProtoSchema::find_message(std::string_view name) const {
    auto it = messages_.find(std::string(name));
    return it == messages_.end() ? nullptr : &it->second;
}

const MessageType& ProtoSchema::message(std::string_view name) const {
    if (auto* m = find_message(name)) return *m;
    throw std::logic_error("pg_query.proto has no message " + std::string(name));
}

int ProtoSchema::node_field_number(const MessageType& type) const {
    auto it = node_numbers_.find(&type);
    if (it == node_numbers_.end())
        throw std::logic_error("message " + type.name + " is not a Node alternative");
    return it->second;
}

}  // namespace pgflux::pq
