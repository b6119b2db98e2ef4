// systemd's notification socket (sd_notify(3)): READY=1 and friends reach $NOTIFY_SOCKET
// whether it names a file or an abstract socket (@name, as in containers and user
// managers); the watchdog (sd_watchdog_enabled(3)) says WATCHDOG=1 when $WATCHDOG_USEC
// asks for it and never when it does not, or when $WATCHDOG_PID names another process.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/log.hpp"
#include "runtime/watchdog.hpp"

namespace {

// A datagram socket bound where $NOTIFY_SOCKET will point; abstract when `name` starts with @.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, name.data(), name.size());
    if (name[0] == '@') sa.sun_path[0] = '\0';
    else ::unlink(name.c_str());
    const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '@' ? 0 : 1));
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) == 0;
    path_ = name[0] == '@' ? "" : name;
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~NotifyListener() {
    ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
    ::unsetenv("NOTIFY_SOCKET");
  }
  bool bound() const { return bound_; }
  // The next datagram, or "" when none is waiting (everything is sent before we look).
  std::string next() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1) return "";
    char buf[512];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  std::string path_;
};

TEST(SystemdNotify, ReachesAFileSocket) {
  NotifyListener l("/tmp/xlatd-notify-test-" + std::to_string(::getpid()));
  ASSERT_TRUE(l.bound());
  xlatd::log::sd_notify("READY=1\nSTATUS=translating");
  EXPECT_EQ(l.next(), "READY=1\nSTATUS=translating");
}

TEST(SystemdNotify, ReachesAnAbstractSocket) {
  NotifyListener l("@xlatd-notify-test-" + std::to_string(::getpid()));
  ASSERT_TRUE(l.bound());
  xlatd::log::sd_notify("READY=1");
  EXPECT_EQ(l.next(), "READY=1");
}

TEST(SystemdWatchdog, KicksWhenAskedAtMostEveryQuarterInterval) {
  NotifyListener l("@xlatd-watchdog-test-" + std::to_string(::getpid()));
  ASSERT_TRUE(l.bound());
  ::setenv("WATCHDOG_USEC", "20000000", 1);  // 20 s
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  xlatd::Watchdog w;
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  ASSERT_TRUE(w.enabled());
  EXPECT_EQ(w.poll_timeout_ms(60000), 5000);  // a quarter of the interval
  EXPECT_EQ(w.poll_timeout_ms(1000), 1000);
  w.kick(0);
  EXPECT_EQ(l.next(), "WATCHDOG=1");
  w.kick(4'999'000'000);  // under a quarter since the last: nothing
  EXPECT_EQ(l.next(), "");
  w.kick(5'000'000'000);
  EXPECT_EQ(l.next(), "WATCHDOG=1");
}

TEST(SystemdWatchdog, SilentWhenNotAskedOrAskedOfAnotherProcess) {
  NotifyListener l("@xlatd-watchdog-off-" + std::to_string(::getpid()));
  ASSERT_TRUE(l.bound());
  ::unsetenv("WATCHDOG_USEC");
  xlatd::Watchdog off;
  EXPECT_FALSE(off.enabled());
  EXPECT_EQ(off.poll_timeout_ms(1000), 1000);
  off.kick(0);
  ::setenv("WATCHDOG_USEC", "20000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  xlatd::Watchdog other;
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  EXPECT_FALSE(other.enabled());
  other.kick(0);
  EXPECT_EQ(l.next(), "");
}

}  // namespace
