// Fully parenthesized expression rendering (see parenthesized.h). Only the
// node kinds that can sit above a mis-deparsed subtree are rendered here;
// anything else falls back to its own deparse when that round-trips, and
// is an error otherwise.
#include "canon/parenthesized.h"

#include "sql/parser.h"
#include "sql/quote.h"
#include "util/error.h"

namespace pgflux {
namespace {

std::string render(const pq::Msg& n);

std::string wrap(const pq::Msg& n) { return "(" + render(n) + ")"; }

std::string joined(const std::vector<pq::Msg>& items, const std::string& separator = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + wrap(item);
    return out;
}

std::string operator_name(const std::vector<std::string>& names) {
    if (names.size() == 1) return names[0];
    return "OPERATOR(" + quote_ident(names[0]) + "." + names[1] + ")";
}

std::string qualified(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ".") + quote_ident(n);
    return out;
}

[[noreturn]] void cannot(const pq::Msg& n) {
    fail(k_exit_internal, "cannot render the expression node " + n.type() + " faithfully; please report this");
}

std::string render_a_expr(const pq::Msg& n) {
    std::string kind = n.enumeration("kind");
    auto names = n.strings("name");
    std::string op = names.empty() ? "" : names.back();
    pq::Msg l = n.get("lexpr"), r = n.get("rexpr");
    if (kind == "AEXPR_OP") {
        if (!l) return operator_name(names) + " " + wrap(r);
        return wrap(l) + " " + operator_name(names) + " " + wrap(r);
    }
    if (kind == "AEXPR_OP_ANY") return wrap(l) + " " + operator_name(names) + " ANY (" + render(r) + ")";
    if (kind == "AEXPR_OP_ALL") return wrap(l) + " " + operator_name(names) + " ALL (" + render(r) + ")";
    if (kind == "AEXPR_DISTINCT") return wrap(l) + " IS DISTINCT FROM " + wrap(r);
    if (kind == "AEXPR_NOT_DISTINCT") return wrap(l) + " IS NOT DISTINCT FROM " + wrap(r);
    if (kind == "AEXPR_NULLIF") return "NULLIF(" + render(l) + ", " + render(r) + ")";
    if (kind == "AEXPR_IN") return wrap(l) + (op == "<>" ? " NOT IN (" : " IN (") + joined(r.list("items")) + ")";
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
        if (n.list("rexpr").size() > 1) cannot(n);
        std::string word = kind == "AEXPR_LIKE" ? "LIKE" : "ILIKE";
        bool negated = op.front() == '!';
        return wrap(l) + (negated ? " NOT " : " ") + word + " " + wrap(r);
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN" || kind == "AEXPR_BETWEEN_SYM" ||
        kind == "AEXPR_NOT_BETWEEN_SYM") {
        auto bounds = r.list("items");
        std::string word = kind == "AEXPR_BETWEEN" ? " BETWEEN "
                           : kind == "AEXPR_NOT_BETWEEN" ? " NOT BETWEEN "
                           : kind == "AEXPR_BETWEEN_SYM" ? " BETWEEN SYMMETRIC "
                                                         : " NOT BETWEEN SYMMETRIC ";
        return wrap(l) + word + wrap(bounds.at(0)) + " AND " + wrap(bounds.at(1));
    }
    cannot(n);
}

std::string render_func_call(const pq::Msg& n) {
    auto names = n.strings("funcname");
    auto args = n.list("args");
    if (n.enumeration("funcformat") == "COERCE_SQL_SYNTAX") {
        if (names.back() == "timezone" && args.size() == 2) return wrap(args[1]) + " AT TIME ZONE " + wrap(args[0]);
        cannot(n);
    }
    if (n.get("over") || n.get("agg_filter") || !n.list("agg_order").empty() || n.flag("agg_star") ||
        n.flag("agg_distinct") || n.flag("func_variadic"))
        cannot(n);
    for (const auto& a : args)
        if (a.is("NamedArgExpr")) cannot(n);
    return qualified(names) + "(" + joined(args) + ")";
}

