package franceconnect

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"strings"
)

// CPU attribution of the TLS load test. Every goroutine of the benchmark
// carries a pprof label "side" that says whom it works for: "client" (this
// package's calls and the goroutines net/http's client starts for them),
// "browser" (fctest's Browser, the user's side) or "emulator" (fctest's
// server: its accept loop is labelled when it accepts the first
// connection, and every connection's goroutine inherits the label).
// Samples without the label are the runtime's own goroutines (garbage
// collection workers, scavenger) or, outside any goroutine, the scheduler.

// cpuTime is the CPU time of a profile, in nanoseconds, by side, and the
// part of the client's spent verifying tokens.
type cpuTime struct {
	side   map[string]int64
	verify int64  // client samples under (*Client).decode
	raw    []byte // the profile
}

// verifyFrame is the function of the one path that decrypts and verifies.
const verifyFrame = "github.com/go-franceconnect/franceconnect.(*Client).decode"

// sideLabel is the pprof label key of the load test.
const sideLabel = "side"

// Sides, and the buckets of samples without the label.
const (
	sideClient   = "client"
	sideBrowser  = "browser"
	sideEmulator = "emulator"
	sideRuntime  = "runtime"   // unlabelled, runtime frames only (GC workers, scheduler)
	sideOther    = "unlabeled" // unlabelled with other frames
	sideFloor    = "floor"     // the floor's primitives, run between logins
)

func (c cpuTime) total() int64 {
	var t int64
	for _, v := range c.side {
		t += v
	}
	return t
}

// share is side's fraction of the total.
func (c cpuTime) share(side string) float64 {
	if c.total() == 0 {
		return 0
	}
	return float64(c.side[side]) / float64(c.total())
}

// attributeCPU reads a CPU profile as runtime/pprof writes it (gzipped
// profile.proto) and sums its CPU time by side.
func attributeCPU(gz []byte) (cpuTime, error) {
	t := cpuTime{side: map[string]int64{}}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return t, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return t, err
	}
	p, err := parseProfile(raw)
	if err != nil {
		return t, err
	}
	for _, s := range p.samples {
		side := p.side(s)
		t.side[side] += s.nanos
		if side == sideClient && p.calls(s, verifyFrame) {
			t.verify += s.nanos
		}
	}
	return t, nil
}

// calls reports whether fn is on the stack of s.
func (p *profile) calls(s sample, fn string) bool {
	for _, loc := range s.locs {
		for _, f := range p.locFuncs[loc] {
			if p.str(p.funcName[f]) == fn {
				return true
			}
		}
	}
	return false
}

// profile holds the parts of a profile.proto the attribution needs.
type profile struct {
	strings   []string
	funcName  map[uint64]int64    // function id → string index
	locFuncs  map[uint64][]uint64 // location id → function ids (inlined first)
	samples   []sample
	valueTime int // index of cpu/nanoseconds among the sample values
}

type sample struct {
	locs   []uint64
	labels [][2]int64 // string indices of key and value
	nanos  int64
	values []int64
}

// side names the side a sample belongs to.
func (p *profile) side(s sample) string {
	for _, l := range s.labels {
		if p.str(l[0]) == sideLabel {
			return p.str(l[1])
		}
	}
	for _, loc := range s.locs {
		for _, fn := range p.locFuncs[loc] {
			if name := p.str(p.funcName[fn]); !strings.HasPrefix(name, "runtime.") && !strings.HasPrefix(name, "internal/runtime/") {
				return sideOther
			}
		}
	}
	return sideRuntime
}

func (p *profile) str(i int64) string {
	if i < 0 || int(i) >= len(p.strings) {
		return ""
	}
	return p.strings[i]
}

// parseProfile decodes the profile.proto messages Profile, Sample, Label,
// Location, Line, Function and ValueType, the fields the attribution uses.
func parseProfile(b []byte) (*profile, error) {
	p := &profile{funcName: map[uint64]int64{}, locFuncs: map[uint64][]uint64{}, valueTime: -1}
	var sampleTypes [][]byte
	err := pbFields(b, func(num int, v uint64, m []byte) error {
		switch num {
		case 1: // sample_type
			sampleTypes = append(sampleTypes, m)
		case 2:
			s, err := parseSample(m)
			p.samples = append(p.samples, s)
			return err
		case 4:
			return p.parseLocation(m)
		case 5:
			return p.parseFunction(m)
		case 6:
			p.strings = append(p.strings, string(m))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, st := range sampleTypes {
		err := pbFields(st, func(num int, v uint64, _ []byte) error {
			if num == 1 && p.str(int64(v)) == "cpu" {
				p.valueTime = i
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if p.valueTime < 0 {
		return nil, errors.New("not a CPU profile")
	}
	for i := range p.samples {
		if vs := p.samples[i].values; p.valueTime < len(vs) {
			p.samples[i].nanos = vs[p.valueTime]
		}
	}
	return p, nil
}

func parseSample(m []byte) (sample, error) {
	var s sample
	err := pbFields(m, func(num int, v uint64, sub []byte) error {
		switch num {
		case 1:
			return pbUints(v, sub, func(u uint64) { s.locs = append(s.locs, u) })
		case 2:
			return pbUints(v, sub, func(u uint64) { s.values = append(s.values, int64(u)) })
		case 3:
			var l [2]int64
			err := pbFields(sub, func(num int, v uint64, _ []byte) error {
				if num == 1 || num == 2 {
					l[num-1] = int64(v)
				}
				return nil
			})
			s.labels = append(s.labels, l)
			return err
		}
		return nil
	})
	return s, err
}

func (p *profile) parseLocation(m []byte) error {
	var id uint64
	var funcs []uint64
	err := pbFields(m, func(num int, v uint64, sub []byte) error {
		switch num {
		case 1:
			id = v
		case 4: // line
			return pbFields(sub, func(num int, v uint64, _ []byte) error {
				if num == 1 {
					funcs = append(funcs, v)
				}
				return nil
			})
		}
		return nil
	})
	p.locFuncs[id] = funcs
	return err
}

func (p *profile) parseFunction(m []byte) error {
	var id uint64
	var name int64
	err := pbFields(m, func(num int, v uint64, _ []byte) error {
		switch num {
		case 1:
			id = v
		case 2:
			name = int64(v)
		}
		return nil
	})
	p.funcName[id] = name
	return err
}

var errProto = errors.New("malformed profile")

// pbFields calls f for each field of the protobuf message b: its number,
// its value (varint and fixed wire types) or its bytes (length-delimited).
func pbFields(b []byte, f func(num int, v uint64, sub []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errProto
		}
		b = b[n:]
		var v uint64
		var sub []byte
		switch key & 7 {
		case 0:
			if v, n = binary.Uvarint(b); n <= 0 {
				return errProto
			}
			b = b[n:]
		case 1, 5:
			size := map[uint64]int{1: 8, 5: 4}[key&7]
			if len(b) < size {
				return errProto
			}
			b = b[size:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errProto
			}
			sub, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return errProto
		}
		if err := f(int(key>>3), v, sub); err != nil {
			return err
		}
	}
	return nil
}

// pbUints reads a repeated integer field, packed (sub) or not (v).
func pbUints(v uint64, sub []byte, f func(uint64)) error {
	if sub == nil {
		f(v)
		return nil
	}
	for len(sub) > 0 {
		u, n := binary.Uvarint(sub)
		if n <= 0 {
			return errProto
		}
		f(u)
		sub = sub[n:]
	}
	return nil
}
