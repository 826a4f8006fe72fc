// Package batch runs the asynchronous batch API (api.md section 12) on River: a batch is stored
// as an operation and its chunks, with one job per chunk inserted in the same transaction, and
// workers (in `webapi serve` or in `webapi worker` processes, any number of them on PostgreSQL)
// write each chunk in a transaction that also marks it done. A job that runs again — after a
// crash, a kill, or River rescuing a job whose worker vanished — finds its chunk done and
// writes nothing twice.
package batch

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/store"
)

// Config configures the batch service. Zero fields take the defaults.
type Config struct {
	// Workers is how many chunks this process writes at once; 0: none (the process stores
	// batches; other processes write them).
	Workers int
	// Retention is how long operations are kept (30 days), Timeout how long one may run
	// (3600 s) before it is failed.
	Retention time.Duration
	Timeout   time.Duration
	// JobTimeout bounds one chunk (5 min); RescueAfter is when a chunk whose worker vanished
	// (killed, its machine gone) is given to another (JobTimeout + 1 min).
	JobTimeout  time.Duration
	RescueAfter time.Duration
	// PollInterval is how often idle workers look for chunks (200 ms).
	PollInterval time.Duration
	// MaintenanceInterval is how often timed-out operations are failed and expired ones purged
	// (1 min).
	MaintenanceInterval time.Duration
	Logger              *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Retention <= 0 {
		c.Retention = 30 * 24 * time.Hour
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Hour
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = 5 * time.Minute
	}
	if c.RescueAfter <= c.JobTimeout {
		c.RescueAfter = c.JobTimeout + time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 200 * time.Millisecond
	}
	if c.MaintenanceInterval <= 0 {
		c.MaintenanceInterval = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// ChunkArgs names the chunk a job writes.
type ChunkArgs struct {
	Operation int64 `json:"operation"`
	Chunk     int   `json:"chunk"`
}

// Kind implements river.JobArgs.
func (ChunkArgs) Kind() string { return "batch_chunk" }

// maintenanceArgs is the periodic job that fails timed-out operations and purges old ones.
type maintenanceArgs struct{}

func (maintenanceArgs) Kind() string { return "batch_maintenance" }

// Service stores batches (jsonapi.Async) and, with workers, writes them.
type Service struct {
	db  *store.DB
	api *jsonapi.API
	cfg Config

	// insert adds jobs in the store's own transactions (database/sql); work, when this process
	// has workers, fetches and runs them (on PostgreSQL through pgx, on SQLite through a handle
	// of its own)
	insert *river.Client[*sql.Tx]
	// owners caches the principals of operations' owners (as the server's requests do)
	owners *auth.Resolver
	start  func(ctx context.Context) error
	stop   func(ctx context.Context) error
	close  func()
}

var _ jsonapi.Async = (*Service)(nil)

// New builds the service over db for the engine api (whose Async it becomes).
func New(db *store.DB, api *jsonapi.API, cfg Config) (*Service, error) {
	cfg = cfg.withDefaults()
	s := &Service{db: db, api: api, cfg: cfg, close: func() {}, owners: &auth.Resolver{DB: db}}
	workers := river.NewWorkers()
	river.AddWorker(workers, &chunkWorker{s: s})
	river.AddWorker(workers, &maintenanceWorker{s: s})
	rc := &river.Config{
		Workers:              workers,
		Logger:               quiet(cfg.Logger),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		// River fetches at most once per cooldown, as many jobs as it has idle workers: with
		// its default (100 ms) two workers would write 20 chunks a second however fast each is
		FetchCooldown: 2 * time.Millisecond,
	}
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return nil, err
	}
	if db.Dialect == store.Postgres {
		if s.insert, err = river.NewClient(riverdatabasesql.New(sqlDB), &river.Config{Workers: workers, Logger: rc.Logger}); err != nil {
			return nil, err
		}
		if cfg.Workers > 0 {
			pool, err := pgxpool.New(context.Background(), db.URL)
			if err != nil {
				return nil, err
			}
			wc := *rc
			s.configure(&wc)
			work, err := river.NewClient[pgx.Tx](riverpgxv5.New(pool), &wc)
			if err != nil {
				pool.Close()
				return nil, err
			}
			s.start, s.stop, s.close = work.Start, work.Stop, pool.Close
		}
		return s, nil
	}
	var pool *sql.DB
	if cfg.Workers > 0 {
		if pool, err = db.JobPool(); err != nil {
			return nil, err
		}
	}
	if pool == nil { // no workers, or a database in memory
		s.insert, err = river.NewClient(riversqlite.New(sqlDB), &river.Config{Workers: workers, Logger: rc.Logger})
		return s, err
	}
	s.configure(rc)
	if s.insert, err = river.NewClient(riversqlite.New(pool), rc); err != nil {
		pool.Close()
		return nil, err
	}
	s.start, s.stop, s.close = s.insert.Start, s.insert.Stop, func() { pool.Close() }
	return s, nil
}

// configure gives a working client its queue and the periodic maintenance.
func (s *Service) configure(rc *river.Config) {
	rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: s.cfg.Workers}}
	rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(s.cfg.MaintenanceInterval),
		func() (river.JobArgs, *river.InsertOpts) { return maintenanceArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}

