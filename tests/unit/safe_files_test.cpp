// Issue 14, findings 7 and 11: files root opens where others can write.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "runtime/safe_files.hpp"

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

// Finding 1: a file root acts on is trusted only if it is its own and no one else can
// write it; the directory it lives in likewise.
TEST_F(SafeFiles, PrivateFileMustBeOwnedAndUnwritableByOthers) {
  const std::string f = dir_ + "/clat.undo";
  std::ofstream(f) << "sysctl net/ipv6/conf/all/forwarding 0\n";
  ASSERT_EQ(::chmod(f.c_str(), 0600), 0);
  std::string out, why;
  EXPECT_EQ(xlatd::read_private_file(f, 1024, out, why), ReadResult::Ok) << why;
  ASSERT_EQ(::chmod(f.c_str(), 0666), 0);
  EXPECT_EQ(xlatd::read_private_file(f, 1024, out, why), ReadResult::Refused);
  EXPECT_NE(why.find("mode 0666"), std::string::npos) << why;
  ASSERT_EQ(::chmod(f.c_str(), 0600), 0);
  EXPECT_EQ(xlatd::read_private_file(f, 10, out, why), ReadResult::Refused);
  EXPECT_NE(why.find("longer than 10 bytes"), std::string::npos) << why;
  if (::geteuid() == 0) {  // another owner can be given only by root
    ASSERT_EQ(::chown(f.c_str(), 65534, 65534), 0);
    EXPECT_EQ(xlatd::read_private_file(f, 1024, out, why), ReadResult::Refused);
    EXPECT_NE(why.find("owned by uid 65534"), std::string::npos) << why;
  }
}

TEST_F(SafeFiles, PrivateDirectoryIsCheckedNotTrusted) {
  const std::string d = dir_ + "/run";
  std::string why;
  EXPECT_TRUE(xlatd::ensure_private_directory(d, why)) << why;
  EXPECT_TRUE(xlatd::ensure_private_directory(d, why)) << why;  // already there
  ASSERT_EQ(::chmod(d.c_str(), 0777), 0);
  EXPECT_FALSE(xlatd::ensure_private_directory(d, why));
  EXPECT_NE(why.find("mode 0777"), std::string::npos) << why;
  const std::string link = dir_ + "/linked";
  ASSERT_EQ(::symlink(d.c_str(), link.c_str()), 0);
  EXPECT_FALSE(xlatd::ensure_private_directory(link, why));
  EXPECT_EQ(why, link + " is not a directory");
}

// The journal's temporary file: a symlink planted as `path`.new is replaced, not
// followed (root overwrote a root-only file through it).
TEST_F(SafeFiles, ReplaceFileNeverWritesThroughALink) {
  const std::string secret = dir_ + "/shadow", path = dir_ + "/clat.undo";
  std::ofstream(secret) << "root only\n";
  ASSERT_EQ(::symlink(secret.c_str(), (path + ".new").c_str()), 0);
  std::string why;
  ASSERT_TRUE(xlatd::replace_file(path, "journal\n", 0600, why)) << why;
  EXPECT_EQ(slurp(secret), "root only\n");
  EXPECT_EQ(slurp(path), "journal\n");
  struct stat st {};
  EXPECT_NE(::lstat((path + ".new").c_str(), &st), 0);
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
