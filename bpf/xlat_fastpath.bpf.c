/* The fast path: a TC program on the TUN's egress that translates the ordinary packet
 * (RFC 7915) in the kernel and re-injects it as if the daemon had written it; every
 * other packet goes up to the daemon unchanged (TC_ACT_OK), which translates, answers
 * or drops and counts it as it always has.
 *
 * Ordinary, in this version: TCP, UDP with a checksum, ICMP Echo and Echo Reply; IPv4
 * without options and not a fragment, IPv6 without extension headers; TTL / Hop Limit
 * above 1; within the MTUs and not to be fragmented (a TCP GSO super-packet: each of its
 * segments; a UDP one goes up); the remote host mapped by EAM (RFC 7757, single
 * addresses and ranges) or inside the RFC 6052 prefix (any §2.2 length; under
 * 64:ff9b::/96 with wkpf-strict, a global IPv4 address only), the local host mapped by
 * EAM or holding an active dynamic-pool address. The translator's own addresses,
 * reserved addresses, a host the pool has not (yet) assigned, a prefix source, hairpins:
 * up.
 *
 * The same translation also runs, opt-in, on an uplink's ingress (xlat_fastpath_ingress,
 * below): before the kernel's forwarding pass into the TUN, which it then stands in for.
 *
 * Each decision mirrors the core's (src/core/translate_*.cpp), where the RFC section is
 * named; tests/fastpath compares the two byte for byte (the ingress entry point with
 * the core's output for the packet one hop on). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fastpath_abi.h"

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct fp_settings);
} fp_settings_map SEC(".maps");

/* Single-address static maps, each way. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, FP_EAM_SINGLES_MAX);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32);
  __type(value, struct fp_v6);
} fp_v4_to_v6 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, FP_EAM_SINGLES_MAX);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct fp_v6);
  __type(value, __u32);
} fp_v6_to_v4 SEC(".maps");

/* EAM ranges, each way (longest match). */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, FP_EAM_RANGES_MAX);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct fp_eam4_key);
  __type(value, struct fp_eam4_value);
} fp_eam4 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, FP_EAM_RANGES_MAX);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct fp_eam6_key);
  __type(value, struct fp_eam6_value);
} fp_eam6 SEC(".maps");

/* The dynamic pool's active entries (the daemon sizes them to the pool before loading,
 * adds an entry when it assigns or wakes one, removes it when it goes dormant). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32);
  __type(value, struct fp_pool4_value);
} fp_pool4 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct fp_v6);
  __type(value, struct fp_pool6_value);
} fp_pool6 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, FP_COUNTERS);
  __type(key, __u32);
  __type(value, __u64);
} fp_counters SEC(".maps");

/* `fast-path-forward`: the uplinks translated packets may be sent out of directly (the
 * Ethernet devices the program runs on), by ifindex. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u32);
} fp_forward_devs SEC(".maps");

/* The Identification of DF=0 packets, per CPU (RFC 7915 §5.1: "a Fragment Identification
 * generator at the translator"). */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} fp_ipv4_id SEC(".maps");

#define AF_INET 2   /* bpf_fib_lookup's families (sys/socket.h is not for BPF) */
#define AF_INET6 10
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IP_DF 0x4000

static __always_inline int count(__u32 slot) {
  __u64 *c = bpf_map_lookup_elem(&fp_counters, &slot);
  if (c) *c += 1;
  return 0;
}

/* Passed on, to the daemon or (at an ingress) to the kernel's forwarding pass. Counted on
 * the TUN only: a packet the ingress passes on that reaches the TUN meets the program
 * there again and is counted once, where it goes up. */
static __always_inline int up_from(const int ingress, __u32 slot) {
  if (!ingress) count(slot);
  return TC_ACT_OK;
}

/* 0/8, 127/8, 169.254/16, 224/4 and 255.255.255.255 (the core's ipv4_reserved; a
 * link-local address a map names goes up, where the core allows it). */
static __always_inline int ipv4_reserved(__u32 a_net) {
  __u32 a = bpf_ntohl(a_net);
  __u32 first = a >> 24;
  return first == 0 || first == 127 || (a >> 16) == 0xa9fe || (first >= 224 && first < 240) ||
         a == 0xffffffffu;
}

static __always_inline int in_pool(const struct fp_settings *s, __u32 a_net) {
  __u32 a = bpf_ntohl(a_net);
  return s->pool_first <= s->pool_last && a >= s->pool_first && a <= s->pool_last;
}

/* A pool entry's last use: written at most once a second, so a busy entry's cache line
 * is not written by every CPU for every packet (the pool counts in seconds). */
static __always_inline void stamp(__u64 *last_used) {
  const __u64 now = bpf_ktime_get_coarse_ns();
  if (now - *last_used >= 1000000000ull) *last_used = now;
}

