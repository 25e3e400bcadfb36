// Expression canonicalization through libpg_query deparse, and the loose
// comparison key used when no shadow database can settle implicit casts.
#include "canon/expressions.h"

#include <algorithm>

#include "sql/parser.h"

namespace pgflux {
namespace {

void loose_key(const pq::Msg& node, std::string& out);

const pq::Msg strip_casts(pq::Msg node) {
    while (node.is("TypeCast")) node = node.get("arg");
    return node;
}

std::string const_text(const pq::Msg& c) {
    if (c.flag("isnull")) return "NULL";
    for (const char* f : {"ival", "fval", "boolval", "sval", "bsval"}) {
        pq::Msg v = c.get(f);
        if (v) return pq::value_text(v);
    }
    // Integer 0 and false encode as empty messages.
    return "0";
}

// x IN (a, b) and x = ANY (ARRAY[a, b]) get the same key.
bool quantified_key(const pq::Msg& expr, std::string& out) {
    std::string kind = expr.enumeration("kind");
    std::vector<pq::Msg> items;
    pq::Msg right = strip_casts(expr.get("rexpr"));
    if (kind == "AEXPR_IN" && right.is("List")) {
        items = right.list("items");
    } else if ((kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") && right.is("A_ArrayExpr")) {
        items = right.list("elements");
    } else {
        return false;
    }
    std::string op = expr.strings("name").back();
    bool all = kind == "AEXPR_OP_ALL" || (kind == "AEXPR_IN" && op == "<>");
    out += all ? "ALL(" : "ANY(";
    out += op + ",";
    loose_key(expr.get("lexpr"), out);
    out += ",[";
    for (const auto& item : items) {
        loose_key(item, out);
        out += ",";
    }
    out += "])";
    return true;
}

void loose_key(const pq::Msg& raw, std::string& out) {
    pq::Msg node = strip_casts(raw);
    if (!node) return;
    const std::string& type = node.type();
    if (type == "A_Const") {
        out += "'" + const_text(node) + "'";
        return;
    }
    if (type == "A_Expr" && quantified_key(node, out)) return;
    if (type == "FuncCall") {
        out += "fn:" + node.strings("funcname").back() + "(";
        for (const auto& arg : node.list("args")) {
            loose_key(arg, out);
            out += ",";
        }
        out += ")";
        return;
    }
    out += type + "{";
    for (const auto& f : node.fields()) {
        if (f.field->name == "location") continue;
        out += f.field->name + ":";
        if (f.message) loose_key(f.message, out);
        else out += f.scalar;
        out += " ";
    }
    out += "}";
}

}  // namespace

std::string canonical_expression(const pq::Msg& expr) { return pq::deparse_expression(expr); }

std::string canonical_expression_text(const std::string& text) {
    auto parsed = pq::parse_expression(text);
    return canonical_expression(parsed.expr);
}

std::string loose_expression_key(const std::string& canonical) {
    auto parsed = pq::parse_expression(canonical);
    std::string out;
    loose_key(parsed.expr, out);
    return out;
}

std::vector<std::string> referenced_columns(const pq::Msg& expr) {
    std::vector<std::string> out;
    pq::visit_tree(expr, [&](const pq::Msg& node) {
        if (!node.is("ColumnRef")) return;
        auto fields = node.list("fields");
        if (fields.size() != 1 || !fields[0].is("String")) return;
        std::string name = fields[0].str("sval");
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    });
    return out;
}

std::string default_clause_expression(const std::string& canonical) {
    // Try the bare form in the DEFAULT grammar; it must give the same tree.
    std::string probe = "CREATE TABLE t (c int DEFAULT " + canonical + ")";
    try {
        auto parsed = pq::ParseResult::parse(probe);
        const auto& stmts = parsed->statements();
        if (stmts.size() == 1) {
            auto cols = stmts[0].node.list("table_elts");
            if (cols.size() == 1) {
                auto cons = cols[0].list("constraints");
                if (cons.size() == 1 && cons[0].enumeration("contype") == "CONSTR_DEFAULT") {
                    auto expected = pq::parse_expression(canonical);
                    if (pq::tree_fingerprint(cons[0].get("raw_expr")) ==
                        pq::tree_fingerprint(expected.expr))
                        return canonical;
                }
            }
        }
    } catch (const pq::SqlSyntaxError&) {
    }
    return "(" + canonical + ")";
}

}  // namespace pgflux
