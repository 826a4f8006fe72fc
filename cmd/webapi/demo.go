package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/bcrypt"

	"webapi/server/oauth"
	"webapi/server/settings"
	"webapi/store"
)

// demoAppName names the application `serve --demo` creates for the sandbox; each start
// revokes the previous one (its secret was printed once and is not kept).
const demoAppName = "Sandbox (serve --demo)"

// demoAccess makes a demo database usable in one command: the API switched on globally, a new
// password for admin, and a new client-credentials application acting as admin; it prints
// them, with curl lines to get a token and use it, to out.
func demoAccess(ctx context.Context, db *store.DB, base string, out io.Writer) error {
	if err := settings.SetAPIEnabled(ctx, db, 0, true); err != nil {
		return fmt.Errorf("switch the API on: %w", err)
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	if found, err := db.SetPassword(ctx, "admin", string(hash), time.Now()); err != nil || !found {
		return fmt.Errorf("the password of admin (found %t): %v", found, err)
	}
	apps, err := db.OAuthApplications(ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if a.Name == demoAppName && a.Active {
			if _, err := db.RevokeOAuthApplication(ctx, a.ClientID, time.Now()); err != nil {
				return err
			}
		}
	}
	_, id, secret, err := oauth.CreateApplication(ctx, db, oauth.AppSpec{Name: demoAppName, Username: "admin",
		Grants: []string{"client_credentials", "password", "refresh_token"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `The demo data is served at %[1]s (the API is switched on).
  sandbox:        %[1]s/api/doc (Authorize with the OAuth client below)
  document:       %[1]s/api/doc/openapi.yaml
  user:           admin, password %[2]s
  OAuth client:   client_id %[3]s, client_secret %[4]s (client_credentials and password grants; acts as admin)
  a token:        TOKEN=$(curl -s %[1]s/oauth2-token -d grant_type=client_credentials -d client_id=%[3]s -d client_secret=%[4]s | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  a request:      curl -g -H "Authorization: Bearer $TOKEN" '%[1]s/api/accounts?page[size]=5&include=contacts'
`, base, password, id, secret)
	return nil
}
