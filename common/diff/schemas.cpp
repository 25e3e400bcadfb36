// Differs of schemas, extensions and collations.
#include "diff/ddl.h"
#include "diff/differ_internal.h"
#include "sql/quote.h"
#include "util/error.h"

#include <algorithm>

namespace pgflux::diff {
namespace {


void drop_plainly(Differ& d, const Object& l) {
    d.drop(l, ddl::drop(l.id), std::string("DROP ") + ddl::kind_keyword(l.id.kind) + " " + display(l.id));
}

void comment_only(Differ& d, const Object& l, const Object& desired) { d.comment(&l, desired); }

void create_schema(Differ& d, const Object& o) {
    d.create(o, ddl::create_schema(o), "CREATE SCHEMA " + display(o.id));
    d.comment(nullptr, o);
}

void create_extension(Differ& d, const Object& o) {
    d.create(o, ddl::create_extension(o), "CREATE EXTENSION " + display(o.id));
    d.comment(nullptr, o);
}

// What the live database says of an installed extension (catalog/read_extensions.cpp).
json installed_facts(Differ& d, const ObjectId& id) {
    const json& source = d.live().source;
    if (!source.contains("extensions") || !source["extensions"].is_object()) return json::object();
    return source["extensions"].value(id.name, json::object());
}

std::string extension_replace_reason(Differ& d, const Object& l, const Object& o) {
    if (l.attrs["schema"] != o.attrs["schema"] && installed_facts(d, o.id).value("relocatable", true) == false)
        return "it is not relocatable: PostgreSQL cannot move it to another schema";
    return "";
}

void alter_extension(Differ& d, const Object& l, const Object& o) {
    const ObjectId& id = o.id;
    if (version_pinned(o) && o.attrs["version"] != l.attrs["version"]) {
        json facts = installed_facts(d, id);
        if (!d.verify() && facts.contains("update_targets") &&
            std::find(facts["update_targets"].begin(), facts["update_targets"].end(), o.attrs["version"]) ==
                facts["update_targets"].end())
            usage_error("extension " + display(id) + ": there is no update path from the installed version " +
                        l.attrs["version"].get<std::string>() + " to version " + o.attrs["version"].get<std::string>() +
                        " (pg_extension_update_paths); pin a version it can be updated to, or drop the extension first");
    }
    if (l.attrs["schema"] != o.attrs["schema"]) {
        std::string schema = o.attrs["schema"];
        PlannedStep& p = d.alter(id, "ALTER EXTENSION " + quote_ident(id.name) + " SET SCHEMA " + quote_ident(schema) + ";",
                                 "ALTER EXTENSION " + display(id) + " SET SCHEMA " + schema);
        p.requires.push_back({ObjectId{Kind::schema, "", schema}, std::nullopt, false});
        p.releases.push_back(ObjectId{Kind::schema, "", l.attrs["schema"]});
    }
    if (version_pinned(o) && o.attrs["version"] != l.attrs["version"]) {
        std::string version = o.attrs["version"];
        d.alter(id, "ALTER EXTENSION " + quote_ident(id.name) + " UPDATE TO " + quote_literal(version) + ";",
                "ALTER EXTENSION " + display(id) + " UPDATE TO " + version);
    } else if (o.attrs.contains("version") && o.attrs["version"] != l.attrs["version"]) {
        // An unpinned version: any installed version satisfies the source.
        d.note("extension " + display(id) + " is at version " + l.attrs["version"].get<std::string>() +
               "; the source does not pin a version (" + o.attrs["version"].get<std::string>() +
               " would be installed today)");
    }
    d.comment(&l, o);
}

std::string collation_replace_reason(Differ& d, const Object& l, const Object& o) {
    return d.same(without(l.attrs, {"comment"}), without(o.attrs, {"comment"}), "", display(o.id))
               ? ""
               : "its definition changes";
}

void create_collation(Differ& d, const Object& o) {
    d.create(o, ddl::create_collation(o), "CREATE COLLATION " + display(o.id));
    d.comment(nullptr, o);
}

}  // namespace

const KindDiff k_schema_diff{changes_in_place, create_schema, comment_only, drop_plainly};
const KindDiff k_extension_diff{extension_replace_reason, create_extension, alter_extension, drop_plainly};
const KindDiff k_collation_diff{collation_replace_reason, create_collation, comment_only, drop_plainly};

}  // namespace pgflux::diff
