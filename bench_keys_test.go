package franceconnect

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The figures of docs/keys.md (make bench-keys): what the FS key algorithm
// costs a login, and how Go's RSA compares with OpenSSL's on this machine.

// BenchmarkKeyChoice verifies the recorded FranceConnect+ tokens of the
// three FS key algorithms one after the other, iteration after iteration,
// with the same Client, so that they see the same machine load, and
// reports the median time of each and the ratios of the RSA ones to the
// EC one (x-ecdh for RSA-OAEP-256, x-ecdh-rsa-oaep): the cost of choosing RSA-OAEP-256 or RSA-OAEP over
// ECDH-ES, every check of the package included.
func BenchmarkKeyChoice(b *testing.B) {
	pairs := []tokenPair{{FranceConnectPlus, ECDHES, "ES256"}, {FranceConnectPlus, RSAOAEP256, "ES256"}, {FranceConnectPlus, RSAOAEP, "ES256"}}
	for _, kind := range benchKinds {
		b.Run(kind, func(b *testing.B) {
			c := benchClient(b, tokenPair{FranceConnectPlus, ECDHES, "ES256"})
			ctx, st := context.Background(), benchState(FranceConnectPlus)
			raws := make([]string, len(pairs))
			for i, p := range pairs {
				raws[i] = readFixture(b, p.file(kind))
			}
			times := make([][]time.Duration, len(pairs))
			for b.Loop() {
				for i, raw := range raws {
					t0 := time.Now()
					err := verifyToken(ctx, c, kind, raw, st)
					times[i] = append(times[i], time.Since(t0))
					if err != nil {
						b.Fatal(pairs[i].enc, err)
					}
				}
			}
			ec := median(times[0])
			b.ReportMetric(float64(ec)/1e3, "ecdh-es-µs")
			b.ReportMetric(float64(median(times[1]))/1e3, "rsa-oaep-256-µs")
			b.ReportMetric(float64(median(times[2]))/1e3, "rsa-oaep-µs")
			b.ReportMetric(float64(median(times[1]))/float64(ec), "x-ecdh")
			b.ReportMetric(float64(median(times[2]))/float64(ec), "x-ecdh-rsa-oaep")
		})
	}
}

// BenchmarkRSAVsOpenSSL compares Go's RSA-2048 private-key operation, the
// one that decrypts an RSA-OAEP token, with OpenSSL's on this machine:
// each iteration runs `openssl speed -seconds 1 -elapsed rsa2048` (one
// thread, wall clock; its "sign/s" is a PKCS #1 v1.5 signature of a SHA-256
// digest) and then signs the same way with crypto/rsa for one second, so
// that both see the same load. Run it with -benchtime 7x. It reports the
// median signatures per second of each and their ratio (x-openssl: how
// many times faster OpenSSL is). Skipped without openssl.
func BenchmarkRSAVsOpenSSL(b *testing.B) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		b.Skip("openssl is not installed")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("FranceConnect"))
	var goRates, sslRates []float64
	for b.Loop() {
		sslRate, err := opensslSignRate(openssl)
		if err != nil {
			b.Fatal(err)
		}
		n, start := 0, time.Now()
		for time.Since(start) < time.Second {
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		goRates = append(goRates, float64(n)/time.Since(start).Seconds())
		sslRates = append(sslRates, sslRate)
	}
	slices.Sort(goRates)
	slices.Sort(sslRates)
	goRate, sslRate := goRates[len(goRates)/2], sslRates[len(sslRates)/2]
	b.ReportMetric(goRate, "go-sign/s")
	b.ReportMetric(sslRate, "openssl-sign/s")
	b.ReportMetric(sslRate/goRate, "x-openssl")
}

// opensslSignRate runs openssl's RSA-2048 benchmark for one second of
// signatures and returns its sign/s.
func opensslSignRate(openssl string) (float64, error) {
	out, err := exec.Command(openssl, "speed", "-seconds", "1", "-elapsed", "rsa2048").Output()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(out), "\n") {
		// rsa 2048 bits 0.001477s 0.000108s    677.0   9241.6
		if f := strings.Fields(line); len(f) >= 7 && f[0] == "rsa" && f[1] == "2048" {
			return strconv.ParseFloat(f[5], 64)
		}
	}
	return 0, exec.ErrNotFound
}
