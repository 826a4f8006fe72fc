package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"webapi/server"
	"webapi/store"
)

// searchCmd groups the commands of the search index.
func searchCmd(open opener) *cobra.Command {
	cmd := &cobra.Command{Use: "search", Short: "The search index"}
	var types []string
	reindex := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index from the records (of the types given, else of every searchable type)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			known, err := server.Searchable(db)
			if err != nil {
				return err
			}
			for _, t := range types {
				if !slices.Contains(known, t) {
					return fmt.Errorf("%q is not a searchable type (searchable: %s)", t, strings.Join(known, ", "))
				}
			}
			return reindexWithBar(cmd, db, types)
		},
	}
	reindex.Flags().StringSliceVar(&types, "type", nil, "a type to reindex (repeat or comma-separate; default every searchable type)")
	cmd.AddCommand(reindex)
	return cmd
}

// reindexWithBar rebuilds the index showing a progress bar on the command's error stream.
func reindexWithBar(cmd *cobra.Command, db *store.DB, types []string) error {
	var bar *progressbar.ProgressBar
	err := server.Reindex(cmd.Context(), db, types, func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()), progressbar.OptionSetDescription("indexing"),
				progressbar.OptionShowCount())
		}
		_ = bar.Set(done)
	})
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(cmd.ErrOrStderr())
	}
	return err
}
