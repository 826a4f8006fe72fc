package store

// Decimals. Decimal columns hold at most 15 digits before the point and 4 after, and must be
// stored, compared and returned exactly (api.md section 20). PostgreSQL stores them as
// NUMERIC(19,4), which is exact. SQLite has no exact numeric type: a NUMERIC column turns
// "123456789012345.1234" into a REAL (float64) and keeps about 15 significant digits. So on
// SQLite decimal columns are TEXT holding a canonical form (always four decimals: "-12.5000"),
// and every comparison, sort and unique index on them goes through decimal_key, a deterministic
// SQL function (registered below, on every connection) whose result compares byte by byte as
// the numbers compare.
//
// DB.DecimalKey, DB.DecimalArg and DB.DecimalValue are the one place that decides how a decimal
// is written and compared on each dialect: callers write the same code for both.

import (
	"database/sql/driver"
	"math"
	"strconv"
	"strings"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/shopspring/decimal"
)

// DecimalPlaces is the number of decimals a decimal column keeps (the scale of NUMERIC(19,4)).
const DecimalPlaces = 4

func init() {
	// decimal_key(x): the order key of a decimal given as TEXT, INTEGER or REAL; NULL for NULL
	// and for text that is no number.
	gosqlite.MustRegisterDeterministicScalarFunction("decimal_key", 1, func(_ *gosqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if k, ok := DecimalKey(args[0]); ok {
			return k, nil
		}
		return nil, nil
	})
	// decimal_text(x): the canonical text of a decimal given as TEXT, INTEGER or REAL (the
	// migration to TEXT columns converts the values stored before with it); NULL stays NULL and
	// text that is no number is returned unchanged, so that nothing is lost.
	gosqlite.MustRegisterDeterministicScalarFunction("decimal_text", 1, func(_ *gosqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if s, ok := CanonicalDecimal(args[0]); ok {
			return s, nil
		}
		if b, ok := args[0].([]byte); ok {
			return string(b), nil
		}
		return args[0], nil
	})
}

// DecimalKey returns SQL that compares and sorts as the decimal expression expr does,
// numerically and exactly: expr itself on PostgreSQL (NUMERIC), decimal_key(expr) on SQLite
// (TEXT). Compare it with DecimalArg values or with another DecimalKey (DecimalKey("1") is the
// constant 1). NULL stays NULL.
func (db *DB) DecimalKey(expr string) string {
	if db.Dialect == Postgres {
		return expr
	}
	return "decimal_key(" + expr + ")"
}

// DecimalArg returns the argument that stands for the decimal v (text such as "12.5", or a
// number) in a comparison with DecimalKey: v itself on PostgreSQL, its key on SQLite. v must be
// a decimal (the engine validates filter values); anything else is passed on unchanged.
func (db *DB) DecimalArg(v any) any {
	if db.Dialect == Postgres {
		return v
	}
	if k, ok := DecimalKey(v); ok {
		return k
	}
	return v
}

// DecimalValue returns what to write into a decimal column for v (text such as "0012.50", a
// number or a decimal.Decimal): the canonical text on SQLite ("12.5000"), v itself on
// PostgreSQL, which converts it to NUMERIC. nil (NULL) and values that are no number are
// passed on unchanged.
func (db *DB) DecimalValue(v any) any {
	if db.Dialect == Postgres || v == nil {
		return v
	}
	if s, ok := CanonicalDecimal(v); ok {
		return s
	}
	return v
}

// CanonicalDecimal returns the text a decimal column holds on SQLite for v (text, int64,
// float64 or decimal.Decimal): the number rounded half away from zero to DecimalPlaces
// decimals, as NUMERIC(19,4) rounds, written with exactly that many ("-0" is "0.0000"). A float64
// is taken as the shortest decimal that reads back as the same float64. ok is false when v is
// no number.
func CanonicalDecimal(v any) (string, bool) {
	var d decimal.Decimal
	switch x := v.(type) {
	case decimal.Decimal:
		d = x
	case *decimal.Decimal:
		if x == nil {
			return "", false
		}
		d = *x
	default:
		s, ok := decimalText(v)
		if !ok {
			return "", false
		}
		_, digits, exp, ok := decimalParts(s)
		switch {
		case !ok, exp > maxCanonicalExp:
			// no number, or one no decimal column can hold (and too long to write out)
			return "", false
		case digits == "" || exp < -DecimalPlaces:
			// zero, or less than half the last place (0.00004…): rounds to zero
			return decimal.Zero.StringFixed(DecimalPlaces), true
		}
		var err error
		if d, err = decimal.NewFromString(s); err != nil {
			return "", false
		}
	}
	return d.StringFixed(DecimalPlaces), true
}

