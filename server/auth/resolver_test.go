package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"webapi/server/auth"
	"webapi/store/storetest"
)

// The resolver's freshness (api.md section 16, issue 9: a cached principal costs no statement):
// a request with a cached principal runs none; a change committed by this process is seen on
// the next request; a change by another process once MaxAge has passed, and not before.
func TestResolverFreshness(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storetest.Open(t, b)
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			r := &auth.Resolver{DB: db, MaxAge: time.Second, Now: func() time.Time { return now }}
			admin := auth.Identity{UserID: 1}
			if _, err := r.Principal(ctx, admin); err != nil {
				t.Fatal(err)
			}
			var statements atomic.Int64
			count := func(*gorm.DB) { statements.Add(1) }
			if err := db.Gorm.Callback().Row().After("gorm:row").Register("test:count_row", count); err != nil {
				t.Fatal(err)
			}
			if err := db.Gorm.Callback().Raw().After("gorm:raw").Register("test:count_raw", count); err != nil {
				t.Fatal(err)
			}
			if err := db.Gorm.Callback().Query().After("gorm:query").Register("test:count_query", count); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				p, err := r.Principal(ctx, admin)
				if err != nil || p.UserID != 1 {
					t.Fatalf("principal %+v, %v", p, err)
				}
			}
			if n := statements.Load(); n != 0 {
				t.Fatalf("%d statements for cached principals, want 0", n)
			}

			// another process disables the user: unseen until MaxAge has passed
			other := storetest.OpenAgain(t, b, db)
			if err := other.Gorm.Exec("UPDATE users SET enabled = FALSE WHERE id = 1").Error; err != nil {
				t.Fatal(err)
			}
			now = now.Add(999 * time.Millisecond)
			if _, err := r.Principal(ctx, admin); err != nil {
				t.Fatalf("within MaxAge: %v", err)
			}
			now = now.Add(time.Millisecond)
			var f *auth.Failure
			if _, err := r.Principal(ctx, admin); !errors.As(err, &f) {
				t.Fatalf("after MaxAge: %v, want a refusal", err)
			}

			// this process enables it again: seen at once, whatever the clock
			if err := db.Tx(ctx, func(ctx context.Context) error {
				return db.Conn(ctx).Exec("UPDATE users SET enabled = TRUE WHERE id = 1").Error
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Principal(ctx, admin); err != nil {
				t.Fatalf("after a commit of this process: %v", err)
			}
		})
	}
}
