package store

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Layouts of the SQLite text forms. The datetime layout is fixed-width (always six fractional
// digits, always UTC, no zone suffix) so that comparing and sorting the text is chronological.
const (
	SQLiteTimeLayout = "2006-01-02 15:04:05.000000"
	DateLayout       = "2006-01-02"
)

// Time is a point in time stored in a `datetime` column: TIMESTAMPTZ on PostgreSQL, fixed-width
// UTC text (SQLiteTimeLayout) on SQLite. Model fields use it instead of time.Time because a
// SQLite text column scans as a string, which a time.Time field cannot take; Time reads both
// forms.
//
// GORM asks the value for its SQL through GormValue, which knows the dialect. Value, used only by
// plain database/sql, writes the text form, which PostgreSQL reads correctly too because Open
// pins the session time zone to UTC. Scanned values are in UTC. The zero Time is not NULL: use
// *Time (or TimePtr) for nullable columns.
type Time struct{ time.Time }

// NewTime returns t in UTC, truncated to the microseconds both databases keep.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Microsecond)} }

// TimePtr is NewTime for a nullable column: the zero time becomes nil (NULL).
func TimePtr(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	v := NewTime(t)
	return &v
}

// GormDataType makes GORM treat the field as a time, so CreatedAt and UpdatedAt are filled
// automatically.
func (Time) GormDataType() string { return "time" }

// GormValue renders the value for the statement's dialect.
func (t Time) GormValue(_ context.Context, db *gorm.DB) clause.Expr {
	return clause.Expr{SQL: "?", Vars: []any{timeValue(dialectOf(db), t.Time)}}
}

// Value implements driver.Valuer for use outside GORM (see the type comment).
func (t Time) Value() (driver.Value, error) {
	return t.Time.UTC().Format(SQLiteTimeLayout), nil
}

// Scan implements sql.Scanner; NULL leaves the zero Time.
func (t *Time) Scan(src any) error {
	if src == nil {
		*t = Time{}
		return nil
	}
	v, err := parseTime(src)
	if err != nil {
		return err
	}
	*t = Time{v}
	return nil
}

// Date is a calendar day stored in a `date` column: DATE on PostgreSQL, 'YYYY-MM-DD' text on
// SQLite. The time of day is always midnight UTC.
type Date struct{ time.Time }

// NewDate returns the day of t (in t's location) as a Date.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Value implements driver.Valuer: the text form suits both databases (no time zone involved).
func (d Date) Value() (driver.Value, error) { return d.Time.Format(DateLayout), nil }

// Scan implements sql.Scanner; NULL leaves the zero Date.
func (d *Date) Scan(src any) error {
	if src == nil {
		*d = Date{}
		return nil
	}
	v, err := parseTime(src)
	if err != nil {
		return err
	}
	*d = NewDate(v)
	return nil
}

// String returns the day as YYYY-MM-DD.
func (d Date) String() string { return d.Time.Format(DateLayout) }

// JSON is the text of a JSON value stored in a `json` column (TEXT on both databases, so that
// both compare and return it the same way). An empty JSON or the literal null is stored as SQL
// NULL, and SQL NULL scans as an empty JSON: nullable json columns need no pointer.
type JSON []byte

// Value implements driver.Valuer.
func (j JSON) Value() (driver.Value, error) {
	if j.IsNull() {
		return nil, nil
	}
	if !json.Valid(j) {
		return nil, fmt.Errorf("store: invalid JSON %.40q", string(j))
	}
	return string(j), nil
}

// Scan implements sql.Scanner.
func (j *JSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case string:
		*j = JSON(v)
	case []byte:
		*j = bytes.Clone(v)
	default:
		return fmt.Errorf("store: cannot scan %T into JSON", src)
	}
	return nil
}

// IsNull reports whether j stands for SQL NULL.
func (j JSON) IsNull() bool { return len(j) == 0 || string(j) == "null" }

// MarshalJSON returns j itself (null when empty), so a JSON can be embedded in documents.
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON stores a copy of data.
func (j *JSON) UnmarshalJSON(data []byte) error {
	*j = bytes.Clone(data)
	return nil
}

// MustJSON marshals v, panicking on failure: for values known to be marshalable (maps, slices
// of plain structs).
func MustJSON(v any) JSON {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: marshal JSON: %v", err))
	}
	return b
}

// TimeValue returns t in the form the database stores in a datetime column, for queries that
// compare or set such columns with raw values (filters, explicit column maps).
func (db *DB) TimeValue(t time.Time) any { return timeValue(db.Dialect, t) }

// DateValue returns the day of t in the form the database stores in a date column.
func (db *DB) DateValue(t time.Time) any { return NewDate(t).Time.Format(DateLayout) }

// ParseTime converts what a scan of a datetime or date column yields on either backend
// (time.Time, the SQLite text forms as string or []byte, or the store's own Time and Date) into
// a time in UTC. NULL (nil) is an error: scan nullable columns into pointers.
func (db *DB) ParseTime(v any) (time.Time, error) { return parseTime(v) }

// ParseTime reads a time from what a scan of a datetime or date column yields on either
// backend (time.Time on PostgreSQL, text on SQLite).
func ParseTime(v any) (time.Time, error) { return parseTime(v) }

func timeValue(d Dialect, t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d == Postgres {
		return t
	}
	return t.Format(SQLiteTimeLayout)
}

// dialectOf maps a GORM dialector to a Dialect; anything but PostgreSQL is SQLite, the only
// other dialect Open creates.
func dialectOf(db *gorm.DB) Dialect {
	if db != nil && db.Dialector != nil && db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// parseLayouts are tried in order on text values: the store's own forms first, then what other
// writers (the SQLite driver's default, RFC 3339 from JSON) may have left.
var parseLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	DateLayout,
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
}

func parseTime(v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case Time:
		return x.Time.UTC(), nil
	case *Time:
		if x != nil {
			return x.Time.UTC(), nil
		}
	case Date:
		return x.Time, nil
	case *Date:
		if x != nil {
			return x.Time, nil
		}
	case string:
		s = x
	case []byte:
		s = string(x)
	}
	if s == "" {
		return time.Time{}, fmt.Errorf("store: cannot read a time from %T %v", v, v)
	}
	for _, layout := range parseLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("store: cannot read a time from %q", s)
}
