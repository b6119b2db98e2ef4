// `xlatd stats`: the client, asking a running daemon over its control socket.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "runtime/stats.hpp"

namespace xlatd {

std::string default_control_socket(const std::string& tun) { return "/run/xlatd/" + tun + ".sock"; }

int query_stats(const std::string& path, bool json) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    std::cerr << "xlatd stats: cannot reach the daemon at " << path << ": " << std::strerror(errno) << "\n";
    if (fd >= 0) ::close(fd);
    return 1;
  }
  std::string req = json ? "stats json\n" : "stats\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return 1;
  }
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) std::cout.write(buf, n);
  ::close(fd);
  return 0;
}

}  // namespace xlatd
