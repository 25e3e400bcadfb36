// Name references in parse trees.
#include "sql/references.h"

#include <algorithm>
#include <set>

namespace pgflux::pq {

std::vector<NameReference> name_references(const Msg& root) {
    std::set<std::string> ctes;
    visit_tree(root, [&](const Msg& node) {
        if (node.is("CommonTableExpr")) ctes.insert(node.str("ctename"));
    });
    std::vector<NameReference> out;
    auto add = [&](NameReference::Kind kind, std::vector<std::string> names) {
        if (names.empty()) return;
        for (const auto& r : out)
            if (r.kind == kind && r.names == names) return;
        out.push_back({kind, std::move(names)});
    };
    visit_tree(root, [&](const Msg& node) {
        const std::string& type = node.type();
        if (type == "RangeVar") {
            std::string schema = node.str("schemaname"), name = node.str("relname");
            if (schema.empty() && ctes.count(name)) return;
            add(NameReference::Kind::relation, schema.empty() ? std::vector<std::string>{name}
                                                               : std::vector<std::string>{schema, name});
        } else if (type == "FuncCall") {
            add(NameReference::Kind::routine, node.strings("funcname"));
        } else if (type == "A_Expr") {
            std::string kind = node.enumeration("kind");
            if (kind == "AEXPR_OP" || kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL")
                add(NameReference::Kind::operator_, node.strings("name"));
        } else if (type == "TypeName") {
            add(NameReference::Kind::type, node.strings("names"));
        }
    });
    return out;
}

}  // namespace pgflux::pq