// maxCanonicalExp bounds the numbers CanonicalDecimal writes out: a decimal column holds at
// most 15 digits before the point.
const maxCanonicalExp = 64

// keyExpOffset biases the exponent of a key so that it is never negative; keyExpWidth digits
// hold it. Exponents beyond ±keyExpOffset (numbers with more than half a million digits, which
// only a filter value could be) are clamped: they still compare correctly with every number a
// column can hold, though not among themselves.
const (
	keyExpOffset = 500000
	keyExpWidth  = 6
	keyExpMax    = 2*keyExpOffset - 1
)

// DecimalKey returns the order key of the decimal v (text, []byte, int64, float64 or
// decimal.Decimal): a string whose byte order is the numeric order of the numbers, equal for
// equal numbers however they are written ("1", "1.0000", "+01e0"). ok is false when v is no
// number (or nil). decimal_key, the SQLite function, returns the same keys.
//
// The key is a sign class ('0' negative, '1' zero, '2' positive), then for a number other than
// zero the exponent e of |v| = 0.d₁d₂… × 10^e (biased, fixed width) and the significant digits
// without trailing zeros. A shorter run of digits is a prefix of a longer one and sorts first,
// as 0.12 < 0.123. For negative numbers the exponent and the digits are complemented (9-d) and
// a '~', which sorts after every digit, ends the key, so that larger magnitudes sort first and
// -0.12 (…87~) sorts after -0.123 (…876~).
func DecimalKey(v any) (string, bool) {
	s, ok := decimalText(v)
	if !ok {
		return "", false
	}
	neg, digits, exp, ok := decimalParts(s)
	if !ok {
		return "", false
	}
	if digits == "" {
		return "1", true
	}
	e := min(max(exp+keyExpOffset, 0), keyExpMax)
	b := make([]byte, 0, 2+keyExpWidth+len(digits))
	if !neg {
		b = append(b, '2')
		b = appendPadded(b, e)
		b = append(b, digits...)
		return string(b), true
	}
	b = append(b, '0')
	b = appendPadded(b, keyExpMax-e)
	for i := 0; i < len(digits); i++ {
		b = append(b, '9'-digits[i]+'0')
	}
	b = append(b, '~')
	return string(b), true
}

func appendPadded(b []byte, n int) []byte {
	s := strconv.Itoa(n)
	for range keyExpWidth - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// decimalText returns the text of a number as a database or a caller gives it.
func decimalText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case decimal.Decimal:
		return x.String(), true
	case *decimal.Decimal:
		if x != nil {
			return x.String(), true
		}
	}
	return "", false
}

// decimalParts reads a number written as SQL and Go write them: an optional sign, digits with
// an optional point (at least one digit), an optional exponent ("1.5e-3"); surrounding spaces
// are ignored, as SQLite's conversions do. It returns the sign, the significant digits (no
// leading or trailing zeros; none for zero, which is never negative) and the exponent e with
// |v| = 0.digits × 10^e.
func decimalParts(s string) (neg bool, digits string, exp int, ok bool) {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		n, err := strconv.ParseInt(expText, 10, 32)
		if err != nil {
			return false, "", 0, false
		}
		exp = int(n)
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	if whole == "" && frac == "" {
		return false, "", 0, false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false, "", 0, false
			}
		}
	}
	all := whole + frac
	exp += len(whole)
	i := 0
	for i < len(all) && all[i] == '0' {
		i++
	}
	exp -= i
	all = strings.TrimRight(all[i:], "0")
	if all == "" {
		return false, "", 0, true
	}
	return neg, all, exp, true
}
