#include "packet_builder.hpp"

#include <arpa/inet.h>

#include <stdexcept>

#include "xlat/checksum.hpp"
#include "xlat/ipv6_chain.hpp"

namespace testpkt {

namespace {

void put16(Bytes& b, size_t off, uint16_t v) {
  b[off] = static_cast<uint8_t>(v >> 8);
  b[off + 1] = static_cast<uint8_t>(v);
}

xlat::Ipv4Addr v4addr(const std::string& s) {
  auto a = xlat::parse_ipv4(s);
  if (!a) throw std::invalid_argument("bad IPv4 " + s);
  return *a;
}

xlat::Ipv6Addr v6addr(const std::string& s) {
  auto a = xlat::parse_ipv6(s);
  if (!a) throw std::invalid_argument("bad IPv6 " + s);
  return *a;
}

uint32_t sum_words(const uint8_t* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2) s += static_cast<uint32_t>(p[n - 1] << 8);
  return s;
}

uint16_t fold_inv(uint32_t s) {
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}

Bytes with_checksum(Bytes seg, uint32_t pseudo, size_t csum_off, bool udp_rule) {
  put16(seg, csum_off, 0);
  uint16_t c = fold_inv(pseudo + sum_words(seg.data(), seg.size()));
  if (udp_rule && c == 0) c = 0xffff;
  put16(seg, csum_off, c);
  return seg;
}

}  // namespace

uint16_t be16(const Bytes& b, size_t off) { return static_cast<uint16_t>(b.at(off) << 8 | b.at(off + 1)); }
uint32_t be32(const Bytes& b, size_t off) { return uint32_t{be16(b, off)} << 16 | be16(b, off + 2); }

std::string addr_at(const Bytes& b, size_t off, bool v6) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, b.data() + off, buf, sizeof buf);
  return buf;
}

Bytes pattern(size_t n, uint8_t start) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start + i);
  return b;
}

uint32_t pseudo4(const V4& h, uint8_t protocol, uint32_t len) {
  uint32_t s = v4addr(h.src), d = v4addr(h.dst);
  return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + protocol + len;
}

uint32_t pseudo6(const V6& h, uint8_t protocol, uint32_t len) {
  auto s = v6addr(h.src), d = v6addr(h.dst);
  return sum_words(s.b.data(), 16) + sum_words(d.b.data(), 16) + protocol + (len >> 16) +
         (len & 0xffff);
}

Bytes ipv4(const V4& h, uint8_t protocol, const Bytes& l4) {
  size_t ihl = 20 + h.options.size();
  Bytes p(ihl + l4.size());
  p[0] = static_cast<uint8_t>(0x40 | (ihl / 4));
  p[1] = h.tos;
  put16(p, 2, h.total_length_override >= 0 ? static_cast<uint16_t>(h.total_length_override)
                                           : static_cast<uint16_t>(p.size()));
  put16(p, 4, h.id);
  put16(p, 6, static_cast<uint16_t>((h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) | (h.frag_offset / 8)));
  p[8] = h.ttl;
  p[9] = protocol;
  uint32_t s = v4addr(h.src), d = v4addr(h.dst);
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<uint8_t>(s >> (24 - 8 * i));
    p[16 + i] = static_cast<uint8_t>(d >> (24 - 8 * i));
  }
  std::copy(h.options.begin(), h.options.end(), p.begin() + 20);
  put16(p, 10, fold_inv(sum_words(p.data(), ihl)));
  std::copy(l4.begin(), l4.end(), p.begin() + static_cast<long>(ihl));
  return p;
}

Bytes ipv6(const V6& h, uint8_t protocol, const Bytes& l4) {
  Bytes ext;
  uint8_t first = protocol;
  for (size_t i = 0; i < h.ext.size(); ++i) {
    uint8_t next = i + 1 < h.ext.size() ? h.ext[i + 1].type : protocol;
    ext.push_back(next);
    ext.insert(ext.end(), h.ext[i].body.begin(), h.ext[i].body.end());
  }
  if (!h.ext.empty()) first = h.ext[0].type;
  Bytes p(40 + ext.size() + l4.size());
  p[0] = static_cast<uint8_t>(0x60 | (h.tc >> 4));
  p[1] = static_cast<uint8_t>(h.tc << 4);
  put16(p, 4, static_cast<uint16_t>(ext.size() + l4.size()));
  p[6] = first;
  p[7] = h.hop_limit;
  auto s = v6addr(h.src), d = v6addr(h.dst);
  std::copy(s.b.begin(), s.b.end(), p.begin() + 8);
  std::copy(d.b.begin(), d.b.end(), p.begin() + 24);
  std::copy(ext.begin(), ext.end(), p.begin() + 40);
  std::copy(l4.begin(), l4.end(), p.begin() + 40 + static_cast<long>(ext.size()));
  return p;
}

Bytes fragment_ext(uint16_t offset, bool more, uint32_t id) {
  return {0, static_cast<uint8_t>(offset >> 8), static_cast<uint8_t>((offset & 0xf8) | (more ? 1 : 0)),
          static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 8),
          static_cast<uint8_t>(id)};
}

Bytes udp(uint32_t pseudo_sum, uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes s(8 + payload.size());
  put16(s, 0, sport);
  put16(s, 2, dport);
  put16(s, 4, static_cast<uint16_t>(s.size()));
  std::copy(payload.begin(), payload.end(), s.begin() + 8);
  return with_checksum(s, pseudo_sum, 6, true);
}

Bytes tcp(uint32_t pseudo_sum, uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes s(20 + payload.size());
  put16(s, 0, sport);
  put16(s, 2, dport);
  s[4] = 0x11; s[7] = 0x01;  // sequence number
  s[12] = 0x50;               // data offset 5
  s[13] = 0x18;               // PSH ACK
  put16(s, 14, 0xffff);
  std::copy(payload.begin(), payload.end(), s.begin() + 20);
  return with_checksum(s, pseudo_sum, 16, false);
}

