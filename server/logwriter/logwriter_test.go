package logwriter_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"webapi/server/logwriter"
)

// writes records every write the Writer makes to its output.
type writes struct {
	mu  sync.Mutex
	all []string
	err error
}

func (o *writes) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	o.all = append(o.all, string(p))
	return len(p), nil
}

func (o *writes) get() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.all)
}

const never = time.Hour // no write at an interval during the test

func TestLinesCollectUntilFlush(t *testing.T) {
	out := &writes{}
	w := logwriter.New(out, never)
	defer w.Close()
	for _, line := range []string{"one\n", "two\n"} {
		if n, err := w.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
	}
	if got := out.get(); len(got) != 0 {
		t.Fatalf("written before Flush: %q", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil { // nothing left: no empty write
		t.Fatal(err)
	}
	if got, want := out.get(), []string{"one\ntwo\n"}; !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
}

func TestAFullBufferIsWrittenWithoutSplittingALine(t *testing.T) {
	out := &writes{}
	w := logwriter.New(out, never)
	defer w.Close()
	line := strings.Repeat("x", 1000) + "\n" // 1,001 bytes: 32 fit in the buffer, the 33rd does not
	for range 33 {
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := out.get(), []string{strings.Repeat(line, 32)}; !slices.Equal(got, want) {
		t.Fatalf("%d writes of %v bytes, want one of %d", len(got), lens(got), len(want[0]))
	}
	// a line larger than the buffer goes out at once, after what collected before it
	big := strings.Repeat("y", logwriter.Size+1)
	if n, err := w.Write([]byte(big)); n != len(big) || err != nil {
		t.Fatalf("Write of %d bytes = %d, %v", len(big), n, err)
	}
	if got, want := out.get(), []string{strings.Repeat(line, 32), line, big}; !slices.Equal(got, want) {
		t.Fatalf("%d writes of %v bytes, want %v", len(got), lens(got), lens(want))
	}
}

func TestLinesGoOutAtTheInterval(t *testing.T) {
	out := &writes{}
	w := logwriter.New(out, 10*time.Millisecond)
	defer w.Close()
	if _, err := w.Write([]byte("line\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(out.get()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the line was not written within 5 s at an interval of 10 ms")
		}
	}
	if got, want := out.get(), []string{"line\n"}; !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
}

func TestCloseWritesWhatCollectedAndLaterLinesAtOnce(t *testing.T) {
	out := &writes{}
	w := logwriter.New(out, never)
	if _, err := w.Write([]byte("before\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil { // a second Close is harmless
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := out.get(), []string{"before\n", "after\n"}; !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
}

func TestAnOutputErrorIsReturnedAndKept(t *testing.T) {
	broken := errors.New("broken pipe")
	out := &writes{err: broken}
	w := logwriter.New(out, never)
	defer w.Close()
	if _, err := w.Write([]byte("collected\n")); err != nil {
		t.Fatalf("a collected line: %v", err)
	}
	if err := w.Flush(); !errors.Is(err, broken) {
		t.Fatalf("Flush = %v, want %v", err, broken)
	}
	if _, err := w.Write([]byte("next\n")); !errors.Is(err, broken) {
		t.Fatalf("Write after the error = %v, want %v", err, broken)
	}
}

// Lines written concurrently (go test -race) all arrive, each whole.
func TestConcurrentLinesArriveWhole(t *testing.T) {
	var out bytes.Buffer // written only under the Writer's lock
	w := logwriter.New(&out, time.Millisecond)
	var wg sync.WaitGroup
	const writers, lines = 8, 2000
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				_, _ = fmt.Fprintf(w, "writer %d line %d %s\n", g, i, strings.Repeat("z", i%300))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	next := make([]int, writers)
	for _, l := range got {
		var g, i int
		var pad string
		if _, err := fmt.Sscanf(l, "writer %d line %d %s", &g, &i, &pad); err != nil && i%300 != 0 {
			t.Fatalf("line %q: %v", l, err)
		}
		if i != next[g] || len(pad) != i%300 {
			t.Fatalf("line %q: want line %d of writer %d with %d z", l, next[g], g, next[g]%300)
		}
		next[g]++
	}
}

func lens(s []string) []int {
	n := make([]int, len(s))
	for i := range s {
		n[i] = len(s[i])
	}
	return n
}
