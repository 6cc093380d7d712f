package main

import (
	"fmt"
	"strings"
)

// target returns the ratio to the floor a pair must stay under and the
// allocations per token it may make (0: not bounded).
func target(pair string) (ratio float64, allocs float64) {
	switch {
	case strings.HasPrefix(pair, "ECDH-ES"):
		return 1.15, 60
	case strings.HasPrefix(pair, "RSA"):
		return 1.05, 0
	}
	return 1.15, 0 // signed only: the signature floor
}

// verification prints one row per token: this package against the floor,
// go-jose and go-oidc.
func verification(rs *runs) {
	fmt.Println("Verification of one token (median over runs; ratios from BenchmarkRatio, floor, package and go-jose interleaved):")
	fmt.Println()
	fmt.Println("| token | floor µs | package µs | allocs/op | B/op | × floor (min–max) | go-jose µs | go-jose allocs/op | × go-jose | go-oidc µs | × go-oidc | target |")
	fmt.Println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
	names, procs := rs.subs("BenchmarkVerify")
	for i, tok := range names {
		p := procs[i]
		ns, _ := rs.get("BenchmarkVerify/"+tok, p, "ns/op")
		allocs, _ := rs.get("BenchmarkVerify/"+tok, p, "allocs/op")
		bytes, _ := rs.get("BenchmarkVerify/"+tok, p, "B/op")
		floor := cell(rs, "BenchmarkFloor/"+tok, p, "ns/op", 1e-3, "%.1f")
		xFloor, okFloor := rs.get("BenchmarkRatio/"+tok, p, "x-floor")
		floorCell := "–"
		if okFloor {
			lo, hi := rs.spread("BenchmarkRatio/"+tok, p, "x-floor")
			floorCell = fmt.Sprintf("%.3f (%.2f–%.2f)", xFloor, lo, hi)
		}
		oidc, okOIDC := rs.get("BenchmarkGoOIDC/"+tok, p, "ns/op")
		oidcCell, xOIDC := "–", "–"
		if okOIDC {
			oidcCell, xOIDC = fmt.Sprintf("%.1f", oidc/1e3), fmt.Sprintf("%.3f", ns/oidc)
		}
		fmt.Printf("| %s | %s | %.1f | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", tok, floor, ns/1e3, allocs, bytes,
			floorCell, cell(rs, "BenchmarkGoJose/"+tok, p, "ns/op", 1e-3, "%.1f"),
			cell(rs, "BenchmarkGoJose/"+tok, p, "allocs/op", 1, "%.0f"),
			cell(rs, "BenchmarkRatio/"+tok, p, "x-gojose", 1, "%.3f"), oidcCell, xOIDC, verdict(tok, xFloor, okFloor, allocs))
	}
	fmt.Println()
}

// cell formats the median of a figure times scale, or "–".
func cell(rs *runs, name string, procs int, unit string, scale float64, format string) string {
	v, ok := rs.get(name, procs, unit)
	if !ok {
		return "–"
	}
	return fmt.Sprintf(format, v*scale)
}

func verdict(tok string, ratio float64, measured bool, allocs float64) string {
	pair, _, _ := strings.Cut(tok, "/")
	max, maxAllocs := target(pair)
	goal := fmt.Sprintf("≤ %.2f×", max)
	if maxAllocs > 0 {
		goal += fmt.Sprintf(", ≤ %.0f allocs", maxAllocs)
	}
	switch {
	case !measured:
		return goal + ": not measured"
	case ratio > max || maxAllocs > 0 && allocs > maxAllocs:
		return goal + ": MISSED"
	}
	return goal + ": met"
}

// scaling prints the throughput of BenchmarkVerifyParallel with 2
// goroutines relative to 1.
func scaling(rs *runs) {
	names, _ := rs.subs("BenchmarkVerifyParallel")
	if len(names) == 0 {
		return
	}
	fmt.Println("Parallel id_token verification (b.RunParallel, -cpu 1,2; median over runs):")
	fmt.Println()
	fmt.Println("| pair | 1 goroutine µs/op | 2 goroutines µs/op | throughput 2 ÷ 1 | target |")
	fmt.Println("|---|--:|--:|--:|---|")
	for _, pair := range names {
		one, ok1 := rs.get("BenchmarkVerifyParallel/"+pair, 1, "ns/op")
		two, ok2 := rs.get("BenchmarkVerifyParallel/"+pair, 2, "ns/op")
		if !ok1 || !ok2 {
			continue
		}
		result := "met"
		if one/two < 1.8 {
			result = "MISSED"
		}
		fmt.Printf("| %s | %.1f | %.1f | %.2f | ≥ 1.80: %s |\n", pair, one/1e3, two/1e3, one/two, result)
	}
	fmt.Println()
}

// logins prints BenchmarkLogin's figures.
func logins(rs *runs) {
	names, procs := rs.subs("BenchmarkLogin")
	if len(names) == 0 {
		return
	}
	fmt.Println("Whole logins through fctest over loopback (median over runs):")
	fmt.Println()
	fmt.Println("| users at once | logins/s | p50 ms | p99 ms | discovery/login | jwks/login | token/login | userinfo/login |")
	fmt.Println("|---|--:|--:|--:|--:|--:|--:|--:|")
	for i, sub := range names {
		name := "BenchmarkLogin/" + sub
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", strings.TrimPrefix(sub, "concurrency="),
			cell(rs, name, procs[i], "logins/s", 1, "%.0f"), cell(rs, name, procs[i], "p50-ms", 1, "%.2f"),
			cell(rs, name, procs[i], "p99-ms", 1, "%.2f"), cell(rs, name, procs[i], "discovery/login", 1, "%.3f"),
			cell(rs, name, procs[i], "jwks/login", 1, "%.3f"), cell(rs, name, procs[i], "token/login", 1, "%.3f"),
			cell(rs, name, procs[i], "userinfo/login", 1, "%.3f"))
	}
	fmt.Println()
}