static __always_inline struct fp_u128 to_u128(const struct fp_v6 *a) {
  struct fp_u128 v = {((__u64)bpf_ntohl(a->w[0]) << 32) | bpf_ntohl(a->w[1]),
                      ((__u64)bpf_ntohl(a->w[2]) << 32) | bpf_ntohl(a->w[3])};
  return v;
}

static __always_inline struct fp_v6 from_u128(struct fp_u128 v) {
  struct fp_v6 a = {{bpf_htonl((__u32)(v.hi >> 32)), bpf_htonl((__u32)v.hi), bpf_htonl((__u32)(v.lo >> 32)),
                     bpf_htonl((__u32)v.lo)}};
  return a;
}

/* The bits of `v` from `shift` (counted from the last bit) up, masked: up to 32 of them,
 * possibly across the two halves. */
static __always_inline __u32 bits_at(struct fp_u128 v, __u32 shift, __u32 mask) {
  if (mask == 0) return 0;
  shift &= 127;
  __u64 b;
  if (shift >= 64) b = v.hi >> (shift - 64);
  else if (shift == 0) b = v.lo;
  else b = (v.lo >> shift) | (v.hi << (64 - shift));
  return (__u32)b & mask;
}

/* The reverse: `x` (masked) or-ed in at `shift`. */
static __always_inline void put_bits(struct fp_u128 *v, __u32 x, __u32 shift, __u32 mask) {
  if (mask == 0) return;
  shift &= 127;
  const __u64 b = x & mask;
  if (shift >= 64) {
    v->hi |= b << (shift - 64);
  } else {
    v->lo |= b << shift;
    if (shift != 0) v->hi |= b >> (64 - shift);
  }
}

/* RFC 6052 §2.2. */
static __always_inline int in_prefix(const struct fp_settings *s, struct fp_u128 a) {
  return s->has_prefix && (a.hi & s->prefix_mask.hi) == s->prefix.hi && (a.lo & s->prefix_mask.lo) == s->prefix.lo;
}

static __always_inline __u32 extract(const struct fp_settings *s, struct fp_u128 a) {
  const struct fp_v4_layout *l = &s->layout;
  const __u32 hi = (__u32)(a.hi >> (l->hi_shift & 63)) & l->hi_mask;
  const __u32 lo = (__u32)((a.lo >> (l->lo_shift & 63)) & l->lo_mask);
  return bpf_htonl(l->lo_bits >= 32 ? lo : (hi << (l->lo_bits & 31)) | lo);
}

static __always_inline struct fp_v6 embed(const struct fp_settings *s, __u32 v4_net) {
  const struct fp_v4_layout *l = &s->layout;
  const __u64 v4 = bpf_ntohl(v4_net);
  struct fp_u128 a = s->prefix;
  a.hi |= ((v4 >> (l->lo_bits & 63)) & l->hi_mask) << (l->hi_shift & 63);
  a.lo |= (v4 & l->lo_mask) << (l->lo_shift & 63);
  return from_u128(a);
}

/* RFC 6052 §3.1: under 64:ff9b::/96 with wkpf-strict, only global IPv4. */
static __always_inline int prefix_refuses(const struct fp_settings *s, __u32 a_net) {
  const __u32 a = bpf_ntohl(a_net);
  const __u32 n = s->non_global_count;
  for (__u32 i = 0; i < FP_NON_GLOBAL_MAX; ++i) {
    if (i >= n) break;
    if (a >= s->non_global[i].first && a <= s->non_global[i].last) return 1;
  }
  return 0;
}

/* ::/96, ::ffff:0:0/96, fe80::/10, ff00::/8 (the core's ipv6_reserved). */
static __always_inline int ipv6_reserved(struct fp_u128 a) {
  const __u32 top = (__u32)(a.hi >> 48);
  if ((top >> 8) == 0xff || (top & 0xffc0) == 0xfe80) return 1;
  if (a.hi != 0 || (a.lo >> 48) != 0) return 0;
  const __u32 w = (__u32)(a.lo >> 32) & 0xffff;
  return w == 0 || w == 0xffff;
}

/* EAM (RFC 7757 §3.3), IPv4 -> IPv6: a single-address map, else the longest range. */
static __always_inline int eam_4to6(__u32 v4_net, struct fp_v6 *out) {
  const struct fp_v6 *single = bpf_map_lookup_elem(&fp_v4_to_v6, &v4_net);
  if (single) {
    *out = *single;
    return 1;
  }
  struct fp_eam4_key key = {32, v4_net};
  const struct fp_eam4_value *r = bpf_map_lookup_elem(&fp_eam4, &key);
  if (!r) return 0;
  struct fp_u128 v = r->v6_base;
  put_bits(&v, bpf_ntohl(v4_net), r->shift, r->suffix_mask);
  *out = from_u128(v);
  return 1;
}

