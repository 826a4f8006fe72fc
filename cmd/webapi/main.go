// Command webapi runs the Web API server and its administration commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"webapi/gen"
	"webapi/server"
	"webapi/server/auth"
	"webapi/server/batch"
	"webapi/server/jsonapi"
	"webapi/server/logwriter"
	"webapi/server/oauth"
	"webapi/server/wsse"
	"webapi/store"
	"webapi/store/demo"
)

const defaultDatabase = "sqlite:./data/webapi.db"

func main() {
	if err := root().Execute(); err != nil {
		os.Exit(1)
	}
}

func root() *cobra.Command {
	var database string
	dbLimits := store.DefaultLimits
	cmd := &cobra.Command{
		Use:          "webapi",
		Short:        "An Oro-style JSON:API server for a CRM and commerce back office",
		SilenceUsage: true,
	}
	cmd.PersistentFlags().StringVar(&database, "database", env("DATABASE_URL", defaultDatabase),
		"database URL: sqlite:PATH or postgres://… (env DATABASE_URL)")
	cmd.PersistentFlags().IntVar(&dbLimits.MaxConns, "db-max-conns", 0, "the most open database connections (0: a few per core)")
	cmd.PersistentFlags().DurationVar(&dbLimits.ConnWait, "db-conn-wait", dbLimits.ConnWait, "the longest a request waits for a database connection (then 503)")
	cmd.PersistentFlags().IntVar(&dbLimits.WriteQueue, "sqlite-write-queue", dbLimits.WriteQueue, "SQLite: the most transactions waiting for the single writer (then 503)")
	cmd.PersistentFlags().DurationVar(&dbLimits.WriteWait, "sqlite-write-wait", dbLimits.WriteWait, "SQLite: the longest a transaction waits for the single writer (then 503)")
	open := func(ctx context.Context) (*store.DB, error) {
		db, err := store.OpenWith(ctx, database, dbLimits)
		if err != nil {
			return nil, err
		}
		if err := store.Migrate(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
		// a migration that created the search index over existing records, or data loaded
		// around the write pipeline, leave it to be built
		if needed, err := db.NeedsReindex(ctx); err != nil || needed {
			if err == nil {
				slog.Info("building the search index")
				err = server.Reindex(ctx, db, nil, nil)
			}
			if err != nil {
				db.Close()
				return nil, fmt.Errorf("search index: %w", err)
			}
		}
		return db, nil
	}
	cmd.AddCommand(serveCmd(open), workerCmd(open), migrateCmd(open), seedCmd(open), openapiCmd())
	cmd.AddCommand(configCmd(open))
	cmd.AddCommand(userCmd(open))
	cmd.AddCommand(wsseHeaderCmd())
	cmd.AddCommand(organizationCmd(open))
	cmd.AddCommand(oauthAppCmd(open))
	cmd.AddCommand(searchCmd(open))
	return cmd
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

type opener func(ctx context.Context) (*store.DB, error)

func serveCmd(open opener) *cobra.Command {
	var addr, cors, jwtKey string
	lifetimes := oauth.DefaultLifetimes
	var withDemo bool
	limits := jsonapi.DefaultLimits
	var bodyLimit int64
	requestTimeout, readTimeout, writeTimeout := server.DefaultRequestTimeout, server.DefaultReadTimeout, 120*time.Second
	var batching jsonapi.BatchConfig
	jobs := batch.Config{Workers: 2}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Migrate the database and serve the API",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log, accessLog, closeLog := newLog(os.Stderr)
			defer closeLog()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if withDemo {
				switch err := demo.Seed(ctx, db, 1, nil); {
				case err == nil:
					if err := server.Reindex(ctx, db, nil, nil); err != nil {
						return err
					}
				case !errors.Is(err, demo.ErrNotEmpty):
					return err
				}
			}
			provider, err := newOAuth(ctx, db, jwtKey, lifetimes, log)
			if err != nil {
				return err
			}
			if withDemo {
				if err := demoAccess(ctx, db, "http://"+addr, cmd.OutOrStdout()); err != nil {
					return err
				}
			}
			cfg := server.Config{Logger: log, AccessLog: accessLog, Limits: limits, BodyLimit: bodyLimit, RequestTimeout: requestTimeout, ReadTimeout: readTimeout,
				OAuth: provider, Schemes: []auth.Scheme{provider.Bearer(), wsse.New(db)}, Batch: batching, Jobs: jobs}
			if cors != "" {
				cfg.CORSOrigins = strings.Split(cors, ",")
			}
			e, svc, err := server.NewWithJobs(db, cfg)
			if err != nil {
				return err
			}
			if err := svc.Start(ctx); err != nil {
				return err
			}
			settle()
			// The body's read deadline is set per request (server.Config.ReadTimeout), so that a
			// slow body is answered 408 instead of the connection being dropped.
			srv := &http.Server{Addr: addr, Handler: e, ReadHeaderTimeout: 10 * time.Second,
				WriteTimeout: writeTimeout, IdleTimeout: 120 * time.Second}
			errc := make(chan error, 1)
			go func() { errc <- srv.ListenAndServe() }()
			log.Info("listening", "addr", addr, "database", db.Dialect)
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			// graceful shutdown: in-flight requests finish
			shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			log.Info("shutting down")
			err = srv.Shutdown(shutdown)
			// the chunks being written finish (or, cut short, are written again by a worker)
			return errors.Join(err, svc.Stop(shutdown))
		},
	}
	addBatchFlags(cmd, &batching, &jobs)
	cmd.Flags().StringVar(&addr, "addr", env("WEBAPI_ADDR", "127.0.0.1:8080"), "listen address (env WEBAPI_ADDR)")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "load the demo data set into an empty database, switch the API on, and print credentials for it (a new admin password and OAuth client on every start)")
	cmd.Flags().StringVar(&cors, "cors-origins", env("WEBAPI_CORS_ORIGINS", ""), "comma-separated allowed CORS origins (env WEBAPI_CORS_ORIGINS)")
	cmd.Flags().IntVar(&limits.MaxPageSize, "max-page-size", limits.MaxPageSize, "the largest page[size] a client may ask for")
	cmd.Flags().IntVar(&limits.DeleteLimit, "delete-limit", limits.DeleteLimit, "the most records one DELETE of a collection may remove")
	cmd.Flags().IntVar(&limits.LinkageLimit, "linkage-limit", limits.LinkageLimit, "the most identifiers of a to-many relationship inside a document")
	cmd.Flags().IntVar(&limits.MaxIncludeDepth, "max-include-depth", limits.MaxIncludeDepth, "the most relationships of one include path")
	cmd.Flags().IntVar(&limits.MaxIncludePaths, "max-include-paths", limits.MaxIncludePaths, "the most include paths of a request")
	cmd.Flags().IntVar(&limits.MaxIncluded, "max-included", limits.MaxIncluded, "the most included resources of a response")
	cmd.Flags().IntVar(&limits.MaxSortTerms, "max-sort-terms", limits.MaxSortTerms, "the most sort fields of a request")
	cmd.Flags().IntVar(&limits.MaxFilters, "max-filters", limits.MaxFilters, "the most filter parameters of a request")
	cmd.Flags().IntVar(&limits.MaxFilterValues, "max-filter-values", limits.MaxFilterValues, "the most values of one filter field")
	cmd.Flags().IntVar(&limits.MaxWriteResources, "max-write-resources", limits.MaxWriteResources, "the most resources of a write document (data and included)")
	cmd.Flags().IntVar(&limits.MaxErrors, "max-errors", limits.MaxErrors, "the most errors of a response (one more says how many were left out)")
	cmd.Flags().IntVar(&limits.MaxIDLength, "max-id-length", limits.MaxIDLength, "the most characters of an id or code")
	cmd.Flags().DurationVar(&lifetimes.AccessToken, "access-token-lifetime", lifetimes.AccessToken, "how long an OAuth 2.0 access token is valid")
	cmd.Flags().DurationVar(&lifetimes.RefreshToken, "refresh-token-lifetime", lifetimes.RefreshToken, "how long an OAuth 2.0 refresh token is valid")
	cmd.Flags().DurationVar(&lifetimes.AuthCode, "auth-code-lifetime", lifetimes.AuthCode, "how long an OAuth 2.0 authorization code is valid")
	cmd.Flags().StringVar(&jwtKey, "jwt-key", env("WEBAPI_JWT_KEY", ""), "a PEM file with the RSA private key that signs access tokens (default: the key in the database, generated on first start; env WEBAPI_JWT_KEY)")
	cmd.Flags().Int64Var(&bodyLimit, "body-limit", 10<<20, "the largest request body in bytes")
	cmd.Flags().DurationVar(&requestTimeout, "request-timeout", requestTimeout, "every request's deadline, its SQL included (then 503)")
	cmd.Flags().DurationVar(&readTimeout, "read-timeout", readTimeout, "the longest the reading of a request body may take (then 408)")
	cmd.Flags().DurationVar(&writeTimeout, "write-timeout", writeTimeout, "the longest the writing of a response may take (then the connection is closed)")
	return cmd
}

