// pgflux.toml: settings, types, unknown keys with suggestions, lines in errors.
#include "config/config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace pgflux {
namespace {

namespace fs = std::filesystem;

class ConfigFile {
public:
    ConfigFile() : dir_(fs::temp_directory_path() / ("pgflux_config_test_" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~ConfigFile() { fs::remove_all(dir_); }
    std::string write(const std::string& text) const {
        std::string p = (dir_ / "pgflux.toml").string();
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
    std::string dir() const { return dir_.string(); }

private:
    fs::path dir_;
};

std::string error_of(const std::string& path) {
    try {
        read_config(path);
    } catch (const Error& e) {
        EXPECT_EQ(e.code, k_exit_usage);
        return e.what();
    }
    return "(no error)";
}

TEST(EditDistance, Levenshtein) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("migration_dir", "migrations_dir"), 1u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(closest_config_key("migration_dir"), "migrations_dir");
    EXPECT_EQ(closest_config_key("schema-dir"), "schema_dir");
    EXPECT_EQ(closest_config_key("lock_timout"), "lock_timeout");
    EXPECT_EQ(closest_config_key("database_url"), "database");
}

TEST(ReadConfig, EverySettingInOrder) {
    ConfigFile f;
    std::string path = f.write(
        "# a project\n"
        "statement_timeout = \"10min\"\n"
        "database = \"postgresql://app:secret@db/app\"\n"
        "schema_dir = \"db/schema\"\n"
        "migrations_dir = \"/abs/migrations\"\n"
        "shadow_db = \"local\"\n"
        "allow_hazards = [\"data_loss\", \"CONSTRAINT_SCAN\"]\n"
        "lock_timeout = \"5s\"\n"
        "owners = \"unmanaged\"\n"
        "default_owner = \"app_owner\"\n"
        "auto_not_valid = false\n"
        "concurrent_indexes = true\n");
    auto settings = read_config(path);
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& s : settings) got.push_back({s.key, s.value});
    std::vector<std::pair<std::string, std::string>> want = {
        {"database", "postgresql://app:secret@db/app"},
        {"schema_dir", (fs::path(f.dir()) / "db/schema").string()},
        {"migrations_dir", "/abs/migrations"},
        {"shadow_db", "local"},
        {"allow_hazards", "DATA_LOSS,CONSTRAINT_SCAN"},
        {"lock_timeout", "5s"},
        {"statement_timeout", "10min"},
        {"owners", "unmanaged"},
        {"default_owner", "app_owner"},
        {"auto_not_valid", "false"},
        {"concurrent_indexes", "true"}};
    EXPECT_EQ(got, want);
}

TEST(ReadConfig, EmptyFileAndAllHazards) {
    ConfigFile f;
    EXPECT_TRUE(read_config(f.write("")).empty());
    auto s = read_config(f.write("allow_hazards = \"all\"\n"));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].value, "all");
}

TEST(ReadConfig, UnknownKeySuggestsTheClosest) {
    ConfigFile f;
    std::string path = f.write("schema_dir = \"schema\"\n\nmigration_dir = \"m\"\n");
    EXPECT_EQ(error_of(path), path + ":3:1: unknown key \"migration_dir\" (did you mean migrations_dir?)");
}

TEST(ReadConfig, WrongTypesNameLineAndColumn) {
    ConfigFile f;
    std::string path = f.write("lock_timeout = 5\n");
    EXPECT_EQ(error_of(path), path + ":1:16: lock_timeout must be a string (got an integer)");
    path = f.write("\nauto_not_valid = \"no\"\n");
    EXPECT_EQ(error_of(path), path + ":2:18: auto_not_valid must be true or false (got a string)");
    path = f.write("allow_hazards = [\"DATA_LOSS\", \"OOPS\"]\n");
    EXPECT_NE(error_of(path).find(":1:31: allow_hazards names an unknown hazard \"OOPS\""), std::string::npos);
    path = f.write("lock_timeout = \"5 seconds\"\n");
    EXPECT_NE(error_of(path).find("lock_timeout must be a duration"), std::string::npos);
    path = f.write("owners = \"mine\"\n");
    EXPECT_NE(error_of(path).find("owners must be one of managed, unmanaged"), std::string::npos);
    path = f.write("[database]\nurl = \"x\"\n");
    EXPECT_NE(error_of(path).find(":1:1: database must be a non-empty string"), std::string::npos);
}

TEST(ReadConfig, UnsupportedKeysSaySo) {
    ConfigFile f;
    std::string path = f.write("tracking_schema = \"meta\"\n");
    EXPECT_NE(error_of(path).find("tracking_schema is not supported"), std::string::npos);
    path = f.write("schemas = [\"app\"]\n");
    EXPECT_NE(error_of(path).find("schemas is not supported"), std::string::npos);
}

TEST(ReadConfig, SyntaxErrorsAndPasswords) {
    ConfigFile f;
    std::string path = f.write("database = \"postgresql://u:hunter2@h/d\"\nschema_dir = \n");
    std::string error = error_of(path);
    EXPECT_NE(error.find(path + ":2:"), std::string::npos) << error;
    EXPECT_NE(error.find("not valid TOML"), std::string::npos) << error;
    path = f.write("database = 42\n");
    error = error_of(path);
    EXPECT_NE(error.find("database must be a non-empty string"), std::string::npos);
    path = f.write("database = \"postgresql://u:hunter2@h/d\"\ndatabase = \"x\"\n");
    error = error_of(path);
    EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
    EXPECT_NE(error.find("not valid TOML"), std::string::npos) << error;
}

TEST(ReadConfig, MissingFile) {
    ConfigFile f;
    std::string error = error_of(f.dir() + "/nothing.toml");
    EXPECT_NE(error.find("nothing.toml"), std::string::npos) << error;
}

}  // namespace
}  // namespace pgflux
