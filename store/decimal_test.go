package store_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"webapi/store"
)

// decimalSamples are numbers across signs and magnitudes, with the extremes a column holds,
// neighbours one last place apart, and values a filter may bring (more digits than a column).
var decimalSamples = []string{
	"0", "-0", "0.0000", "0.0001", "-0.0001", "0.00005", "-0.00005", "0.00010", "0.0002", "0.001",
	"0.1", "0.12", "0.123", "0.2", "1", "1.0", "1.0001", "1.5", "9.5", "10", "10.5", "99.9999", "100",
	"123456789012345.1233", "123456789012345.1234", "123456789012345.1235", "123456789012345.2",
	"999999999999999.9999", "1000000000000000", "12345678901234567890.123456789",
	"-0.1", "-0.12", "-0.123", "-0.2", "-1", "-1.0001", "-9.5", "-10", "-10.5",
	"-123456789012345.1233", "-123456789012345.1234", "-999999999999999.9999", "-1000000000000000",
	"0012.50", "+7", "1e3", "1.5E-2", "-2.5e+1", "0." + strings.Repeat("0", 40) + "1",
}

func TestDecimalKeyOrder(t *testing.T) {
	t.Parallel()
	for _, a := range decimalSamples {
		ka, ok := store.DecimalKey(a)
		if !ok {
			t.Fatalf("DecimalKey(%q) failed", a)
		}
		da := decimal.RequireFromString(a)
		for _, b := range decimalSamples {
			kb, _ := store.DecimalKey(b)
			if got, want := strings.Compare(ka, kb), da.Cmp(decimal.RequireFromString(b)); got != want {
				t.Errorf("keys of %s and %s compare %d (%q, %q), numbers %d", a, b, got, ka, kb, want)
			}
		}
	}
}

// TestDecimalKeyRandom compares keys of random numbers of every shape a column or a filter
// holds with the numbers themselves.
func TestDecimalKeyRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	gen := func() string {
		s := digits(r.IntN(17))
		if s == "" || r.IntN(4) == 0 {
			s = "0" + s
		}
		if r.IntN(3) > 0 {
			s += "." + digits(1+r.IntN(6))
		}
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		return s
	}
	for range 20000 {
		a, b := gen(), gen()
		ka, oka := store.DecimalKey(a)
		kb, okb := store.DecimalKey(b)
		if !oka || !okb {
			t.Fatalf("no key for %q or %q", a, b)
		}
		if got, want := strings.Compare(ka, kb), decimal.RequireFromString(a).Cmp(decimal.RequireFromString(b)); got != want {
			t.Fatalf("keys of %s and %s compare %d (%q, %q), numbers %d", a, b, got, ka, kb, want)
		}
	}
}

func TestDecimalKeyInputs(t *testing.T) {
	t.Parallel()
	key := func(v any) string {
		k, ok := store.DecimalKey(v)
		if !ok {
			t.Fatalf("DecimalKey(%T %v) failed", v, v)
		}
		return k
	}
	// the forms a database or a caller gives for the same number have one key
	for _, same := range [][]any{
		{"12.5", "12.5000", "0012.50", []byte("12.5"), 12.5, decimal.RequireFromString("12.50"), " 12.5 ", "1.25e1"},
		{"1", "1.0000", int64(1), 1, 1.0, "+1", "1."},
		{"0", "-0", "0.0000", "-0.0000", int64(0), 0.0, math.Copysign(0, -1), ".0"},
		{"-3.25", "-3.2500", -3.25, "-0325e-2"},
	} {
		for _, v := range same[1:] {
			if key(v) != key(same[0]) {
				t.Errorf("key of %T %v is %q, of %v %q", v, v, key(v), same[0], key(same[0]))
			}
		}
	}
	for _, v := range []any{nil, "", "-", ".", "abc", "1.2.3", "1e", "e5", "1,5", "0x10", "Infinity", math.NaN(), math.Inf(1), true} {
		if k, ok := store.DecimalKey(v); ok {
			t.Errorf("DecimalKey(%T %v) = %q, want no key", v, v, k)
		}
	}
}

func TestCanonicalDecimal(t *testing.T) {
	t.Parallel()
	for in, want := range map[any]string{
		"12.5": "12.5000", "0012.50": "12.5000", "-0": "0.0000", "-0.0000": "0.0000", "0": "0.0000",
		"123456789012345.1234": "123456789012345.1234", "-999999999999999.9999": "-999999999999999.9999",
		"0.0001": "0.0001", "-0.0001": "-0.0001", "1.23455": "1.2346", "-1.23455": "-1.2346",
		"0.00005": "0.0001", "0.000049": "0.0000", "1e-30": "0.0000", "1.5e3": "1500.0000",
		int64(7): "7.0000", 2.5: "2.5000", 123456789012345.1234: "123456789012345.1200",
	} {
		if got, ok := store.CanonicalDecimal(in); !ok || got != want {
			t.Errorf("CanonicalDecimal(%T %v) = %q, %v; want %q", in, in, got, ok, want)
		}
	}
	// inputs that cannot be map keys
	for want, in := range map[string]any{"-12.3457": decimal.RequireFromString("-12.34567"), "3.0000": []byte("3")} {
		if got, ok := store.CanonicalDecimal(in); !ok || got != want {
			t.Errorf("CanonicalDecimal(%T %v) = %q, %v; want %q", in, in, got, ok, want)
		}
	}
	for _, v := range []any{nil, "abc", "1e999999", math.NaN()} {
		if got, ok := store.CanonicalDecimal(v); ok {
			t.Errorf("CanonicalDecimal(%T %v) = %q, want none", v, v, got)
		}
	}
}
