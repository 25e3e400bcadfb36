#include "cache/model_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pgflux {
namespace {

namespace fs = std::filesystem;

class ModelCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("pgflux-cache-test-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "schema");
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        fs::path path = dir_ / "schema" / name;
        std::ofstream(path) << text;
        return path.string();
    }
    size_t entries() const {
        size_t n = 0;
        for (const auto& item : fs::directory_iterator(dir_ / "cache"))
            n += item.path().extension() == ".model";
        return n;
    }

    fs::path dir_;
};

TEST_F(ModelCacheTest, TheKeyCoversFileNamesBytesOrderAndTheShadow) {
    ModelCache cache((dir_ / "cache").string(), "test");
    std::string a = write("a.sql", "create table a (id int);");
    std::string b = write("b.sql", "create table b (id int);");
    std::string key = cache.key({a, b}, "server 150018");
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(cache.key({a, b}, "server 150018"), key);
    EXPECT_NE(cache.key({b, a}, "server 150018"), key);
    EXPECT_NE(cache.key({a}, "server 150018"), key);
    EXPECT_NE(cache.key({a, b}, "server 160002"), key);
    EXPECT_NE(cache.key({a, b}, "none"), key);
    write("b.sql", "create table b (id bigint);");
    EXPECT_NE(cache.key({a, b}, "server 150018"), key);
    // The same bytes under another name: another key.
    std::string c = write("c.sql", "create table a (id int);");
    EXPECT_NE(cache.key({c}, "x"), cache.key({a}, "x"));
}

TEST_F(ModelCacheTest, AnEntryRoundTripsWithItsWarnings) {
    ModelCache cache((dir_ / "cache").string(), "test");
    EXPECT_FALSE(cache.get("k1"));
    cache.put("k1", {{"first\nline", "second"}, "{\n  \"format\": \"pgflux.model\"\n}\n"});
    auto entry = cache.get("k1");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->document, "{\n  \"format\": \"pgflux.model\"\n}\n");
    EXPECT_EQ(entry->warnings, (std::vector<std::string>{"first\nline", "second"}));
}

TEST_F(ModelCacheTest, ADamagedEntryIsAMissAndIsRemoved) {
    ModelCache cache((dir_ / "cache").string(), "test");
    cache.put("k1", {{}, "{}\n"});
    fs::path path = dir_ / "cache" / "k1.model";
    {
        std::ofstream out(path, std::ios::app);
        out << "tampered";
    }
    EXPECT_FALSE(cache.get("k1"));
    EXPECT_FALSE(fs::exists(path));
    std::ofstream(path) << "no newline at all";
    EXPECT_FALSE(cache.get("k1"));
}

TEST_F(ModelCacheTest, OnlyTheMostRecentlyUsedEntriesAreKept) {
    ModelCache cache((dir_ / "cache").string(), "test");
    auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
    for (size_t i = 0; i < k_cache_entries; ++i) {
        cache.put("k" + std::to_string(i), {{}, "{}\n"});
        fs::last_write_time(dir_ / "cache" / ("k" + std::to_string(i) + ".model"),
                            old + std::chrono::seconds(i));
    }
    EXPECT_TRUE(cache.get("k0"));  // used: now the most recent
    cache.put("new", {{}, "{}\n"});
    EXPECT_EQ(entries(), k_cache_entries);
    EXPECT_TRUE(cache.get("k0"));
    EXPECT_TRUE(cache.get("new"));
    EXPECT_FALSE(cache.get("k1"));  // the least recently used went
}

TEST_F(ModelCacheTest, AnUnwritableDirectoryIsNoError) {
    std::ofstream(dir_ / "file") << "x";
    ModelCache cache((dir_ / "file" / "cache").string(), "test");
    EXPECT_NO_THROW(cache.put("k1", {{}, "{}\n"}));
    EXPECT_FALSE(cache.get("k1"));
}

}  // namespace
}  // namespace pgflux
