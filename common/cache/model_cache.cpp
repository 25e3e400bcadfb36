#include "cache/model_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "pgflux/version.h"
#include "util/cli.h"
#include "util/error.h"
#include "util/files.h"
#include "util/json.h"
#include "util/sha256.h"

namespace pgflux {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* k_cache_format = "pgflux-model-cache 1";
constexpr const char* k_entry_suffix = ".model";

// An entry, or nothing when it cannot be read (a miss).
std::optional<std::string> read_entry(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(out).str();
}

// Length-prefixed, so that no two different inputs give the same text.
void add_field(std::string& text, const std::string& field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
}

}  // namespace

std::string executable_identity() {
    static const std::string identity = [] {
        struct stat st;
        if (stat("/proc/self/exe", &st) != 0) fail(k_exit_internal, "cannot stat /proc/self/exe to key the model cache");
        return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
               std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    }();
    return identity;
}

ModelCache::ModelCache(std::string dir, std::string tool) : dir_(std::move(dir)), tool_(std::move(tool)) {}

std::string ModelCache::key(const std::vector<std::string>& files, const std::string& shadow) const {
    std::string text;
    add_field(text, k_cache_format);
    add_field(text, PGFLUX_VERSION);
    add_field(text, executable_identity());
    add_field(text, shadow);
    for (const auto& file : files) {
        // The schema files' own reader: an unreadable or malformed file is
        // the error the parse would give.
        add_field(text, file);
        add_field(text, sha256_hex(pgflux::read_file(file)));
    }
    return sha256_hex(text);
}

// An entry file: the sha256 of the rest, a newline, the warnings as a JSON
// array of strings on one line, a newline, the document.
std::optional<ModelCache::Entry> ModelCache::get(const std::string& key) const {
    fs::path path = fs::path(dir_) / (key + k_entry_suffix);
    auto file = read_entry(path);
    if (!file) return std::nullopt;
    std::optional<Entry> entry;
    size_t first = file->find('\n');
    size_t second = first == std::string::npos ? first : file->find('\n', first + 1);
    if (second != std::string::npos && file->compare(0, first, sha256_hex(std::string_view(*file).substr(first + 1))) == 0) {
        json warnings = json::parse(file->begin() + first + 1, file->begin() + second, nullptr, false);
        if (warnings.is_array() && std::all_of(warnings.begin(), warnings.end(), [](const json& w) { return w.is_string(); }))
            entry = Entry{warnings.get<std::vector<std::string>>(), file->substr(second + 1)};
    }
    if (!entry) {
        warn(tool_, "removed a damaged model cache entry " + path.string());
        std::error_code ec;
        fs::remove(path, ec);
        return std::nullopt;
    }
    // Most recently used: eviction goes by modification time.
    std::error_code ec;
    fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
    return entry;
}

void ModelCache::put(const std::string& key, const Entry& entry) const {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
        warn(tool_, "cannot create the model cache directory " + dir_ + " (" + ec.message() + "); not caching");
        return;
    }
    std::random_device random;
    fs::path final_path = fs::path(dir_) / (key + k_entry_suffix);
    fs::path temp_path = fs::path(dir_) / (key + ".tmp." + std::to_string(getpid()) + "." + std::to_string(random()));
    {
        std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
        std::string rest = json(entry.warnings).dump() + "\n" + entry.document;
        out << sha256_hex(rest) << '\n' << rest;
        out.close();
        if (!out) {
            fs::remove(temp_path, ec);
            warn(tool_, "cannot write the model cache entry " + final_path.string() + "; not caching");
            return;
        }
    }
    fs::rename(temp_path, final_path, ec);
    if (ec) {
        fs::remove(temp_path, ec);
        warn(tool_, "cannot write the model cache entry " + final_path.string() + "; not caching");
        return;
    }
    // Keep the most recently used entries; another run may be evicting too,
    // so a file already gone is no error. Temporary files of crashed runs
    // older than an hour go as well.
    std::vector<std::pair<fs::file_time_type, fs::path>> entries;
    auto now = fs::file_time_type::clock::now();
    for (const auto& item : fs::directory_iterator(dir_, ec)) {
        std::error_code item_ec;
        auto time = item.last_write_time(item_ec);
        if (item_ec) continue;
        std::string name = item.path().filename().string();
        if (name.find(".tmp.") != std::string::npos && now - time > std::chrono::hours(1))
            fs::remove(item.path(), item_ec);
        else if (item.path().extension() == k_entry_suffix)
            entries.emplace_back(time, item.path());
    }
    if (entries.size() <= k_cache_entries) return;
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = k_cache_entries; i < entries.size(); ++i) fs::remove(entries[i].second, ec);
}

}  // namespace pgflux