/* EAM, IPv6 -> IPv4. */
static __always_inline int eam_6to4(const struct fp_v6 *a, struct fp_u128 a128, __u32 *out) {
  const __u32 *single = bpf_map_lookup_elem(&fp_v6_to_v4, a);
  if (single) {
    *out = *single;
    return 1;
  }
  struct fp_eam6_key key = {128};
  __builtin_memcpy(key.v6, a, 16);
  const struct fp_eam6_value *r = bpf_map_lookup_elem(&fp_eam6, &key);
  if (!r) return 0;
  *out = bpf_htonl(r->v4_base | bits_at(a128, r->shift, r->suffix_mask));
  return 1;
}

/* An EAM or dynamic-pool IPv4 address (the core's is_mapped4). */
static __always_inline int mapped4(const struct fp_settings *s, __u32 v4_net) {
  struct fp_v6 unused;
  return in_pool(s, v4_net) || eam_4to6(v4_net, &unused);
}

static __always_inline __u16 fold(__u64 sum) {
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)sum;
}

/* A GSO super-packet (TCP only; the kernel cuts it into gso_size segments after us):
 * kept in the kernel when each segment, with the new headers, fits `mtu`. The helper
 * switches its GSO type (TCPV4 <-> TCPV6) and, since Linux 5.13, keeps gso_size, so
 * every segment carries the payload it would have carried (the daemon, probing at load,
 * says whether this kernel does; otherwise super-packets go up). `l3` is the new IP
 * header's length. 0: keep it; else the counter slot to go up with. */
static __always_inline int super_packet_check(struct __sk_buff *skb, const struct fp_settings *s, __u8 protocol,
                                              const __u8 *l4, void *end, __u32 l3, __u32 mtu) {
  if (skb->gso_size == 0) return 0;
  if (!s->gso_in_kernel || protocol != IPPROTO_TCP) return FP_UP_SUPER_PACKET;
  if ((void *)(l4 + 20) > end) return FP_UP_SUPER_PACKET;
  const __u32 tcp_len = (__u32)(l4[12] >> 4) * 4;
  if (tcp_len < 20 || l3 + tcp_len + skb->gso_size > mtu) return FP_UP_TOO_BIG;
  return 0;
}

/* Offset of the TCP, UDP or ICMP checksum, or 0 for another protocol. */
static __always_inline __u32 l4_checksum_offset(__u8 protocol) {
  return protocol == IPPROTO_TCP ? 16 : protocol == IPPROTO_UDP ? 6 :
         (protocol == IPPROTO_ICMPV6 || protocol == IPPROTO_ICMP) ? 2 : 0;
}

/* The shortest message of each: TCP and UDP headers, an Echo header (the core's rule). */
static __always_inline __u32 l4_min_length(__u8 protocol) {
  return protocol == IPPROTO_TCP ? 20 : 8;
}

/* The ICMP checksum after an Echo's translation (RFC 7915 §4.2, §5.2): the ICMPv6
 * pseudo-header (addresses, length, Next Header 58) leaves or joins it (BPF_F_PSEUDO_HDR:
 * on a CHECKSUM_PARTIAL packet only the seed in the field covers it), and the Type word
 * changes (in the data itself, summed again where the checksum is left partial). */
static __always_inline int echo_checksum(struct __sk_buff *skb, __u32 csum_at, const struct fp_v6 *src6,
                                         const struct fp_v6 *dst6, __u32 l4len, __u16 old_type_code,
                                         __u16 new_type_code, int to_v6) {
  __u32 pseudo[10];
  __builtin_memcpy(pseudo, src6, 16);
  __builtin_memcpy(pseudo + 4, dst6, 16);
  pseudo[8] = bpf_htonl(l4len);
  pseudo[9] = bpf_htonl(IPPROTO_ICMPV6);
  const __s64 diff = to_v6 ? bpf_csum_diff(0, 0, pseudo, sizeof(pseudo), 0)
                           : bpf_csum_diff(pseudo, sizeof(pseudo), 0, 0, 0);
  if (diff < 0) return -1;
  if (bpf_l4_csum_replace(skb, csum_at, 0, (__u32)diff, BPF_F_PSEUDO_HDR) != 0) return -1;
  return bpf_l4_csum_replace(skb, csum_at, old_type_code, new_type_code, 2);
}

/* The size on the wire of the packet (`total`), or of a TCP super-packet's segments with
 * an `l3`-byte IP header: what a route's MTU is held against. */
