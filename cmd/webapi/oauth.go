package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"webapi/server/oauth"
)

// oauthAppCmd is `webapi oauth-app`: the OAuth 2.0 applications (api.md section 16).
func oauthAppCmd(open opener) *cobra.Command {
	cmd := &cobra.Command{Use: "oauth-app", Short: "Manage OAuth 2.0 applications"}
	cmd.AddCommand(oauthAppCreateCmd(open), oauthAppListCmd(open), oauthAppRevokeCmd(open))
	return cmd
}

// oauthAppCreateCmd is `webapi oauth-app create`: the client secret is printed once (only its
// hash is kept).
func oauthAppCreateCmd(open opener) *cobra.Command {
	var spec oauth.AppSpec
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --name N --user USERNAME [--grant G[,G…]] [--redirect-uri U …] [--public] [--skip-consent] [--json]",
		Short: "Register an OAuth 2.0 application and print its client id and secret",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			id, clientID, secret, err := oauth.CreateApplication(cmd.Context(), db, spec)
			if errors.Is(err, oauth.ErrNoUser) {
				return fmt.Errorf("no user is named %q", spec.Username)
			}
			if err != nil {
				return errors.New(strings.TrimPrefix(err.Error(), "oauth: "))
			}
			out := cmd.OutOrStdout()
			if asJSON {
				idJSON, _ := json.Marshal(clientID)
				line := fmt.Sprintf(`{"id": %d, "client_id": %s`, id, idJSON)
				if secret != "" {
					secretJSON, _ := json.Marshal(secret)
					line += fmt.Sprintf(`, "client_secret": %s`, secretJSON)
				}
				_, err = fmt.Fprintln(out, line+"}")
				return err
			}
			if secret == "" {
				_, err = fmt.Fprintf(out, "application %d created: client id %s (public: no secret)\n", id, clientID)
				return err
			}
			_, err = fmt.Fprintf(out, "application %d created: client id %s, client secret %s (shown only now)\n", id, clientID, secret)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&spec.Name, "name", "", "the application's name")
	f.StringVar(&spec.Username, "user", "", "the user the application acts as (client_credentials); its organization's users may log in through it")
	f.StringSliceVar(&spec.Grants, "grant", nil, "the grant types it may use, comma-separated or repeated: client_credentials (default), password, authorization_code, refresh_token")
	f.StringArrayVar(&spec.RedirectURIs, "redirect-uri", nil, "a redirect URI for authorization_code, compared exactly (repeatable)")
	f.BoolVar(&spec.Public, "public", false, "a public client: no secret, PKCE required")
	f.BoolVar(&spec.SkipConsent, "skip-consent", false, "skip the consent page after the login")
	f.BoolVar(&asJSON, "json", false, `print {"id": N, "client_id": "…", "client_secret": "…"}`)
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("user")
	return cmd
}

// oauthAppListCmd is `webapi oauth-app list`: one line per application, its client id first.
func oauthAppListCmd(open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the OAuth 2.0 applications, one per line: client id, name, user, grants, state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			apps, err := db.OAuthApplications(cmd.Context())
			if err != nil {
				return err
			}
			for _, a := range apps {
				state := "active"
				if !a.Active {
					state = "revoked"
				}
				kind := "confidential"
				if a.Public {
					kind = "public"
				}
				name, _ := json.Marshal(a.Name) // quoted: a name may hold spaces
				if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s %s user=%s grants=%s %s %s\n",
					a.ClientID, name, a.Username, strings.ReplaceAll(a.Grants, " ", ","), kind, state); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// oauthAppRevokeCmd is `webapi oauth-app revoke CLIENT_ID`: no new tokens, and its issued tokens
// stop working at once in every server.
func oauthAppRevokeCmd(open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke CLIENT_ID",
		Short: "Revoke an OAuth 2.0 application: its tokens stop working at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			found, err := db.RevokeOAuthApplication(cmd.Context(), args[0], time.Now())
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("no application has the client id %q", args[0])
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "application %s revoked\n", args[0])
			return err
		},
	}
}
