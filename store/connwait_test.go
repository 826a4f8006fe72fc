package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

type connWaitKey struct{}

// Connection waits that start within waitSlot of each other share one end, between ConnWait and
// ConnWait+waitSlot after they were asked for; a request whose deadline comes first gets a wait
// that ends by that deadline.
func TestConnWait(t *testing.T) {
	t.Parallel()
	const d = 60 * time.Millisecond
	db := &DB{limits: Limits{ConnWait: d}}
	parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), connWaitKey{}, "request"))
	start := time.Now()
	first, cancelFirst := db.connWait(parent)
	defer cancelFirst()
	second, cancelSecond := db.connWait(parent)
	defer cancelSecond()
	if first.Done() != second.Done() {
		t.Fatal("two waits asked for at once have a timer each")
	}
	end, ok := first.Deadline()
	if !ok || end.Before(start.Add(d)) || end.After(time.Now().Add(d+waitSlot)) {
		t.Fatalf("deadline %v after the start, want between %v and %v", end.Sub(start), d, d+waitSlot)
	}
	if first.Value(connWaitKey{}) != "request" {
		t.Fatal("the wait lost the request's values")
	}
	// The client going away does not end a shared wait: it ends when its slot does.
	cancelParent()
	if first.Err() != nil {
		t.Fatalf("Err %v before the end", first.Err())
	}
	<-first.Done()
	if waited := time.Since(start); waited < d {
		t.Fatalf("the wait ended after %v, before %v", waited, d)
	}
	if !errors.Is(first.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(first), context.DeadlineExceeded) {
		t.Fatalf("Err %v, Cause %v after the end", first.Err(), context.Cause(first))
	}
	// A wait asked for after the slot's end has begun to pass gets a slot of its own.
	later, cancelLater := db.connWait(context.Background())
	defer cancelLater()
	if later.Done() == first.Done() {
		t.Fatal("a wait asked for at the end of a slot shares it")
	}
	// A deadline before the wait's end ends the wait.
	short, cancelShort := context.WithTimeout(context.Background(), d/3)
	defer cancelShort()
	own, cancelOwn := db.connWait(short)
	defer cancelOwn()
	if own.Done() == later.Done() {
		t.Fatal("a wait that must end by an earlier deadline shares a slot")
	}
	start = time.Now()
	<-own.Done()
	if waited := time.Since(start); waited > d-d/3 {
		t.Fatalf("the wait ended after %v, not by the request's deadline", waited)
	}
	if !errors.Is(own.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err %v", own.Err())
	}
}
