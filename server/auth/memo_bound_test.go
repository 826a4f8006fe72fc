package auth

import "testing"

// However many principals there are, Memo keeps at most maxKept values, and every principal
// still gets its own.
func TestMemoBounded(t *testing.T) {
	kept.Lock()
	kept.m = map[keptKey]any{} // this test's alone (the package's other tests keep a handful)
	kept.Unlock()
	for i := range 3 * maxKept {
		p := &Principal{UserID: int64(i)}
		for _, name := range []string{"a", "b"} {
			want := name + string(rune(i))
			if got := p.Memo(MemoKey{Name: name}, func() any { return want }); got != want {
				t.Fatalf("principal %d, %s: %v", i, name, got)
			}
			if got := p.Memo(MemoKey{Name: name}, func() any { return "made again" }); got != want {
				t.Fatalf("principal %d, %s: %v the second time", i, name, got)
			}
		}
		kept.RLock()
		n := len(kept.m)
		kept.RUnlock()
		if n > maxKept {
			t.Fatalf("%d values kept after %d principals", n, i+1)
		}
	}
}
