// A scratch file name of this test process: ctest runs each test as its own process,
// two at a time, so a fixed name in the shared temporary directory is a race (one test
// reads the file the other just wrote). The process id keeps them apart, and the file
// goes when the test's TempFile does.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace xlat::test {

inline std::string temp_path(std::string_view name) {
  return ::testing::TempDir() + "/xlatd-test-" + std::to_string(::getpid()) + "-" + std::string(name);
}

struct TempFile {
  explicit TempFile(std::string_view name) : path(temp_path(name)) {}
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string path;
};

}  // namespace xlat::test
