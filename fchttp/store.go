package fchttp

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Store keeps what a Handler remembers about one browser between requests:
// the logins in progress, the signed-in user with the logout hint, and the
// logout in progress, which the Handler encodes as opaque bytes (at most
// MaxSessionBytes). The browser carries one cookie whose value the Store
// chooses: the data itself, sealed (the default, see Config.SessionKeys), or
// a reference to data kept on a server (examples/redis-sessions).
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Load returns the data behind a cookie value. A value that stands for
	// no data (unknown, expired, tampered with, made for another key ring)
	// yields nil and no error: the browser simply has no session. An error
	// means that the store itself failed; the request then fails with 503.
	Load(ctx context.Context, value string) ([]byte, error)
	// Save keeps data until expiry and returns the cookie value that stands
	// for it. old is the request's cookie value, "" when there is none. A
	// store that keeps data on a server must answer a new unguessable value
	// on every Save and forget old's data, so that a value seen before a
	// login never opens the session after it.
	Save(ctx context.Context, old string, data []byte, expiry time.Time) (string, error)
	// Delete forgets the data behind value. An unknown value is not an error.
	Delete(ctx context.Context, value string) error
}

// KeySize is the size of a session key: AES-256.
const KeySize = 32

// maxSealedValue bounds a sealed cookie value so that the cookie, name
// included, stays below 4,000 bytes: every browser keeps cookies up to
// 4,096 bytes.
const maxSealedValue = 3968

// sealVersion is the first byte of every sealed value; sealAD binds the
// ciphertext to its purpose.
const sealVersion = 1

var sealAD = []byte("fchttp session")

// sealedCookies is the default Store: the session travels in the cookie,
// encrypted and authenticated with AES-256-GCM (random 96-bit nonces), its
// expiry inside the sealed bytes. The first key seals; every key opens, so
// that a key can be rotated in without logging anyone out.
type sealedCookies struct {
	ring []cipher.AEAD
	now  func() time.Time
}

func newSealedCookies(keys [][]byte, now func() time.Time) (*sealedCookies, error) {
	s := &sealedCookies{now: now}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: fchttp: SessionKeys[%d] is %d bytes, want %d", franceconnect.ErrConfig, i, len(k), KeySize)
		}
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

// Load opens a sealed value with each key of the ring in turn. Anything
// that does not open, or has expired, is no session.
func (s *sealedCookies) Load(_ context.Context, value string) ([]byte, error) {
	if len(value) > maxSealedValue {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < 1 || raw[0] != sealVersion {
		return nil, nil
	}
	for _, aead := range s.ring {
		plain, err := aead.Open(nil, nil, raw[1:], sealAD)
		if err != nil || len(plain) < 8 {
			continue
		}
		expiry := time.Unix(int64(binary.BigEndian.Uint64(plain)), 0)
		if !s.now().Before(expiry) {
			return nil, nil
		}
		return plain[8:], nil
	}
	return nil, nil
}

// Save seals the expiry and data with the first key.
func (s *sealedCookies) Save(_ context.Context, _ string, data []byte, expiry time.Time) (string, error) {
	plain := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(data)), uint64(expiry.Unix()))
	plain = append(plain, data...)
	sealed := s.ring[0].Seal([]byte{sealVersion}, nil, plain, sealAD)
	value := base64.RawURLEncoding.EncodeToString(sealed)
	if len(value) > maxSealedValue {
		return "", fmt.Errorf("%w: %d bytes sealed, at most %d", ErrSessionTooLarge, len(value), maxSealedValue)
	}
	return value, nil
}

// Delete has nothing to forget: the browser drops the cookie.
func (s *sealedCookies) Delete(context.Context, string) error { return nil }

// ParseSessionKeys decodes a key ring written as comma-separated standard
// base64 keys of KeySize bytes each, the newest first, as in the
// FS_SESSION_KEYS variable (EnvSessionKeys). Make a key with
// `head -c 32 /dev/urandom | base64`.
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
			return nil, fmt.Errorf("%w: fchttp: session key %d is not base64", franceconnect.ErrConfig, i+1)
		case len(k) != KeySize:
			return nil, fmt.Errorf("%w: fchttp: session key %d is %d bytes, want %d", franceconnect.ErrConfig, i+1, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}
