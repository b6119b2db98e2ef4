// A network namespace of a test's own, for tests that need real links and routes: made
// by one thread for itself, so the rest of the test binary stays where it was, and gone
// when the thread ends.
#pragma once

#include <gtest/gtest.h>
#include <sched.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

namespace xlat::test {

// Runs `body` on a thread inside a fresh network namespace. False when the namespace
// could not be made (not root).
inline bool in_new_netns(const std::function<void()>& body) {
  bool made = false;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) return;
    made = true;
    body();
  });
  t.join();
  return made;
}

// `ip` run from the calling thread, so in its namespace.
inline void ip(const std::string& args) {
  const std::string cmd = "ip " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

}  // namespace xlat::test