// settle is called once a long-running process (serve, worker) has built its server: the parsed
// OpenAPI document is let go (the engine keeps what it read from it, not the document), and the
// heap the start left behind, most of it the garbage of parsing the document, is given back to
// the operating system at once rather than over minutes by the runtime's scavenger (issue 13,
// idle RSS; README, Performance, Process).
func settle() {
	server.ReleaseSpec()
	debug.FreeOSMemory()
}

// newLog is the log of a long-running process (serve, worker), made the default: JSON lines on
// out (stderr), collected and written at most logwriter.Interval late (one write for many lines
// under load). lines is the writer under it, for server.Config.AccessLog. closeLog writes what
// collected; the commands defer it first, so it runs last.
func newLog(out io.Writer) (log *slog.Logger, lines io.Writer, closeLog func()) {
	w := logwriter.New(out, logwriter.Interval)
	log = slog.New(slog.NewJSONHandler(w, nil))
	slog.SetDefault(log)
	return log, w, func() { _ = w.Close() }
}

// newOAuth builds the authorization server: its key from --jwt-key, else the database's.
func newOAuth(ctx context.Context, db *store.DB, keyFile string, lifetimes oauth.Lifetimes, log *slog.Logger) (*oauth.Provider, error) {
	for name, d := range map[string]time.Duration{"--access-token-lifetime": lifetimes.AccessToken,
		"--refresh-token-lifetime": lifetimes.RefreshToken, "--auth-code-lifetime": lifetimes.AuthCode} {
		if d < time.Second {
			return nil, fmt.Errorf("%s must be at least 1s", name)
		}
	}
	cfg := oauth.Config{Lifetimes: lifetimes, Logger: log}
	if keyFile != "" {
		k, err := oauth.LoadKeyFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("--jwt-key: %w", err)
		}
		cfg.Key = k
	}
	return oauth.New(ctx, db, cfg)
}

func migrateCmd(open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
			return nil
		},
	}
}

func seedCmd(open opener) *cobra.Command {
	cmd := &cobra.Command{Use: "seed", Short: "Load data sets"}
	var scale int
	demoCmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the demo data set into an empty database",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			var bar *progressbar.ProgressBar
			if err := demo.Seed(cmd.Context(), db, scale, func(done, total int) {
				if bar == nil {
					bar = progressbar.Default(int64(total), "seeding")
				}
				_ = bar.Set(done)
			}); err != nil {
				return err
			}
			return reindexWithBar(cmd, db, nil)
		},
	}
	demoCmd.Flags().IntVar(&scale, "scale", 1, "multiply the demo data counts")
	cmd.AddCommand(demoCmd)
	return cmd
}

func openapiCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI document",
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc := gen.SpecYAML
			if asJSON {
				doc = gen.SpecJSON
			}
			_, err := cmd.OutOrStdout().Write(doc)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of YAML")
	return cmd
}
