#include "runtime/root_cleanup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace xlatd {

bool start_root_cleanup(const std::vector<std::string>& paths, std::string& error) {
  std::vector<std::pair<std::string, struct stat>> files;
  for (const auto& p : paths) {
    struct stat st {};
    if (!p.empty() && ::lstat(p.c_str(), &st) == 0) files.emplace_back(p, st);
  }
  if (files.empty()) return true;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) {
    error = std::string("cleanup helper: pipe: ") + std::strerror(errno);
    return false;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("cleanup helper: fork: ") + std::strerror(errno);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return false;
  }
  if (pid > 0) {
    ::close(pipefd[0]);  // the write end stays open, unused, until the daemon's exit
    return true;
  }
  // The helper. Every other descriptor goes first: holding a TUN queue would keep the
  // device alive after the daemon, holding the control socket would keep it answering.
  const int rd = pipefd[0];
  if (rd > 0) ::close_range(0, static_cast<unsigned>(rd - 1), 0);
  ::close_range(static_cast<unsigned>(rd + 1), ~0U, 0);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGPIPE}) ::signal(s, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::prctl(PR_SET_NAME, "xlatd-cleanup", 0, 0, 0);
  char b;
  while (::read(rd, &b, 1) != 0) {
    if (errno != EINTR) break;
  }
  for (const auto& [path, made] : files) {
    struct stat now {};
    if (::lstat(path.c_str(), &now) == 0 && now.st_dev == made.st_dev && now.st_ino == made.st_ino) {
      ::unlink(path.c_str());
    }
  }
  ::_exit(0);
}

}  // namespace xlatd
