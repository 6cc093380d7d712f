// Command benchratio reads the output of `go test -bench` for the root
// package, where the same benchmarks may appear several times (one line
// per run), and prints as Markdown tables the median of each figure over
// the runs, with the ratios that `make bench` reports:
//
//   - verification: this package's time per token, allocations and bytes,
//     its ratio to the floor (the standard-library primitives alone) and to
//     go-jose, from BenchmarkRatio, which runs the three alternately, and to
//     go-oidc on the signed-only tokens, against each target;
//   - scaling: throughput with 2 goroutines ÷ throughput with 1, from
//     BenchmarkVerifyParallel run with -cpu 1,2;
//   - logins: logins/s, latency percentiles and requests per login, from
//     BenchmarkLogin.
//
// Usage:
//
//	go run ./internal/benchratio bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// runs holds the values of each benchmark (name and GOMAXPROCS) per unit.
type runs struct {
	values map[string]map[string][]float64 // name@procs → unit → one value per run
	order  []string                        // names in order of first appearance
	header []string                        // goos, goarch, pkg, cpu lines
}

func parse(r io.Reader) (*runs, error) {
	rs := &runs{values: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if k, _, ok := strings.Cut(line, ":"); ok && slices.Contains([]string{"goos", "goarch", "pkg", "cpu"}, k) {
			if !slices.Contains(rs.header, line) {
				rs.header = append(rs.header, line)
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name, procs := splitProcs(f[0])
		key := fmt.Sprintf("%s@%d", name, procs)
		if rs.values[key] == nil {
			rs.values[key] = map[string][]float64{}
			rs.order = append(rs.order, key)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", line, err)
			}
			rs.values[key][f[i+1]] = append(rs.values[key][f[i+1]], v)
		}
	}
	return rs, sc.Err()
}

// splitProcs separates the -N suffix that go test adds when GOMAXPROCS is
// not 1.
func splitProcs(name string) (string, int) {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i], n
		}
	}
	return name, 1
}

// get returns the median of a figure and whether it was measured.
func (rs *runs) get(name string, procs int, unit string) (float64, bool) {
	v := rs.values[fmt.Sprintf("%s@%d", name, procs)][unit]
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// spread returns the smallest and largest value of a figure.
func (rs *runs) spread(name string, procs int, unit string) (lo, hi float64) {
	v := rs.values[fmt.Sprintf("%s@%d", name, procs)][unit]
	return slices.Min(v), slices.Max(v)
}

// subs returns the sub-benchmark names of top (the part after "top/") and
// the GOMAXPROCS they ran with, in order of first appearance.
func (rs *runs) subs(top string) (names []string, procs []int) {
	for _, key := range rs.order {
		name, p, _ := strings.Cut(key, "@")
		if sub, ok := strings.CutPrefix(name, top+"/"); ok && !slices.Contains(names, sub) {
			n, _ := strconv.Atoi(p)
			names, procs = append(names, sub), append(procs, n)
		}
	}
	return names, procs
}

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	rs, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, h := range rs.header {
		fmt.Println(h + "  ")
	}
	fmt.Println()
	verification(rs)
	scaling(rs)
	logins(rs)
}
