/* The UDP sinks of bench/perf.py: every packet the sink's veth receives is dropped at
 * its tc ingress (the veth has counted it already), so no sink's IP stack does work
 * that differs between IPv4 and IPv6. Compiled by perf.py with clang. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

__attribute__((section("tc"), used)) int sink_drop(struct __sk_buff *skb) { return TC_ACT_SHOT; }

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
