package fchttp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// KeySize is the size of a session key: AES-256.
const KeySize = 32

// maxCookieBytes bounds a cookie, name, "=" and value: every browser keeps
// cookies up to 4,096 bytes.
const maxCookieBytes = 4000

// sealVersion is the first byte of every sealed value. Version 1 sealed
// the data for any cookie, door and origin; it opens nothing now.
const sealVersion = 2

// keyHowTo says how to make a session key, in every message about one.
const keyHowTo = "make each key with `head -c 32 /dev/urandom | base64`"

// sealer encrypts and authenticates the session cookie with AES-256-GCM
// (random 96-bit nonces) under a key ring: the first key seals, every key
// opens, so that a key can be rotated in without logging anyone out. The
// expiry travels inside the sealed bytes; the additional data binds the
// value to its cookie name, door and origin, so that a value made for one
// of them opens nothing under another.
type sealer struct {
	ring    []cipher.AEAD
	ad      []byte
	maxSize int // the longest value, so that the cookie stays below maxCookieBytes
}

func newSealer(keys [][]byte, binding []byte, cookieName string) (*sealer, error) {
	if err := checkKeys(keys, func(i int) string { return fmt.Sprintf("SessionKeys[%d]", i) }); err != nil {
		return nil, err
	}
	s := &sealer{ad: binding, maxSize: maxCookieBytes - len(cookieName) - 1}
	for _, k := range keys {
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, err
		}
		s.ring = append(s.ring, aead)
	}
	return s, nil
}

// open returns the data sealed in a cookie value, or nil when the value
// does not open with any key of the ring for this binding, or has expired.
func (s *sealer) open(value string, now time.Time) []byte {
	if len(value) > s.maxSize {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return nil
	}
	return s.openRaw(raw, now, s.ad)
}

// seal seals the expiry and data with the first key, as a cookie value.
func (s *sealer) seal(data []byte, expiry time.Time) (string, error) {
	value := base64.RawURLEncoding.EncodeToString(s.sealRaw(data, expiry, s.ad))
	if len(value) > s.maxSize {
		return "", &sizeError{what: "the sealed cookie", size: len(value), limit: s.maxSize}
	}
	return value, nil
}

// sealRecord seals a session kept in a Store, bound to its id besides the
// cookie's binding: a copy of the Store reveals nothing, and a record
// moved under another id opens nothing.
func (s *sealer) sealRecord(id string, data []byte, expiry time.Time) []byte {
	return s.sealRaw(data, expiry, s.recordAD(id))
}

// openRecord opens what sealRecord sealed, or returns nil.
func (s *sealer) openRecord(id string, raw []byte, now time.Time) []byte {
	return s.openRaw(raw, now, s.recordAD(id))
}

func (s *sealer) recordAD(id string) []byte {
	return append(encodeFields([]string{"stored session", id}), s.ad...)
}

func (s *sealer) sealRaw(data []byte, expiry time.Time, ad []byte) []byte {
	plain := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(data)), uint64(expiry.Unix()))
	plain = append(plain, data...)
	return s.ring[0].Seal([]byte{sealVersion}, nil, plain, ad)
}

func (s *sealer) openRaw(raw []byte, now time.Time, ad []byte) []byte {
	if len(raw) < 1 || raw[0] != sealVersion {
		return nil
	}
	for _, aead := range s.ring {
		plain, err := aead.Open(nil, nil, raw[1:], ad)
		if err != nil || len(plain) < 8 {
			continue
		}
		expiry := time.Unix(int64(binary.BigEndian.Uint64(plain)), 0)
		if !now.Before(expiry) {
			return nil
		}
		return plain[8:]
	}
	return nil
}

// checkKeys refuses a key ring that is empty, or holds a key of the wrong
// size, a weak key (all zero, a repeated byte or pattern, printable text
// such as a password) or the same key twice. name names key i in messages.
func checkKeys(keys [][]byte, name func(int) string) error {
	if len(keys) == 0 {
		return configError("the session key ring is empty: %s", keyHowTo)
	}
	for i, k := range keys {
		if len(k) != KeySize {
			return configError("%s is %d bytes, want %d: %s", name(i), len(k), KeySize, keyHowTo)
		}
		if why := weakness(k); why != "" {
			return configError("%s is %s, not random bytes: %s", name(i), why, keyHowTo)
		}
		for j := range i {
			if bytes.Equal(keys[j], k) {
				return configError("%s is the same key as %s: every key of the ring must differ", name(i), name(j))
			}
		}
	}
	return nil
}

// weakness says why k cannot be a random key, or "".
func weakness(k []byte) string {
	switch {
	case bytes.Count(k, []byte{0}) == len(k):
		return "all zero"
	case period(k) > 0:
		return fmt.Sprintf("a pattern of %d byte(s) repeated", period(k))
	case printable(k):
		return "printable text (a password?)"
	}
	return ""
}

// period is the length of the shortest pattern of at most 16 bytes that k
// repeats, or 0.
func period(k []byte) int {
	for p := 1; p <= 16; p++ {
		if bytes.Equal(k[p:], k[:len(k)-p]) {
			return p
		}
	}
	return 0
}

// printable reports whether every byte of k is printable ASCII: 32 random
// bytes are so with a probability below 10⁻¹³.
func printable(k []byte) bool {
	for _, c := range k {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// ParseSessionKeys decodes a key ring written as comma-separated standard
// base64 keys of KeySize bytes each, the newest first, as in the
// FS_SESSION_KEYS variable (EnvSessionKeys), and checks it as New does:
// no weak key (all zero, a repeated pattern, printable text), no key twice.
// Make a key with `head -c 32 /dev/urandom | base64`.
func ParseSessionKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		k, err := base64.StdEncoding.DecodeString(part)
		if err != nil {
			k, err = base64.RawStdEncoding.DecodeString(part)
		}
		switch {
		case part == "":
			return nil, fmt.Errorf("%w: fchttp: session key %d is empty", franceconnect.ErrConfig, i+1)
		case err != nil:
			return nil, fmt.Errorf("%w: fchttp: session key %d is not base64: %s", franceconnect.ErrConfig, i+1, keyHowTo)
		}
		keys = append(keys, k)
	}
	if err := checkKeys(keys, func(i int) string { return fmt.Sprintf("session key %d", i+1) }); err != nil {
		return nil, err
	}
	return keys, nil
}
