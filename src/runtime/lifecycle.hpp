// The parts of a daemon's life both modes live the same way: signals read from a
// signalfd by the main thread only, the pidfile.
#pragma once

#include <string>

namespace xlatd {

// TERM, INT, HUP, USR1, USR2 and QUIT blocked in this thread (and the threads it starts
// after) and delivered to the returned signalfd; -1 on failure.
int signals_to_fd();

// -p FILE: created anew with the pid (a failure is logged, not fatal, as in TAYGA).
void write_pidfile(const std::string& path);
void remove_pidfile(const std::string& path);

}  // namespace xlatd
