package server_test

// The lean server's records: scanned into a row of the columns and nothing else, and encoded by
// appending JSON straight into the response buffer, links written from the record's id as they
// are needed (a person writing the leanest server builds no string per link and no document of
// structs: the scanners of baseline_test.go did both, which cost the lean server about a third of
// its CPU on a page of 100 accounts). Nullable columns are pgtype values: no pointer is allocated
// for them.

import (
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// activity is the columns accounts and contacts share: their communication and their stamps.
type activity struct {
	last, lastIn, lastOut    pgtype.Timestamptz
	times, timesIn, timesOut int64
	created, updated         time.Time
}

// leanActivity appends the attributes of an activity, each after a comma.
func leanActivity(b []byte, a *activity) []byte {
	b = append(b, `,"lastContactedDate":`...)
	b = leanTimestamptz(b, a.last)
	b = append(b, `,"lastContactedDateIn":`...)
	b = leanTimestamptz(b, a.lastIn)
	b = append(b, `,"lastContactedDateOut":`...)
	b = leanTimestamptz(b, a.lastOut)
	b = append(b, `,"timesContacted":`...)
	b = strconv.AppendInt(b, a.times, 10)
	b = append(b, `,"timesContactedIn":`...)
	b = strconv.AppendInt(b, a.timesIn, 10)
	b = append(b, `,"timesContactedOut":`...)
	b = strconv.AppendInt(b, a.timesOut, 10)
	b = append(b, `,"createdAt":`...)
	b = leanTimeOf(b, a.created)
	b = append(b, `,"updatedAt":`...)
	return leanTimeOf(b, a.updated)
}

// leanAccountRow is an account as leanAccountCols selects it.
type leanAccountRow struct {
	id          int64
	name        string
	description pgtype.Text
	activity
	contacts       []int64
	defaultContact pgtype.Int8
	owner, org     int64
}

// leanScanner is a row to scan: pgx.Rows or pgx.CollectableRow.
type leanScanner interface{ Scan(dest ...any) error }

func (a *leanAccountRow) scan(rows leanScanner) error {
	return rows.Scan(&a.id, &a.name, &a.description, &a.last, &a.lastIn, &a.lastOut,
		&a.times, &a.timesIn, &a.timesOut, &a.created, &a.updated,
		&a.contacts, &a.defaultContact, &a.owner, &a.org)
}

// leanContactRow is a contact as leanContactCols selects it.
type leanContactRow struct {
	id                                                  int64
	namePrefix, firstName, middleName, lastName, suffix pgtype.Text
	gender                                              pgtype.Text
	birthday                                            pgtype.Date
	jobTitle, description, primaryEmail, primaryPhone   pgtype.Text
	activity
	source          pgtype.Text
	accounts, calls []int64
	owner, org      int64
}

func (c *leanContactRow) scan(rows leanScanner) error {
	return rows.Scan(&c.id, &c.namePrefix, &c.firstName, &c.middleName, &c.lastName, &c.suffix,
		&c.gender, &c.birthday, &c.jobTitle, &c.description, &c.primaryEmail, &c.primaryPhone,
		&c.last, &c.lastIn, &c.lastOut, &c.times, &c.timesIn, &c.timesOut,
		&c.created, &c.updated, &c.source, &c.accounts, &c.calls, &c.owner, &c.org)
}

// leanBase is the scheme and host of the request's links, escaped for a JSON string once.
func leanBase(host string) string {
	s := leanStr(nil, "http://"+host)
	return string(s[1 : len(s)-1])
}

// leanHeadRow appends a resource's type, id and self link up to its attributes; self is the
// link's bytes, for the relationships' links.
func leanHeadRow(b []byte, base, typ string, id int64) (out, self []byte) {
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","id":"`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `","links":{"self":"`...)
	start := len(b)
	b = append(b, base...)
	b = append(b, "/api/"...)
	b = append(b, typ...)
	b = append(b, '/')
	b = strconv.AppendInt(b, id, 10)
	self = b[start:len(b):len(b)] // earlier bytes of b never change, wherever b grows
	return append(b, `"},"attributes":{`...), self
}

// leanRel appends the name of a relationship; leanRelEnd its links after the data.
func leanRel(b []byte, name string) []byte {
	b = append(b, '"')
	b = append(b, name...)
	return append(b, `":{"data":`...)
}

func leanRelEnd(b, self []byte, name string) []byte {
	b = append(b, `,"links":{"self":"`...)
	b = append(b, self...)
	b = append(b, "/relationships/"...)
	b = append(b, name...)
	b = append(b, `","related":"`...)
	b = append(b, self...)
	b = append(b, '/')
	b = append(b, name...)
	return append(b, `"}}`...)
}

func leanIdentInt(b []byte, typ string, id int64) []byte {
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","id":"`...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, `"}`...)
}

func leanIdentsInt(b []byte, typ string, ids []int64) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = leanIdentInt(b, typ, id)
	}
	return append(b, ']')
}

