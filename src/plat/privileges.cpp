#include "plat/privileges.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlatd {

bool make_dirs(const std::string& path) {
  std::string cur;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      cur = path.substr(0, i);
      if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

bool writable_data_dir(const std::string& path, std::string& error) {
  if (!make_dirs(path)) {
    error = "cannot create data-dir " + path + ": " + std::strerror(errno);
    return false;
  }
  const std::string probe = path + "/.xlatd-write-check";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "data-dir " + path + " is not writable: " + std::strerror(errno) +
            " (dynamic.map is kept there; under systemd, `systemctl edit` the unit and add "
            "ReadWritePaths=" + path + ")";
    return false;
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

bool drop_privileges(const Options& o, const std::string& data_dir, std::string& error) {
  if (o.user.empty() && o.group.empty() && !o.chroot) return true;
  gid_t gid = 0;
  uid_t uid = 0;
  passwd* pw = nullptr;
  if (!o.user.empty()) {
    pw = ::getpwnam(o.user.c_str());
    if (pw == nullptr) {
      error = "-u: no user " + o.user;
      return false;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  if (!o.group.empty()) {
    group* gr = ::getgrnam(o.group.c_str());
    if (gr == nullptr) {
      error = "-g: no group " + o.group;
      return false;
    }
    gid = gr->gr_gid;
  }
  if (o.chroot) {
    if (data_dir.empty()) {
      error = "-r needs data-dir in the configuration";
      return false;
    }
    if (::chroot(data_dir.c_str()) != 0 || ::chdir("/") != 0) {
      error = "chroot to " + data_dir + ": " + std::strerror(errno);
      return false;
    }
  }
  if (gid != 0 && (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0)) {
    error = std::string("setgid: ") + std::strerror(errno);
    return false;
  }
  if (uid != 0 && ::setuid(uid) != 0) {
    error = std::string("setuid: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace xlatd
