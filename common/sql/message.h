// A read-only view of one protobuf-encoded parse-tree message, walked by
// field name through ProtoSchema. Views point into a buffer they do not own:
// keep the ParseResult (see parser.h) alive while using them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/proto_schema.h"

namespace pgflux::pq {

class Msg;

// One field occurrence of a message: a sub-message, or a scalar as text.
struct FieldValue;

class Msg {
public:
    Msg() = default;
    Msg(const MessageType* type, std::string_view bytes) : type_(type), bytes_(bytes) {}

    explicit operator bool() const { return type_ != nullptr; }
    const std::string& type() const;  // message name, "" for an empty view
    bool is(std::string_view type_name) const { return type_ && type() == type_name; }
    const MessageType* message_type() const { return type_; }
    std::string_view bytes() const { return bytes_; }

    // A singular message field; a Node wrapper is unwrapped to its alternative.
    // Empty view when the field is absent.
    Msg get(std::string_view field) const;
    // A repeated message field, Node wrappers unwrapped.
    std::vector<Msg> list(std::string_view field) const;
    std::string str(std::string_view field) const;
    int64_t integer(std::string_view field) const;
    bool flag(std::string_view field) const;
    // Enum value name ("CONSTR_PRIMARY"); the zero value's name when absent.
    std::string enumeration(std::string_view field) const;
    // Values of a list of String nodes (names, options), e.g. TypeName.names.
    std::vector<std::string> strings(std::string_view field) const;

    // Every field present, in wire order (Node wrappers unwrapped).
    std::vector<FieldValue> fields() const;

    // This message wrapped in a Node (the encoding deparse expects for a node).
    std::string node_bytes() const;

private:
    const FieldType& field_type(std::string_view name) const;
    const MessageType* type_ = nullptr;
    std::string_view bytes_;
};

struct FieldValue {
    const FieldType* field = nullptr;
    Msg message;         // set for message fields
    std::string scalar;  // set for scalar fields (numbers in decimal, enums by name)
};

// Value of a String/Integer/Float/Boolean node as text ("" for others).
std::string value_text(const Msg& value);

// Calls `visit` for `root` and every message below it (Node wrappers unwrapped).
void visit_tree(const Msg& root, const std::function<void(const Msg&)>& visit);

// A stable text form of a tree without its positions, for structural equality:
// strings carry their length, so that no name reads as more of the tree.
std::string tree_fingerprint(const Msg& m);

// Low-level wire helpers (also used to build trees for deparse).
void append_varint(std::string& out, uint64_t value);
void append_length_delimited(std::string& out, int field_number, std::string_view payload);
void append_varint_field(std::string& out, int field_number, uint64_t value);

}  // namespace pgflux::pq