func leanToOneInt(b, self []byte, name, typ string, id int64, valid bool) []byte {
	b = leanRel(b, name)
	if valid {
		b = leanIdentInt(b, typ, id)
	} else {
		b = append(b, "null"...)
	}
	return leanRelEnd(b, self, name)
}

func leanToManyInt(b, self []byte, name, typ string, ids []int64) []byte {
	return leanRelEnd(leanIdentsInt(leanRel(b, name), typ, ids), self, name)
}

func leanText(b []byte, t pgtype.Text) []byte {
	if !t.Valid {
		return append(b, "null"...)
	}
	return leanStr(b, t.String)
}

func leanTimeOf(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(append(b, '"'), "2006-01-02T15:04:05Z\"")
}

func leanTimestamptz(b []byte, t pgtype.Timestamptz) []byte {
	if !t.Valid {
		return append(b, "null"...)
	}
	return leanTimeOf(b, t.Time)
}

// leanAccountOf appends the resource object of account a.
func leanAccountOf(b []byte, base string, a *leanAccountRow) []byte {
	b, self := leanHeadRow(b, base, "accounts", a.id)
	b = append(b, `"name":`...)
	b = leanStr(b, a.name)
	b = append(b, `,"description":`...)
	b = leanText(b, a.description)
	b = leanActivity(b, &a.activity)
	b = append(b, `},"relationships":{`...)
	b = leanToManyInt(b, self, "contacts", "contacts", a.contacts)
	b = append(b, ',')
	b = leanToOneInt(b, self, "defaultContact", "contacts", a.defaultContact.Int64, a.defaultContact.Valid)
	b = append(b, ',')
	b = leanToOneInt(b, self, "owner", "users", a.owner, true)
	b = append(b, ',')
	b = leanToOneInt(b, self, "organization", "organizations", a.org, true)
	return append(b, "}}"...)
}

// leanContactOf appends the resource object of contact c.
func leanContactOf(b []byte, base string, c *leanContactRow) []byte {
	b, self := leanHeadRow(b, base, "contacts", c.id)
	for i, s := range [...]struct {
		name string
		v    pgtype.Text
	}{{"namePrefix", c.namePrefix}, {"firstName", c.firstName}, {"middleName", c.middleName},
		{"lastName", c.lastName}, {"nameSuffix", c.suffix}, {"gender", c.gender}} {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, s.name...)
		b = append(b, `":`...)
		b = leanText(b, s.v)
	}
	b = append(b, `,"birthday":`...)
	if c.birthday.Valid {
		b = c.birthday.Time.AppendFormat(append(b, '"'), "2006-01-02\"")
	} else {
		b = append(b, "null"...)
	}
	for _, s := range [...]struct {
		name string
		v    pgtype.Text
	}{{"jobTitle", c.jobTitle}, {"description", c.description}, {"primaryEmail", c.primaryEmail}, {"primaryPhone", c.primaryPhone}} {
		b = append(b, `,"`...)
		b = append(b, s.name...)
		b = append(b, `":`...)
		b = leanText(b, s.v)
	}
	b = leanActivity(b, &c.activity)
	b = append(b, `},"relationships":{`...)
	b = leanRel(b, "source")
	if c.source.Valid {
		b = append(b, `{"type":"contactsources","id":`...)
		b = append(leanStr(b, c.source.String), '}')
	} else {
		b = append(b, "null"...)
	}
	b = leanRelEnd(b, self, "source")
	b = append(b, ',')
	b = leanToManyInt(b, self, "accounts", "accounts", c.accounts)
	b = append(b, ',')
	b = leanToManyInt(b, self, "calls", "calls", c.calls)
	b = append(b, ',')
	b = leanToOneInt(b, self, "owner", "users", c.owner, true)
	b = append(b, ',')
	b = leanToOneInt(b, self, "organization", "organizations", c.org, true)
	return append(b, "}}"...)
}

// leanAccountDoc appends the one account the statement reads (pgx.ErrNoRows: none).
func leanAccountDoc(b []byte, base string, rows pgx.Rows, a *leanAccountRow) ([]byte, error) {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return b, err
		}
		return b, pgx.ErrNoRows
	}
	if err := a.scan(rows); err != nil {
		return b, err
	}
	return leanAccountOf(b, base, a), rows.Err()
}

// leanContactsOf appends the contacts the statement reads as a JSON array, and returns how many
// it read (at most limit are written; -1: all).
func leanContactsOf(b []byte, base string, rows pgx.Rows, limit int) ([]byte, int, error) {
	defer rows.Close()
	var c leanContactRow
	n := 0
	b = append(b, '[')
	for rows.Next() {
		n++
		if limit >= 0 && n > limit {
			continue
		}
		if err := c.scan(rows); err != nil {
			return b, n, err
		}
		if n > 1 {
			b = append(b, ',')
		}
		b = leanContactOf(b, base, &c)
	}
	return append(b, ']'), n, rows.Err()
}
