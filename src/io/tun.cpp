#include "io/tun.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

namespace xlatd {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// One fd attached to the device; -1 with errno set on failure.
int attach(const std::string& name, short flags) {
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  ifreq ifr{};
  ifr.ifr_flags = flags;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

// A SIOCGIF* query about the interface `name` in this network namespace; false when
// there is no such interface.
bool query_interface(const std::string& name, unsigned long request, ifreq& ifr) {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  ifr = ifreq{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  bool ok = ::ioctl(s, request, &ifr) == 0;
  ::close(s);
  return ok;
}

// The device's ifindex in this network namespace, 0 when there is no such device.
unsigned ifindex_of(const std::string& name) {
  ifreq ifr;
  return query_interface(name, SIOCGIFINDEX, ifr) ? static_cast<unsigned>(ifr.ifr_ifindex) : 0;
}

// The flags (IFF_PERSIST among them) of the TUN with `index`, from sysfs, or -1 when
// they cannot be read here: not a TUN, or a /sys mounted for another network namespace
// (its ifindex for the name is not this namespace's).
long sysfs_tun_flags(const std::string& name, unsigned index) {
  const std::string dir = "/sys/class/net/" + name + "/";
  std::ifstream idx(dir + "ifindex"), flags(dir + "tun_flags");
  unsigned sys_index = 0;
  long f = -1;
  if (!(idx >> sys_index) || sys_index != index) return -1;
  if (!(flags >> std::hex >> f)) return -1;
  return f;
}

// A TUN that is not persistent belongs to the process that made it. Attaching to it
// would share its queues: with a running daemon (another xlatd, TAYGA) each would see
// part of the traffic; with one that just exited (its io_uring, and with it the device,
// is torn down by a kernel worker some milliseconds after the process is gone) the
// kernel keeps the old owner's settings, so a restart that changes `offload` would read
// every packet misaligned. So wait for such a device to go, and refuse one that stays
// (docs/io.md).
bool wait_for_previous_owner(const std::string& name, std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (;;) {
    const unsigned index = ifindex_of(name);
    if (index == 0) return true;  // no such device: ours to make
    const long f = sysfs_tun_flags(name, index);
    if (f < 0 || (f & IFF_PERSIST) != 0) return true;  // persistent (--mktun), or cannot tell
    if (std::chrono::steady_clock::now() > deadline) {
      error = "TUN device " + name + " belongs to another running process (it is not persistent); "
              "is another xlatd or TAYGA using it?";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TunDevice::TunDevice(TunDevice&& o) noexcept
    : name(std::move(o.name)), fds(std::move(o.fds)), multi_queue(o.multi_queue), vnet(o.vnet),
      note(std::move(o.note)) {
  o.fds.clear();
}

TunDevice& TunDevice::operator=(TunDevice&& o) noexcept {
  if (this != &o) {
    for (int fd : fds) ::close(fd);
    name = std::move(o.name);
    fds = std::move(o.fds);
    multi_queue = o.multi_queue;
    vnet = o.vnet;
    note = std::move(o.note);
    o.fds.clear();
  }
  return *this;
}

TunDevice::~TunDevice() {
  for (int fd : fds) ::close(fd);
}

bool open_tun(const std::string& name, unsigned queues, bool vnet, TunDevice& out,
              std::string& error) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    error = "tun-device '" + name + "': names are 1 to 15 characters";
    return false;
  }
  if (queues == 0) queues = 1;
  out = TunDevice{};
  out.name = name;
  out.vnet = vnet;
  if (!wait_for_previous_owner(name, error)) return false;
  const short base = static_cast<short>(IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
  const short mq = static_cast<short>(base | IFF_MULTI_QUEUE);
  int fd = attach(name, mq);
  if (fd >= 0) {
    // Queues already attached keep the device's settings: ours must be what we asked
    // for, or every packet would be read with (or without) a header it does not have.
    ifreq got{};
    if (::ioctl(fd, TUNGETIFF, &got) == 0 && ((got.ifr_flags & IFF_VNET_HDR) != 0) != vnet) {
      ::close(fd);
      error = "TUN device " + name + " is attached by another process with " +
              (vnet ? "offloads off" : "offloads on") + "; stop it first (or use its offload setting)";
      return false;
    }
  }
  if (fd < 0 && errno == EINVAL) {
    // A device made without IFF_MULTI_QUEUE: one queue only.
    fd = attach(name, base);
    if (fd < 0) {
      error = errno_text("cannot attach to TUN device " + name);
      return false;
    }
    out.fds.push_back(fd);
    if (queues > 1) {
      out.note = "TUN device " + name + " was created without multi-queue support; using 1 queue "
                 "instead of " + std::to_string(queues) + " (recreate it with xlatd --mktun for more)";
    }
    return true;
  }
  if (fd < 0) {
    error = errno_text("cannot open TUN device " + name + " (/dev/net/tun)");
    return false;
  }
  out.multi_queue = true;
  out.fds.push_back(fd);
  for (unsigned q = 1; q < queues; ++q) {
    int f = attach(name, mq);
    if (f < 0) {
      error = errno_text("cannot open queue " + std::to_string(q) + " of TUN device " + name);
      return false;
    }
    out.fds.push_back(f);
  }
  return true;
}

bool make_persistent_tun(const std::string& name, std::string& error) {
  int fd = attach(name, IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE);
  if (fd < 0) {
    error = errno_text("cannot create TUN device " + name);
    return false;
  }
  bool ok = ::ioctl(fd, TUNSETPERSIST, 1) == 0;
  if (!ok) error = errno_text("cannot make TUN device " + name + " persistent");
  ::close(fd);
  return ok;
}

bool remove_persistent_tun(const std::string& name, std::string& error) {
  int fd = attach(name, IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE);
  if (fd < 0 && errno == EINVAL) fd = attach(name, IFF_TUN | IFF_NO_PI);
  if (fd < 0) {
    error = errno_text("cannot attach to TUN device " + name);
    return false;
  }
  bool ok = ::ioctl(fd, TUNSETPERSIST, 0) == 0;
  if (!ok) error = errno_text("cannot remove TUN device " + name);
  ::close(fd);
  return ok;
}

uint32_t interface_mtu(const std::string& name) {
  ifreq ifr;
  return query_interface(name, SIOCGIFMTU, ifr) ? static_cast<uint32_t>(ifr.ifr_mtu) : 0;
}

}  // namespace xlatd
