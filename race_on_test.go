//go:build race

package franceconnect

// raceEnabled reports whether the tests run under the race detector, which
// allows at most 8128 goroutines alive at once.
const raceEnabled = true
