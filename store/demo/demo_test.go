package demo

import (
	"reflect"
	"testing"
)

// The data set must not depend on anything but the scale: benchmarks and examples rely on it.
func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := generate(2, "hash"), generate(2, "hash")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generations at the same scale differ")
	}
	if len(a.accounts) != 2*AccountsPerScale || len(a.contacts) != 2*ContactsPerScale || len(a.calls) != 2*CallsPerScale {
		t.Errorf("plan sizes %d accounts, %d contacts, %d calls", len(a.accounts), len(a.contacts), len(a.calls))
	}
	for i, acc := range a.accounts {
		if n := len(acc.contacts); n < 1 || n > 3 {
			t.Errorf("account %d has %d contacts", i, n)
		}
	}
	for i, p := range a.products {
		if n := len(p.prices); n < 2 || n > 5 {
			t.Errorf("product %d has %d prices", i, n)
		}
	}
}
