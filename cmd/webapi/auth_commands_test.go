package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"webapi/server/auth"
	"webapi/server/wsse"
	"webapi/store"
	"webapi/store/storetest"
)

// eachDatabase runs test on every backend with the URL of a fresh migrated database.
func eachDatabase(t *testing.T, test func(t *testing.T, db *store.DB, url string)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, b)
			test(t, db, storetest.URL(t, b, db))
		})
	}
}

// invoke runs the command with stdin and returns what it printed (standard output and error) and
// its error.
func invoke(stdin string, args ...string) (string, error) {
	cmd := root()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

// expectOutput runs a command that must succeed and print exactly want.
func expectOutput(t *testing.T, want string, stdin string, args ...string) {
	t.Helper()
	got, err := invoke(stdin, args...)
	if err != nil {
		t.Fatalf("webapi %s: %v\n%s", strings.Join(args, " "), err, got)
	}
	if got != want {
		t.Errorf("webapi %s printed %q, want %q", strings.Join(args, " "), got, want)
	}
}

// expectRefusal runs a command that must fail with an error containing want.
func expectRefusal(t *testing.T, want string, stdin string, args ...string) {
	t.Helper()
	got, err := invoke(stdin, args...)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("webapi %s: %v (printed %q), want an error with %q", strings.Join(args, " "), err, got, want)
	}
}

func TestConfigCommands(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, db *store.DB, url string) {
		o2 := store.Organization{Name: "Second", Enabled: true}
		if err := db.Gorm.Create(&o2).Error; err != nil {
			t.Fatal(err)
		}
		d := "--database=" + url
		expectOutput(t, "false\n", "", "config", "get", "web_api", d)
		expectOutput(t, "false\n", "", "config", "get", "web_api", "--organization", "1", d)
		expectOutput(t, "web_api set to true globally\n", "", "config", "set", "web_api", "true", d)
		expectOutput(t, "true\n", "", "config", "get", "web_api", d)
		expectOutput(t, "true\n", "", "config", "get", "web_api", "--organization", "1", d)
		expectOutput(t, "web_api set to false for organization 2\n", "", "config", "set", "web_api", "false", "--organization", "2", d)
		expectOutput(t, "false\n", "", "config", "get", "web_api", "--organization", "2", d)
		expectOutput(t, "true\n", "", "config", "get", "web_api", "--organization", "1", d)
		expectOutput(t, "true\n", "", "config", "get", "web_api", d)
		expectOutput(t, "web_api set to false globally\n", "", "config", "set", "web_api", "false", d)
		expectOutput(t, "web_api set to true for organization 1\n", "", "config", "set", "web_api", "true", "--organization=1", d)
		expectOutput(t, "false\n", "", "config", "get", "web_api", d)
		expectOutput(t, "true\n", "", "config", "get", "web_api", "--organization", "1", d)
		expectOutput(t, "false\n", "", "config", "get", "web_api", "--organization", "2", d)

		expectRefusal(t, `unknown setting "web-api" (known: web_api)`, "", "config", "get", "web-api", d)
		expectRefusal(t, `unknown setting "other" (known: web_api)`, "", "config", "set", "other", "true", d)
		expectRefusal(t, `"yes" is not a value of web_api: true or false`, "", "config", "set", "web_api", "yes", d)
		expectRefusal(t, `"TRUE" is not a value of web_api: true or false`, "", "config", "set", "web_api", "TRUE", d)
		expectRefusal(t, "organization 3 does not exist", "", "config", "set", "web_api", "true", "--organization", "3", d)
		expectRefusal(t, "organization 3 does not exist", "", "config", "get", "web_api", "--organization", "3", d)
		expectRefusal(t, "--organization must be an organization's id (1 or more)", "", "config", "get", "web_api", "--organization", "0", d)
		expectRefusal(t, "accepts 2 arg(s), received 1", "", "config", "set", "web_api", d)
		expectOutput(t, "false\n", "", "config", "get", "web_api", d) // nothing changed
	})
}

var (
	keyLine    = regexp.MustCompile(`^[0-9a-f]{40}\n$`)
	headerPair = regexp.MustCompile(`^Authorization: (WSSE profile="UsernameToken")\n` +
		`X-WSSE: (UsernameToken Username="admin", PasswordDigest="[A-Za-z0-9+/]{27}=", Nonce="[A-Za-z0-9+/]{22}==", Created="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})")\n$`)
)

func TestAPIKeyCommands(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, db *store.DB, url string) {
		d := "--database=" + url
		apiKey := func() string {
			t.Helper()
			out, err := invoke("", "user", "api-key", "admin", d)
			if err != nil || !keyLine.MatchString(out) {
				t.Fatalf("user api-key printed %q, %v; want a key alone on one line", out, err)
			}
			return strings.TrimSpace(out)
		}
		old, key := apiKey(), apiKey()
		if old == key {
			t.Fatal("two keys alike")
		}
		expectRefusal(t, `no user is named "nobody"`, "", "user", "api-key", "nobody", d)

		scheme := wsse.New(db)
		for _, c := range []struct {
			key    string
			detail string
		}{{key, ""}, {old, "The X-WSSE credentials are invalid."}} {
			out, err := invoke("", "wsse-header", "--username", "admin", "--api-key", c.key)
			m := headerPair.FindStringSubmatch(out)
			if err != nil || m == nil {
				t.Fatalf("wsse-header printed %q, %v", out, err)
			}
			r := httptest.NewRequest("GET", "/api/accounts", nil)
			r.Header.Set("Authorization", m[1])
			r.Header.Set("X-WSSE", m[2])
			id, err := scheme.Verify(r)
			switch f, _ := err.(*auth.Failure); {
			case c.detail == "" && (err != nil || id.UserID != 1):
				t.Errorf("the headers of the new key: %v, %v", id, err)
			case c.detail != "" && (f == nil || f.Detail != c.detail):
				t.Errorf("the headers of the old key: %v, want %q", err, c.detail)
			}
		}
		expectRefusal(t, `required flag(s) "api-key" not set`, "", "wsse-header", "--username", "admin")
		expectRefusal(t, "--api-key is empty", "", "wsse-header", "--username", "admin", "--api-key", "")
		expectRefusal(t, "a username must not be empty nor hold quotes", "", "wsse-header", "--username", `a"b`, "--api-key", "k")
	})
}

