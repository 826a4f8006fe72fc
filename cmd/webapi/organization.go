package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	"webapi/store"
)

// organizationCmd is `webapi organization`: organizations are managed here, not through the API
// (a caller sees only its own, api.md section 17).
func organizationCmd(open opener) *cobra.Command {
	cmd := &cobra.Command{Use: "organization", Short: "Manage organizations"}
	cmd.AddCommand(organizationCreateCmd(open))
	return cmd
}

// The forms the API enforces on users (domain.md; the e-mail pattern is server/jsonapi's).
var (
	usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_.@+-]{3,}$`)
	emailPattern    = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$`)
)

// organizationCreateCmd is `webapi organization create`: a new organization with its main
// business unit and an administrator (ROLE_ADMINISTRATOR, member and owned by the unit), whose
// password is the first line of standard input; all in one transaction.
func organizationCreateCmd(open opener) *cobra.Command {
	var name, username, email string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --name NAME --admin-username U --admin-email E [--json] < password",
		Short: "Create an organization with its main business unit and an administrator (password from standard input)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name = strings.TrimSpace(name)
			switch {
			case name == "" || utf8.RuneCountInString(name) > 255 || !utf8.ValidString(name):
				return errors.New("--name must be 1 to 255 characters")
			case len(username) > 255 || !usernamePattern.MatchString(username):
				return errors.New("--admin-username must be 3 to 255 letters, digits or _ . @ + -")
			case len(email) > 255 || !emailPattern.MatchString(email):
				return errors.New("--admin-email must be an e-mail address")
			}
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
			ids, err := db.CreateOrganization(cmd.Context(), store.NewOrganization{Name: name,
				AdminUsername: username, AdminEmail: email, AdminPassword: string(hash)})
			if ce := store.Constraint(err); ce != nil && ce.Kind == store.Unique {
				switch {
				case ce.Table == "organizations":
					return fmt.Errorf("an organization named %q exists already", name)
				case len(ce.Columns) == 1 && ce.Columns[0] == "email":
					return fmt.Errorf("a user with the e-mail address %q exists already", email)
				default:
					return fmt.Errorf("a user named %q exists already", username)
				}
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				_, err = fmt.Fprintf(out, "{\"organization_id\": %d, \"business_unit_id\": %d, \"user_id\": %d}\n",
					ids.OrganizationID, ids.BusinessUnitID, ids.UserID)
				return err
			}
			_, err = fmt.Fprintf(out, "organization %d %q created, with business unit %d and administrator %q (user %d)\n",
				ids.OrganizationID, name, ids.BusinessUnitID, username, ids.UserID)
			return err
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the organization's name (unique)")
	cmd.Flags().StringVar(&username, "admin-username", "", "the administrator's username")
	cmd.Flags().StringVar(&email, "admin-email", "", "the administrator's e-mail address")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"organization_id": N, "business_unit_id": N, "user_id": N}`)
	for _, f := range []string{"name", "admin-username", "admin-email"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

// readAdminPassword reads a password: the first line of r, without its line ending; at least 8
// characters, at most the 72 bytes bcrypt reads.
func readAdminPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	switch {
	case utf8.RuneCountInString(pw) < 8:
		return "", errors.New("the password (the first line of standard input) must have at least 8 characters")
	case len(pw) > 72:
		return "", errors.New("the password must have at most 72 bytes")
	}
	return pw, nil
}
