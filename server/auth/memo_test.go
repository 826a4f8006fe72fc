package auth_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"webapi/server/auth"
)

// Memo makes a value once per principal and key, also when many requests ask at once, and
// never hands one principal's value to another.
func TestMemo(t *testing.T) {
	t.Parallel()
	a, b := &auth.Principal{UserID: 1}, &auth.Principal{UserID: 2}
	var builds atomic.Int64
	value := func(p *auth.Principal, key string) func() any {
		return func() any { builds.Add(1); return key + " of " + string(rune('0'+p.UserID)) }
	}
	var wg sync.WaitGroup
	got := make([]any, 64)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = a.Memo(auth.MemoKey{Name: "x"}, value(a, "x"))
		}()
	}
	wg.Wait()
	for i, v := range got {
		if v != "x of 1" {
			t.Fatalf("caller %d got %v", i, v)
		}
	}
	if n := builds.Load(); n < 1 || n > int64(len(got)) {
		t.Fatalf("%d builds", n)
	}
	builds.Store(0)
	if v := a.Memo(auth.MemoKey{Name: "x"}, value(a, "x")); v != "x of 1" || builds.Load() != 0 {
		t.Fatalf("kept value %v, %d builds", v, builds.Load())
	}
	if v := a.Memo(auth.MemoKey{Name: "y"}, value(a, "y")); v != "y of 1" || builds.Load() != 1 {
		t.Fatalf("another key: %v, %d builds", v, builds.Load())
	}
	if v := b.Memo(auth.MemoKey{Name: "x"}, value(b, "x")); v != "x of 2" || builds.Load() != 2 {
		t.Fatalf("another principal: %v, %d builds", v, builds.Load())
	}
}
