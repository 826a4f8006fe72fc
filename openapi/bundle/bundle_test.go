package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// copySource copies openapi/openapi.yaml and openapi/types to a temporary folder, with edit
// applied to the named type file, and returns the folder.
func copySource(t *testing.T, typ string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "types"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("..", "types", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, filepath.Join("..", "openapi.yaml")) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel := filepath.Base(f)
		if filepath.Base(filepath.Dir(f)) == "types" {
			rel = filepath.Join("types", rel)
		}
		text := string(data)
		if rel == filepath.Join("types", typ+".yaml") {
			text = edit(text)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A mistake in a type file stops the bundle with a message that names it.
func TestSourceMistakes(t *testing.T) {
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"a misspelt key", "  textFilters: [name]", "  textFilter: [name]", "field textFilter not found"},
		{"a filter on nothing", "filters: [name, ", "filters: [nme, ", `"nme" is no scalar attribute or relationship`},
		{"an operator the kind cannot take", "  validate: true", "  validate: true\n  operators: {name: [eq, gt]}", `operator "gt" is unknown or not valid`},
		{"an unknown operator", "  validate: true", "  validate: true\n  operators: {timesContacted: [eq, contians]}", `operator "contians" is unknown`},
		{"a relationship to no type", "{toOne: users}", "{toOne: people}", `no type "people"`},
		{"a required field that does not exist", "required: [name]", "required: [title]", `"title" is no attribute or relationship`},
		{"an attribute without an example", "name: {type: string, minLength: 1, maxLength: 255, example: Acme Corporation}",
			"name: {type: string, minLength: 1, maxLength: 255}", "attribute name needs an example"},
		{"an example its schema refuses", "example: Acme Corporation}", "example: 42}", "invalid document"},
		{"a schema nothing uses", "components:\n  schemas:\n", "components:\n  schemas:\n    accountsUnused: {type: string}\n", "used nowhere: schemas.accountsUnused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copySource(t, "accounts", func(s string) string {
				if !strings.Contains(s, c.old) {
					t.Fatalf("accounts.yaml has no %q", c.old)
				}
				return strings.Replace(s, c.old, c.new, 1)
			})
			err := run(dir, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

// The bundle of the repository's source is what gen/ holds (make verify checks the same).
func TestBundleIsGenerated(t *testing.T) {
	out := t.TempDir()
	if err := run("..", out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"openapi.yaml", "openapi.json"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "gen", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("gen/%s is stale: run make generate", name)
		}
	}
}

// The patterns of filter values accept what the engine parses (server/jsonapi/filter.go).
func TestFilterValuePatterns(t *testing.T) {
	for _, c := range []struct {
		pattern string
		ok, bad []string
	}{
		{intPattern, []string{"0", "-5", "+5", "123456789012"}, []string{"", "1.5", "a", "1e3", "--1"}},
		{decimalPattern, []string{"0", "12.5", "-12.5000", "123456789012345.1234", "1.50000", "000123456789012345"},
			[]string{"1234567890123456", "0.00005", "1.", ".5", "+1", "1e3"}},
		{datePattern, []string{"2024-03-01"}, []string{"2024-3-1", "2024", "2024-03-01T10"}},
		{dateTimePattern, []string{"2024", "2024-03", "2024-03-01", "2024-03-01T10", "2024-03-01T10:05", "2024-03-01T10:05:06",
			"2024-03-01T10:05:06.5", "2024-03-01T10:05:06Z", "2024-03-01T10:05:06.123+02:00", "2024-03-01 10:05:06"},
			[]string{"yesterday", "2024-03-01T10Z", "2024-03-01T10:05Z", "2024-03-01 10:05", "24-03-01"}},
		{numberPattern, []string{"1", "-1.5", ".5", "1e3", "2.5E-2"}, []string{"", "a", "1e", "--1"}},
	} {
		re := regexp.MustCompile("^" + c.pattern + "$")
		for _, v := range c.ok {
			if !re.MatchString(v) {
				t.Errorf("%s refuses %q", c.pattern, v)
			}
		}
		for _, v := range c.bad {
			if re.MatchString(v) {
				t.Errorf("%s accepts %q", c.pattern, v)
			}
		}
	}
}

// The JSON form keeps the order of the YAML form and the types of its values.
func TestJSONKeepsOrder(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("b: 1\na: [x, true, null, 2.5, '7']\nc: {z: 2024-03-01T10:00:00Z}\n"), &doc); err != nil {
		t.Fatal(err)
	}
	got, err := orderedJSON(&doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    true,\n    null,\n    2.5,\n    \"7\"\n  ],\n  \"c\": {\n    \"z\": \"2024-03-01T10:00:00Z\"\n  }\n}\n"
	if string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
