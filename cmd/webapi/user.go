package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	"webapi/server/wsse"
)

// userCmd is `webapi user`: one line per subcommand below.
func userCmd(open opener) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users' credentials"}
	cmd.AddCommand(userAPIKeyCmd(open), userSetPasswordCmd(open))
	return cmd
}

// userAPIKeyCmd is `webapi user api-key USERNAME`: a new API key for WSSE, printed alone on one
// line; it replaces the user's previous key, which stops working at once.
func userAPIKeyCmd(open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "api-key USERNAME",
		Short: "Give a user a new API key for WSSE (replacing the old one) and print it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			key, err := wsse.NewAPIKey()
			if err != nil {
				return err
			}
			found, err := db.SetAPIKey(cmd.Context(), args[0], key, time.Now())
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("no user is named %q", args[0])
			}
			fmt.Fprintln(cmd.OutOrStdout(), key)
			return nil
		},
	}
}

// userSetPasswordCmd is `webapi user set-password USERNAME`: the password is the first line of
// standard input (the rules of organization create), stored as a bcrypt hash.
func userSetPasswordCmd(open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "set-password USERNAME < password",
		Short: "Set a user's password (the first line of standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := readAdminPassword(cmd.InOrStdin())
			if err != nil {
				return err
			}
			hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
			if err != nil {
				return err
			}
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			found, err := db.SetPassword(cmd.Context(), args[0], string(hash), time.Now())
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("no user is named %q", args[0])
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "password of %q set\n", args[0])
			return err
		},
	}
}
