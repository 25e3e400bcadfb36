// Protobuf wire-format decoding for Msg views (varint, fixed, length-delimited).
#include "sql/message.h"

#include <stdexcept>

namespace pgflux::pq {
namespace {

struct WireField {
    int number = 0;
    int wire_type = 0;
    uint64_t varint = 0;
    std::string_view payload;
};

class WireReader {
public:
    explicit WireReader(std::string_view bytes) : bytes_(bytes) {}
    bool next(WireField& f) {
        if (pos_ >= bytes_.size()) return false;
        uint64_t tag = read_varint();
        f.number = static_cast<int>(tag >> 3);
        f.wire_type = static_cast<int>(tag & 7);
        switch (f.wire_type) {
            case 0: f.varint = read_varint(); break;
            case 1: f.payload = take(8); break;
            case 2: f.payload = take(read_varint()); break;
            case 5: f.payload = take(4); break;
            default: throw std::runtime_error("parse tree: unsupported protobuf wire type");
        }
        return true;
    }

private:
    uint64_t read_varint() {
        uint64_t value = 0;
        for (int shift = 0; pos_ < bytes_.size() && shift < 64; shift += 7) {
            auto byte = static_cast<unsigned char>(bytes_[pos_++]);
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80)) return value;
        }
        throw std::runtime_error("parse tree: truncated protobuf varint");
    }
    std::string_view take(uint64_t n) {
        if (n > bytes_.size() - pos_) throw std::runtime_error("parse tree: truncated protobuf field");
        auto out = bytes_.substr(pos_, n);
        pos_ += n;
        return out;
    }
    std::string_view bytes_;
    size_t pos_ = 0;
};

// Unwraps a Node: its payload holds exactly one alternative.
Msg unwrap_node(const MessageType& node_type, std::string_view payload) {
    WireReader reader(payload);
    WireField f;
    if (!reader.next(f)) return {};
    const FieldType* alt = node_type.field(f.number);
    if (!alt || !alt->message) throw std::runtime_error("parse tree: unknown Node alternative");
    return Msg(alt->message, f.payload);
}

Msg make_view(const FieldType& ft, std::string_view payload) {
    if (ft.message->name == "Node") return unwrap_node(*ft.message, payload);
    return Msg(ft.message, payload);
}

}  // namespace

