package store

import (
	"fmt"

	"gorm.io/gorm"
)

// recomputeChunk bounds the ids per statement, well below the bind-parameter limits of both
// databases (SQLite 32766, PostgreSQL 65535).
const recomputeChunk = 1000

// RecomputeCommunication sets the communication columns (last_contacted_date[_in|_out],
// times_contacted[_in|_out]) of the given rows of table ("accounts" or "contacts"; ids nil means
// every row) from the calls linked to them through calls.account_id or calls.contact_id. Run it
// in the transaction that changes the calls, for the old and the new targets of each changed call.
//
// It is one UPDATE (per thousand ids) with one correlated subquery per row, using row-value
// assignment and FILTER, which PostgreSQL and SQLite (≥ 3.30) both support; MAX over the SQLite
// datetime text is chronological because the text is fixed-width UTC. The dialect is accepted
// so that callers need not care whether the SQL differs; today it does not.
func RecomputeCommunication(tx *gorm.DB, dialect Dialect, table string, ids []int64) error {
	var fk string
	switch table {
	case "accounts":
		fk = "account_id"
	case "contacts":
		fk = "contact_id"
	default:
		return fmt.Errorf("store: no communication columns on %q", table)
	}
	if dialect != SQLite && dialect != Postgres {
		return fmt.Errorf("store: unknown dialect %q", dialect)
	}
	// table and fk come from the switch above, never from the caller's text.
	stmt := fmt.Sprintf(`UPDATE %[1]s SET
    (last_contacted_date, last_contacted_date_in, last_contacted_date_out,
     times_contacted, times_contacted_in, times_contacted_out) = (
    SELECT MAX(c.call_date_time),
           MAX(c.call_date_time) FILTER (WHERE c.direction = 'incoming'),
           MAX(c.call_date_time) FILTER (WHERE c.direction = 'outgoing'),
           COUNT(*),
           COUNT(*) FILTER (WHERE c.direction = 'incoming'),
           COUNT(*) FILTER (WHERE c.direction = 'outgoing')
    FROM calls c WHERE c.%[2]s = %[1]s.id)`, table, fk)
	if ids == nil {
		return tx.Exec(stmt).Error
	}
	for start := 0; start < len(ids); start += recomputeChunk {
		chunk := ids[start:min(start+recomputeChunk, len(ids))]
		if err := tx.Exec(stmt+" WHERE id IN ?", chunk).Error; err != nil {
			return err
		}
	}
	return nil
}
