// Files a root daemon opens in places others may write to (data-dir handed to the -u
// user, a pidfile path): never through a symlink, never a FIFO or device that would
// hang the start, written whole.
#pragma once

#include <cstddef>
#include <string>

namespace xlatd {

enum class ReadResult { Ok, Missing, Refused };

// Reads `path` if it is a regular file reached without following a symlink (O_NOFOLLOW,
// O_NONBLOCK, then fstat). Missing: no such file. Refused: anything else, with `error`.
ReadResult read_regular_file(const std::string& path, std::string& out, std::string& error);

// read_regular_file() for a file root will act on (the CLAT's undo journal): it must also
// be owned by this user, writable by no one else, and at most `max_bytes` long.
ReadResult read_private_file(const std::string& path, size_t max_bytes, std::string& out, std::string& error);

// Makes `dir` (mode 0755) if missing, then insists it is a real directory (not a
// symlink) owned by this user and writable by no one else.
bool ensure_private_directory(const std::string& dir, std::string& error);

// write_new_file() to `path`.new, then renamed over `path`: readers see the old file or
// the new one, whole.
bool replace_file(const std::string& path, const std::string& text, int mode, std::string& error);

// Writes `text` to a new `path`: an old file or symlink there is removed first and the
// file is created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW), so a link planted in its
// place is never followed.
bool write_new_file(const std::string& path, const std::string& text, int mode, std::string& error);

}  // namespace xlatd