void append_varint(std::string& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void append_length_delimited(std::string& out, int field_number, std::string_view payload) {
    append_varint(out, (static_cast<uint64_t>(field_number) << 3) | 2);
    append_varint(out, payload.size());
    out.append(payload);
}

void append_varint_field(std::string& out, int field_number, uint64_t value) {
    append_varint(out, static_cast<uint64_t>(field_number) << 3);
    append_varint(out, value);
}

const std::string& Msg::type() const {
    static const std::string empty;
    return type_ ? type_->name : empty;
}

const FieldType& Msg::field_type(std::string_view name) const {
    const FieldType* f = type_ ? type_->field(name) : nullptr;
    if (!f) throw std::logic_error("parse tree: " + type() + " has no field " + std::string(name));
    return *f;
}

Msg Msg::get(std::string_view field) const {
    if (!type_) return {};
    const FieldType& ft = field_type(field);
    if (!ft.message) throw std::logic_error("parse tree: field " + ft.name + " is not a message");
    Msg out;
    WireReader reader(bytes_);
    for (WireField f; reader.next(f);)
        if (f.number == ft.number && f.wire_type == 2) out = make_view(ft, f.payload);
    return out;
}

std::vector<Msg> Msg::list(std::string_view field) const {
    std::vector<Msg> out;
    if (!type_) return out;
    const FieldType& ft = field_type(field);
    if (!ft.message) throw std::logic_error("parse tree: field " + ft.name + " is not a message");
    WireReader reader(bytes_);
    for (WireField f; reader.next(f);)
        if (f.number == ft.number && f.wire_type == 2) out.push_back(make_view(ft, f.payload));
    return out;
}

std::string Msg::str(std::string_view field) const {
    if (!type_) return {};
    const FieldType& ft = field_type(field);
    std::string out;
    WireReader reader(bytes_);
    for (WireField f; reader.next(f);)
        if (f.number == ft.number && f.wire_type == 2) out = std::string(f.payload);
    return out;
}

int64_t Msg::integer(std::string_view field) const {
    if (!type_) return 0;
    const FieldType& ft = field_type(field);
    uint64_t raw = 0;
    WireReader reader(bytes_);
    for (WireField f; reader.next(f);)
        if (f.number == ft.number && f.wire_type == 0) raw = f.varint;
    if (ft.scalar == Scalar::int32) return static_cast<int32_t>(static_cast<uint32_t>(raw));
    return static_cast<int64_t>(raw);
}

bool Msg::flag(std::string_view field) const { return integer(field) != 0; }

std::string Msg::enumeration(std::string_view field) const {
    const FieldType& ft = field_type(field);
    if (!ft.enumeration) throw std::logic_error("parse tree: field " + ft.name + " is not an enum");
    auto value = static_cast<int>(type_ ? integer(field) : 0);
    auto it = ft.enumeration->names.find(value);
    return it == ft.enumeration->names.end() ? std::to_string(value) : it->second;
}

std::vector<std::string> Msg::strings(std::string_view field) const {
    std::vector<std::string> out;
    for (const Msg& item : list(field)) out.push_back(value_text(item));
    return out;
}

std::vector<FieldValue> Msg::fields() const {
    std::vector<FieldValue> out;
    if (!type_) return out;
    WireReader reader(bytes_);
    for (WireField f; reader.next(f);) {
        const FieldType* ft = type_->field(f.number);
        if (!ft) continue;
        FieldValue v;
        v.field = ft;
        if (ft->message) {
            v.message = make_view(*ft, f.payload);
        } else if (ft->enumeration) {
            auto it = ft->enumeration->names.find(static_cast<int>(f.varint));
            v.scalar = it == ft->enumeration->names.end() ? std::to_string(f.varint) : it->second;
        } else if (f.wire_type == 2) {
            v.scalar = std::string(f.payload);
        } else if (ft->scalar == Scalar::int32) {
            v.scalar = std::to_string(static_cast<int32_t>(static_cast<uint32_t>(f.varint)));
        } else {
            v.scalar = std::to_string(f.varint);
        }
        out.push_back(std::move(v));
    }
    return out;
}

std::string Msg::node_bytes() const {
    if (!type_) return {};
    if (type_->name == "Node") return std::string(bytes_);
    std::string out;
    append_length_delimited(out, ProtoSchema::get().node_field_number(*type_), bytes_);
    return out;
}

std::string value_text(const Msg& value) {
    if (value.is("String")) return value.str("sval");
    if (value.is("Integer")) return std::to_string(value.integer("ival"));
    if (value.is("Float")) return value.str("fval");
    if (value.is("Boolean")) return value.flag("boolval") ? "true" : "false";
    if (value.is("BitString")) return value.str("bsval");
    return {};
}

namespace {

void fingerprint_into(std::string& out, const MessageType& type, std::string_view bytes);

void fingerprint_field(std::string& out, const FieldType& ft, const WireField& f) {
    if (ft.message) {
        if (ft.message->name == "Node") {
            Msg inner = unwrap_node(*ft.message, f.payload);
            out += inner.type();
            if (inner) fingerprint_into(out, *inner.message_type(), inner.bytes());
        } else {
            fingerprint_into(out, *ft.message, f.payload);
        }
    } else if (f.wire_type == 2) {
        // Its length first: a name must not read as more of the tree.
        out += std::to_string(f.payload.size());
        out += '"';
        out += f.payload;
    } else if (f.wire_type == 0) {
        out += std::to_string(f.varint);
    } else {
        out += std::string(f.payload);
    }
}

void fingerprint_into(std::string& out, const MessageType& type, std::string_view bytes) {
    out += '{';
    WireReader reader(bytes);
    for (WireField f; reader.next(f);) {
        const FieldType* ft = type.field(f.number);
        if (!ft || ft->name == "location") continue;
        out += ft->name;
        out += ':';
        fingerprint_field(out, *ft, f);
        out += ' ';
    }
    out += '}';
}

}  // namespace

void visit_tree(const Msg& root, const std::function<void(const Msg&)>& visit) {
    if (!root) return;
    visit(root);
    WireReader reader(root.bytes());
    for (WireField f; reader.next(f);) {
        const FieldType* ft = root.message_type()->field(f.number);
        if (!ft || !ft->message || f.wire_type != 2) continue;
        visit_tree(make_view(*ft, f.payload), visit);
    }
}

std::string tree_fingerprint(const Msg& m) {
    std::string out;
    if (!m) return out;
    out += m.type();
    fingerprint_into(out, *m.message_type(), m.bytes());
    return out;
}

}  // namespace pgflux::pq
