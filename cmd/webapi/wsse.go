package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"webapi/server/wsse"
)

// wsseHeaderCmd is `webapi wsse-header --username U --api-key K`: the two headers of a WSSE
// request, with a fresh nonce and the current time (valid for an hour, for one request). It
// needs no database: the key is the one `webapi user api-key` printed.
func wsseHeaderCmd() *cobra.Command {
	var username, apiKey string
	cmd := &cobra.Command{
		Use:   "wsse-header",
		Short: "Print the Authorization and X-WSSE headers of one WSSE request",
		Example: "  webapi wsse-header --username admin --api-key KEY > headers.txt\n" +
			"  curl -H @headers.txt http://127.0.0.1:8080/api/accounts",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if apiKey == "" {
				return errors.New("--api-key is empty")
			}
			authz, x, err := wsse.Headers(username, apiKey, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Authorization: %s\nX-WSSE: %s\n", authz, x)
			return nil
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "the user's username")
	cmd.Flags().StringVar(&apiKey, "api-key", "", "the user's API key")
	_ = cmd.MarkFlagRequired("username")
	_ = cmd.MarkFlagRequired("api-key")
	return cmd
}
