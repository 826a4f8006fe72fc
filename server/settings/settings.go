// Package settings reads the system configuration: the switch of the API, web_api (api.md
// section 18), global and overridable per organization.
//
// A server asks on every request whether the API is on for its caller's organization, so it
// keeps what it read for a short while (Cache: at most MaxAge, 4 s by default); a change made by
// `webapi config set` in another process reaches every running server within 5 seconds.
package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"webapi/store"
)

// WebAPI is the name of the API's switch: a boolean, off unless set.
const WebAPI = "web_api"

// Names are the settings the configuration knows (`webapi config`).
var Names = []string{WebAPI}

// Snapshot is the web_api setting as stored at one moment: the global value and the
// organizations that override it.
type Snapshot struct {
	global bool
	orgs   map[int64]bool // the overrides, by organization id
	anyOn  bool           // some organization's override is on
}

// Load reads the web_api setting from the database, now.
func Load(ctx context.Context, db *store.DB) (*Snapshot, error) {
	values, err := db.SettingValues(ctx, WebAPI)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{orgs: map[int64]bool{}}
	for _, v := range values {
		on, err := parseBool(v.Value)
		if err != nil {
			return nil, fmt.Errorf("settings: %s of organization %d: %w", WebAPI, v.OrganizationID, err)
		}
		if v.OrganizationID == 0 {
			s.global = on
			continue
		}
		s.orgs[v.OrganizationID] = on
		s.anyOn = s.anyOn || on
	}
	return s, nil
}

// Global reports whether the API is on globally.
func (s *Snapshot) Global() bool { return s.global }

// APIEnabled reports whether the API is on for organization org: its own setting, or the
// global one when it has none.
func (s *Snapshot) APIEnabled(org int64) bool {
	if on, ok := s.orgs[org]; ok {
		return on
	}
	return s.global
}

// APIEnabledAnywhere reports whether the API is on globally or for at least one organization
// (otherwise everything under /api/ is 404, the documents included).
func (s *Snapshot) APIEnabledAnywhere() bool { return s.global || s.anyOn }

// SetAPIEnabled switches the API on or off globally (org 0) or for organization org (which
// must exist: otherwise a store.ConstraintError of kind store.ForeignKey).
func SetAPIEnabled(ctx context.Context, db *store.DB, org int64, on bool) error {
	return db.SetSetting(ctx, WebAPI, org, store.JSON(strconv.FormatBool(on)), time.Now())
}

func parseBool(v store.JSON) (bool, error) {
	var on bool
	if err := json.Unmarshal(v, &on); err != nil {
		return false, fmt.Errorf("not a boolean: %.40s", v)
	}
	return on, nil
}

// DefaultMaxAge is how long a Cache keeps what it read: under the 5 seconds api.md gives a change
// to take effect, leaving a second for the statement that reads it again and the requests
// already past the check.
const DefaultMaxAge = 4 * time.Second

// Cache answers from a Snapshot at most MaxAge old, reading a new one when it is older: one
// statement per MaxAge per process, whatever the number of requests. Concurrent callers that find
// it stale wait for a single read. The zero Cache is not usable: set DB (or use NewCache).
type Cache struct {
	DB *store.DB
	// MaxAge is how long a snapshot is used (DefaultMaxAge when zero).
	MaxAge time.Duration
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time

	mu      sync.Mutex
	snap    *Snapshot
	readAt  time.Time     // when the read of snap started
	loading chan struct{} // closed when the read in flight ends; nil when none is
}

// NewCache returns a cache of db's settings with the default age.
func NewCache(db *store.DB) *Cache { return &Cache{DB: db} }

// APIEnabled reports whether the API is on for organization org (see Snapshot.APIEnabled).
func (c *Cache) APIEnabled(ctx context.Context, org int64) (bool, error) {
	s, err := c.Snapshot(ctx)
	if err != nil {
		return false, err
	}
	return s.APIEnabled(org), nil
}

// APIEnabledAnywhere reports whether the API is on globally or for at least one organization
// (see Snapshot.APIEnabledAnywhere).
func (c *Cache) APIEnabledAnywhere(ctx context.Context) (bool, error) {
	s, err := c.Snapshot(ctx)
	if err != nil {
		return false, err
	}
	return s.APIEnabledAnywhere(), nil
}

// Snapshot returns the settings as read at most MaxAge ago (from the start of the read).
func (c *Cache) Snapshot(ctx context.Context) (*Snapshot, error) {
	for {
		c.mu.Lock()
		now := c.now()
		if c.snap != nil && !now.Before(c.readAt) && now.Sub(c.readAt) < c.maxAge() {
			s := c.snap
			c.mu.Unlock()
			return s, nil
		}
		if wait := c.loading; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait: // read, or failed: look again (and read when it failed)
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading = done
		c.mu.Unlock()

		s, err := Load(ctx, c.DB)
		c.mu.Lock()
		if err == nil {
			c.snap, c.readAt = s, now
		}
		c.loading = nil
		close(done)
		c.mu.Unlock()
		return s, err
	}
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) maxAge() time.Duration {
	if c.MaxAge > 0 {
		return c.MaxAge
	}
	return DefaultMaxAge
}
