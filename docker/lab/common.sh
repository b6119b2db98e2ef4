# Shared by the lab containers: fill in etc/lab's placeholders as tests/e2e/lab464.py does.
STATE=/run/lab
mkdir -p "$STATE/plat"
lan_if() { ip -o -6 addr show | awk '/2001:db8:1::/ {print $2; exit}'; }
wan_if() { ip -o -4 addr show | awk '/203\.0\.113\./ {print $2; exit}'; }
render() {  # render NAME: etc/lab/NAME -> $STATE/NAME
  sed -e "s|@STATE@|$STATE|g" -e "s|@LAN@|${LAN:-}|g" -e "s|@WAN@|${WAN:-}|g" "/etc/lab/$1" > "$STATE/$1"
}
