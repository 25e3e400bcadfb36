#include "cache/result_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "model/model_json.h"
#include "pgflux/version.h"
#include "source/source_reader.h"
#include "util/cli.h"
#include "util/document.h"
#include "util/error.h"
#include "util/files.h"
#include "util/json.h"
#include "util/sha256.h"

namespace pgflux {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* k_cache_format = "pgflux-result-cache 2";

// A file's bytes, or nothing when it cannot be read (a miss). Entries are
// tens of megabytes for large schemas: read in one piece, without copies.
std::optional<std::string> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return std::nullopt;
    std::string bytes(static_cast<size_t>(in.tellg()), '\0');
    in.seekg(0);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
    return bytes;
}

// Writes `pieces` to a new temporary file beside `final_path`; its path, or
// nothing when it cannot be written.
std::optional<fs::path> write_temporary(const fs::path& final_path, std::initializer_list<std::string_view> pieces) {
    std::random_device random;
    fs::path temp_path = final_path;
    temp_path += ".tmp." + std::to_string(getpid()) + "." + std::to_string(random());
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    for (std::string_view piece : pieces) out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    out.close();
    std::error_code ec;
    if (!out) {
        fs::remove(temp_path, ec);
        return std::nullopt;
    }
    return temp_path;
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

ResultCache::Entry model_entry(const Model& model, const std::string& tool) {
    ResultCache::Entry entry;
    StringOutput document(entry.output);
    write_model_document(model, tool, document);
    entry.messages = warning_lines();
    return entry;
}

std::vector<std::string> model_cache_inputs(const std::vector<std::string>& files, const std::string& shadow) {
    return {"shadow", shadow, "source", source_files_hash(files)};
}

ResultCache::ResultCache(std::string dir, std::string kind, std::string tool)
    : dir_(std::move(dir)), kind_(std::move(kind)), tool_(std::move(tool)) {}

std::string ResultCache::key(const std::vector<std::string>& inputs) const {
    std::string text;
    add_field(text, k_cache_format);
    add_field(text, kind_);
    add_field(text, PGFLUX_VERSION);
    add_field(text, executable_identity());
    for (const auto& input : inputs) add_field(text, input);
    return sha256_hex(text);
}

// An entry file: the sha256 of the rest, a newline, {"status": N,
// "messages": "..."} on one line, a newline, the output.
std::optional<ResultCache::Entry> ResultCache::get(const std::string& key) const {
    fs::path path = fs::path(dir_) / (key + "." + kind_);
    auto file = read_bytes(path);
    if (!file) return std::nullopt;
    std::optional<Entry> entry;
    size_t first = file->find('\n');
    size_t second = first == std::string::npos ? first : file->find('\n', first + 1);
    if (second != std::string::npos && file->compare(0, first, sha256_hex(std::string_view(*file).substr(first + 1))) == 0) {
        json head = json::parse(file->begin() + first + 1, file->begin() + second, nullptr, false);
        if (head.is_object() && head.size() == 2 && head.contains("status") && head["status"].is_number_integer() &&
            head.contains("messages") && head["messages"].is_string())
            entry = Entry{std::move(file->erase(0, second + 1)), head["messages"].get<std::string>(),
                          head["status"].get<int>()};
    }
    if (!entry) {
        warn(tool_, "removed a damaged cache entry " + path.string());
        std::error_code ec;
        fs::remove(path, ec);
        return std::nullopt;
    }
    // Most recently used: eviction goes by modification time.
    std::error_code ec;
    fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
    return entry;
}

void ResultCache::put(const std::string& key, const Entry& entry) const {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
        warn(tool_, "cannot create the cache directory " + dir_ + " (" + ec.message() + "); not caching");
        return;
    }
    fs::path final_path = fs::path(dir_) / (key + "." + kind_);
    // Written in pieces: an output is tens of megabytes for a large schema.
    std::string head = json({{"status", entry.status}, {"messages", entry.messages}}).dump() + "\n";
    Sha256 checksum;
    checksum.update(head);
    checksum.update(entry.output);
    auto temp_path = write_temporary(final_path, {checksum.hex() + "\n", head, entry.output});
    if (temp_path) fs::rename(*temp_path, final_path, ec);
    if (!temp_path || ec) {
        if (temp_path) fs::remove(*temp_path, ec);
        warn(tool_, "cannot write the cache entry " + final_path.string() + "; not caching");
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
        else if (item.path().extension() == "." + kind_)
            entries.emplace_back(time, item.path());
    }
    if (entries.size() <= k_cache_entries) return;
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = k_cache_entries; i < entries.size(); ++i) fs::remove(entries[i].second, ec);
}

std::optional<long long> ResultCache::secret() const {
    fs::path path = fs::path(dir_) / "secret";
    // A number that parses whole, or nothing.
    auto parse = [](const std::optional<std::string>& text) -> std::optional<long long> {
        if (!text || text->empty() || text->size() > 20) return std::nullopt;
        size_t used = 0;
        try {
            long long value = std::stoll(*text, &used);
            if (used == text->size()) return value;
        } catch (const std::exception&) {
        }
        return std::nullopt;
    };
    if (auto value = parse(read_bytes(path))) return value;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return std::nullopt;
    std::random_device random;
    long long value = static_cast<long long>((static_cast<unsigned long long>(random()) << 32) ^ random());
    auto temp_path = write_temporary(path, {std::to_string(value)});
    if (!temp_path) return std::nullopt;
    // A link does not replace: when two runs make the secret at once, both
    // use the one that was linked first.
    fs::create_hard_link(*temp_path, path, ec);
    fs::remove(*temp_path, ec);
    if (auto kept = parse(read_bytes(path))) return kept;
    warn(tool_, "the cache secret " + path.string() + " is unreadable or damaged; not caching");
    return std::nullopt;
}

}  // namespace pgflux