static __always_inline __u32 segment_size(struct __sk_buff *skb, const __u8 *l4, void *end, __u32 l3,
                                          __u32 total) {
  if (skb->gso_size == 0) return total;
  if ((void *)(l4 + 20) > end) return 0xffff;
  return l3 + (__u32)(l4[12] >> 4) * 4 + skb->gso_size;
}

/* The kernel's route for src -> dst (IPv6 when `v6`) as a packet received on `ifindex`
 * would take it, held to the route's MTU with `size` bytes (forwarding must be on
 * there); `flow`: the IPv4 TOS, or the IPv6 flowinfo word (network order). The route's
 * device, or 0 for none; with `no_neigh_ok`, a next hop not yet resolved is a route too
 * (a TUN has no neighbours). */
static __always_inline __u32 fib_route(struct __sk_buff *skb, struct bpf_fib_lookup *fib, int v6, __u32 ifindex,
                                       const void *src, const void *dst, __u8 protocol, __u32 flow, __u32 size,
                                       int no_neigh_ok) {
  __builtin_memset(fib, 0, sizeof(*fib));
  fib->ifindex = ifindex;
  fib->l4_protocol = protocol;
  fib->tot_len = (__u16)(size > 0xffff ? 0xffff : size);
  if (v6) {
    fib->family = AF_INET6;
    fib->flowinfo = flow;
    __builtin_memcpy(fib->ipv6_src, src, 16);
    __builtin_memcpy(fib->ipv6_dst, dst, 16);
  } else {
    fib->family = AF_INET;
    fib->tos = (__u8)flow;
    fib->ipv4_src = *(const __u32 *)src;
    fib->ipv4_dst = *(const __u32 *)dst;
  }
  const long rc = bpf_fib_lookup(skb, fib, sizeof(*fib), 0);
  return rc == BPF_FIB_LKUP_RET_SUCCESS || (no_neigh_ok && rc == BPF_FIB_LKUP_RET_NO_NEIGH) ? fib->ifindex : 0;
}

/* `fast-path-ingress`: whether the kernel's forwarding pass would take this packet,
 * received on an uplink, into the TUN (and the TUN's MTU hold it): only those are the
 * translator's. */
static __always_inline int routed_into_tun(struct __sk_buff *skb, const struct fp_settings *s) {
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  struct bpf_fib_lookup fib;
  const __u32 len = skb->len - ETH_HLEN;
  if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr *ip6 = data + ETH_HLEN;
    if ((void *)(ip6 + 1) > end) return 0;
    const __u32 size = segment_size(skb, (const __u8 *)(ip6 + 1), end, 40, len);
    return fib_route(skb, &fib, 1, skb->ingress_ifindex, &ip6->saddr, &ip6->daddr, ip6->nexthdr,
                     *(__be32 *)ip6 & bpf_htonl(0x0fffffff), size, 1) == s->ifindex;
  }
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    struct iphdr *ip4 = data + ETH_HLEN;
    if ((void *)(ip4 + 1) > end) return 0;
    const __u32 size = segment_size(skb, (const __u8 *)(ip4 + 1), end, 20, len);
    return fib_route(skb, &fib, 0, skb->ingress_ifindex, &ip4->saddr, &ip4->daddr, ip4->protocol, ip4->tos, size,
                     1) == s->ifindex;
  }
  return 0;
}

/* `fast-path-forward`, for a packet whose IPv4 side is not a dynamic-pool address (those
 * keep going through the TUN, where NAT44 rewrites them): the device the translated
 * packet would leave by from the TUN, when it is an uplink the program runs on (an
 * Ethernet device) with the next hop resolved, the route's MTU holds `seg` and the TTL /
 * Hop Limit (`hops`, before that pass) is above 1. Then the program does that pass too
 * (the hop, the link-layer header) and sends the packet out itself: the second routing
 * pass and its netfilter hooks are skipped. 0 otherwise (re-injected into the TUN). */
static __always_inline __u32 forward_route(struct __sk_buff *skb, const struct fp_settings *s, int to_v6,
                                           const void *src, const void *dst, __u8 protocol, __u8 tclass,
                                           __u32 seg, __u8 hops, struct bpf_fib_lookup *fib) {
  if (!s->forward || hops <= 1) return 0;
  const __u32 flow = to_v6 ? bpf_htonl((__u32)tclass << 20) : tclass;
  const __u32 out = fib_route(skb, fib, to_v6, s->ifindex, src, dst, protocol, flow, seg, 0);
  return out && bpf_map_lookup_elem(&fp_forward_devs, &out) ? out : 0;
}

