package fctest

import "time"

// KeyRotation is the rotation of the provider key of one algorithm.
type KeyRotation struct {
	// Alg is the algorithm of the keys, "ES256" or "RS256".
	Alg string
	// OldKID is the key replaced; NewKID signs from now on.
	OldKID, NewKID string
	// Retired is the server time from which the old key leaves the JWKS;
	// zero when it stays published until RemoveKey.
	Retired time.Time
}

// RotateSigningKeys replaces the active key of every published algorithm
// by a new one, as the platform does from time to time, and returns the
// rotations. The new keys are published and sign every token from now on.
// The old keys stay published for keepOld of the server clock (moved by
// AdvanceClock), so that the tokens they signed still verify meanwhile,
// then leave the JWKS: tokens and id_token_hint values they signed no
// longer verify. keepOld zero withdraws them at once; a negative keepOld
// keeps them until RemoveKey.
func (s *Server) RotateSigningKeys(keepOld time.Duration) ([]KeyRotation, error) {
	algs := s.keys.algs // never changes
	fresh := make([]*signingKey, 0, len(algs))
	for _, alg := range algs {
		k, err := newSigningKey(alg)
		if err != nil {
			return nil, err
		}
		fresh = append(fresh, k)
	}
	now := s.clock()
	var retired time.Time
	if keepOld >= 0 {
		retired = now.Add(keepOld)
	}
	out := make([]KeyRotation, 0, len(algs))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range fresh {
		old := s.keys.active[k.alg]
		old.retireAt = retired
		s.keys.published = append(s.keys.published, k)
		s.keys.active[k.alg] = k
		out = append(out, KeyRotation{Alg: k.alg, OldKID: old.kid, NewKID: k.kid, Retired: retired})
	}
	s.keys.prune(now)
	return out, nil
}
