// Files a root daemon opens in places others may write to (data-dir handed to the -u
// user, a pidfile path): never through a symlink, never a FIFO or device that would
// hang the start, written whole.
#pragma once

#include <string>

namespace xlatd {

enum class ReadResult { Ok, Missing, Refused };

// Reads `path` if it is a regular file reached without following a symlink (O_NOFOLLOW,
// O_NONBLOCK, then fstat). Missing: no such file. Refused: anything else, with `error`.
ReadResult read_regular_file(const std::string& path, std::string& out, std::string& error);

// Writes `text` to a new `path`: an old file or symlink there is removed first and the
// file is created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW), so a link planted in its
// place is never followed.
bool write_new_file(const std::string& path, const std::string& text, int mode, std::string& error);

}  // namespace xlatd