/* The link-layer header for the next hop forward_route found, then out of its device. */
static __always_inline int send_forward(struct __sk_buff *skb, const struct bpf_fib_lookup *fib, __u32 out,
                                        __u16 ethertype) {
  struct ethhdr eth;
  __builtin_memcpy(eth.h_dest, fib->dmac, ETH_ALEN);
  __builtin_memcpy(eth.h_source, fib->smac, ETH_ALEN);
  eth.h_proto = bpf_htons(ethertype);
  if (bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0) != 0) {
    count(FP_DROPPED_BROKEN);
    return TC_ACT_SHOT;
  }
  count(FP_FORWARDED);
  return bpf_redirect(out, 0);
}

/* RFC 7915 §5: IPv6 -> IPv4. */
static __always_inline int translate_6to4(struct __sk_buff *skb, const struct fp_settings *s,
                                          __u32 off, const int ingress) {
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  struct ipv6hdr *ip6 = data + off;
  if ((void *)(ip6 + 1) + 8 > end) return up_from(ingress, FP_UP_NOT_ORDINARY);
  if (ip6->version != 6) return up_from(ingress, FP_UP_NOT_ORDINARY);
  const __u8 protocol = ip6->nexthdr;
  /* Extension headers, ICMPv6 other than Echo and other protocols (ICMPv4 included,
   * which the core refuses in IPv6): the daemon. */
  const __u32 csum_off = protocol == IPPROTO_ICMP ? 0 : l4_checksum_offset(protocol);
  if (csum_off == 0) return up_from(ingress, FP_UP_NOT_ORDINARY);
  const __u32 l4len = bpf_ntohs(ip6->payload_len);
  if (off + 40 + l4len != skb->len) return up_from(ingress, FP_UP_NOT_ORDINARY);
  if (l4len < l4_min_length(protocol)) return up_from(ingress, FP_UP_NOT_ORDINARY);
  /* §5.2: Echo Request and Reply (128, 129) become 8 and 0, the code copied. */
  const __u8 type6 = ((const __u8 *)(ip6 + 1))[0];
  const int echo = protocol == IPPROTO_ICMPV6;
  if (echo && type6 != 128 && type6 != 129) return up_from(ingress, FP_UP_NOT_ORDINARY);
  const __u8 protocol4 = echo ? IPPROTO_ICMP : protocol;
  /* Hop Limit (§5.1): an expiring one is answered by the daemon (at an ingress, the
   * forwarding pass into the TUN, skipped here, would have taken one first). */
  if (ip6->hop_limit <= 1 + ingress) return up_from(ingress, FP_UP_HOP_LIMIT);
  const __u32 total4 = 20 + l4len;
  const __u8 *l4 = (const __u8 *)(ip6 + 1);
  if (skb->gso_size != 0) {
    const int why = super_packet_check(skb, s, protocol, l4, end, 20, s->mtu4);
    if (why) return up_from(ingress, why);
    if (total4 > 0xffff) return up_from(ingress, FP_UP_TOO_BIG);
  } else if (total4 > s->mtu4) {
    return up_from(ingress, FP_UP_TOO_BIG);  /* Packet Too Big */
  }

  if (protocol == IPPROTO_UDP && l4[6] == 0 && l4[7] == 0) return up_from(ingress, FP_UP_CHECKSUM);

  /* Addresses (§5.1), in the core's order (address_map.hpp): reserved ones, the
   * translator's own, then each through EAM first and the prefix or the pool after. */
  struct fp_v6 dst6, src6;
  __builtin_memcpy(&dst6, &ip6->daddr, 16);
  __builtin_memcpy(&src6, &ip6->saddr, 16);
  const struct fp_u128 dst128 = to_u128(&dst6), src128 = to_u128(&src6);
  if (ipv6_reserved(src128) || ipv6_reserved(dst128)) return up_from(ingress, FP_UP_UNMAPPED);
  if (dst6.w[3] == s->own_v6[3] && dst6.w[0] == s->own_v6[0] && dst6.w[1] == s->own_v6[1] &&
      dst6.w[2] == s->own_v6[2])
    return up_from(ingress, FP_UP_UNMAPPED);
  /* Destination: EAM, else the prefix's (RFC 6052 §2.2) if the prefix may carry it. */
  __u32 dst4;
  const int dst_in_prefix = in_prefix(s, dst128);
  if (!eam_6to4(&dst6, dst128, &dst4)) {
    if (!dst_in_prefix) return up_from(ingress, FP_UP_UNMAPPED);
    dst4 = extract(s, dst128);
    if (ipv4_reserved(dst4) || prefix_refuses(s, dst4)) return up_from(ingress, FP_UP_UNMAPPED);
  }
  if (dst4 == s->own_v4) return up_from(ingress, FP_UP_UNMAPPED);
  /* A prefix destination whose IPv4 address is itself mapped is a hairpin (RFC 7757
   * §4.2): up. */
  if (dst_in_prefix && mapped4(s, dst4)) return up_from(ingress, FP_UP_UNMAPPED);
  /* Source: EAM, else the prefix's (a CLAT's remote hosts; never the pool's), else the
   * host's active dynamic-pool entry (a host without one goes up: the daemon assigns
   * it, and adds it here). */
  __u32 src4;
  int pooled = 0;
  if (eam_6to4(&src6, src128, &src4)) {
    /* mapped */
  } else if (in_prefix(s, src128)) {
    src4 = extract(s, src128);
    if (ipv4_reserved(src4) || prefix_refuses(s, src4)) return up_from(ingress, FP_UP_UNMAPPED);
  } else {
    struct fp_pool6_value *entry = bpf_map_lookup_elem(&fp_pool6, &src6);
    if (!entry) return up_from(ingress, FP_UP_UNMAPPED);
    src4 = entry->v4;
    stamp(&entry->last_used);
    pooled = 1;
  }

  /* The IPv4 header (§5.1). */
  struct iphdr ip4 = {};
  ip4.version = 4;
  ip4.ihl = 5;
  ip4.tos = (__u8)((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4));
  ip4.tot_len = bpf_htons((__u16)total4);
  /* "If [...] the packet is less than or equal to 1260 bytes, it SHOULD set DF to 0;
   * otherwise [...] 1"; a DF=1 packet's Identification is 0 (RFC 6864 §4.1). */
  if (total4 > 1260) {
    ip4.frag_off = bpf_htons(IP_DF);
  } else {
    __u32 zero = 0;
    __u32 *id = bpf_map_lookup_elem(&fp_ipv4_id, &zero);
    if (!id) return up_from(ingress, FP_UP_HELPER_FAILED);
    /* Never 0 (as the core's generator). The loader starts each CPU elsewhere. */
    if ((__u16)*id == 0) *id += 1;
    ip4.id = bpf_htons((__u16)*id);
    *id += 1;
  }
  ip4.ttl = ip6->hop_limit - 1 - ingress;
  ip4.protocol = protocol4;
  ip4.saddr = src4;
  ip4.daddr = dst4;
  struct bpf_fib_lookup fib;
  __u32 out = 0;
  if (ingress) {
    const __u32 seg = segment_size(skb, l4, end, 20, total4);
    if (!pooled) out = forward_route(skb, s, 0, &src4, &dst4, protocol4, ip4.tos, seg, ip4.ttl, &fib);
    if (out) ip4.ttl -= 1;
  }
  __u32 words[5];
  __builtin_memcpy(words, &ip4, 20);
  __u64 sum = (__u64)words[0] + words[1] + words[2] + words[3] + words[4];
  ip4.check = ~fold(sum);

  /* §5.5: the TCP / UDP checksum follows the new pseudo-header. */
  __u32 from[8], to[2] = {src4, dst4};
  __builtin_memcpy(from, &src6, 16);
  __builtin_memcpy(from + 4, &dst6, 16);
  const __s64 diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);
  if (diff < 0) return up_from(ingress, FP_UP_HELPER_FAILED);
  const __u64 flags = BPF_F_PSEUDO_HDR | (protocol == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);
  /* The protocol change is the first write: a packet the kernel refuses it for is still
   * whole, and goes up. After it, a failure leaves a broken packet: dropped, counted. */
  const __u8 code = ((const __u8 *)(ip6 + 1))[1];
  const __u8 type4 = type6 == 128 ? 8 : 0;
  if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0) != 0) return up_from(ingress, FP_UP_HELPER_FAILED);
  const int l4_failed =
      echo ? echo_checksum(skb, off + 20 + csum_off, &src6, &dst6, l4len, bpf_htons((__u16)(type6 << 8 | code)),
                           bpf_htons((__u16)(type4 << 8 | code)), 0) != 0 ||
                 bpf_skb_store_bytes(skb, off + 20, &type4, 1, BPF_F_RECOMPUTE_CSUM) != 0
           : bpf_l4_csum_replace(skb, off + 20 + csum_off, 0, (__u32)diff, flags) != 0;
  if (l4_failed || bpf_skb_store_bytes(skb, off, &ip4, 20, BPF_F_RECOMPUTE_CSUM) != 0) {
    count(FP_DROPPED_BROKEN);
    return TC_ACT_SHOT;
  }
  count(FP_TRANSLATED_6TO4);
  if (ingress) count(FP_INGRESS_6TO4);
  if (out) return send_forward(skb, &fib, out, ETH_P_IP);
  return bpf_redirect(s->ifindex, BPF_F_INGRESS);
}

