#!/usr/bin/env bash
# Records test/cli/extra/link-addr.txt: `ip link`, `ip address`, `ethtool` and `hostname`
# behaviour the fixtures/ip cases do not show, from the real tools (Linux 6.18, iproute2 6.1,
# ethtool 6.1), in the fixtures/ip/README.md format. Needs root. It makes the namespaces
# nsl-ipa-a and nsl-ipa-b (IPv6 off in both), keeps both ends of every veth inside them, runs
# every command there with `ip -n` or `ip netns exec`, and deletes both at the end. The
# namespaces are not recorded: the test makes them itself.
set -uo pipefail
A=nsl-ipa-a B=nsl-ipa-b
OUT=$(dirname "$0")/link-addr.txt
export LC_ALL=C
cleanup() { ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; true; }
trap cleanup EXIT
cleanup
ip netns add $A && ip netns add $B
for n in $A $B; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
W=$(mktemp -d)
run() {
	local cmd=$1 rc
	(eval "$cmd") >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	printf '$ %s\n' "$cmd"
	if [[ -s $W/out ]]; then
		cat "$W/out"
		[[ $(tail -c1 "$W/out" | od -An -c | tr -d ' ') == '\n' ]] || { echo; echo '! stdout-no-eol'; }
	fi
	((rc == 0)) || echo "! exit=$rc"
	[[ -s $W/err ]] && sed 's/^/!stderr: /' "$W/err"
	true
}
a() { run "ip netns exec $A $*"; }
{
	echo "# case: link-addr-extra"
	echo "# description: ip link/address corner cases recorded by test/cli/extra/record-link-addr.sh"
	a ip link add x0 address 02:00:00:00:aa:01 type veth peer name y0 address 02:00:00:00:aa:02 up
	a ip link add x1 address 02:00:00:00:aa:03 mtu 1400 txqlen 50 type veth
	a ip addr add 192.0.2.1/32 dev veth0
	a ip -4 addr show dev veth0
	a ip -br addr
	a ip link add g type veth bar
	a ip link add e type veth peer name f foo
	a ip link add a0 type veth
	a ip link set x1 promisc on
	a ip link set x1 promisc on
	a ip link set x1 allmulticast on
	a ip link set x1 arp off
	a ip link set x1 multicast off
	a ip -d link show x1
	a ip link set x1 promisc off
	a ip link set x1 arp on multicast on allmulticast off
	a ip link set x1 master veth0
	a ip link set x1 carrier on
	a ip link set x1 netns 99999
	a ip link set x1 mtu 1300 address 01:02:03:04:05:06
	a ip link set x1 address 02:02:03:04:05
	a ip link set x1 address 02:00:00:00:aa:05:07
	a ip link set x1 promisc maybe
	a ip link set x1 group 5
	a ip link show group 5
	a ip link show x1
	a ip -j link show veth0 up
	a ip -j link show up
	a ip link del lo
	a ip link del x1
	a ip -br addr
	a ip link help veth
	a ip link add p0 address 02:00:00:00:aa:11 type veth peer name p1 address 02:00:00:00:aa:12
	a ip link set p0 up
	a ip link set p1 up
	a ip -s -s link show p0
	a ip -s -s -j link show p1
	a ip addr add 10.0.0.1/24 dev p0
	a ip addr add 10.0.0.2/24 dev p0
	a ip addr add 10.0.1.1/24 metric 100 dev p0
	a ip addr add 10.0.2.1 peer 10.0.2.2/32 dev p0
	a ip addr add 127.0.0.2/8 dev lo
	a ip addr add 10.0.3.1/24 dev p0 home
	a ip addr add 10.0.3.2/24 dev p0 secondary
	a ip addr change 10.0.1.1/24 metric 200 dev p0
	a ip addr replace 10.0.4.1/24 dev p0
	a ip addr show dev p0
	run "ip netns exec $A ip -j addr show label 'p*'"
	a ip -j addr show dev p0 secondary
	a ip -br addr show secondary
	a ip -o addr show dev p0
	a ip addr show dev p0 to 10.0.0.0/16
	a ip addr show primary dev p0
	a ip -4 addr show dev lo
	a ip addr show up
	a ip -s addr flush dev p0 secondary
	a ip -s addr flush dev p0 to 10.0.3.0/24
	a ip -s addr flush dev p0
	a ip -s addr flush dev p0
	a ip addr add 10.0.0.1/24 brd 10.0.0.255 dev p0 label p0:x
	a ip addr del 10.0.0.1/24 dev p0 label p0:y
	a ip addr del 10.0.0.1/24 dev p0 label p0:x
	a ip addr add dev p0
	a ip addr add 10.0.0.1/24 dev p0 valid_lft 0
	a ip addr add 10.0.0.1/24 dev p0 valid_lft 10 preferred_lft 20
	a ip addr add 10.0.0.1/24 dev p0 autojoin
	a ip addr add 10.0.0.1/24 brd + brd - dev p0
	a ip addr add 2001:db8::1/64 dev p0
	a ip addr show scope bogus
	a ip addr show master nosuch
	a ip link show dev p0 dev p1
	a ip link set p0 name p1
	a ip link set dev p0 down
	a ip link set dev p0 down
	a ip link show p1
	a ethtool p1
	a ethtool -k lo
	a ethtool -l lo
	a ethtool -P lo
	a ethtool -T lo
	a ethtool -g lo
	a ethtool -l p1
	a ethtool -S p1 extra
	a ethtool
	a ethtool -Z p1
	a ethtool -k nosuch
	a ethtool -P nosuch
	a ethtool --version
	a ip link add i0 index 10 address 02:00:00:00:aa:21 type veth peer name i1 index 20 address 02:00:00:00:aa:22
	a ip link add j0 index 10 type veth peer name j1
	a ip link add k0 address 02:00:00:00:aa:23 type veth peer name k1 index 30 address 02:00:00:00:aa:24
	a ip link show i0
	a ip link show i1
	a ip link show k0
	a ip link show k1
	a ip link set k1 netns $B index 40
	run "ip netns exec $B ip link show k1"
	a ip link set k0 index 5
	a ip link set i0 netns $B index 1
	a ip link replace i0 type veth
	a ip link replace i0 mtu 1400
	a ip link replace r0 address 02:00:00:00:aa:31 type veth peer name r1 address 02:00:00:00:aa:32
	a ip link show r0
	a ip link change r0 mtu 1300
	a ip link set r0 type veth peer name zz
	a ip link add s0 index 50 address 02:00:00:00:aa:33 mtu 1280 group 7 type veth
	a ip -d link show s0
	a ip -br addr show group 7
} >"$OUT"
rm -rf "$W"
echo "recorded $OUT ($(grep -c '^\$ ' "$OUT") commands)" >&2
