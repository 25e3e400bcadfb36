// Test support for the source reader's unit tests: schema files in a
// temporary directory, read into a Model; errors caught with their exit code.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "source/source_reader.h"
#include "util/error.h"

namespace pgflux {

class SchemaDir {
public:
    SchemaDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("pgflux_source_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~SchemaDir() { std::filesystem::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        std::filesystem::path p = path_ / name;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.lexically_normal().string();
    }
    std::string path() const { return path_.string(); }
    Model read() const { return read_source({path()}); }

private:
    std::filesystem::path path_;
    static inline int counter_ = 0;
};

inline Model read_sql(const std::string& sql) {
    SchemaDir dir;
    dir.write("schema.sql", sql);
    return dir.read();
}

struct Failure {
    std::string message;
    ExitCode code = k_exit_ok;
};

inline Failure failure_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return {e.what(), e.code};
    }
    return {"(no error)", k_exit_ok};
}

}  // namespace pgflux
