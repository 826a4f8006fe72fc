package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"webapi/server"
	"webapi/server/batch"
	"webapi/server/jsonapi"
)

// addBatchFlags declares the flags of the batch API that serve and worker share.
func addBatchFlags(cmd *cobra.Command, b *jsonapi.BatchConfig, jobs *batch.Config) {
	d := jsonapi.DefaultBatch
	f := cmd.Flags()
	f.IntVar(&jobs.Workers, "workers", jobs.Workers, "how many chunks of asynchronous batches this process writes at once (0: none)")
	f.DurationVar(&jobs.Retention, "batch-retention", 30*24*time.Hour, "how long asynchronous operations are kept")
	f.DurationVar(&jobs.Timeout, "batch-timeout", time.Hour, "how long an asynchronous operation may run before it fails")
	f.DurationVar(&jobs.JobTimeout, "batch-chunk-timeout", 5*time.Minute, "how long the writing of one chunk may take")
	f.DurationVar(&jobs.RescueAfter, "batch-rescue-after", 6*time.Minute, "when a chunk whose worker vanished is given to another (more than --batch-chunk-timeout)")
	if cmd.Name() == "serve" {
		f.IntVar(&b.ChunkSize, "batch-chunk-size", d.ChunkSize, "primary records of one chunk of an asynchronous batch")
		f.IntVar(&b.IncludedChunkSize, "batch-included-chunk-size", d.IncludedChunkSize, "included records of one chunk of an asynchronous batch")
		f.IntVar(&b.MaxRecords, "batch-max-records", d.MaxRecords, "the most records of a batch document (data and included)")
		f.IntVar(&b.Sync.Data, "sync-max-data", d.Sync.Data, "the most primary records of a synchronous batch")
		f.IntVar(&b.Sync.Included, "sync-max-included", d.Sync.Included, "the most included records of a synchronous batch")
		f.DurationVar(&b.SyncTimeout, "sync-timeout", d.SyncTimeout, "how long a synchronous batch may run before it is handed over to the asynchronous mode")
	}
}

// workerCmd runs workers of the batch API without serving HTTP: any number of them, on several
// machines, may share a PostgreSQL database (on SQLite, run one process: serve or worker).
func workerCmd(open opener) *cobra.Command {
	jobs := batch.Config{Workers: 4}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Migrate the database and write the chunks of asynchronous batches",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log, _, closeLog := newLog(os.Stderr)
			defer closeLog()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			_, svc, err := server.Engine(db, server.Config{Logger: log, Jobs: jobs})
			if err != nil {
				return err
			}
			if err := svc.Start(ctx); err != nil {
				return err
			}
			settle()
			log.Info("working", "workers", jobs.Workers, "database", db.Dialect)
			<-ctx.Done()
			log.Info("shutting down")
			shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return svc.Stop(shutdown)
		},
	}
	addBatchFlags(cmd, nil, &jobs)
	return cmd
}
