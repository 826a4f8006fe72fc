package store

import (
	"context"
	"sync/atomic"
	"time"
)

// writerGate lets one SQLite transaction run at a time. SQLite has a single writer: without the
// gate, concurrent transactions would fight for its lock inside the driver and fail with
// SQLITE_BUSY once the busy timeout passes. Here they wait in order (a channel's senders are
// served first come, first served), at most queue of them and each at most wait; beyond that
// the database is unavailable (503 with Retry-After) rather than broken.
type writerGate struct {
	turn    chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
}

func newWriterGate(queue int, wait time.Duration) *writerGate {
	return &writerGate{turn: make(chan struct{}, 1), queue: int64(queue), wait: wait}
}

// acquire waits for the writer's turn and returns the function that gives it back.
func (g *writerGate) acquire(ctx context.Context) (func(), error) {
	select {
	case g.turn <- struct{}{}:
		return g.release, nil
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, &UnavailableError{Reason: ReasonWriteQueue}
	}
	defer g.waiting.Add(-1)
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.turn <- struct{}{}:
		return g.release, nil
	case <-timer.C:
		return nil, &UnavailableError{Reason: ReasonWriteWait}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *writerGate) release() { <-g.turn }