// Start starts the workers (nothing without any).
func (s *Service) Start(ctx context.Context) error {
	if s.start == nil {
		return nil
	}
	return s.start(ctx)
}

// Stop lets the running chunks finish (until ctx ends) and stops the workers.
func (s *Service) Stop(ctx context.Context) error {
	var err error
	if s.stop != nil {
		err = s.stop(ctx)
	}
	s.close()
	return err
}

// Enqueue implements jsonapi.Async: the operation, its chunks and one job per chunk, in the
// request's transaction.
func (s *Service) Enqueue(ctx context.Context, typ string, chunks []*jsonapi.Chunk) (string, error) {
	p, ok := auth.From(ctx)
	if !ok {
		return "", errors.New("batch: no principal")
	}
	payloads := make([][]byte, len(chunks))
	for i, ch := range chunks {
		b, err := json.Marshal(ch)
		if err != nil {
			return "", err
		}
		payloads[i] = b
	}
	id, err := s.db.CreateOperation(ctx, typ, p.UserID, p.OrganizationID, payloads)
	if err != nil {
		return "", err
	}
	tx := store.SQLTx(ctx)
	if tx == nil {
		return "", errors.New("batch: Enqueue outside a transaction")
	}
	params := make([]river.InsertManyParams, len(chunks))
	for i := range chunks {
		params[i] = river.InsertManyParams{Args: ChunkArgs{Operation: id, Chunk: i + 1}}
	}
	if _, err := s.insert.InsertManyTx(ctx, tx, params); err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

// chunkWorker writes one chunk.
type chunkWorker struct {
	river.WorkerDefaults[ChunkArgs]
	s *Service
}

// Work implements river.Worker. An error makes River try again later; when the attempts are
// spent, the operation fails as a whole.
func (w *chunkWorker) Work(ctx context.Context, job *river.Job[ChunkArgs]) error {
	err := w.s.WriteChunk(ctx, job.Args.Operation, job.Args.Chunk)
	switch {
	case err != nil && job.Attempt >= job.MaxAttempts:
		w.s.cfg.Logger.Error("batch chunk failed for good", "operation", job.Args.Operation, "chunk", job.Args.Chunk, "error", err)
		return w.s.db.FailOperation(ctx, job.Args.Operation, "The operation could not be processed.", time.Now())
	case err != nil:
		w.s.cfg.Logger.Warn("batch chunk will be tried again", "operation", job.Args.Operation, "chunk", job.Args.Chunk, "attempt", job.Attempt, "error", err)
	}
	return err
}

// failure is a problem of the operation as a whole (its stored request is unreadable, its
// owner can no longer act): it ends failed, with one error that says why.
type failure struct{ detail string }

func (f *failure) Error() string { return f.detail }

// WriteChunk writes a chunk as its operation's owner, in one transaction with its errors, its
// counts and its done mark; a chunk done already is left alone. It is what a job does (tools
// and tests may call it too). A problem of the operation as a whole (its stored request is
// unreadable, its owner can no longer act) fails the operation; an error returned is one worth
// another try (the database).
func (s *Service) WriteChunk(ctx context.Context, opID int64, chunk int) error {
	err := s.writeChunk(ctx, opID, chunk)
	var fail *failure
	if errors.As(err, &fail) {
		s.cfg.Logger.Warn("batch operation failed", "operation", opID, "chunk", chunk, "reason", fail.detail)
		return s.db.FailOperation(ctx, opID, fail.detail, time.Now())
	}
	return err
}

func (s *Service) writeChunk(ctx context.Context, opID int64, chunk int) error {
	op, err := s.db.Operation(ctx, opID)
	if err != nil {
		return err
	}
	if op == nil || (op.Status != store.AsyncNew && op.Status != store.AsyncRunning) {
		return nil // purged, failed or finished: nothing left to do
	}
	res := s.api.Schema.Resource(op.EntityType)
	if res == nil {
		return &failure{detail: fmt.Sprintf("The resource type %q is not known.", op.EntityType)}
	}
	p, err := s.owners.Principal(ctx, auth.Identity{UserID: op.OwnerID})
	if err != nil {
		var f *auth.Failure
		if errors.As(err, &f) {
			return &failure{detail: "The owner of the operation cannot act: " + f.Detail}
		}
		return err
	}
	ctx = auth.With(ctx, p)
	if op.Status == store.AsyncNew {
		if err := s.db.StartOperation(ctx, opID, time.Now()); err != nil {
			return err
		}
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		payload, done, err := s.db.LockChunk(ctx, opID, chunk)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the operation was purged meanwhile
		}
		if err != nil || done {
			return err
		}
		var ch jsonapi.Chunk
		if err := json.Unmarshal(payload, &ch); err != nil {
			return &failure{detail: "The stored request cannot be read."}
		}
		out, err := s.api.RunChunk(ctx, res, &ch, ledger{db: s.db, op: opID})
		if err != nil {
			return err
		}
		errs := make([]store.AsyncError, len(out.Errors))
		for i, e := range out.Errors {
			errs[i] = store.AsyncError{Status: e.Status, Title: e.Title, Detail: e.Detail, Pointer: e.Pointer}
			if e.Pointer == "" {
				errs[i].PropertyPath = e.Parameter + e.Header
			}
		}
		counts := store.ChunkCounts{Read: out.Read, Write: out.Created + out.Updated, Create: out.Created, Update: out.Updated, Errors: len(errs)}
		_, err = s.db.FinishChunk(ctx, opID, chunk, counts, errs, time.Now())
		return err
	})
}

