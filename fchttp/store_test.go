package fchttp_test

import (
	"context"
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

var errDown = errors.New("connection refused")

// memStore is an in-memory fchttp.Store shared by the instances of a test,
// as Redis is by the instances of a site, with a switch to take it down.
type memStore struct {
	mu       sync.Mutex
	sessions map[string]memSession
	down     atomic.Bool
	calls    atomic.Int64
	// beforeUpdate, when set, runs before each Update, outside the lock.
	beforeUpdate func()
}

type memSession struct {
	subject string
	data    []byte
	expiry  time.Time
}

func newMemStore() *memStore { return &memStore{sessions: map[string]memSession{}} }

func (m *memStore) check() error {
	m.calls.Add(1)
	if m.down.Load() {
		return errDown
	}
	return nil
}

func (m *memStore) Create(_ context.Context, id, subject string, data []byte, expiry time.Time) error {
	if err := m.check(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[id]; ok {
		return errors.New("session id reused")
	}
	m.sessions[id] = memSession{subject, append([]byte(nil), data...), expiry}
	return nil
}

func (m *memStore) Load(_ context.Context, id string) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok || !time.Now().Before(s.expiry) {
		return nil, nil
	}
	return s.data, nil
}

func (m *memStore) Update(_ context.Context, id string, data []byte, expiry time.Time) (bool, error) {
	if m.beforeUpdate != nil {
		m.beforeUpdate()
	}
	if err := m.check(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return false, nil
	}
	s.data, s.expiry = append([]byte(nil), data...), expiry
	m.sessions[id] = s
	return true, nil
}

func (m *memStore) Delete(_ context.Context, id string) error {
	if err := m.check(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

func (m *memStore) DeleteSubject(_ context.Context, subject string) error {
	if err := m.check(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	maps.DeleteFunc(m.sessions, func(_ string, s memSession) bool { return s.subject == subject })
	return nil
}

// len is the number of sessions kept.
func (m *memStore) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// memRevocations is an in-memory fchttp.Revocations shared by the
// instances of a test.
type memRevocations struct {
	mu       sync.Mutex
	ids      map[string]time.Time
	subjects map[string]time.Time
	down     atomic.Bool
	checks   atomic.Int64
}

func newMemRevocations() *memRevocations {
	return &memRevocations{ids: map[string]time.Time{}, subjects: map[string]time.Time{}}
}

func (m *memRevocations) Revoke(_ context.Context, id string, _ time.Time) error {
	if m.down.Load() {
		return errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ids[id] = time.Now()
	return nil
}

func (m *memRevocations) RevokeSubject(_ context.Context, subject string, before, _ time.Time) error {
	if m.down.Load() {
		return errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if before.After(m.subjects[subject]) {
		m.subjects[subject] = before
	}
	return nil
}

func (m *memRevocations) Revoked(_ context.Context, id, subject string, start time.Time) (bool, error) {
	m.checks.Add(1)
	if m.down.Load() {
		return false, errDown
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, revoked := m.ids[id]
	before, ok := m.subjects[subject]
	return revoked || ok && !start.After(before), nil
}
