package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
cpu: Test CPU
BenchmarkFloor/ECDH-ES_ES256/idtoken-2   	 5000	  100000 ns/op	 2352 B/op	 19 allocs/op
BenchmarkFloor/ECDH-ES_ES256/idtoken-2   	 5000	  120000 ns/op	 2352 B/op	 19 allocs/op
BenchmarkFloor/ECDH-ES_ES256/idtoken-2   	 5000	  110000 ns/op	 2352 B/op	 19 allocs/op
BenchmarkVerifyParallel/signed_ES256     	 9000	   60000 ns/op
BenchmarkVerifyParallel/signed_ES256-2   	 18000	   31000 ns/op
BenchmarkRatio/ECDH-ES_ES256/idtoken-2   	 1000	  300000 ns/op	 1.05 x-floor	 0.80 x-gojose
`

func TestParse(t *testing.T) {
	rs, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := rs.get("BenchmarkFloor/ECDH-ES_ES256/idtoken", 2, "ns/op"); !ok || v != 110000 {
		t.Errorf("median ns/op = %v, %v; want 110000", v, ok)
	}
	if lo, hi := rs.spread("BenchmarkFloor/ECDH-ES_ES256/idtoken", 2, "ns/op"); lo != 100000 || hi != 120000 {
		t.Errorf("spread = %v–%v", lo, hi)
	}
	one, _ := rs.get("BenchmarkVerifyParallel/signed_ES256", 1, "ns/op")
	two, _ := rs.get("BenchmarkVerifyParallel/signed_ES256", 2, "ns/op")
	if one != 60000 || two != 31000 {
		t.Errorf("parallel = %v, %v", one, two)
	}
	if x, _ := rs.get("BenchmarkRatio/ECDH-ES_ES256/idtoken", 2, "x-floor"); x != 1.05 {
		t.Errorf("x-floor = %v", x)
	}
	if names, _ := rs.subs("BenchmarkFloor"); len(names) != 1 || names[0] != "ECDH-ES_ES256/idtoken" {
		t.Errorf("subs = %q", names)
	}
	if len(rs.header) != 2 {
		t.Errorf("header = %q", rs.header)
	}
}

func TestSplitProcs(t *testing.T) {
	for in, want := range map[string]struct {
		name  string
		procs int
	}{
		"BenchmarkA/RSA-OAEP-256_ES256-2": {"BenchmarkA/RSA-OAEP-256_ES256", 2},
		"BenchmarkA/RSA-OAEP-256_ES256":   {"BenchmarkA/RSA-OAEP-256_ES256", 1},
		"BenchmarkLogin/concurrency=16-8": {"BenchmarkLogin/concurrency=16", 8},
	} {
		if name, procs := splitProcs(in); name != want.name || procs != want.procs {
			t.Errorf("splitProcs(%q) = %q, %d", in, name, procs)
		}
	}
}
