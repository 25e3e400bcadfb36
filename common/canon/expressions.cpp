// Expression canonicalization through libpg_query deparse, and the loose
// comparison key used when no shadow database can settle implicit casts.
#include "canon/expressions.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <functional>

#include "canon/parenthesized.h"
#include "sql/parser.h"

namespace pgflux {
namespace {

void loose_key(const pq::Msg& node, std::string& out);
const pq::Msg strip_casts(pq::Msg node);

const pq::Msg strip_casts(pq::Msg node) {
    while (node.is("TypeCast")) node = node.get("arg");
    return node;
}

// Spellings PostgreSQL reads as the same value: numbers by value (1e3 and
// '1000'), booleans ('t' and true), bit strings (B'101' and '101').
std::string normalized_literal(const std::string& text) {
    static const std::set<std::string> k_true = {"t", "true", "y", "yes", "on"};
    static const std::set<std::string> k_false = {"f", "false", "n", "no", "off"};
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (k_true.count(lower)) return "true";
    if (k_false.count(lower)) return "false";
    try {
        size_t used = 0;
        long double value = std::stold(text, &used);
        if (used == text.size() && std::isfinite(static_cast<double>(value))) {
            std::ostringstream out;
            out << std::setprecision(30) << value;
            return out.str();
        }
    } catch (const std::exception&) {
    }
    return text;
}

std::string const_text(const pq::Msg& c) {
    if (c.flag("isnull")) return "NULL";
    if (pq::Msg bits = c.get("bsval")) {
        std::string b = pq::value_text(bits);
        return b.empty() ? b : b.substr(1);  // b101 -> 101 (x-strings stay as written)
    }
    for (const char* f : {"ival", "fval", "boolval", "sval"}) {
        pq::Msg v = c.get(f);
        if (v) return normalized_literal(pq::value_text(v));
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

std::string key_of(const pq::Msg& node) {
    std::string out;
    loose_key(node, out);
    return out;
}

std::string binary_key(const std::string& op, const pq::Msg& left, const pq::Msg& right) {
    return "op:" + op + "(" + key_of(left) + "," + key_of(right) + ")";
}

// The operands of an AND (or OR), flattened the way PostgreSQL flattens them;
// x BETWEEN a AND b counts as x >= a AND x <= b, NOT BETWEEN as x < a OR x > b.
void bool_items(const pq::Msg& raw, bool is_and, std::vector<std::string>& items) {
    pq::Msg node = strip_casts(raw);
    if (node.is("BoolExpr") && node.enumeration("boolop") == (is_and ? "AND_EXPR" : "OR_EXPR")) {
        for (const auto& arg : node.list("args")) bool_items(arg, is_and, items);
        return;
    }
    if (node.is("A_Expr") && node.get("rexpr").is("List")) {
        std::string kind = node.enumeration("kind");
        auto bounds = node.get("rexpr").list("items");
        if (bounds.size() == 2 && kind == (is_and ? "AEXPR_BETWEEN" : "AEXPR_NOT_BETWEEN")) {
            items.push_back(binary_key(is_and ? ">=" : "<", node.get("lexpr"), bounds[0]));
            items.push_back(binary_key(is_and ? "<=" : ">", node.get("lexpr"), bounds[1]));
            return;
        }
    }
    items.push_back(key_of(node));
}

std::string bool_key(const pq::Msg& node, bool is_and) {
    std::vector<std::string> items;
    bool_items(node, is_and, items);
    std::string out = is_and ? "AND(" : "OR(";
    for (const auto& item : items) out += item + ",";
    return out + ")";
}

// LIKE is stored as ~~ (ILIKE ~~*, NOT LIKE !~~, NOT ILIKE !~~*).
bool operator_form_key(const pq::Msg& expr, std::string& out) {
    std::string kind = expr.enumeration("kind");
    if (kind == "AEXPR_BETWEEN") {
        out += bool_key(expr, true);
        return true;
    }
    if (kind == "AEXPR_NOT_BETWEEN") {
        out += bool_key(expr, false);
        return true;
    }
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE" || kind == "AEXPR_OP") {
        if (!expr.get("lexpr")) return false;
        std::string op = expr.strings("name").back();
        out += binary_key(op, expr.get("lexpr"), expr.get("rexpr"));
        return true;
    }
    return false;
}

void loose_key(const pq::Msg& raw, std::string& out) {
    pq::Msg node = strip_casts(raw);
    if (!node) return;
    const std::string& type = node.type();
    if (type == "A_Const") {
        out += "'" + const_text(node) + "'";
        return;
    }
    if (type == "A_Expr" && (quantified_key(node, out) || operator_form_key(node, out))) return;
    // Queries (views, rules): PostgreSQL prints columns qualified by their
    // relation and relations by their schema.
    if (type == "ColumnRef") {
        auto fields = node.list("fields");
        out += "col:" + (fields.empty() || !fields.back().is("String") ? std::string("*") : fields.back().str("sval"));
        return;
    }
    if (type == "RangeVar") {
        out += "rel:" + node.str("relname");
        if (pq::Msg alias = node.get("alias")) out += " " + alias.str("aliasname");
        return;
    }
    if (type == "BoolExpr" && node.enumeration("boolop") != "NOT_EXPR") {
        out += bool_key(node, node.enumeration("boolop") == "AND_EXPR");
        return;
    }
    if (type == "FuncCall") {
        std::string name = node.strings("funcname").back();
        out += "fn:" + name + "(";
        for (const auto& arg : node.list("args")) {
            pq::Msg a = strip_casts(arg);
            // nextval('public.s'::regclass) and nextval('s') name the same sequence.
            if ((name == "nextval" || name == "currval" || name == "setval") && a.is("A_Const") && a.get("sval")) {
                std::string seq = pq::value_text(a.get("sval"));
                out += "'" + seq.substr(seq.rfind('.') == std::string::npos ? 0 : seq.rfind('.') + 1) + "',";
                continue;
            }
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

std::string canonical_expression(const pq::Msg& expr) {
    // Remembered by the tree without its positions: a schema repeats its
    // defaults and checks (now(), 0, '{}'::jsonb) thousands of times, and a
    // deparse and a parse back cost ~40 us each time.
    static std::mutex mutex;
    static std::unordered_map<std::string, std::string> known;
    std::string key = pq::tree_fingerprint(expr);
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = known.find(key); it != known.end()) return it->second;
    }
    // libpg_query's deparse drops parentheses some constructs need; what does
    // not parse back to the same tree is rendered fully parenthesized.
    std::string text = pq::deparse_expression(expr);
    if (!round_trips(text, expr)) text = parenthesized_expression(expr);
    std::lock_guard<std::mutex> lock(mutex);
    known.emplace(std::move(key), text);
    return text;
}

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

std::string loose_statement_key(const std::string& canonical) {
    auto parsed = pq::ParseResult::parse(canonical);
    std::string out;
    for (const auto& st : parsed->statements()) loose_key(st.node, out);
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
