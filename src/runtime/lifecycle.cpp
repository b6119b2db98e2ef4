#include "runtime/lifecycle.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "runtime/log.hpp"
#include "runtime/safe_files.hpp"

namespace xlatd {

int signals_to_fd() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT}) sigaddset(&mask, s);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  return ::signalfd(-1, &mask, SFD_CLOEXEC);
}

void write_pidfile(const std::string& path) {
  if (path.empty()) return;
  std::string err;
  if (!write_new_file(path, std::to_string(::getpid()) + "\n", 0644, err)) log::error("pidfile: " + err);
}

void remove_pidfile(const std::string& path) {
  if (!path.empty()) ::unlink(path.c_str());
}

}  // namespace xlatd
