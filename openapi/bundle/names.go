package main

import (
	"strings"
	"unicode"
)

// The names a type's declaration gives (one: "an account", many: "accounts") make the
// operation ids (listAccounts, getAccount, getAccountContacts …) and the English of summaries
// and descriptions.

// singular is the name of one resource without its article: "account".
func (t *typeFile) singular() string {
	_, s, _ := strings.Cut(t.Decl.One, " ")
	return s
}

// opName is the name of one resource in operation ids: "Account", "WeightUnit".
func (t *typeFile) opName() string { return camel(t.singular()) }

// opNames is the name of several resources in operation ids: "Accounts".
func (t *typeFile) opNames() string { return camel(t.Decl.Many) }

// camel joins words in CamelCase: "weight unit" → "WeightUnit".
func camel(words string) string {
	var b strings.Builder
	for _, w := range strings.Fields(words) {
		b.WriteString(capitalize(w))
	}
	return b.String()
}

// words splits a camelCase name into lower-case words: "parentBusinessUnit" → "parent business unit".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// label is the English name of a relationship: "default contact", "business units".
func (r *relationship) label() string { return words(r.Name) }

// note is the relationship's description as the first sentence of a longer text, or "".
func (r *relationship) note() string {
	if r.Description == "" {
		return ""
	}
	return r.Description + " "
}

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
