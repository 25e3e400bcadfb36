// Declared renames and rename candidates (see diff/renames.h).
#include "diff/renames.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>

#include "diff/differ_internal.h"
#include "kinds/kinds.h"
#include "model/attributes.h"
#include "sql/quote.h"

namespace pgflux {
namespace {

using diff::display;
using diff::display_column;

bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || (static_cast<unsigned char>(c) & 0x80);
}

// `text` with every `from` that stands as a whole name (no identifier
// character, dot or quote right before it, no identifier character right
// after it unless `from` ends in a dot) replaced by `to`.
std::string replace_name(const std::string& text, const std::string& from, const std::string& to) {
    std::string out;
    size_t i = 0;
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
        if (at < i) continue;
        char before = at == 0 ? ' ' : text[at - 1];
        char after = at + from.size() < text.size() ? text[at + from.size()] : ' ';
        if (ident_char(before) || before == '.' || before == '"') continue;
        if (from.back() != '.' && (ident_char(after) || after == '"' || after == '.')) continue;
        out += text.substr(i, at - i) + to;
        i = at + from.size();
    }
    return out + text.substr(i);
}

// j[key] when it is a string, else "".
std::string text_of(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

void each_string(json& j, const std::function<void(std::string&)>& f) {
    if (j.is_string()) {
        std::string s = j;
        f(s);
        j = s;
    } else if (j.is_structured()) {
        for (auto& v : j) each_string(v, f);
    }
}

// Every JSON object inside `j` (and `j`).
void each_object(json& j, const std::function<void(json&)>& f) {
    if (j.is_object()) f(j);
    if (j.is_structured())
        for (auto& v : j) each_object(v, f);
}

void each_attrs(Model& m, const std::function<void(Object&, json&)>& f) {
    for (auto& [id, o] : m.objects) {
        f(o, o.attrs);
        if (!o.ddl.is_null()) f(o, o.ddl);
    }
}

// The model with every identity, and every dependency on one, mapped.
Model remap(const Model& m, const std::function<ObjectId(const ObjectId&)>& f) {
    Model out;
    out.source = m.source;
    for (const auto& [id, o] : m.objects) {
        Object copy = o;
        copy.id = f(id);
        for (Dependency& d : copy.depends_on) d.id = f(d.id);
        out.objects.emplace(copy.id, std::move(copy));
    }
    return out;
}

class Renamer {
public:
    Renamer(const Model& live, const Model& desired) : desired_(desired) { out_.live = live; }

    Renaming run() {
        declared({Kind::schema});
        declared({Kind::enumeration, Kind::domain, Kind::composite_type, Kind::function, Kind::procedure, Kind::table,
                  Kind::view, Kind::materialized_view});
        columns();
        declared({Kind::constraint, Kind::index});
        for (const ObjectId& table : renamed_tables_) carried(table);
        for (const ObjectId& domain : renamed_domains_) domain_checks(domain);
        return std::move(out_);
    }

private:
    Model& live() { return out_.live; }

    void step(const ObjectId& id, const std::string& sql, const std::string& summary) {
        Step s;
        s.sql = sql;
        s.summary = summary;
        s.action = "alter";
        s.object = id;
        out_.steps.push_back(std::move(s));
    }

    void declared(std::initializer_list<Kind> kinds) {
        for (const auto& [id, d] : desired_.objects) {
            if (d.renamed_from.empty() || std::find(kinds.begin(), kinds.end(), id.kind) == kinds.end()) continue;
            ObjectId old = id;
            old.name = d.renamed_from;
            if (!live().find(old)) continue;  // renamed already, or never there: nothing to do
            if (live().find(id)) {
                out_.notes.push_back("declared rename not applied: both " + old.describe() + " and " + id.describe() +
                                     " exist in the database");
                continue;
            }
            if (desired_.find(old)) {
                out_.notes.push_back("declared rename not applied: the schema files still define " + old.describe());
                continue;
            }
            rename(old, id.name);
        }
    }

    // Renames live object `old` to `name`: the step, then the live model.
    void rename(const ObjectId& old, const std::string& name) {
        ObjectId now = old;
        now.name = name;
        std::string to = quote_ident(name);
        std::string words = std::string("RENAME ") + kind_spec(old.kind).keyword + " ";
        switch (old.kind) {
            case Kind::schema:
                step(now, "ALTER SCHEMA " + quote_ident(old.name) + " RENAME TO " + to + ";",
                     words + display(old) + " TO " + to);
                rename_schema(old.name, name);
                return;
            case Kind::constraint:
                step(now, "ALTER TABLE " + qualified_name(old.schema, old.table) + " RENAME CONSTRAINT " +
                              quote_ident(old.name) + " TO " + to + ";",
                     "RENAME CONSTRAINT " + display(old) + " TO " + to);
                rename_child(old, name);
                return;
            case Kind::function:
            case Kind::procedure:
                step(now, std::string("ALTER ") + kind_spec(old.kind).keyword + " " +
                              qualified_name(old.schema, old.name) + "(" + old.signature + ") RENAME TO " + to + ";",
                     words + display(old) + " TO " + to);
                out_.live = remap(live(), [&](const ObjectId& id) { return id == old ? now : id; });
                return;
            default: break;
        }
        std::string keyword = old.kind == Kind::composite_type || old.kind == Kind::enumeration
                                  ? "TYPE"
                                  : kind_spec(old.kind).keyword;
        step(now, "ALTER " + keyword + " " + qualified_name(old.schema, old.name) + " RENAME TO " + to + ";",
             words + display(old) + " TO " + to);
        if (old.kind == Kind::index || old.kind == Kind::sequence) rename_child(old, name);
        else rename_relation_or_type(old, name);
    }

    void rename_schema(const std::string& from, const std::string& to) {
        out_.live = remap(live(), [&](const ObjectId& id) {
            ObjectId out = id;
            if (out.kind == Kind::schema && out.name == from) out.name = to;
            else if (out.schema == from) out.schema = to;
            return out;
        });
        std::string prefix = quote_ident(from) + ".", replacement = quote_ident(to) + ".";
        each_attrs(live(), [&](Object&, json& attrs) {
            each_object(attrs, [&](json& o) {
                if (text_of(o, "schema") == from) o["schema"] = to;
            });
            each_string(attrs, [&](std::string& s) {
                if (s != from) s = replace_name(s, prefix, replacement);
            });
        });
    }

    // A relation or a type (a relation is a type too): its identity, what
    // belongs to it, references to it.
    void rename_relation_or_type(const ObjectId& old, const std::string& name) {
        bool relation = is_relation(old.kind);
        out_.live = remap(live(), [&](const ObjectId& id) {
            ObjectId out = id;
            if (id == old) out.name = name;
            else if (relation && kind_spec(id.kind).on_relation && id.schema == old.schema && id.table == old.name)
                out.table = name;
            return out;
        });
        std::string from = qualified_name(old.schema, old.name), to = qualified_name(old.schema, name);
        each_attrs(live(), [&](Object& o, json& attrs) {
            if (relation) {
                each_object(attrs, [&](json& ref) {
                    if (text_of(ref, "schema") == old.schema && text_of(ref, "table") == old.name) ref["table"] = name;
                });
                if (o.id.kind == Kind::sequence && o.id.schema == old.schema && attrs.contains("owned_by") &&
                    text_of(attrs["owned_by"], "table") == old.name)
                    attrs["owned_by"]["table"] = name;
            }
            each_string(attrs, [&](std::string& s) { s = replace_name(s, from, to); });
        });
        if (old.kind == Kind::table) renamed_tables_.push_back(ObjectId{Kind::table, old.schema, name});
        if (old.kind == Kind::domain) renamed_domains_.push_back(ObjectId{Kind::domain, old.schema, name});
    }

    // A constraint, index or sequence.
    void rename_child(const ObjectId& old, const std::string& name) {
        out_.live = remap(live(), [&](const ObjectId& id) {
            ObjectId out = id;
            if (id == old) out.name = name;
            return out;
        });
        each_attrs(live(), [&](Object& o, json& attrs) {
            if (o.id.kind == Kind::table && o.id.schema == old.schema && attrs.value("replica_identity_index", "") == old.name)
                attrs["replica_identity_index"] = name;
            if (old.kind != Kind::sequence || o.id.kind != Kind::table || o.id.schema != old.schema ||
                !attrs.contains("columns"))
                return;
            for (json& column : attrs["columns"]) {
                if (column.contains("default")) {
                    std::string d = column["default"];
                    for (const std::string& spelled : {quote_ident(old.name), qualified_name(old.schema, old.name)})
                        d = replace_name(d, "'" + spelled + "'", "'" + (spelled.find('.') == std::string::npos
                                                                             ? quote_ident(name)
                                                                             : qualified_name(old.schema, name)) + "'");
                    column["default"] = d;
                }
                if (column.contains("identity") && text_of(column["identity"]["sequence"], "name") == old.name)
                    column["identity"]["sequence"]["name"] = name;
            }
        });
    }

    void columns() {
        for (const auto& [id, d] : desired_.objects) {
            if (d.renamed_columns.empty()) continue;
            Object* l = live().find(id);
            if (!l) continue;
            for (const auto& [name, old] : d.renamed_columns) {
                if (column_index(l->attrs, old) < 0) continue;
                if (column_index(l->attrs, name) >= 0) {
                    out_.notes.push_back("declared rename not applied: both columns " + display_column(id, old) + " and " +
                                         display_column(id, name) + " exist in the database");
                    continue;
                }
                step(id, "ALTER TABLE " + qualified_name(id.schema, id.name) + " RENAME COLUMN " + quote_ident(old) +
                             " TO " + quote_ident(name) + ";",
                     "RENAME COLUMN " + display_column(id, old) + " TO " + quote_ident(name));
                rename_column(id, old, name);
            }
        }
    }

    // The column, in the table and its partitions and children (PostgreSQL
    // renames inherited columns with their parent's), and where other
    // objects name it.
    void rename_column(const ObjectId& table, const std::string& old, const std::string& name) {
        json ref = {{"schema", table.schema}, {"table", table.name}};
        std::vector<ObjectId> children;
        for (auto& [id, o] : live().objects) {
            if (id.kind != Kind::table) continue;
            bool child = o.attrs.value("partition_of", json()) == ref;
            for (const json& p : o.attrs.value("inherits", json::array())) child = child || p == ref;
            if (child) children.push_back(id);
        }
        auto rename_in_list = [&](json& list) {
            if (!list.is_array()) return;
            for (json& c : list)
                if (c == old) c = name;
        };
        for (auto& [id, o] : live().objects) {
            for (json* attrs : {&o.attrs, &o.ddl}) {
                if (attrs->is_null()) continue;
                if (id == table && attrs->contains("columns")) {
                    for (json& c : (*attrs)["columns"])
                        if (c["name"] == old) c["name"] = name;
                    if (attrs->contains("partition_by")) each_object((*attrs)["partition_by"], [&](json& e) {
                        if (text_of(e, "column") == old) e["column"] = name;
                    });
                }
                if (kind_spec(id.kind).on_relation && id.schema == table.schema && id.table == table.name) {
                    for (const char* key : {"columns", "include"})
                        if (attrs->contains(key)) rename_in_list((*attrs)[key]);
                    if (attrs->contains("elements")) each_object((*attrs)["elements"], [&](json& e) {
                        if (text_of(e, "column") == old) e["column"] = name;
                    });
                }
                if (attrs->contains("references") && text_of((*attrs)["references"], "schema") == table.schema &&
                    text_of((*attrs)["references"], "table") == table.name)
                    rename_in_list((*attrs)["references"]["columns"]);
                if (id.kind == Kind::sequence && id.schema == table.schema && attrs->contains("owned_by") &&
                    (*attrs)["owned_by"] == json{{"table", table.name}, {"column", old}})
                    (*attrs)["owned_by"]["column"] = name;
            }
            for (Dependency& dep : o.depends_on) {
                if (dep.id == table && dep.columns)
                    for (std::string& c : *dep.columns)
                        if (c == old) c = name;
                if (id == table)
                    for (std::string& c : dep.through)
                        if (c == old) c = name;
            }
        }
        for (const ObjectId& child : children) rename_column(child, old, name);
    }

    // What a declared table rename takes along: live constraints, indexes
    // and owned sequences of the table that the source names differently
    // with the same definition (PostgreSQL's names follow the table's).
    void carried(const ObjectId& table) {
        for (Kind kind : {Kind::constraint, Kind::index}) {
            std::vector<const Object*> gone, come;
            for (const auto& [id, l] : live().objects)
                if (id.kind == kind && id.schema == table.schema && id.table == table.name && !desired_.find(id))
                    gone.push_back(&l);
            for (const auto& [id, d] : desired_.objects)
                if (id.kind == kind && id.schema == table.schema && id.table == table.name && !live().find(id))
                    come.push_back(&d);
            std::vector<std::pair<ObjectId, std::string>> pairs;
            for (const Object* l : gone) {
                const Object* match = nullptr;
                int matches = 0;
                for (const Object* d : come)
                    if (diff::without(l->attrs, {"comment"}) == diff::without(d->attrs, {"comment"})) {
                        match = d;
                        ++matches;
                    }
                if (matches == 1) pairs.push_back({l->id, match->id.name});
            }
            for (const auto& [old, name] : pairs) rename(old, name);
        }
        // Sequences owned by the table's columns (serial) and identity sequences.
        std::vector<std::pair<ObjectId, std::string>> sequences;
        for (const auto& [id, l] : live().objects) {
            if (id.kind != Kind::sequence || id.schema != table.schema || desired_.find(id)) continue;
            json owner = l.attrs.value("owned_by", json());
            if (text_of(owner, "table") != table.name) continue;
            for (const auto& [did, d] : desired_.objects)
                if (did.kind == Kind::sequence && did.schema == table.schema && !live().find(did) &&
                    d.attrs.value("owned_by", json()) == owner &&
                    diff::without(l.attrs, {"comment"}) == diff::without(d.attrs, {"comment"}))
                    sequences.push_back({id, did.name});
        }
        for (const auto& [old, name] : sequences) rename(old, name);
        const Object* l = live().find(table);
        const Object* d = desired_.find(table);
        if (!l || !d) return;
        for (const json& dc : d->attrs["columns"]) {
            int at = column_index(l->attrs, dc["name"]);
            if (at < 0 || !dc.contains("identity") || !l->attrs["columns"][at].contains("identity")) continue;
            std::string before = text_of(l->attrs["columns"][at]["identity"]["sequence"], "name");
            std::string after = text_of(dc["identity"]["sequence"], "name");
            if (before.empty() || before == after || after.empty()) continue;
            ObjectId seq{Kind::sequence, table.schema, before};
            step(ObjectId{Kind::sequence, table.schema, after},
                 "ALTER SEQUENCE " + qualified_name(table.schema, before) + " RENAME TO " + quote_ident(after) + ";",
                 "RENAME SEQUENCE " + display(seq) + " TO " + quote_ident(after));
            rename_child(seq, after);
            l = live().find(table);
        }
    }

    // The CHECK constraints of a renamed domain whose names follow the
    // domain's (pos_check -> positive_check) and whose expression stays.
    void domain_checks(const ObjectId& domain) {
        Object* l = live().find(domain);
        const Object* d = desired_.find(domain);
        if (!l || !d || !l->attrs.contains("checks") || !d->attrs.contains("checks")) return;
        const json& desired_checks = d->attrs["checks"];
        std::vector<std::pair<std::string, std::string>> pairs;
        for (const auto& [name, expression] : l->attrs["checks"].items()) {
            if (desired_checks.contains(name)) continue;
            std::vector<std::string> matches;
            for (const auto& [other, e] : desired_checks.items())
                if (!l->attrs["checks"].contains(other) && e == expression) matches.push_back(other);
            if (matches.size() == 1) pairs.push_back({name, matches[0]});
        }
        for (const auto& [old, name] : pairs) {
            step(domain, "ALTER DOMAIN " + qualified_name(domain.schema, domain.name) + " RENAME CONSTRAINT " +
                             quote_ident(old) + " TO " + quote_ident(name) + ";",
                 "RENAME CONSTRAINT " + quote_ident(old) + " ON DOMAIN " + display(domain) + " TO " + quote_ident(name));
            for (json* attrs : {&l->attrs, &l->ddl}) {
                if (!attrs->is_object()) continue;
                for (const char* key : {"checks", "check_comments"}) {
                    if (!attrs->contains(key) || !(*attrs)[key].contains(old)) continue;
                    (*attrs)[key][name] = (*attrs)[key][old];
                    (*attrs)[key].erase(old);
                }
            }
        }
    }

    const Model& desired_;
    Renaming out_;
    std::vector<ObjectId> renamed_tables_, renamed_domains_;
};

}  // namespace