// ledger keeps the records written for an operation's shared included resources.
type ledger struct {
	db *store.DB
	op int64
}

func (l ledger) Lock(ctx context.Context, at int) error {
	return l.db.LockKey(ctx, fmt.Sprintf("batch %d included %d", l.op, at))
}

func (l ledger) Written(ctx context.Context, ats []int) (map[int]string, error) {
	return l.db.OperationIncludes(ctx, l.op, ats)
}

func (l ledger) Keep(ctx context.Context, ids map[int]string) error {
	return l.db.KeepOperationIncludes(ctx, l.op, ids)
}

// maintenanceWorker fails the operations that ran past the timeout and purges those past the
// retention, a bounded number at a time.
type maintenanceWorker struct {
	river.WorkerDefaults[maintenanceArgs]
	s *Service
}

func (w *maintenanceWorker) Work(ctx context.Context, _ *river.Job[maintenanceArgs]) error {
	return w.s.Maintain(ctx, time.Now())
}

// Maintain fails the operations running for longer than the timeout and purges those older
// than the retention, as of now (the periodic job calls it).
func (s *Service) Maintain(ctx context.Context, now time.Time) error {
	ids, err := s.db.OverdueOperations(ctx, now.Add(-s.cfg.Timeout), 1000)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.db.FailOperation(ctx, id, fmt.Sprintf("The operation did not finish within %d seconds.", int(s.cfg.Timeout/time.Second)), now); err != nil {
			return err
		}
	}
	for {
		n, err := s.db.PurgeOperations(ctx, now.Add(-s.cfg.Retention), 1000)
		if err != nil || n < 1000 {
			return err
		}
	}
}

// quiet passes River's own log on at warning level and above.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}
