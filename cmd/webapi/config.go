package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"webapi/server/settings"
	"webapi/store"
)

// configCmd is `webapi config`: the system configuration (api.md section 18). Its one setting is
// web_api, the switch of the API, global or per organization.
func configCmd(open opener) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Read and change the system configuration (web_api)"}
	var setOrg, getOrg int64
	set := &cobra.Command{
		Use:   "set NAME VALUE",
		Short: "Set a setting globally, or for one organization (which then no longer follows the global value)",
		Example: "  webapi config set web_api true\n" +
			"  webapi config set web_api false --organization 2",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := knownSetting(args[0]); err != nil {
				return err
			}
			on, err := parseSwitch(args[1])
			if err != nil {
				return err
			}
			org, err := organizationFlag(cmd, setOrg)
			if err != nil {
				return err
			}
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if err := checkOrganization(cmd, db, org); err != nil {
				return err
			}
			if err := settings.SetAPIEnabled(cmd.Context(), db, org, on); err != nil {
				if ce := store.Constraint(err); ce != nil && ce.Kind == store.ForeignKey {
					return fmt.Errorf("organization %d does not exist", org) // deleted meanwhile
				}
				return err
			}
			scope := "globally"
			if org != 0 {
				scope = fmt.Sprintf("for organization %d", org)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s set to %v %s\n", args[0], on, scope)
			return nil
		},
	}
	set.Flags().Int64Var(&setOrg, "organization", 0, "the organization's id (default: the global value)")
	get := &cobra.Command{
		Use:   "get NAME",
		Short: "Print a setting's value: true or false (for an organization, its own value or else the global one)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := knownSetting(args[0]); err != nil {
				return err
			}
			org, err := organizationFlag(cmd, getOrg)
			if err != nil {
				return err
			}
			db, err := open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if err := checkOrganization(cmd, db, org); err != nil {
				return err
			}
			s, err := settings.Load(cmd.Context(), db)
			if err != nil {
				return err
			}
			on := s.Global()
			if org != 0 {
				on = s.APIEnabled(org)
			}
			fmt.Fprintln(cmd.OutOrStdout(), strconv.FormatBool(on))
			return nil
		},
	}
	get.Flags().Int64Var(&getOrg, "organization", 0, "the organization's id (default: the global value)")
	cmd.AddCommand(set, get)
	return cmd
}

func knownSetting(name string) error {
	if !slices.Contains(settings.Names, name) {
		return fmt.Errorf("unknown setting %q (known: %s)", name, strings.Join(settings.Names, ", "))
	}
	return nil
}

// parseSwitch reads the value of a boolean setting: exactly true or false.
func parseSwitch(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a value of web_api: true or false", v)
}

// organizationFlag returns the --organization of cmd: 0 when not given (the global value).
func organizationFlag(cmd *cobra.Command, id int64) (int64, error) {
	if !cmd.Flags().Changed("organization") {
		return 0, nil
	}
	if id <= 0 {
		return 0, errors.New("--organization must be an organization's id (1 or more)")
	}
	return id, nil
}

func checkOrganization(cmd *cobra.Command, db *store.DB, org int64) error {
	if org == 0 {
		return nil
	}
	ok, err := db.OrganizationExists(cmd.Context(), org)
	if err == nil && !ok {
		err = fmt.Errorf("organization %d does not exist", org)
	}
	return err
}
