// assess_files: which pending files status flags as applied by hand or stale.
#include "tracking/tracking.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace pgflux;

namespace {

std::string hash(char c) { return "sha256:" + std::string(64, c); }

class AssessFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("pgflux-assess-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A pending file from `baseline` to `target` ("" leaves the header line out).
    void pending(const std::string& name, const std::string& baseline, const std::string& target,
                 const std::string& body = "CREATE TABLE t (id integer);\n") {
        std::ofstream out(dir_ / name);
        out << "-- pg-flux migration\n-- format: 1\n";
        if (!baseline.empty()) out << "-- baseline: " << baseline << "\n";
        if (!target.empty()) out << "-- target: " << target << "\n";
        out << "\n" << body;
        StatusEntry e;
        e.name = name;
        e.file_checksum = "x";  // a file exists
        entries_.push_back(e);
    }

    StatusEntry& entry(const std::string& name) {
        for (auto& e : entries_)
            if (e.name == name) return e;
        throw std::runtime_error("no entry " + name);
    }

    void assess(const std::string& live) { assess_files(entries_, dir_.string(), live); }

    fs::path dir_;
    std::vector<StatusEntry> entries_;
};

TEST_F(AssessFiles, AFileWhoseTargetIsTheLiveStateWasAppliedByHand) {
    pending("1.sql", hash('a'), hash('b'));
    assess(hash('b'));
    EXPECT_TRUE(entry("1.sql").applied_by_hand);
    EXPECT_FALSE(entry("1.sql").stale);
    EXPECT_EQ(entry("1.sql").baseline, hash('a'));
    EXPECT_EQ(entry("1.sql").target, hash('b'));
}

TEST_F(AssessFiles, AFileThatChangesNothingIsNotAppliedByHand) {
    pending("1.sql", hash('a'), hash('a'));
    assess(hash('a'));
    EXPECT_FALSE(entry("1.sql").applied_by_hand);
    EXPECT_FALSE(entry("1.sql").stale);
}

TEST_F(AssessFiles, AFileFromAnotherStateIsStaleAndTheFileAfterItFollowsItsTarget) {
    pending("1.sql", hash('a'), hash('b'));
    pending("2.sql", hash('b'), hash('c'));
    pending("3.sql", hash('e'), hash('f'));
    assess(hash('d'));
    EXPECT_TRUE(entry("1.sql").stale);
    EXPECT_FALSE(entry("2.sql").stale);  // starts where 1.sql ends
    EXPECT_TRUE(entry("3.sql").stale);
    for (const auto& e : entries_) EXPECT_FALSE(e.applied_by_hand) << e.name;
}

TEST_F(AssessFiles, AChainStartingFromTheLiveStateIsNotStale) {
    pending("1.sql", hash('a'), hash('b'));
    pending("2.sql", hash('b'), hash('c'));
    assess(hash('a'));
    EXPECT_FALSE(entry("1.sql").stale);
    EXPECT_FALSE(entry("2.sql").stale);
}

TEST_F(AssessFiles, TheFileAfterAFileAppliedByHandStartsFromTheLiveState) {
    pending("1.sql", hash('a'), hash('b'));
    pending("2.sql", hash('b'), hash('c'));
    assess(hash('b'));
    EXPECT_TRUE(entry("1.sql").applied_by_hand);
    EXPECT_FALSE(entry("2.sql").stale);
    EXPECT_FALSE(entry("2.sql").applied_by_hand);
}

TEST_F(AssessFiles, AnIncompleteFileIsFollowedFromItsTarget) {
    pending("1.sql", hash('a'), hash('b'));
    entry("1.sql").state = FileState::incomplete;
    pending("2.sql", hash('b'), hash('c'));
    assess(hash('9'));  // the live state is half-way through 1.sql
    EXPECT_FALSE(entry("1.sql").stale);
    EXPECT_FALSE(entry("2.sql").stale);
}

TEST_F(AssessFiles, AFileWithoutHashesIsNeverFlagged) {
    pending("1.sql", "", "");
    assess(hash('a'));
    EXPECT_FALSE(entry("1.sql").stale);
    EXPECT_FALSE(entry("1.sql").applied_by_hand);
}

TEST_F(AssessFiles, NothingIsFlaggedWithoutTheLiveState) {
    pending("1.sql", hash('a'), hash('b'));
    assess("");
    EXPECT_FALSE(entry("1.sql").stale);
    EXPECT_FALSE(entry("1.sql").applied_by_hand);
    EXPECT_EQ(entry("1.sql").target, hash('b'));
}

TEST_F(AssessFiles, AnUnreadableFileIsReportedNotFlagged) {
    pending("1.sql", hash('a'), hash('b'), "CREATE TABLE (;\n");
    assess(hash('c'));
    EXPECT_NE(entry("1.sql").file_error.find("1.sql:"), std::string::npos) << entry("1.sql").file_error;
    EXPECT_FALSE(entry("1.sql").stale);
}

}  // namespace
