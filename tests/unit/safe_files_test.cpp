// Issue 14, findings 7 and 11: files root opens where others can write.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "daemon/safe_files.hpp"

namespace {

using xlatd::ReadResult;

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

class SafeFiles : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xlatd-safe-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

TEST_F(SafeFiles, AFifoIsRefusedWithoutWaiting) {
  const std::string fifo = dir_ + "/dynamic.map";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  std::string out, why;
  EXPECT_EQ(xlatd::read_regular_file(fifo, out, why), ReadResult::Refused);  // returns: no writer needed
  EXPECT_EQ(why, fifo + ": not a regular file");
}

TEST_F(SafeFiles, ASymlinkIsNotFollowed) {
  const std::string secret = dir_ + "/secret", link = dir_ + "/dynamic.map";
  std::ofstream(secret) << "root only\n";
  ASSERT_EQ(::symlink(secret.c_str(), link.c_str()), 0);
  std::string out, why;
  EXPECT_EQ(xlatd::read_regular_file(link, out, why), ReadResult::Refused);
  EXPECT_EQ(why, link + ": a symbolic link, not followed");
  // Writing a pidfile where a symlink was planted replaces the link, not its target.
  ASSERT_TRUE(xlatd::write_new_file(link, "42\n", 0644, why)) << why;
  EXPECT_EQ(slurp(secret), "root only\n");
  EXPECT_EQ(slurp(link), "42\n");
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(SafeFiles, RegularAndMissingFiles) {
  const std::string f = dir_ + "/dynamic.map";
  std::string out, why;
  EXPECT_EQ(xlatd::read_regular_file(f, out, why), ReadResult::Missing);
  std::ofstream(f) << "a\tb\t1\n";
  EXPECT_EQ(xlatd::read_regular_file(f, out, why), ReadResult::Ok);
  EXPECT_EQ(out, "a\tb\t1\n");
}

}  // namespace
