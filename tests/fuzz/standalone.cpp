// The short fuzzing run of the normal build (ctest fuzz/<harness>): the same
// harness as the libFuzzer binaries of build-fuzz/, linked with this driver
// instead of libFuzzer, so that it needs neither clang nor the sanitizer build.
//
//   fuzz_<harness>_short [--seconds N] [--seed S] DIR...
//
// It replays every file of the DIRs (the seed corpus and the crash inputs
// found so far), then, for N seconds (default 10), runs mutations of them:
// byte and bit changes, inserted and deleted ranges, interesting values,
// splices of two inputs. The mutations are drawn from a generator seeded with
// S (default: the time; printed, so that a run can be repeated), without
// coverage feedback: libFuzzer's guided search, under ASan and UBSan, is
// scripts/fuzz. A finding aborts (see harness.h); the input that caused it is
// written first to ./fuzz-<harness>-finding.bin and the message names it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being run, for the abort handler (which may only use
// async-signal-safe calls: open, write, close).
const std::string* current = nullptr;
char finding_path[256];

extern "C" void save_finding(int) {
    if (current) {
        int fd = ::open(finding_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ssize_t ignored = ::write(fd, current->data(), current->size());
            (void)ignored;
            ::close(fd);
        }
        const char msg[] = "fuzz: the input is saved in ";
        ssize_t ignored = ::write(2, msg, sizeof msg - 1);
        ignored = ::write(2, finding_path, std::strlen(finding_path));
        ignored = ::write(2, "\n", 1);
        (void)ignored;
    }
    std::signal(SIGABRT, SIG_DFL);
    std::raise(SIGABRT);
}

void run(const std::string& input) {
    current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    current = nullptr;
}

[[noreturn]] void usage(const char* self) {
    std::fprintf(stderr, "usage: %s [--seconds N] [--seed S] DIR...\n", self);
    std::exit(2);
}

// One random change of `s`, drawing from `pool` for splices.
void mutate(std::string& s, const std::vector<std::string>& pool, std::mt19937_64& rng) {
    auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
    static const char* const interesting[] = {
        "", "0", "-1", "null", "true", "\"\"", "[]", "{}", "9223372036854775808", "1e999", "\\u0000",
        "\"", "'", "\n", ";", "$$", "/*", "--", "\xff", "\xc3\x28", "NaN"};
    switch (rng() % 7) {
        case 0:  // flip a bit
            if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
            break;
        case 1:  // set a byte
            if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng() % 256);
            break;
        case 2: {  // delete a range
            if (s.empty()) break;
            size_t at = pick(s.size());
            s.erase(at, 1 + pick(std::min<size_t>(s.size() - at, 32)));
            break;
        }
        case 3: {  // insert an interesting value
            const char* v = interesting[pick(std::size(interesting))];
            s.insert(pick(s.size() + 1), v);
            break;
        }
        case 4: {  // duplicate a range
            if (s.empty()) break;
            size_t at = pick(s.size()), n = 1 + pick(std::min<size_t>(s.size() - at, 64));
            s.insert(pick(s.size() + 1), s.substr(at, n));
            break;
        }
        case 5: {  // splice: this input's head, another's tail
            const std::string& other = pool[pick(pool.size())];
            s = s.substr(0, pick(s.size() + 1)) + other.substr(pick(other.size() + 1));
            break;
        }
        default: {  // replace a digit run with an extreme number
            size_t at = s.find_first_of("0123456789", pick(s.size() + 1));
            if (at == std::string::npos) break;
            size_t end = s.find_first_not_of("0123456789", at);
            s.replace(at, (end == std::string::npos ? s.size() : end) - at,
                      rng() % 2 ? "99999999999999999999" : "-2147483649");
            break;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 10;
    uint64_t seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    std::vector<std::string> dirs;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if ((a == "--seconds" || a == "--seed") && i + 1 < argc) {
            char* end = nullptr;
            const char* v = argv[++i];
            if (a == "--seconds") seconds = std::strtod(v, &end);
            else seed = std::strtoull(v, &end, 10);
            if (!end || *end || end == v) usage(argv[0]);
        } else if (!a.empty() && a[0] == '-') {
            usage(argv[0]);
        } else {
            dirs.push_back(a);
        }
    }
    if (dirs.empty()) usage(argv[0]);
    std::string name = std::filesystem::path(argv[0]).filename().string();
    std::snprintf(finding_path, sizeof finding_path, "%s-finding.bin", name.c_str());
    std::signal(SIGABRT, save_finding);

    std::vector<std::filesystem::path> files;
    for (const auto& d : dirs) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(d, ec))
            if (e.is_regular_file()) files.push_back(e.path());
        if (ec) {
            std::fprintf(stderr, "%s: cannot read %s: %s\n", name.c_str(), d.c_str(), ec.message().c_str());
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> pool;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        pool.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        run(pool.back());
    }
    if (pool.empty()) pool.emplace_back();

    std::fprintf(stderr, "%s: %zu inputs replayed; mutations for %.0f s, seed %llu\n", name.c_str(), files.size(),
                 seconds, static_cast<unsigned long long>(seed));
    std::mt19937_64 rng(seed);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    uint64_t runs = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        std::string input = pool[rng() % pool.size()];
        for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k) mutate(input, pool, rng);
        run(input);
        ++runs;
    }
    std::printf("%s: %zu inputs replayed, %llu mutated inputs in %.0f s (seed %llu): no finding\n", name.c_str(),
                files.size(), static_cast<unsigned long long>(runs), seconds, static_cast<unsigned long long>(seed));
    return 0;
}