/* RFC 7915 §4: IPv4 -> IPv6. */
static __always_inline int translate_4to6(struct __sk_buff *skb, const struct fp_settings *s,
                                          __u32 off, const int ingress) {
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  struct iphdr *ip4 = data + off;
  if ((void *)(ip4 + 1) + 8 > end) return up_from(ingress, FP_UP_NOT_ORDINARY);
  if (ip4->version != 4 || ip4->ihl != 5) return up_from(ingress, FP_UP_NOT_ORDINARY);  /* options */
  const __u32 total4 = bpf_ntohs(ip4->tot_len);
  if (off + total4 != skb->len || total4 < 20) return up_from(ingress, FP_UP_NOT_ORDINARY);
  __u32 words[5];
  __builtin_memcpy(words, ip4, 20);
  if (fold((__u64)words[0] + words[1] + words[2] + words[3] + words[4]) != 0xffff)
    return up_from(ingress, FP_UP_CHECKSUM);
  const __u16 frag = bpf_ntohs(ip4->frag_off);
  if (frag & (IP_MF | IP_OFFSET)) return up_from(ingress, FP_UP_FRAGMENT);
  const __u8 protocol = ip4->protocol;
  const __u32 csum_off = protocol == IPPROTO_ICMPV6 ? 0 : l4_checksum_offset(protocol);  /* likewise */
  if (csum_off == 0) return up_from(ingress, FP_UP_NOT_ORDINARY);
  const __u32 l4len = total4 - 20;
  if (l4len < l4_min_length(protocol)) return up_from(ingress, FP_UP_NOT_ORDINARY);
  /* §4.2: Echo and Echo Reply (8, 0) become 128 and 129, the code copied. */
  const __u8 type4 = ((const __u8 *)(ip4 + 1))[0];
  const int echo = protocol == IPPROTO_ICMP;
  if (echo && type4 != 8 && type4 != 0) return up_from(ingress, FP_UP_NOT_ORDINARY);
  const __u8 protocol6 = echo ? IPPROTO_ICMPV6 : protocol;
  const __u32 src4 = ip4->saddr, dst4 = ip4->daddr;
  /* §4.1: reserved sources and destinations, the translator's own address: up. */
  if (ipv4_reserved(src4) || ipv4_reserved(dst4) || dst4 == s->own_v4) return up_from(ingress, FP_UP_UNMAPPED);
  if (ip4->ttl <= 1 + ingress) return up_from(ingress, FP_UP_HOP_LIMIT);
  /* §4.1: DF=0 and bigger than the lowest IPv6 MTU is fragmented; DF=1 and too big is
   * answered: both by the daemon. A super-packet's segments are held to the same rule. */
  const __u32 size6 = 40 + l4len;
  const __u32 split = s->mtu6 < s->lowest_ipv6_mtu ? s->mtu6 : s->lowest_ipv6_mtu;
  const __u8 *l4 = (const __u8 *)(ip4 + 1);
  if (skb->gso_size != 0) {
    const int why = super_packet_check(skb, s, protocol, l4, end, 40, (frag & IP_DF) ? s->mtu6 : split);
    if (why) return up_from(ingress, why);
  } else if (size6 > s->mtu6 || (!(frag & IP_DF) && size6 > split)) {
    return up_from(ingress, FP_UP_TOO_BIG);
  }
  if (protocol == IPPROTO_UDP && l4[6] == 0 && l4[7] == 0) return up_from(ingress, FP_UP_CHECKSUM);

  /* Destination: EAM, which comes before the pool (a map may sit inside the pool's
   * range), else an active pool entry (a pool address without one goes up: the daemon
   * refuses it), else the prefix if it may carry it (a CLAT's remote hosts). Source:
   * EAM, else the prefix likewise; a pool address: up. */
  struct fp_v6 dst6, src6;
  int pooled = 0;
  if (eam_4to6(dst4, &dst6)) {
    /* mapped */
  } else if (!in_pool(s, dst4)) {
    if (!s->has_prefix || prefix_refuses(s, dst4)) return up_from(ingress, FP_UP_UNMAPPED);
    dst6 = embed(s, dst4);
  } else {
    struct fp_pool4_value *entry = bpf_map_lookup_elem(&fp_pool4, &dst4);
    if (!entry) return up_from(ingress, FP_UP_UNMAPPED);
    dst6 = entry->v6;
    stamp(&entry->last_used);
    pooled = 1;
  }
  if (!eam_4to6(src4, &src6)) {
    if (in_pool(s, src4) || !s->has_prefix || prefix_refuses(s, src4)) return up_from(ingress, FP_UP_UNMAPPED);
    src6 = embed(s, src4);
  }

  /* The IPv6 header (§4.1): Traffic Class from TOS, Flow Label 0, Hop Limit TTL - 1. */
  struct ipv6hdr ip6 = {};
  const __u8 tos = ip4->tos;
  ip6.version = 6;
  ip6.priority = tos >> 4;
  ip6.flow_lbl[0] = (__u8)(tos << 4);
  ip6.payload_len = bpf_htons((__u16)l4len);
  ip6.nexthdr = protocol6;
  ip6.hop_limit = ip4->ttl - 1 - ingress;
  __builtin_memcpy(&ip6.saddr, &src6, 16);
  __builtin_memcpy(&ip6.daddr, &dst6, 16);
  struct bpf_fib_lookup fib;
  __u32 out = 0;
  if (ingress) {
    const __u32 seg = segment_size(skb, l4, end, 40, size6);
    if (!pooled) out = forward_route(skb, s, 1, &src6, &dst6, protocol6, tos, seg, ip6.hop_limit, &fib);
    if (out) ip6.hop_limit -= 1;
  }

  /* §4.5: the TCP / UDP checksum follows the new pseudo-header. */
  __u32 from[2] = {src4, dst4}, to[8];
  __builtin_memcpy(to, &src6, 16);
  __builtin_memcpy(to + 4, &dst6, 16);
  const __s64 diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);
  if (diff < 0) return up_from(ingress, FP_UP_HELPER_FAILED);
  const __u64 flags = BPF_F_PSEUDO_HDR | (protocol == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);
  const __u8 code = ((const __u8 *)(ip4 + 1))[1];
  const __u8 type6 = type4 == 8 ? 128 : 129;
  if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) != 0) return up_from(ingress, FP_UP_HELPER_FAILED);
  const int l4_failed =
      echo ? echo_checksum(skb, off + 40 + csum_off, &src6, &dst6, l4len, bpf_htons((__u16)(type4 << 8 | code)),
                           bpf_htons((__u16)(type6 << 8 | code)), 1) != 0 ||
                 bpf_skb_store_bytes(skb, off + 40, &type6, 1, BPF_F_RECOMPUTE_CSUM) != 0
           : bpf_l4_csum_replace(skb, off + 40 + csum_off, 0, (__u32)diff, flags) != 0;
  if (l4_failed || bpf_skb_store_bytes(skb, off, &ip6, 40, BPF_F_RECOMPUTE_CSUM) != 0) {
    count(FP_DROPPED_BROKEN);
    return TC_ACT_SHOT;
  }
  count(FP_TRANSLATED_4TO6);
  if (ingress) count(FP_INGRESS_4TO6);
  if (out) return send_forward(skb, &fib, out, ETH_P_IPV6);
  return bpf_redirect(s->ifindex, BPF_F_INGRESS);
}