func TestOrganizationCreate(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, db *store.DB, url string) {
		ctx := context.Background()
		d := "--database=" + url
		expectOutput(t, `{"organization_id": 2, "business_unit_id": 2, "user_id": 2}`+"\n", "s3cret password\n",
			"organization", "create", "--name", "Acme", "--admin-username", "acme.admin", "--admin-email", "admin@acme.test", "--json", d)
		expectOutput(t, `organization 3 "Globex" created, with business unit 3 and administrator "globex" (user 3)`+"\n", "another one\r\nignored\n",
			"organization", "create", "--name", " Globex ", "--admin-username", "globex", "--admin-email", "it@globex.test", d)

		var org store.Organization
		var unit store.BusinessUnit
		var user store.User
		db.Gorm.First(&org, 2)
		db.Gorm.First(&unit, 2)
		db.Gorm.First(&user, 2)
		if org.Name != "Acme" || !org.Enabled || unit.Name != "Main" || unit.OrganizationID != 2 || unit.ParentBusinessUnitID != nil ||
			user.Username != "acme.admin" || user.Email != "admin@acme.test" || !user.Enabled || user.OwnerID != 2 || user.OrganizationID != 2 {
			t.Errorf("created %+v\n%+v\n%+v", org, unit, user)
		}
		if user.Password == nil || bcrypt.CompareHashAndPassword([]byte(*user.Password), []byte("s3cret password")) != nil {
			t.Error("the administrator's password is not the line read")
		}
		var globex store.User
		db.Gorm.First(&globex, 3)
		if globex.Password == nil || bcrypt.CompareHashAndPassword([]byte(*globex.Password), []byte("another one")) != nil {
			t.Error("the password is not the first line without its CR LF")
		}
		// the administrator is one of the organization, with every permission, and nothing more
		p, err := auth.Load(ctx, db, auth.Identity{UserID: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.OrganizationID != 2 || p.BusinessUnitID != 2 || len(p.BusinessUnits) != 1 || p.BusinessUnits[0] != 2 ||
			p.Level("accounts", auth.Delete) != auth.LevelSystem {
			t.Errorf("principal %+v", p)
		}
		var roles []string
		db.Gorm.Raw("SELECT r.role FROM user_roles r JOIN user_user_roles ur ON ur.user_role_id = r.id WHERE ur.user_id = 2").Scan(&roles)
		if len(roles) != 1 || roles[0] != "ROLE_ADMINISTRATOR" {
			t.Errorf("roles %v", roles)
		}

		create := func(name, username, email string) []string {
			return []string{"organization", "create", "--name", name, "--admin-username", username, "--admin-email", email, d}
		}
		for _, c := range []struct {
			stdin string
			args  []string
			want  string
		}{
			{"password\n", create("Acme", "other", "other@acme.test"), `an organization named "Acme" exists already`},
			{"password\n", create("Initech", "acme.admin", "other@acme.test"), `a user named "acme.admin" exists already`},
			{"password\n", create("Initech", "admin", "other@acme.test"), `a user named "admin" exists already`},
			{"password\n", create("Initech", "other", "admin@acme.test"), `a user with the e-mail address "admin@acme.test" exists already`},
			{"short\n", create("Initech", "other", "other@acme.test"), "at least 8 characters"},
			{"", create("Initech", "other", "other@acme.test"), "at least 8 characters"},
			{strings.Repeat("x", 73), create("Initech", "other", "other@acme.test"), "at most 72 bytes"},
			{"password\n", create("  ", "other", "other@acme.test"), "--name must be 1 to 255 characters"},
			{"password\n", create("Initech", "ab", "other@acme.test"), "--admin-username must be"},
			{"password\n", create("Initech", "o ther", "other@acme.test"), "--admin-username must be"},
			{"password\n", create("Initech", "other", "other"), "--admin-email must be an e-mail address"},
			{"password\n", []string{"organization", "create", "--name", "Initech", "--admin-username", "other", d}, `required flag(s) "admin-email" not set`},
		} {
			expectRefusal(t, c.want, c.stdin, c.args...)
		}
		for table, want := range map[string]int64{"organizations": 3, "business_units": 3, "users": 3, "user_user_roles": 3, "user_business_units": 3} {
			var n int64
			db.Gorm.Table(table).Count(&n)
			if n != want {
				t.Errorf("%s: %d rows after the refusals, want %d", table, n, want)
			}
		}
	})
}
