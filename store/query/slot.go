package query

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"webapi/store"
)

// slot is the scan destination of a column. On PostgreSQL the common types are decoded into it
// from pgx's wire bytes (decode, pgrows.go), the others by pgx's plans through its typed scanner
// interfaces: the value arrives by value, without the reflection and boxing of pgx's generic path
// into sql.Null* and *any (in a profile of one account, that path was a third of a request's
// allocations). database/sql (SQLite), and pgx for a type it has no typed scanner for, give it
// the driver's value through Scan (sql.Scanner). value then gives the Go value of the column's
// Type, converting as database/sql would.
type slot struct {
	kind slotKind
	i    int64
	f    float64
	b    bool
	s    string
	t    time.Time
	n    pgtype.Numeric
}

type slotKind uint8

const (
	slotNull slotKind = iota
	slotInt
	slotFloat
	slotBool
	slotText
	slotTime
	slotNumeric
)

func (s *slot) ScanInt64(v pgtype.Int8) error {
	s.kind, s.i = kindIf(v.Valid, slotInt), v.Int64
	return nil
}

func (s *slot) ScanFloat64(v pgtype.Float8) error {
	s.kind, s.f = kindIf(v.Valid, slotFloat), v.Float64
	return nil
}

func (s *slot) ScanBool(v pgtype.Bool) error {
	s.kind, s.b = kindIf(v.Valid, slotBool), v.Bool
	return nil
}

func (s *slot) ScanText(v pgtype.Text) error {
	s.kind, s.s = kindIf(v.Valid, slotText), v.String
	return nil
}

func (s *slot) ScanNumeric(v pgtype.Numeric) error {
	if v.Valid && (v.NaN || v.InfinityModifier != pgtype.Finite) {
		return errors.New("a numeric that is not a finite number")
	}
	s.kind, s.n = kindIf(v.Valid, slotNumeric), v
	return nil
}

func (s *slot) ScanTimestamptz(v pgtype.Timestamptz) error {
	return s.scanTime(v.Valid, v.InfinityModifier, v.Time)
}

func (s *slot) ScanTimestamp(v pgtype.Timestamp) error {
	return s.scanTime(v.Valid, v.InfinityModifier, v.Time)
}

func (s *slot) ScanDate(v pgtype.Date) error {
	return s.scanTime(v.Valid, v.InfinityModifier, v.Time)
}

func (s *slot) scanTime(valid bool, inf pgtype.InfinityModifier, t time.Time) error {
	if valid && inf != pgtype.Finite {
		return errors.New("an infinite time")
	}
	s.kind, s.t = kindIf(valid, slotTime), t
	return nil
}

// Scan takes the driver's value: database/sql's (SQLite), or pgx's for a type it has no typed
// scanner for.
func (s *slot) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		s.kind = slotNull
	case int64:
		s.kind, s.i = slotInt, x
	case float64:
		s.kind, s.f = slotFloat, x
	case bool:
		s.kind, s.b = slotBool, x
	case string:
		s.kind, s.s = slotText, x
	case []byte:
		s.kind, s.s = slotText, string(x)
	case time.Time:
		s.kind, s.t = slotTime, x
	default:
		return fmt.Errorf("cannot scan %T", src)
	}
	return nil
}

func kindIf(valid bool, k slotKind) slotKind {
	if valid {
		return k
	}
	return slotNull
}

// text is the slot's value as text (what database/sql's conversion to a string gives).
func (s *slot) text() (string, error) {
	switch s.kind {
	case slotText:
		return s.s, nil
	case slotInt:
		return strconv.FormatInt(s.i, 10), nil
	case slotFloat:
		return strconv.FormatFloat(s.f, 'g', -1, 64), nil
	case slotBool:
		return strconv.FormatBool(s.b), nil
	case slotNumeric:
		d := decimal.NewFromBigInt(s.n.Int, s.n.Exp)
		if s.n.Exp < 0 {
			return d.StringFixed(-s.n.Exp), nil // as PostgreSQL writes it: the scale kept ("12.5000")
		}
		return d.String(), nil
	case slotTime:
		return s.t.Format(time.RFC3339Nano), nil
	}
	return "", fmt.Errorf("cannot read text from a %s", s.what())
}

func (s *slot) what() string {
	return [...]string{"NULL", "integer", "float", "boolean", "text", "time", "numeric"}[s.kind]
}

// value is the Go value of a column of type t (the values of query.Type's list).
func (s *slot) value(t Type) (any, error) {
	if s.kind == slotNull {
		if t == IDList {
			return []string{}, nil
		}
		return nil, nil
	}
	switch t {
	case Int:
		switch s.kind {
		case slotInt:
			return s.i, nil
		case slotFloat:
			if s.f == math.Trunc(s.f) && math.Abs(s.f) < 1<<63 {
				return int64(s.f), nil
			}
		case slotNumeric:
			if d := decimal.NewFromBigInt(s.n.Int, s.n.Exp); d.IsInteger() {
				return d.IntPart(), nil
			}
		case slotText:
			return strconv.ParseInt(s.s, 10, 64)
		case slotBool:
			if s.b {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case Float:
		switch s.kind {
		case slotFloat:
			return s.f, nil
		case slotInt:
			return float64(s.i), nil
		case slotNumeric:
			f, _ := decimal.NewFromBigInt(s.n.Int, s.n.Exp).Float64()
			return f, nil
		case slotText:
			return strconv.ParseFloat(s.s, 64)
		}
	case Bool:
		switch s.kind {
		case slotBool:
			return s.b, nil
		case slotInt:
			return s.i != 0, nil
		case slotText:
			return strconv.ParseBool(s.s)
		}
	case Text:
		return s.text()
	case JSON:
		v, err := s.text()
		if err != nil || v == "" || v == "null" {
			return nil, err
		}
		return json.RawMessage(v), nil
	case Decimal:
		if s.kind == slotNumeric {
			return decimal.NewFromBigInt(s.n.Int, s.n.Exp).StringFixed(4), nil
		}
		v, err := s.text()
		if err != nil {
			return nil, err
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			return nil, err
		}
		return d.StringFixed(4), nil
	case IDList:
		v, err := s.text()
		if err != nil || v == "" {
			return []string{}, err
		}
		return strings.Split(v, ","), nil
	case Date, DateTime:
		var tm time.Time
		var err error
		if s.kind == slotTime {
			tm = s.t.UTC()
		} else if v, e := s.text(); e == nil {
			tm, err = store.ParseTime(v)
		} else {
			err = e
		}
		if err != nil {
			return nil, err
		}
		if t == Date {
			return time.Date(tm.Year(), tm.Month(), tm.Day(), 0, 0, 0, 0, time.UTC), nil
		}
		return tm, nil
	}
	return nil, fmt.Errorf("cannot read a column of type %d from a %s", t, s.what())
}

// id is the slot's value as a record id ("" for NULL).
func (s *slot) id() string {
	v, _ := s.text()
	return v
}