Bytes icmp(uint32_t pseudo_sum, uint8_t type, uint8_t code, uint32_t rest, const Bytes& body) {
  Bytes s(8 + body.size());
  s[0] = type;
  s[1] = code;
  put16(s, 4, static_cast<uint16_t>(rest >> 16));
  put16(s, 6, static_cast<uint16_t>(rest));
  std::copy(body.begin(), body.end(), s.begin() + 8);
  return with_checksum(s, pseudo_sum, 2, false);
}

Bytes udp4(const V4& h, uint16_t sport, uint16_t dport, const Bytes& payload) {
  uint32_t len = static_cast<uint32_t>(8 + payload.size());
  return ipv4(h, 17, udp(pseudo4(h, 17, len), sport, dport, payload));
}
Bytes tcp4(const V4& h, uint16_t sport, uint16_t dport, const Bytes& payload) {
  uint32_t len = static_cast<uint32_t>(20 + payload.size());
  return ipv4(h, 6, tcp(pseudo4(h, 6, len), sport, dport, payload));
}
Bytes icmp4(const V4& h, uint8_t type, uint8_t code, uint32_t rest, const Bytes& body) {
  return ipv4(h, 1, icmp(0, type, code, rest, body));
}
Bytes udp6(const V6& h, uint16_t sport, uint16_t dport, const Bytes& payload) {
  uint32_t len = static_cast<uint32_t>(8 + payload.size());
  return ipv6(h, 17, udp(pseudo6(h, 17, len), sport, dport, payload));
}
Bytes tcp6(const V6& h, uint16_t sport, uint16_t dport, const Bytes& payload) {
  uint32_t len = static_cast<uint32_t>(20 + payload.size());
  return ipv6(h, 6, tcp(pseudo6(h, 6, len), sport, dport, payload));
}
Bytes icmp6(const V6& h, uint8_t type, uint8_t code, uint32_t rest, const Bytes& body) {
  uint32_t len = static_cast<uint32_t>(8 + body.size());
  return ipv6(h, 58, icmp(pseudo6(h, 58, len), type, code, rest, body));
}

size_t l4_offset(const Bytes& p) {
  uint32_t offset = 0;
  uint8_t protocol;
  xlat::transport_header(p.data(), static_cast<uint32_t>(p.size()), offset, protocol);
  return offset;
}

bool ipv4_header_checksum_ok(const Bytes& p) {
  return xlat::csum_reference(p.data(), (p[0] & 0xf) * 4u) == 0;
}

// A UDP checksum field of 0 is never right here: over IPv6 it is invalid (RFC 8200
// §8.1), and a checksum the translator computed is sent as 0xffff, never 0 (RFC 768),
// although the sum verifies either way.
bool l4_checksum_ok(const Bytes& p) {
  const size_t off = l4_offset(p);
  const uint8_t proto = (p[0] >> 4) == 4 ? p[9] : last_next_header(p);
  if (proto == 17 && off + 8 <= p.size() && p[off + 6] == 0 && p[off + 7] == 0) return false;
  return l4_checksum_residual(p) == 0xffff;
}

uint8_t last_next_header(const Bytes& p) {
  xlat::Ipv6Chain c;
  xlat::walk_ipv6_chain(p.data(), static_cast<uint32_t>(p.size()), c);
  return c.protocol;
}

uint16_t l4_checksum_residual(const Bytes& p) {
  size_t off = l4_offset(p);
  const uint8_t* l4 = p.data() + off;
  size_t len = p.size() - off;
  uint32_t pseudo = 0;
  uint8_t proto;
  if ((p[0] >> 4) == 4) {
    proto = p[9];
    if (proto != 1) pseudo = sum_words(p.data() + 12, 8) + proto + static_cast<uint32_t>(len);
  } else {
    proto = last_next_header(p);
    pseudo = sum_words(p.data() + 8, 32) + proto + static_cast<uint32_t>(len);
  }
  return static_cast<uint16_t>(~fold_inv(pseudo + sum_words(l4, len)));
}

xlat::TranslatorConfig jool_like_config() {
  xlat::TranslatorConfig c;
  c.prefix = xlat::parse_ipv6_prefix("2001:db8:100::/40");
  c.eam = xlat::EamTable({{*xlat::parse_ipv4_prefix("1.0.0.0/24"),
                           *xlat::parse_ipv6_prefix("2001:db8:3::/120")}});
  c.own_v4 = v4addr("198.51.100.1");
  c.own_v6 = v6addr("2001:db8:1c0:2:1::");
  return c;
}

Run translate(const xlat::TranslatorConfig& cfg, const Bytes& pkt, xlat::DynamicPool* pool, uint16_t gso_size) {
  xlat::Translator t(cfg, pool, 0x4000);
  return translate_with(t, pkt, gso_size);
}

Run translate_with(xlat::Translator& t, const Bytes& pkt, uint16_t gso_size) {
  static std::vector<uint8_t> scratch(xlat::kScratchSize);
  Bytes buf(64 + pkt.size());
  std::copy(pkt.begin(), pkt.end(), buf.begin() + 64);
  xlat::Output out(scratch);
  t.translate({buf.data() + 64, static_cast<uint32_t>(pkt.size()), 64, false, gso_size}, out);
  Run r{out.verdict, out.reason, {}};
  for (uint32_t i = 0; i < out.count; ++i) {
    r.pkts.emplace_back(out.pkts[i].data, out.pkts[i].data + out.pkts[i].len);
  }
  return r;
}

}  // namespace testpkt
