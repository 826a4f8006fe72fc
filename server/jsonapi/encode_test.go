package jsonapi

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The digits appendValue writes itself are those time.AppendFormat writes, for any instant, zone
// and year (outside 0–9999 it leaves them to AppendFormat).
func TestAppendTimes(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -(9*3600 + 30*60))}
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 6, 15, 12, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 9, 5, 7, 0, zones[1]),
		time.Date(2026, 1, 1, 0, 30, 0, 0, zones[2]),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(253402300800+62135596800)-62135596800, r.Int64N(1e9)).In(zones[r.IntN(len(zones))]))
	}
	for _, tm := range times {
		if got, want := string(appendValue(nil, Date, tm)), `"`+tm.Format("2006-01-02")+`"`; got != want {
			t.Fatalf("date of %v: %s, want %s", tm, got, want)
		}
		if got, want := string(appendValue(nil, DateTime, tm)), `"`+tm.UTC().Format("2006-01-02T15:04:05Z")+`"`; got != want {
			t.Fatalf("date-time of %v: %s, want %s", tm, got, want)
		}
	}
}
