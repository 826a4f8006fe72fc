package apitest

import (
	"errors"
	"sync"
	"time"
)

// Load is the load generator of the benchmarks: conns goroutines, each calling one (with its
// number k, 0 ≤ k < conns) again and again until d has passed, one call after the other. It
// returns the latency of every call that succeeded; a call that fails stops its goroutine, and
// the failures are returned joined.
func Load(conns int, d time.Duration, one func(k int) error) ([]time.Duration, error) {
	var (
		mu     sync.Mutex
		all    []time.Duration
		failed error
		wg     sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	for k := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration // grown as needed: a run may be a short round of a longer one
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := one(k); err != nil {
					mu.Lock()
					failed = errors.Join(failed, err)
					mu.Unlock()
					return
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, failed
}
