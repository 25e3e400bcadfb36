#include "cache/result_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pgflux {
namespace {

namespace fs = std::filesystem;

class ResultCacheTest : public ::testing::Test {
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
    size_t entries(const std::string& kind = "model") const {
        size_t n = 0;
        for (const auto& item : fs::directory_iterator(dir_ / "cache"))
            n += item.path().extension() == "." + kind;
        return n;
    }

    fs::path dir_;
};

TEST_F(ResultCacheTest, TheKeyCoversFileNamesBytesOrderAndTheShadow) {
    ResultCache cache((dir_ / "cache").string(), "model", "test");
    std::string a = write("a.sql", "create table a (id int);");
    std::string b = write("b.sql", "create table b (id int);");
    auto key_of = [&](const std::vector<std::string>& files, const std::string& shadow) {
        return cache.key(model_cache_inputs(files, shadow));
    };
    std::string key = key_of({a, b}, "server 150018");
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(key_of({a, b}, "server 150018"), key);
    EXPECT_NE(key_of({b, a}, "server 150018"), key);
    EXPECT_NE(key_of({a}, "server 150018"), key);
    EXPECT_NE(key_of({a, b}, "server 160002"), key);
    EXPECT_NE(key_of({a, b}, "none"), key);
    // Another kind of entry: another key.
    EXPECT_NE(ResultCache((dir_ / "cache").string(), "diff", "test").key(model_cache_inputs({a, b}, "server 150018")),
              key);
    write("b.sql", "create table b (id bigint);");
    EXPECT_NE(key_of({a, b}, "server 150018"), key);
    // The same bytes under another name: another key.
    std::string c = write("c.sql", "create table a (id int);");
    EXPECT_NE(key_of({c}, "x"), key_of({a}, "x"));
    // Inputs are length-prefixed: moving a boundary changes the key.
    EXPECT_NE(cache.key({"ab", "c"}), cache.key({"a", "bc"}));
}

TEST_F(ResultCacheTest, AnEntryRoundTripsWithItsMessagesAndStatus) {
    ResultCache cache((dir_ / "cache").string(), "model", "test");
    EXPECT_FALSE(cache.get("k1"));
    cache.put("k1", {"{\n  \"format\": \"pgflux.model\"\n}\n", "tool: warning: first\ntool: warning: second\n", 1});
    auto entry = cache.get("k1");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->output, "{\n  \"format\": \"pgflux.model\"\n}\n");
    EXPECT_EQ(entry->messages, "tool: warning: first\ntool: warning: second\n");
    EXPECT_EQ(entry->status, 1);
    // Kinds are apart.
    EXPECT_FALSE(ResultCache((dir_ / "cache").string(), "diff", "test").get("k1"));
}

TEST_F(ResultCacheTest, TheSecretIsMadeOnceAndKept) {
    ResultCache cache((dir_ / "cache").string(), "snapshot", "test");
    auto secret = cache.secret();
    ASSERT_TRUE(secret);
    EXPECT_EQ(cache.secret(), secret);
    EXPECT_EQ(ResultCache((dir_ / "cache").string(), "diff", "test").secret(), secret);
    EXPECT_NE(ResultCache((dir_ / "other").string(), "snapshot", "test").secret(), secret);
    std::ofstream(dir_ / "file") << "x";
    EXPECT_FALSE(ResultCache((dir_ / "file" / "cache").string(), "snapshot", "test").secret());
}

TEST_F(ResultCacheTest, ADamagedEntryIsAMissAndIsRemoved) {
    ResultCache cache((dir_ / "cache").string(), "model", "test");
    cache.put("k1", {"{}\n", "", 0});
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

TEST_F(ResultCacheTest, OnlyTheMostRecentlyUsedEntriesAreKept) {
    ResultCache cache((dir_ / "cache").string(), "model", "test");
    auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
    for (size_t i = 0; i < k_cache_entries; ++i) {
        cache.put("k" + std::to_string(i), {"{}\n", "", 0});
        fs::last_write_time(dir_ / "cache" / ("k" + std::to_string(i) + ".model"),
                            old + std::chrono::seconds(i));
    }
    EXPECT_TRUE(cache.get("k0"));  // used: now the most recent
    cache.put("new", {"{}\n", "", 0});
    EXPECT_EQ(entries(), k_cache_entries);
    EXPECT_TRUE(cache.get("k0"));
    EXPECT_TRUE(cache.get("new"));
    EXPECT_FALSE(cache.get("k1"));  // the least recently used went
}

TEST_F(ResultCacheTest, AnUnwritableDirectoryIsNoError) {
    std::ofstream(dir_ / "file") << "x";
    ResultCache cache((dir_ / "file" / "cache").string(), "model", "test");
    EXPECT_NO_THROW(cache.put("k1", {"{}\n", "", 0}));
    EXPECT_FALSE(cache.get("k1"));
}

}  // namespace
}  // namespace pgflux
