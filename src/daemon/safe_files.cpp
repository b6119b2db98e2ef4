#include "daemon/safe_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlatd {

ReadResult read_regular_file(const std::string& path, std::string& out, std::string& error) {
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
  out.clear();
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int err = errno;
  ::close(fd);
  if (n < 0) {
    error = path + ": " + std::strerror(err);
    return ReadResult::Refused;
  }
  return ReadResult::Ok;
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
