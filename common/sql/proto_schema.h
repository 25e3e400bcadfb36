// Reflection over libpg_query's protobuf schema, read from the pg_query.proto
// that ships with the library (embedded at build time), so parse trees can be
// walked by field name and sub-trees re-encoded for deparse.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pgflux::pq {

struct MessageType;
struct EnumType;

enum class Scalar { none, int32, uint32, int64, uint64, float32, float64, boolean, string, bytes, enumeration };

struct FieldType {
    std::string name;          // proto field name, snake_case
    int number = 0;
    bool repeated = false;
    Scalar scalar = Scalar::none;        // none: a message field
    const MessageType* message = nullptr;
    const EnumType* enumeration = nullptr;
    std::string type_name;     // as written in the .proto
};

struct MessageType {
    std::string name;
    std::vector<FieldType> fields;
    const FieldType* field(std::string_view name) const;
    const FieldType* field(int number) const;
    std::unordered_map<std::string, size_t> by_name;
    std::unordered_map<int, size_t> by_number;
};

struct EnumType {
    std::string name;
    std::unordered_map<int, std::string> names;
};

// The parsed schema; built once, on first use.
class ProtoSchema {
public:
    static const ProtoSchema& get();
    const MessageType& message(std::string_view name) const;  // throws if unknown
    const MessageType* find_message(std::string_view name) const;
    // Field number of `type` inside the Node oneof wrapper.
    int node_field_number(const MessageType& type) const;

private:
    ProtoSchema();
    std::unordered_map<std::string, MessageType> messages_;
    std::unordered_map<std::string, EnumType> enums_;
    std::unordered_map<const MessageType*, int> node_numbers_;
};

}  // namespace pgflux::pq
