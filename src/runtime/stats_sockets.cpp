// The daemon's ends of `xlatd stats` and of Prometheus scrapes: the listening sockets
// and the answers (stats_server.cpp serves them on its own thread).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/stats.hpp"

namespace xlatd {

int open_metrics_socket(const std::string& listen, std::string& error) {
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);
  sockaddr_storage ss{};
  socklen_t len;
  int family;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.size() - 2);
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr);
    len = sizeof *s6;
    family = AF_INET6;
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &s4->sin_addr);
    len = sizeof *s4;
    family = AF_INET;
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 8) != 0) {
    error = "metrics-listen " + listen + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

std::string metrics_reply(const StatsSource& src, int64_t now) {
  std::string body = render_prometheus(src, now);  // any path will do
  return "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

int open_control_socket(const std::string& path, std::string& error) {
  sockaddr_un sa{};
  if (path.size() >= sizeof sa.sun_path) {
    error = "control socket path too long: " + path;
    return -1;
  }
  std::string dir = path.substr(0, path.find_last_of('/'));
  if (!dir.empty()) ::mkdir(dir.c_str(), 0755);
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 8) != 0) {
    error = "control socket " + path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  ::chmod(path.c_str(), 0600);
  return fd;
}

std::string control_reply(const std::string& req, const StatsSource& src, int64_t now) {
  if (req.rfind("stats", 0) != 0) return "unknown request; say \"stats\" or \"stats json\"\n";
  return render_stats(src, req.find("json") != std::string::npos, now);
}

}  // namespace xlatd
