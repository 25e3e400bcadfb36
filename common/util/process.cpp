// Sibling lookup and process execution through Boost.Process.
#include "util/process.h"

#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <sstream>

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace pgflux {

std::string sibling_path(const std::string& name) {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path candidate = self.parent_path() / name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    fs::path found = bp::search_path(name).string();
    return found.empty() ? "" : found.string();
}

ProcessResult run_process(const std::string& path, const std::vector<std::string>& args) {
    bp::ipstream out, err;
    bp::child child(path, bp::args(args), bp::std_out > out, bp::std_err > err, bp::std_in.close());
    std::ostringstream out_text, err_text;
    std::string line;
    while (std::getline(out, line)) out_text << line << "\n";
    while (std::getline(err, line)) err_text << line << "\n";
    child.wait();
    return {child.exit_code(), out_text.str(), err_text.str()};
}

}  // namespace pgflux