Renaming declared_renames(const Model& live, const Model& desired) { return Renamer(live, desired).run(); }

bool declares_renames(const Model& desired) {
    return std::any_of(desired.objects.begin(), desired.objects.end(), [](const auto& entry) {
        return !entry.second.renamed_from.empty() || !entry.second.renamed_columns.empty();
    });
}

namespace {

std::string where_defined(const Object& o) {
    return o.location ? o.location->text() : std::string("the schema files");
}

// Pairs (live, desired) where each matches the other and nothing else.
template <typename T, typename Same>
std::vector<std::pair<T, T>> unique_pairs(const std::vector<T>& gone, const std::vector<T>& come, Same same) {
    std::vector<std::pair<T, T>> out;
    for (const T& l : gone) {
        std::vector<T> matches;
        for (const T& d : come)
            if (same(l, d)) matches.push_back(d);
        if (matches.size() != 1) continue;
        int back = 0;
        for (const T& other : gone)
            if (same(other, matches[0])) ++back;
        if (back == 1) out.push_back({l, matches[0]});
    }
    return out;
}

}  // namespace

std::vector<RenameCandidate> rename_candidates(const Model& live_before, const Model& desired) {
    std::optional<Renaming> renamed;
    if (declares_renames(desired)) renamed = declared_renames(live_before, desired);
    const Model& live = renamed ? renamed->live : live_before;
    std::vector<RenameCandidate> out;
    // Objects: the same kind, schema, relation and signature; the same
    // attributes apart from the comment. (Not schemas: their definition is
    // next to nothing, any two look alike.)
    std::vector<const Object*> gone, come;
    for (const auto& [id, l] : live.objects)
        if (renamable(id.kind) && id.kind != Kind::schema && !desired.find(id)) gone.push_back(&l);
    for (const auto& [id, d] : desired.objects)
        if (renamable(id.kind) && id.kind != Kind::schema && !live.find(id)) come.push_back(&d);
    auto same = [](const Object* l, const Object* d) {
        return l->id.kind == d->id.kind && l->id.schema == d->id.schema && l->id.table == d->id.table &&
               l->id.signature == d->id.signature &&
               diff::without(l->attrs, {"comment"}) == diff::without(d->attrs, {"comment"});
    };
    for (const auto& [l, d] : unique_pairs(gone, come, same)) {
        RenameCandidate c;
        c.from = l->id;
        c.to = d->id;
        std::string what = kind_words(d->id.kind);
        c.question = "rename " + what + " " + display(l->id) + " to " + quote_ident(d->id.name);
        c.note = what + " " + display(d->id) + " looks like " + display(l->id) +
                 " renamed; to rename it instead of dropping it, put \"-- @renamed from=" + quote_ident(l->id.name) +
                 "\" on the line before its definition at " + where_defined(*d);
        out.push_back(c);
    }
    // Columns of a table on both sides.
    for (const auto& [id, d] : desired.objects) {
        const Object* l = live.find(id);
        if (id.kind != Kind::table || !l) continue;
        auto names = [](const json& columns) {
            std::vector<std::string> out;
            for (const json& c : columns) out.push_back(c["name"]);
            return out;
        };
        if (names(l->attrs["columns"]) == names(d.attrs["columns"])) continue;  // no column gone or come
        std::vector<const json*> gone_columns, come_columns;
        for (const json& c : l->attrs["columns"])
            if (column_index(d.attrs, c["name"]) < 0) gone_columns.push_back(&c);
        for (const json& c : d.attrs["columns"])
            if (column_index(l->attrs, c["name"]) < 0) come_columns.push_back(&c);
        auto same_column = [](const json* a, const json* b) {
            return diff::without(*a, {"name", "comment"}) == diff::without(*b, {"name", "comment"});
        };
        for (const auto& [lc, dc] : unique_pairs(gone_columns, come_columns, same_column)) {
            RenameCandidate c;
            c.from = c.to = id;
            c.column_from = (*lc)["name"];
            c.column_to = (*dc)["name"];
            c.question = "rename column " + display_column(id, c.column_from) + " to " + quote_ident(c.column_to);
            std::string file = d.location ? d.location->file : std::string("the schema files");
            c.note = "column " + display_column(id, c.column_to) + " looks like " + display_column(id, c.column_from) +
                     " renamed; to rename it instead of dropping it, put \"-- @renamed from=" +
                     quote_ident(c.column_from) + "\" on the line before " + quote_ident(c.column_to) + " in " + file;
            out.push_back(c);
        }
    }
    return out;
}

void declare_rename(Model& desired, const RenameCandidate& c) {
    Object* d = desired.find(c.to);
    if (!d) return;
    if (c.column_to.empty()) d->renamed_from = c.from.name;
    else d->renamed_columns[c.column_to] = c.column_from;
}

}  // namespace pgflux
