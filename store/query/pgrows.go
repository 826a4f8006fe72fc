package query

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgxRows reads pgx's rows into slots from their wire bytes (RawValues). pgx's own Scan plans
// every column afresh for each statement, allocating a plan for each time column (five of an
// account's allocations), and goes through an interface call and a type switch per value; the
// columns the engine reads are nearly all of a few types whose binary forms are a few bytes, so
// those are decoded here, as pgx's typed scanners would give them (TestScanPaths holds the two
// the same). A column of any other type (numeric, date, …) goes through the plan pgx makes for
// it, once per statement.
type pgxRows struct {
	rows pgx.Rows
	cols []pgxColumn // planned at the first row
}

// pgxColumn is how one column is read: a wire form decoded here, or pgx's plan.
type pgxColumn struct {
	form pgxForm
	plan pgtype.ScanPlan // for pgxPlan
}

type pgxForm uint8

const (
	pgxPlan pgxForm = iota // pgx's plan
	pgxInt8
	pgxInt4
	pgxInt2
	pgxFloat8
	pgxFloat4
	pgxBool
	pgxText // text and varchar: the bytes, in either format
	pgxTimestamptz
)

// plan chooses each column's reading from the rows' field descriptions (known once the first
// row is read); dest are the slots the columns are read into, in order (and the *any of a
// keyset scan's keys, which pgx's plans read).
func (r *pgxRows) plan(dest []any) error {
	fields := r.rows.FieldDescriptions()
	if len(fields) != len(dest) {
		return fmt.Errorf("%d columns read into %d destinations", len(fields), len(dest))
	}
	for i, f := range fields {
		c := pgxColumn{form: pgxFormOf(f.DataTypeOID, f.Format)}
		if _, ok := dest[i].(*slot); !ok {
			c.form = pgxPlan
		}
		if c.form == pgxPlan {
			c.plan = r.rows.Conn().TypeMap().PlanScan(f.DataTypeOID, f.Format, dest[i])
		}
		r.cols = append(r.cols, c)
	}
	return nil
}

// pgxFormOf is the wire form decoded here for a column of type oid sent in format, or pgxPlan.
func pgxFormOf(oid uint32, format int16) pgxForm {
	switch oid {
	case pgtype.TextOID, pgtype.VarcharOID:
		return pgxText
	}
	if format != pgtype.BinaryFormatCode {
		return pgxPlan
	}
	switch oid {
	case pgtype.Int8OID:
		return pgxInt8
	case pgtype.Int4OID:
		return pgxInt4
	case pgtype.Int2OID:
		return pgxInt2
	case pgtype.Float8OID:
		return pgxFloat8
	case pgtype.Float4OID:
		return pgxFloat4
	case pgtype.BoolOID:
		return pgxBool
	case pgtype.TimestamptzOID:
		return pgxTimestamptz
	}
	return pgxPlan
}

// scan reads the current row into dest (its slots).
func (r *pgxRows) scan(dest []any) error {
	if len(r.cols) == 0 {
		if err := r.plan(dest); err != nil {
			return err
		}
	}
	raw := r.rows.RawValues()
	if len(raw) != len(dest) {
		return fmt.Errorf("%d values read into %d destinations", len(raw), len(dest))
	}
	for i, c := range r.cols {
		var err error
		if c.form == pgxPlan {
			err = c.plan.Scan(raw[i], dest[i])
		} else {
			err = dest[i].(*slot).decode(c.form, raw[i])
		}
		if err != nil {
			return fmt.Errorf("column %d: %w", i, err)
		}
	}
	return nil
}

// postgresEpoch is 2000-01-01 00:00 UTC, from which PostgreSQL counts its times, in
// microseconds since the Unix epoch.
const postgresEpoch = 946_684_800 * 1_000_000

var errWireLength = errors.New("a value of the wrong length")

// decode sets the slot from a value's wire form (nil: NULL).
func (s *slot) decode(form pgxForm, src []byte) error {
	if src == nil {
		s.kind = slotNull
		return nil
	}
	switch form {
	case pgxText:
		s.kind, s.s = slotText, string(src)
		return nil
	case pgxBool:
		if len(src) != 1 {
			return errWireLength
		}
		s.kind, s.b = slotBool, src[0] == 1
		return nil
	case pgxInt2:
		if len(src) != 2 {
			return errWireLength
		}
		s.kind, s.i = slotInt, int64(int16(binary.BigEndian.Uint16(src)))
		return nil
	case pgxInt4:
		if len(src) != 4 {
			return errWireLength
		}
		s.kind, s.i = slotInt, int64(int32(binary.BigEndian.Uint32(src)))
		return nil
	case pgxFloat4:
		if len(src) != 4 {
			return errWireLength
		}
		s.kind, s.f = slotFloat, float64(math.Float32frombits(binary.BigEndian.Uint32(src)))
		return nil
	}
	if len(src) != 8 {
		return errWireLength
	}
	u := binary.BigEndian.Uint64(src)
	switch form {
	case pgxInt8:
		s.kind, s.i = slotInt, int64(u)
	case pgxFloat8:
		s.kind, s.f = slotFloat, math.Float64frombits(u)
	case pgxTimestamptz:
		us := int64(u)
		if us == math.MaxInt64 || us == math.MinInt64 { // PostgreSQL's infinity and -infinity
			return s.scanTime(true, pgtype.Infinity, time.Time{})
		}
		s.kind, s.t = slotTime, time.Unix(postgresEpoch/1_000_000+us/1_000_000, (postgresEpoch%1_000_000+us%1_000_000)*1_000)
	default:
		return fmt.Errorf("no wire form %d", form)
	}
	return nil
}
