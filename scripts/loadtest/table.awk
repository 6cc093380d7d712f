# Turns the output of BenchmarkLoginTLS (make loadtest) into the Markdown
# table of docs/performance.md (Logins at scale): one row per transport and
# number of users, the metrics in the order of the header.
BEGIN {
	ncols = split("logins/s p50-ms p99-ms conns/login disc+keys/login B/op client-cpu-% emulator-cpu-% browser-cpu-% runtime-cpu-% client-µs/login verify-µs/login floor-µs/login x-floor verify-x-floor floor-idle-µs/login", cols, " ")
	print "| transport | users | logins/s | p50 ms | p99 ms | new TLS conns / login | discovery + keys / login | B alloc / login (all) | client CPU % | emulator CPU % | browser CPU % | runtime CPU % | client µs / login | verify µs / login | floor µs / login | × floor | verify × floor | floor alone µs |"
	print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
}
$1 ~ /^BenchmarkLoginTLS\// {
	split($1, name, "/")
	sub(/^transport=/, "", name[2])
	users = name[3]
	sub(/^users=/, "", users)
	sub(/-[0-9]+$/, "", users)
	delete v
	for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
	row = "| " name[2] " | " users
	for (c = 1; c <= ncols; c++) row = row " | " fmt(cols[c], v[cols[c]])
	print row " |"
}
function fmt(unit, x) {
	if (x == "") return ""
	if (unit == "conns/login" || unit == "disc+keys/login") return sprintf("%.4f", x)
	if (unit ~ /x-floor$/) return sprintf("%.2f", x)
	if (unit ~ /-ms$/ || unit ~ /-%$/) return sprintf("%.1f", x)
	return sprintf("%.0f", x)
}
