#include "runtime/safe_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace xlatd {

namespace {

std::string mode_string(mode_t m) {
  char b[8];
  std::snprintf(b, sizeof b, "%04o", static_cast<unsigned>(m & 07777));
  return b;
}

ReadResult read_checked(const std::string& path, bool private_file, size_t max_bytes, std::string& out,
                        std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return ReadResult::Missing;
    error = path + ": " + (errno == ELOOP ? "a symbolic link, not followed" : std::strerror(errno));
    return ReadResult::Refused;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = path + ": not a regular file";
    return ReadResult::Refused;
  }
  if (private_file && (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)) {
    ::close(fd);
    error = path + ": owned by uid " + std::to_string(st.st_uid) + " with mode " + mode_string(st.st_mode) +
            "; only a file of uid " + std::to_string(::geteuid()) + " that no one else can write is trusted";
    return ReadResult::Refused;
  }
  out.clear();
  if (st.st_size > 0) out.reserve(std::min<size_t>(static_cast<size_t>(st.st_size), max_bytes) + 1);
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      error = path + ": longer than " + std::to_string(max_bytes) + " bytes";
      return ReadResult::Refused;
    }
  }
  int err = errno;
  ::close(fd);
  if (n < 0) {
    error = path + ": " + std::strerror(err);
    return ReadResult::Refused;
  }
  return ReadResult::Ok;
}

}  // namespace

ReadResult read_regular_file(const std::string& path, std::string& out, std::string& error) {
  return read_checked(path, false, SIZE_MAX, out, error);
}

ReadResult read_private_file(const std::string& path, size_t max_bytes, std::string& out, std::string& error) {
  return read_checked(path, true, max_bytes, out, error);
}

bool ensure_private_directory(const std::string& dir, std::string& error) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    error = "cannot create " + dir + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = dir + " is not a directory";
    return false;
  }
  if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) {
    error = dir + " is owned by uid " + std::to_string(st.st_uid) + " with mode " + mode_string(st.st_mode) +
            "; it must belong to uid " + std::to_string(::geteuid()) + " and be writable by no one else";
    return false;
  }
  return true;
}

bool replace_file(const std::string& path, const std::string& text, int mode, std::string& error) {
  const std::string tmp = path + ".new";
  if (!write_new_file(tmp, text, mode, error)) return false;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool write_new_file(const std::string& path, const std::string& text, int mode, std::string& error) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    error = "cannot replace " + path + ": " + std::strerror(errno);
    return false;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::close(fd) == 0) && ok;
  if (!ok) error = "cannot write " + path;
  return ok;
}

}  // namespace xlatd