std::string render_indirection(const pq::Msg& n) {
    std::string out = wrap(n.get("arg"));
    for (const pq::Msg& part : n.list("indirection")) {
        if (part.is("A_Indices")) {
            if (part.flag("is_slice")) {
                pq::Msg lo = part.get("lidx"), hi = part.get("uidx");
                out += "[" + (lo ? render(lo) : "") + ":" + (hi ? render(hi) : "") + "]";
            } else {
                out += "[" + render(part.get("uidx")) + "]";
            }
        } else if (part.is("String")) {
            out += "." + quote_ident(part.str("sval"));
        } else if (part.is("A_Star")) {
            out += ".*";
        } else {
            cannot(n);
        }
    }
    return out;
}

std::string render_case(const pq::Msg& n) {
    std::string out = "CASE";
    if (pq::Msg arg = n.get("arg")) out += " " + wrap(arg);
    for (const pq::Msg& w : n.list("args")) out += " WHEN " + wrap(w.get("expr")) + " THEN " + wrap(w.get("result"));
    if (pq::Msg d = n.get("defresult")) out += " ELSE " + wrap(d);
    return out + " END";
}

std::string render_composite(const pq::Msg& n) {
    const std::string& type = n.type();
    if (type == "A_Expr") return render_a_expr(n);
    if (type == "FuncCall") return render_func_call(n);
    if (type == "TypeCast") return wrap(n.get("arg")) + "::" + pq::deparse_type_name(n.get("type_name"));
    if (type == "CollateClause") return wrap(n.get("arg")) + " COLLATE " + qualified(n.strings("collname"));
    if (type == "BoolExpr") {
        std::string op = n.enumeration("boolop");
        if (op == "NOT_EXPR") return "NOT " + wrap(n.list("args").at(0));
        return joined(n.list("args"), op == "AND_EXPR" ? " AND " : " OR ");
    }
    if (type == "NullTest")
        return wrap(n.get("arg")) + (n.enumeration("nulltesttype") == "IS_NULL" ? " IS NULL" : " IS NOT NULL");
    if (type == "BooleanTest") {
        static const std::pair<const char*, const char*> k_tests[] = {
            {"IS_TRUE", " IS TRUE"},   {"IS_NOT_TRUE", " IS NOT TRUE"}, {"IS_FALSE", " IS FALSE"},
            {"IS_NOT_FALSE", " IS NOT FALSE"}, {"IS_UNKNOWN", " IS UNKNOWN"}, {"IS_NOT_UNKNOWN", " IS NOT UNKNOWN"}};
        std::string test = n.enumeration("booltesttype");
        for (const auto& [name, text] : k_tests)
            if (test == name) return wrap(n.get("arg")) + text;
        cannot(n);
    }
    if (type == "A_Indirection") return render_indirection(n);
    if (type == "CaseExpr") return render_case(n);
    if (type == "CoalesceExpr") return "COALESCE(" + joined(n.list("args")) + ")";
    if (type == "MinMaxExpr")
        return std::string(n.enumeration("op") == "IS_GREATEST" ? "GREATEST(" : "LEAST(") + joined(n.list("args")) + ")";
    if (type == "A_ArrayExpr") return "ARRAY[" + joined(n.list("elements")) + "]";
    if (type == "RowExpr") {
        std::string out = "(" + joined(n.list("args")) + ")";
        return n.enumeration("row_format") == "COERCE_IMPLICIT_CAST" ? out : "ROW" + out;
    }
    cannot(n);
}

std::string render(const pq::Msg& n) {
    std::string text = pq::deparse_expression(n);
    if (round_trips(text, n)) return text;
    return render_composite(n);
}

}  // namespace

bool round_trips(const std::string& text, const pq::Msg& expr) {
    try {
        return pq::tree_fingerprint(pq::parse_expression(text).expr) == pq::tree_fingerprint(expr);
    } catch (const pq::SqlSyntaxError&) {
        return false;
    }
}

std::string parenthesized_expression(const pq::Msg& expr) {
    std::string text = render_composite(expr);
    if (!round_trips(text, expr))
        fail(k_exit_internal, "cannot render the expression \"" + pq::deparse_expression(expr) +
                                  "\" faithfully; please report this");
    return text;
}

}  // namespace pgflux
