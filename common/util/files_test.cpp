// read_file: reasons for unreadable paths, NUL bytes and malformed UTF-8 at
// path:line:column, a leading byte order mark skipped.
#include "util/files.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace pgflux {
namespace {

namespace fs = std::filesystem;

class FileDir {
public:
    FileDir() : path_(fs::temp_directory_path() / ("pgflux_files_test_" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~FileDir() { fs::remove_all(path_); }
    std::string write(const std::string& name, const std::string& bytes) const {
        std::string p = (path_ / name).string();
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }
    std::string path() const { return path_.string(); }

private:
    fs::path path_;
};

std::string error_of(const std::string& path) {
    try {
        read_file(path);
    } catch (const Error& e) {
        EXPECT_EQ(e.code, k_exit_usage);
        return e.what();
    }
    return "no error";
}

TEST(ReadFile, TextAndByteOrderMark) {
    FileDir dir;
    EXPECT_EQ(read_file(dir.write("a.sql", "CREATE TABLE é (id int);\n")), "CREATE TABLE é (id int);\n");
    EXPECT_EQ(read_file(dir.write("b.sql", "\xEF\xBB\xBFSELECT 1;")), "SELECT 1;");
    EXPECT_EQ(read_file(dir.write("c.sql", "")), "");
}

TEST(ReadFile, UnreadablePathsGiveTheReason) {
    FileDir dir;
    EXPECT_EQ(error_of(dir.path() + "/missing.sql"),
              "cannot read \"" + dir.path() + "/missing.sql\": No such file or directory");
    EXPECT_EQ(error_of(dir.path()), "cannot read \"" + dir.path() + "\": it is a directory");
}

TEST(ReadFile, NulBytesAndMalformedUtf8AreLocated) {
    FileDir dir;
    std::string nul = dir.write("nul.sql", std::string("CREATE TABLE a (id int);\nCREATE \0TABLE b;\n", 42));
    EXPECT_EQ(error_of(nul), nul + ":2:8: NUL byte (\\0): a text file must not contain NUL bytes");
    std::string latin1 = dir.write("latin1.sql", "-- é\nCREATE TABLE caf\xE9 (id int);\n");
    EXPECT_EQ(error_of(latin1), latin1 + ":2:17: not valid UTF-8 (byte 0xE9); pg-flux reads UTF-8 text only");
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80", "\xFF\xFE"}) {
        std::string p = dir.write("bad.sql", std::string("x") + bad);
        EXPECT_NE(error_of(p).find(p + ":1:2: not valid UTF-8"), std::string::npos) << error_of(p);
    }
}

}  // namespace
}  // namespace pgflux
