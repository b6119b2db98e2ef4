#include "runtime/stats_server.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace xlatd {

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

struct Client {
  int fd = -1;
  bool metrics = false;
  int64_t request_deadline = 0, deadline = 0;
  std::string request, reply;
  size_t sent = 0;
  bool answering = false;  // the request is complete; the reply is being sent
};

constexpr size_t kMaxRequest = 1024;

}  // namespace

bool StatsServer::start(std::string& error) {
  if (control_ < 0 && metrics_ < 0) return true;
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    error = std::string("stats server: eventfd: ") + std::strerror(errno);
    return false;
  }
  thread_ = std::thread([this] { loop(); });
  return true;
}

void StatsServer::stop() {
  if (!thread_.joinable()) return;
  ::eventfd_write(stop_fd_, 1);  // fails only near the count's overflow: already signalled
  thread_.join();
  ::close(stop_fd_);
  stop_fd_ = -1;
}

void StatsServer::loop() {
  std::vector<Client> clients;
  auto answer = [&](Client& c) {
    c.answering = true;
    const int64_t wall = static_cast<int64_t>(::time(nullptr));
    c.reply = c.metrics ? metrics_reply(src_, wall) : control_reply(c.request, src_, wall);
  };
  for (;;) {
    const bool room = clients.size() < kMaxClients;
    std::vector<pollfd> p = {{stop_fd_, POLLIN, 0}, {room ? control_ : -1, POLLIN, 0}, {room ? metrics_ : -1, POLLIN, 0}};
    int64_t next = now_ms() + 60000;
    for (const auto& c : clients) {
      p.push_back({c.fd, static_cast<short>(c.answering ? POLLOUT : POLLIN), 0});
      next = std::min(next, c.answering ? c.deadline : c.request_deadline);
    }
    const int64_t wait = std::max<int64_t>(0, next - now_ms());
    if (::poll(p.data(), p.size(), static_cast<int>(wait)) < 0 && errno != EINTR) break;
    if (p[0].revents & POLLIN) break;
    const int64_t now = now_ms();
    // Clients first (their pollfds follow the three fixed ones, in order).
    for (size_t i = 0; i < clients.size(); ++i) {
      Client& c = clients[i];
      const short ev = p[3 + i].revents;
      if (!c.answering && (ev & (POLLIN | POLLHUP | POLLERR))) {
        char buf[512];
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) c.request.append(buf, static_cast<size_t>(std::min<size_t>(n, kMaxRequest - c.request.size())));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || c.request.find('\n') != std::string::npos ||
            c.request.size() >= kMaxRequest) {
          answer(c);
        }
      }
      if (!c.answering && now >= c.request_deadline) answer(c);  // what came is the request
      if (c.answering && (ev & POLLOUT || c.sent == 0)) {
        while (c.sent < c.reply.size()) {
          // MSG_NOSIGNAL: a client that went away must not kill the daemon (SIGPIPE).
          ssize_t n = ::send(c.fd, c.reply.data() + c.sent, c.reply.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
            c.sent = c.reply.size();  // gone: nothing more to send
            break;
          }
          c.sent += static_cast<size_t>(n);
        }
      }
    }
    std::erase_if(clients, [&](Client& c) {
      const bool done = (c.answering && c.sent >= c.reply.size()) || now >= c.deadline;
      if (done) ::close(c.fd);
      return done;
    });
    for (int k = 1; k <= 2; ++k) {
      if (!(p[k].revents & POLLIN)) continue;
      while (clients.size() < kMaxClients) {
        int fd = ::accept4(p[k].fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        clients.push_back({fd, k == 2, now + kRequestMs, now + kClientMs, {}, {}, 0, false});
      }
    }
  }
  for (auto& c : clients) ::close(c.fd);
}

}  // namespace xlatd
