// udpgen: a small-packet UDP generator for the performance harness (iperf3 tops out
// near 190 kpps on this box). Sends fixed-size datagrams with sendmmsg in batches of 64,
// cycling over many source ports (flows) so multi-queue TUN spreads them, for a fixed
// time, then prints what it sent.
//
//   udpgen DST_ADDR PORT PAYLOAD_BYTES SECONDS [FLOWS]
//   -> "sent N packets in S s (R pps)"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: udpgen DST_ADDR PORT PAYLOAD_BYTES SECONDS [FLOWS]\n");
    return 2;
  }
  const char* dst = argv[1];
  int port = std::atoi(argv[2]);
  size_t size = std::strtoul(argv[3], nullptr, 10);
  double seconds = std::atof(argv[4]);
  int flows = argc > 5 ? std::atoi(argv[5]) : 16;
  if (port <= 0 || port > 65535 || size > 65000 || seconds <= 0 || flows <= 0 || flows > 1024) {
    std::fprintf(stderr, "udpgen: bad arguments\n");
    return 2;
  }
  sockaddr_storage sa{};
  socklen_t salen;
  int family;
  if (std::strchr(dst, ':') != nullptr) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&sa);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, dst, &s6->sin6_addr) != 1) return 2;
    salen = sizeof *s6;
    family = AF_INET6;
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&sa);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, dst, &s4->sin_addr) != 1) return 2;
    salen = sizeof *s4;
    family = AF_INET;
  }
  // One socket per flow: a different source port each.
  std::vector<int> socks;
  for (int i = 0; i < flows; ++i) {
    int fd = ::socket(family, SOCK_DGRAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), salen) != 0) {
      std::perror("udpgen: socket");
      return 1;
    }
    int buf = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    socks.push_back(fd);
  }
  constexpr int kBatch = 64;
  std::vector<char> payload(size, 'x');
  std::vector<mmsghdr> msgs(kBatch);
  std::vector<iovec> iov(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    iov[i] = {payload.data(), size};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  uint64_t sent = 0;
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  size_t f = 0;
  for (;;) {
    int n = ::sendmmsg(socks[f], msgs.data(), kBatch, MSG_DONTWAIT);
    if (n > 0) sent += static_cast<uint64_t>(n);
    f = (f + 1) % socks.size();
    if ((sent & 0x3ff) < kBatch && std::chrono::steady_clock::now() >= end) break;
    if (n <= 0 && std::chrono::steady_clock::now() >= end) break;
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sent %llu packets in %.2f s (%.0f pps)\n", static_cast<unsigned long long>(sent), took,
              static_cast<double>(sent) / took);
  return 0;
}
