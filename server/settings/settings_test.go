package settings_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"webapi/server/settings"
	"webapi/store"
	"webapi/store/storetest"
)

// addOrganization adds an organization and returns its id.
func addOrganization(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	org := store.Organization{Name: name, Enabled: true}
	if err := db.Gorm.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	return org.ID
}

func set(t *testing.T, db *store.DB, org int64, on bool) {
	t.Helper()
	if err := settings.SetAPIEnabled(context.Background(), db, org, on); err != nil {
		t.Fatalf("SetAPIEnabled(%d, %v): %v", org, on, err)
	}
}

// TestSwitch: off on a fresh database; the global value holds for every organization without
// one of its own; an organization's value overrides it either way; "anywhere" is the global
// value or any organization's.
func TestSwitch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := storetest.Open(t, b)
		org2 := addOrganization(t, db, "Second")
		org3 := addOrganization(t, db, "Third")
		check := func(step string, global, anywhere bool, byOrg map[int64]bool) {
			t.Helper()
			s, err := settings.Load(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if s.Global() != global || s.APIEnabledAnywhere() != anywhere {
				t.Errorf("%s: global %v, anywhere %v; want %v, %v", step, s.Global(), s.APIEnabledAnywhere(), global, anywhere)
			}
			for org, want := range byOrg {
				if got := s.APIEnabled(org); got != want {
					t.Errorf("%s: organization %d: %v, want %v", step, org, got, want)
				}
			}
		}
		check("fresh", false, false, map[int64]bool{1: false, org2: false, org3: false, 999: false})
		set(t, db, 0, true)
		check("on globally", true, true, map[int64]bool{1: true, org2: true, org3: true, 999: true})
		set(t, db, org2, false)
		check("off for one", true, true, map[int64]bool{1: true, org2: false, org3: true})
		set(t, db, 0, false)
		check("off globally", false, false, map[int64]bool{1: false, org2: false, org3: false})
		set(t, db, org3, true)
		check("on for one", false, true, map[int64]bool{1: false, org2: false, org3: true})
		set(t, db, org3, true) // again: still one value
		set(t, db, org3, false)
		check("off for that one too", false, false, map[int64]bool{org3: false})

		var rows int64
		db.Gorm.Raw("SELECT COUNT(*) FROM config_settings").Row().Scan(&rows)
		if rows != 3 {
			t.Errorf("%d rows, want 3 (global, two organizations)", rows)
		}
		err := settings.SetAPIEnabled(ctx, db, 999, true)
		if ce := store.Constraint(err); ce == nil || ce.Kind != store.ForeignKey {
			t.Errorf("an unknown organization: %v", err)
		}
		// an organization's values go with it
		set(t, db, org3, true)
		if err := db.Gorm.Exec("DELETE FROM organizations WHERE id = ?", org3).Error; err != nil {
			t.Fatal(err)
		}
		check("the organization deleted", false, false, nil)
	})
}

// TestConcurrentSet: processes setting the same value at once take turns; one value is left.
func TestConcurrentSet(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		other := storetest.OpenAgain(t, b, db)
		var wg sync.WaitGroup
		for i := range 8 {
			h := db
			if i%2 == 1 {
				h = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := settings.SetAPIEnabled(context.Background(), h, 1, i%3 == 0); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var rows int64
		db.Gorm.Raw("SELECT COUNT(*) FROM config_settings").Row().Scan(&rows)
		if rows != 1 {
			t.Errorf("%d rows, want 1", rows)
		}
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestCache: what a cache answers is at most MaxAge old; a change made through another handle
// (another process) shows once it is.
func TestCache(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := storetest.Open(t, b)
		writer := storetest.OpenAgain(t, b, db) // `webapi config set`, in another process
		org2 := addOrganization(t, db, "Second")
		clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		c := &settings.Cache{DB: db, Now: clk.Now}
		expect := func(step string, org int64, want, wantAnywhere bool) {
			t.Helper()
			on, err := c.APIEnabled(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			anywhere, err := c.APIEnabledAnywhere(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if on != want || anywhere != wantAnywhere {
				t.Errorf("%s: organization %d %v, anywhere %v; want %v, %v", step, org, on, anywhere, want, wantAnywhere)
			}
		}
		expect("fresh", 1, false, false)
		set(t, writer, 0, true)
		clk.Add(settings.DefaultMaxAge - time.Millisecond)
		expect("just before the age", 1, false, false)
		clk.Add(time.Millisecond)
		expect("at the age", 1, true, true)
		if settings.DefaultMaxAge >= 5*time.Second {
			t.Errorf("DefaultMaxAge %v: a change must take effect within 5 s", settings.DefaultMaxAge)
		}

		set(t, writer, org2, false)
		expect("cached", org2, true, true)
		clk.Add(settings.DefaultMaxAge)
		expect("read again", org2, false, true)
		expect("read again", 1, true, true)

		// a clock that goes back reads again rather than trust the snapshot for longer
		set(t, writer, 0, false)
		clk.Add(-time.Second)
		expect("clock went back", 1, false, false)

		// one read for many callers
		c2 := &settings.Cache{DB: db, Now: clk.Now, MaxAge: time.Hour}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c2.APIEnabledAnywhere(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		s1, _ := c2.Snapshot(ctx)
		s2, _ := c2.Snapshot(ctx)
		if s1 != s2 {
			t.Error("a fresh snapshot was read again")
		}

		// a read that fails is not kept: the next caller reads again
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		c3 := &settings.Cache{DB: db, Now: clk.Now}
		if _, err := c3.APIEnabled(cancelled, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled read: %v", err)
		}
		expect3, err := c3.APIEnabled(ctx, org2)
		if err != nil || expect3 {
			t.Errorf("after a failed read: %v, %v", expect3, err)
		}
	})
}
