// pgflux.toml: reading and validating the project config file.
#include "config/config.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include <toml++/toml.h>

#include "diff/plan.h"
#include "util/error.h"
#include "util/files.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace pgflux {

const std::vector<std::string> k_config_keys = {
    "database",       "schema_dir",        "migrations_dir", "shadow_db",     "allow_hazards",
    "lock_timeout",   "statement_timeout", "owners",         "default_owner", "auto_not_valid",
    "concurrent_indexes"};

namespace {

// Keys people will look for that pg-flux cannot honour yet: an error saying
// so, rather than a suggestion of some other key.
const std::vector<std::pair<std::string, std::string>> k_unsupported_keys = {
    {"schemas", "pg-flux manages every schema of the database except _pgflux and the system schemas; a filter of "
                "managed schemas is not supported yet"},
    {"tracking_schema", "the tracking table is always _pgflux.migrations; another schema for it is not supported yet"},
};

std::string where(const std::string& path, const toml::source_region& region) {
    return path + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        default: return "a date or time";
    }
}

class Checker {
public:
    Checker(std::string path, std::string key, const toml::node& node)
        : path_(std::move(path)), key_(std::move(key)), node_(node) {}

    [[noreturn]] void fail(const std::string& message) const {
        usage_error(where(path_, node_.source()) + ": " + key_ + " " + message);
    }
    std::string string() const {
        auto v = node_.value<std::string>();
        if (!node_.is_string() || !v) fail("must be a string (got " + type_name(node_) + ")");
        if (v->empty()) fail("must not be empty");
        if (v->find('\n') != std::string::npos || v->find('\0') != std::string::npos)
            fail("must be one line");
        return *v;
    }
    std::string one_of(const std::vector<std::string>& allowed) const {
        std::string v = string();
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            fail("must be one of " + list + " (got \"" + one_line(v) + "\")");
        }
        return v;
    }
    std::string boolean() const {
        if (!node_.is_boolean()) fail("must be true or false (got " + type_name(node_) + ")");
        return *node_.value<bool>() ? "true" : "false";
    }
    // A PostgreSQL duration: digits and a unit (ms, s, min, h, d), or 0.
    std::string duration() const {
        std::string v = string();
        static const std::regex k_duration("0|[0-9]+(ms|s|min|h|d)");
        if (!std::regex_match(v, k_duration))
            fail("must be a duration such as \"5s\", \"500ms\", \"10min\" or \"0\" (off) (got \"" + one_line(v) +
                 "\")");
        return v;
    }
    std::string hazards() const {
        if (node_.is_string()) {
            std::string v = string();
            if (v != "all") fail("must be a list of hazard codes, or \"all\" (got \"" + one_line(v) + "\")");
            return v;
        }
        const toml::array* list = node_.as_array();
        if (!list) fail("must be a list of hazard codes, or \"all\" (got " + type_name(node_) + ")");
        std::string out;
        for (const toml::node& item : *list) {
            Checker c(path_, key_, item);
            std::string code = c.string();
            std::string upper = code;
            std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
            if (upper != "ALL" && std::find(k_hazard_codes.begin(), k_hazard_codes.end(), upper) == k_hazard_codes.end()) {
                std::string known;
                for (const auto& k : k_hazard_codes) known += (known.empty() ? "" : ", ") + k;
                c.fail("names an unknown hazard \"" + one_line(code) + "\" (known: " + known + ", all)");
            }
            out += (out.empty() ? "" : ",") + upper;
        }
        return out;
    }
    // A directory: relative ones are relative to the config file's directory.
    std::string directory() const {
        std::string v = string();
        fs::path base = fs::path(path_).parent_path();
        if (fs::path(v).is_absolute() || base.empty()) return v;
        return (base / v).lexically_normal().string();
    }

private:
    std::string path_, key_;
    const toml::node& node_;
};

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string closest_config_key(const std::string& key) {
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    std::replace(lower.begin(), lower.end(), '-', '_');
    std::string best;
    size_t best_distance = 0;
    for (const auto& k : k_config_keys) {
        size_t d = edit_distance(lower, k);
        if (best.empty() || d < best_distance) best = k, best_distance = d;
    }
    return best;
}

std::vector<ConfigSetting> read_config(const std::string& path) {
    std::string text = read_file(path);
    toml::table table;
    try {
        table = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        usage_error(where(path, e.source()) + ": not valid TOML: " + std::string(e.description()));
    }
    std::vector<ConfigSetting> out;
    for (const auto& [toml_key, node] : table) {
        std::string key(toml_key.str());
        Checker c(path, key, node);
        auto unsupported = std::find_if(k_unsupported_keys.begin(), k_unsupported_keys.end(),
                                        [&](const auto& u) { return u.first == key; });
        if (unsupported != k_unsupported_keys.end()) c.fail("is not supported: " + unsupported->second);
        if (std::find(k_config_keys.begin(), k_config_keys.end(), key) == k_config_keys.end())
            usage_error(where(path, toml_key.source()) + ": unknown key \"" + one_line(key) + "\" (did you mean " +
                        closest_config_key(key) + "?)");
        std::string value;
        if (key == "database") {
            // Never echoed: a URL may hold a password.
            if (!node.is_string() || node.value<std::string>()->empty())
                c.fail("must be a non-empty string: a libpq connection string or URL, or \"embedded\"");
            value = c.string();
        } else if (key == "schema_dir" || key == "migrations_dir") {
            value = c.directory();
        } else if (key == "shadow_db") {
            value = c.string();  // auto, none, local or a URL (flux-parse checks it)
        } else if (key == "allow_hazards") {
            value = c.hazards();
        } else if (key == "lock_timeout" || key == "statement_timeout") {
            value = c.duration();
        } else if (key == "owners") {
            value = c.one_of({"managed", "unmanaged"});
        } else if (key == "default_owner") {
            value = c.string();
        } else {  // auto_not_valid, concurrent_indexes
            value = c.boolean();
        }
        out.push_back({key, value});
    }
    std::sort(out.begin(), out.end(), [](const ConfigSetting& a, const ConfigSetting& b) {
        auto rank = [](const std::string& k) { return std::find(k_config_keys.begin(), k_config_keys.end(), k); };
        return rank(a.key) < rank(b.key);
    });
    return out;
}

}  // namespace pgflux
