// Implicit object naming, following PostgreSQL 15's makeObjectName,
// ChooseRelationName, ChooseIndexNameAddition, ChooseIndexColumnNames and
// FigureColnameInternal.
#include "canon/names.h"

#include <algorithm>

namespace pgflux {

size_t clip_length(const std::string& s, size_t bytes) {
    size_t n = std::min(bytes, s.size());
    while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return n;
}

namespace {

// Strength follows PostgreSQL: 2 = a real name, 1 = a type-derived name, 0 = none.
int figure_name(const pq::Msg& node, std::string& name) {
    const std::string& type = node.type();
    if (type == "ColumnRef") {
        for (const pq::Msg& f : node.list("fields"))
            if (f.is("String")) name = f.str("sval");
        return name.empty() ? 0 : 2;
    }
    if (type == "A_Indirection") {
        std::string last;
        for (const pq::Msg& i : node.list("indirection"))
            if (i.is("String")) last = i.str("sval");
        if (!last.empty()) {
            name = last;
            return 2;
        }
        return figure_name(node.get("arg"), name);
    }
    if (type == "FuncCall") {
        auto names = node.strings("funcname");
        name = names.back();
        return 2;
    }
    if (type == "A_Expr") {
        if (node.enumeration("kind") == "AEXPR_NULLIF") {
            name = "nullif";
            return 2;
        }
        return 0;
    }
    if (type == "TypeCast") {
        int strength = figure_name(node.get("arg"), name);
        if (strength <= 1) {
            auto names = node.get("type_name").strings("names");
            if (!names.empty()) name = names.back();
            return 1;
        }
        return strength;
    }
    if (type == "CollateClause") return figure_name(node.get("arg"), name);
    if (type == "GroupingFunc") {
        name = "grouping";
        return 2;
    }
    if (type == "SubLink") {
        std::string kind = node.enumeration("sub_link_type");
        if (kind == "EXISTS_SUBLINK") name = "exists";
        else if (kind == "ARRAY_SUBLINK") name = "array";
        else return 0;
        return 2;
    }
    if (type == "CaseExpr") {
        int strength = figure_name(node.get("defresult"), name);
        if (strength <= 1) {
            name = "case";
            return 1;
        }
        return strength;
    }
    if (type == "A_ArrayExpr") {
        name = "array";
        return 2;
    }
    if (type == "RowExpr") {
        name = "row";
        return 2;
    }
    if (type == "CoalesceExpr") {
        name = "coalesce";
        return 2;
    }
    if (type == "MinMaxExpr") {
        name = node.enumeration("op") == "IS_GREATEST" ? "greatest" : "least";
        return 2;
    }
    if (type == "SQLValueFunction") {
        static const std::pair<const char*, const char*> k_names[] = {
            {"SVFOP_CURRENT_DATE", "current_date"},
            {"SVFOP_CURRENT_TIME", "current_time"},
            {"SVFOP_CURRENT_TIME_N", "current_time"},
            {"SVFOP_CURRENT_TIMESTAMP", "current_timestamp"},
            {"SVFOP_CURRENT_TIMESTAMP_N", "current_timestamp"},
            {"SVFOP_LOCALTIME", "localtime"},
            {"SVFOP_LOCALTIME_N", "localtime"},
            {"SVFOP_LOCALTIMESTAMP", "localtimestamp"},
            {"SVFOP_LOCALTIMESTAMP_N", "localtimestamp"},
            {"SVFOP_CURRENT_ROLE", "current_role"},
            {"SVFOP_CURRENT_USER", "current_user"},
            {"SVFOP_USER", "user"},
            {"SVFOP_SESSION_USER", "session_user"},
            {"SVFOP_CURRENT_CATALOG", "current_catalog"},
            {"SVFOP_CURRENT_SCHEMA", "current_schema"},
        };
        std::string op = node.enumeration("op");
        for (const auto& [from, to] : k_names)
            if (op == from) name = to;
        return 2;
    }
    if (type == "XmlExpr") {
        static const std::pair<const char*, const char*> k_names[] = {
            {"IS_XMLCONCAT", "xmlconcat"}, {"IS_XMLELEMENT", "xmlelement"},
            {"IS_XMLFOREST", "xmlforest"}, {"IS_XMLPARSE", "xmlparse"},
            {"IS_XMLPI", "xmlpi"},         {"IS_XMLROOT", "xmlroot"},
            {"IS_XMLSERIALIZE", "xmlserialize"}, {"IS_DOCUMENT", ""},
        };
        std::string op = node.enumeration("op");
        for (const auto& [from, to] : k_names)
            if (op == from) name = to;
        return name.empty() ? 0 : 2;
    }
    if (type == "XmlSerialize") {
        name = "xmlserialize";
        return 2;
    }
    return 0;
}

}  // namespace

std::string truncate_identifier(const std::string& name) {
    return name.substr(0, clip_length(name, k_max_identifier_bytes));
}

std::string make_object_name(const std::string& name1, const std::string& name2,
                             const std::string& label) {
    size_t overhead = 0;
    if (!name2.empty()) overhead++;
    if (!label.empty()) overhead += label.size() + 1;
    size_t available = k_max_identifier_bytes - overhead;
    size_t chars1 = name1.size(), chars2 = name2.size();
    while (chars1 + chars2 > available) {
        if (chars1 > chars2) --chars1;
        else --chars2;
    }
    std::string out = name1.substr(0, clip_length(name1, chars1));
    if (!name2.empty()) out += "_" + name2.substr(0, clip_length(name2, chars2));
    if (!label.empty()) out += "_" + label;
    return out;
}

std::string choose_object_name(const std::string& name1, const std::string& name2,
                               const std::string& label,
                               const std::function<bool(const std::string&)>& taken) {
    std::string modified = label;
    for (int pass = 1;; ++pass) {
        std::string candidate = make_object_name(name1, name2, modified);
        if (!taken(candidate)) return candidate;
        modified = label + std::to_string(pass);
    }
}

std::string name_addition(const std::vector<std::string>& column_names) {
    std::string out;
    for (const auto& name : column_names) {
        if (!out.empty()) out += '_';
        out += name.substr(0, k_max_identifier_bytes);
        if (out.size() >= k_max_identifier_bytes + 1) break;
    }
    return out;
}

std::vector<std::string> index_column_names(const std::vector<std::string>& raw_names) {
    std::vector<std::string> out;
    for (const auto& raw : raw_names) {
        std::string origname = raw.empty() ? "expr" : raw;
        std::string current = origname;
        for (int i = 1; std::find(out.begin(), out.end(), current) != out.end(); ++i) {
            std::string suffix = std::to_string(i);
            current = origname.substr(0, clip_length(origname, k_max_identifier_bytes - suffix.size())) +
                      suffix;
        }
        out.push_back(current);
    }
    return out;
}

std::string figure_expression_name(const pq::Msg& expr) {
    std::string name;
    figure_name(expr, name);
    return name;
}

}  // namespace pgflux