/* Run once by the loader (BPF_PROG_TEST_RUN, an IPv4 packet, gso_size 1000): 1 when
 * this kernel's bpf_skb_change_proto keeps gso_size, 2 when it adjusts it (before 5.13). */
SEC("tc")
int probe_gso_size(struct __sk_buff *skb) {
  const __u32 before = skb->gso_size;
  if (before == 0 || bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) != 0) return 0;
  return skb->gso_size == before ? 1 : 2;
}

SEC("tc")
int xlat_fastpath(struct __sk_buff *skb) {
  __u32 zero = 0;
  const struct fp_settings *s = bpf_map_lookup_elem(&fp_settings_map, &zero);
  if (!s || !s->enabled) return TC_ACT_OK;
  /* The IP header starts at 0 on a TUN, after an Ethernet header in a test run. */
  const __u32 off = s->l3_offset ? ETH_HLEN : 0;
  if (skb->protocol == bpf_htons(ETH_P_IPV6)) return translate_6to4(skb, s, off, 0);
  if (skb->protocol == bpf_htons(ETH_P_IP)) return translate_4to6(skb, s, off, 0);
  return TC_ACT_OK;
}

/* On an uplink's ingress (`fast-path-ingress`, an Ethernet device): the packets the
 * kernel is about to route into the TUN, translated before that first forwarding pass,
 * which the program does the rest of (the route, its Hop Limit or TTL, its MTU), and
 * re-injected as received on the TUN as above. What it skips is the netfilter hooks of
 * that pass. Everything else goes on as if no program were there. */
SEC("tc")
int xlat_fastpath_ingress(struct __sk_buff *skb) {
  __u32 zero = 0;
  const struct fp_settings *s = bpf_map_lookup_elem(&fp_settings_map, &zero);
  if (!s || !s->enabled || skb->pkt_type != PACKET_HOST) return TC_ACT_OK;
  if (!routed_into_tun(skb, s)) return TC_ACT_OK;
  if (skb->protocol == bpf_htons(ETH_P_IPV6)) return translate_6to4(skb, s, ETH_HLEN, 1);
  return translate_4to6(skb, s, ETH_HLEN, 1);
}
